(throw_statement) @error.raise
(catch_clause) @error.except

(raise_statement) @error.raise
(except_clause) @error.except

(try_expression) @error.try
(call_expression function: (identifier) @_e (#eq? @_e "Err")) @error.err
(macro_invocation macro: (identifier) @_m (#any-of? @_m "bail" "panic" "anyhow")) @error.err

(assignment left: (identifier) @bind.target right: (call function: (identifier) @bind.type)) @bind
(assignment left: (identifier) @bind.target right: (call function: (attribute) @bind.type)) @bind
(assignment left: (attribute) @bind.target right: (call function: (identifier) @bind.type)) @bind
(assignment left: (attribute) @bind.target right: (call function: (attribute) @bind.type)) @bind
(assignment left: (identifier) @bind.target type: (type) @bind.type) @bind
(assignment left: (attribute) @bind.target type: (type) @bind.type) @bind
(typed_parameter (identifier) @bind.target type: (type) @bind.type) @bind
(typed_default_parameter name: (identifier) @bind.target type: (type) @bind.type) @bind
; plain aliases `a = b` / `a = m.b` (module level re-exports)
(module (expression_statement (assignment left: (identifier) @bind.target right: [(identifier) (attribute)] @bind.alias)) @bind)
; `self.x = param` (the param's annotation types the field)
(assignment left: (attribute) @bind.target right: (identifier) @bind.alias) @bind

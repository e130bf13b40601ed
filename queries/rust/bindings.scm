; Cheap type facts for receiver resolution.
(let_declaration pattern: (identifier) @bind.target value: (call_expression function: (scoped_identifier path: (_) @bind.type))) @bind
(let_declaration pattern: (identifier) @bind.target value: (struct_expression name: (_) @bind.type)) @bind
(let_declaration pattern: (identifier) @bind.target type: (_) @bind.type) @bind
(field_declaration name: (field_identifier) @bind.field type: (_) @bind.type) @bind
(parameter pattern: (identifier) @bind.target type: (_) @bind.type) @bind
; `let router = self.inner.clone();` — the local has the field's type
(let_declaration pattern: (identifier) @bind.target value: (call_expression function: (field_expression value: (_) @bind.alias field: (field_identifier) @_m)) (#any-of? @_m "clone" "as_ref" "borrow" "lock" "read" "write")) @bind

(declaration type: (placeholder_type_specifier) declarator: (init_declarator declarator: (identifier) @bind.target value: [(identifier) @bind.alias (template_function) @bind.alias (pointer_expression argument: (_) @bind.alias)])) @bind
(declaration type: (type_identifier) @bind.type declarator: [(identifier) @bind.target (init_declarator declarator: (identifier) @bind.target)]) @bind

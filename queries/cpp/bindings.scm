(declaration type: (placeholder_type_specifier) declarator: (init_declarator declarator: (identifier) @bind.target value: (identifier) @bind.alias)) @bind
(declaration type: (placeholder_type_specifier) declarator: (init_declarator declarator: (identifier) @bind.target value: (template_function) @bind.alias)) @bind
(declaration type: (placeholder_type_specifier) declarator: (init_declarator declarator: (identifier) @bind.target value: (pointer_expression argument: (_) @bind.alias))) @bind
(declaration type: (type_identifier) @bind.type declarator: (identifier) @bind.target) @bind
(declaration type: (type_identifier) @bind.type declarator: (init_declarator declarator: (identifier) @bind.target)) @bind

; Alternations, not one pattern per declarator type: compiling a pattern costs ~12 ms of analysis against the
; C++ grammar's parse table, once per process and grammar (scripts/query-compile.mjs measures it).
(function_definition declarator: (function_declarator declarator: [(identifier) (field_identifier) (qualified_identifier) (destructor_name) (operator_name)] @name)) @def.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: [(identifier) (qualified_identifier)] @name))) @def.function
(function_definition declarator: (reference_declarator (function_declarator declarator: (identifier) @name))) @def.function
(declaration declarator: (function_declarator declarator: (identifier) @name)) @def.function.decl
(field_declaration declarator: (function_declarator declarator: (field_identifier) @name)) @def.function.decl
(class_specifier name: (type_identifier) @name body: (_)) @def.class
(struct_specifier name: (type_identifier) @name body: (_)) @def.struct
(union_specifier name: (type_identifier) @name body: (_)) @def.union
(enum_specifier name: (type_identifier) @name body: (_)) @def.enum
(namespace_definition name: (_) @name) @def.namespace
[(preproc_function_def name: (identifier) @name) (preproc_def name: (identifier) @name)] @def.macro
[(type_definition declarator: (type_identifier) @name) (alias_declaration name: (type_identifier) @name)] @def.type

(function_definition name: (identifier) @name) @def.function
(class_definition name: (identifier) @name) @def.class
; Registries: module- or class-level dict literals (a name → implementation table such as a parser map).
(module (expression_statement (assignment left: (identifier) @name right: (dictionary)) @def.registry))
(class_definition body: (block (expression_statement (assignment left: (identifier) @name right: (dictionary)) @def.registry)))

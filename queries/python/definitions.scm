(function_definition name: (identifier) @name) @def.function
(class_definition name: (identifier) @name) @def.class

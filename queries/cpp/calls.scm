(call_expression function: (identifier) @call.name) @call.call
(call_expression function: (field_expression argument: (_) @call.receiver field: (field_identifier) @call.name)) @call.call
(call_expression function: (field_expression argument: (_) @call.receiver field: (template_method name: (field_identifier) @call.name arguments: (_) @call.targs))) @call.call
(call_expression function: (qualified_identifier scope: (_) @call.path name: (identifier) @call.name)) @call.call
(call_expression function: (template_function name: (identifier) @call.name arguments: (_) @call.targs)) @call.call
(call_expression function: (qualified_identifier scope: (_) @call.path name: (template_function name: (identifier) @call.name arguments: (_) @call.targs))) @call.call

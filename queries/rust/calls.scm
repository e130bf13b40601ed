; Calls. @call.<kind> marks the call node, @call.name the called name, @call.receiver what precedes it.
(call_expression function: (identifier) @call.name) @call.call
(call_expression function: (field_expression value: (_) @call.receiver field: (field_identifier) @call.name)) @call.call
(call_expression function: (scoped_identifier path: (_) @call.path name: (identifier) @call.name)) @call.call
(call_expression function: (generic_function function: (identifier) @call.name type_arguments: (_) @call.targs)) @call.call
(call_expression function: (generic_function function: (field_expression value: (_) @call.receiver field: (field_identifier) @call.name) type_arguments: (_) @call.targs)) @call.call
(call_expression function: (generic_function function: (scoped_identifier path: (_) @call.path name: (identifier) @call.name) type_arguments: (_) @call.targs)) @call.call
(macro_invocation macro: (identifier) @call.name) @call.macro
(macro_invocation macro: (scoped_identifier path: (_) @call.path name: (identifier) @call.name)) @call.macro

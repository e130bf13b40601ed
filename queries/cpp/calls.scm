(call_expression function: [
  (identifier) @call.name
  (field_expression argument: (_) @call.receiver field: (field_identifier) @call.name)
  (field_expression argument: (_) @call.receiver field: (template_method name: (field_identifier) @call.name arguments: (_) @call.targs))
  (qualified_identifier scope: (_) @call.path name: (identifier) @call.name)
  (template_function name: (identifier) @call.name arguments: (_) @call.targs)
  (qualified_identifier scope: (_) @call.path name: (template_function name: (identifier) @call.name arguments: (_) @call.targs))
]) @call.call

; CUDA kernel launches: `kernel<<<grid, block, smem, stream>>>(args)` (tree-sitter-cuda only).
(call_expression function: [
  (identifier) @call.name
  (template_function name: (identifier) @call.name arguments: (_) @call.targs)
  (qualified_identifier scope: (_) @call.path name: (identifier) @call.name)
  (qualified_identifier scope: (_) @call.path name: (template_function name: (identifier) @call.name arguments: (_) @call.targs))
] (kernel_call_syntax)) @call.cuda-launch
; A macro use the grammar cannot parse as a call (`LAUNCH_X(float, 4);`: a type among the arguments) is an
; ERROR node holding the upper-case macro name and `(`.
(ERROR (identifier) @call.name . "(" (#match? @call.name "^[A-Z][A-Z0-9_]*$")) @call.call

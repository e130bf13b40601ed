; CUDA kernel launches: `kernel<<<grid, block, smem, stream>>>(args)` (tree-sitter-cuda only).
(call_expression function: (identifier) @call.name (kernel_call_syntax)) @call.cuda-launch
(call_expression function: (template_function name: (identifier) @call.name arguments: (_) @call.targs) (kernel_call_syntax)) @call.cuda-launch
(call_expression function: (qualified_identifier scope: (_) @call.path name: (identifier) @call.name) (kernel_call_syntax)) @call.cuda-launch
(call_expression function: (qualified_identifier scope: (_) @call.path name: (template_function name: (identifier) @call.name arguments: (_) @call.targs)) (kernel_call_syntax)) @call.cuda-launch

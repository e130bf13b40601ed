(call function: (identifier) @call.name) @call.call
(call function: (attribute object: (_) @call.receiver attribute: (identifier) @call.name)) @call.call
; kernel[grid](...): a Triton launch candidate
(call function: (subscript value: (identifier) @call.name)) @call.index-launch
(call function: (subscript value: (attribute object: (_) @call.receiver attribute: (identifier) @call.name))) @call.index-launch

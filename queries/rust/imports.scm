; `use` trees are expanded by the registry's `rust-use` import expander.
(use_declaration argument: (_) @import.tree) @import
(mod_item name: (identifier) @import.mod !body) @import

{
  "variables": {
    "ts_lib%": "<!(node -p \"require('path').relative('.', require('path').join(require('path').dirname(require.resolve('tree-sitter/package.json')), 'vendor/tree-sitter/lib'))\")"
  },
  "targets": [
    {
      "target_name": "dsm_tree_sitter",
      "sources": ["dsm_tree_sitter.c", "arena.c", "extract.c", "codec.c", "<(ts_lib)/src/lib.c"],
      "include_dirs": ["<(ts_lib)/src", "<(ts_lib)/include"],
      "defines": ["_POSIX_C_SOURCE=200112L", "_DEFAULT_SOURCE", "NAPI_VERSION=8", "NDEBUG"],
      "cflags_c": ["-std=c11", "-fvisibility=hidden", "-fno-semantic-interposition"]
    }
  ]
}

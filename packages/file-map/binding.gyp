{
  "targets": [
    {
      "target_name": "file_map",
      "sources": ["src/file_map.c", "src/append.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "conditions": [["OS=='win'", {"type": "none"}]]
    }
  ]
}

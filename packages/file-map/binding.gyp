{
  "targets": [
    {
      "target_name": "file_map",
      "sources": ["src/file_map.c", "src/append.c", "src/scan_rows.c"],
      "cflags": ["-O3", "-Wall", "-Wextra"],
      "conditions": [["OS=='win'", {"type": "none"}]]
    }
  ]
}

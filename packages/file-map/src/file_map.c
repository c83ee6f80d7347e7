/*
 * @frozendb/file-map: read-only shared memory maps of open files, for Node.
 *
 * A lookup that reads its row with pread pays one system call (about 3 µs on
 * a machine with page-table isolation), more than the rest of the lookup.
 * Through a map the same bytes are plain memory: the page cache's own pages,
 * no copy and no system call once a page has been touched.
 *
 * One function: map(fd, length) returns an ArrayBuffer over the first
 * `length` bytes of the file. PROT_READ and MAP_SHARED: bytes other processes
 * append later become visible through the same map (the caller maps more than
 * the file holds and never touches bytes past the end it has seen: a page
 * wholly past the end of the file raises SIGBUS). The map is released when
 * the ArrayBuffer is garbage-collected, so no view can outlive it.
 */

#define NAPI_VERSION 8
#include <errno.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static void release_map(napi_env env, void *data, void *hint) {
  (void)env;
  munmap(data, (size_t)(uintptr_t)hint);
}

static napi_value throw_error(napi_env env, const char *code, const char *message) {
  napi_throw_error(env, code, message);
  return NULL;
}

static napi_value map_file(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    return throw_error(env, "ERR_INVALID_ARG", "map(fd, length) takes two arguments");
  }
  int32_t fd;
  double length;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    return throw_error(env, "ERR_INVALID_ARG", "fd must be a non-negative integer");
  }
  if (napi_get_value_double(env, argv[1], &length) != napi_ok || !(length >= 1) ||
      length > 9007199254740991.0 || length != (double)(uint64_t)length) {
    return throw_error(env, "ERR_INVALID_ARG", "length must be a positive integer");
  }
  size_t bytes = (size_t)length;
  void *address = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);
  if (address == MAP_FAILED) {
    char message[160];
    snprintf(message, sizeof message, "mmap of %zu bytes failed: %s", bytes, strerror(errno));
    return throw_error(env, "ERR_MMAP", message);
  }
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, address, bytes, release_map, (void *)(uintptr_t)bytes,
                                       &buffer) != napi_ok) {
    munmap(address, bytes);
    return throw_error(env, "ERR_MMAP", "the runtime refused an external ArrayBuffer");
  }
  return buffer;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "map", NAPI_AUTO_LENGTH, map_file, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "map", fn) != napi_ok) {
    return NULL;
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

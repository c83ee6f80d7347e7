/*
 * @frozendb/file-map: read-only shared memory maps of open files, for Node.
 *
 * A lookup that reads its row with pread pays one system call (about 3 µs on
 * a machine with page-table isolation), more than the rest of the lookup.
 * Through a map the same bytes are plain memory: the page cache's own pages,
 * no copy and no system call once a page has been touched.
 *
 * map(fd, length) returns an ArrayBuffer over the first `length` bytes of the
 * file. PROT_READ and MAP_SHARED: bytes other processes append later become
 * visible through the same map (the caller maps more than the file holds and
 * never touches bytes past the end it has seen: a page wholly past the end of
 * the file raises SIGBUS). The map is released when the ArrayBuffer is
 * garbage-collected, or at once by unmap(buffer), which swaps the file's
 * pages for anonymous zero pages in place: views of the buffer that outlive
 * it read zeros, never released memory. It does not detach the buffer:
 * detaching any ArrayBuffer invalidates one of V8's protectors for the rest
 * of the process, after which every typed-array access checks for detached
 * buffers (a loop over an Int32Array ran 1.8x slower once a database had
 * been closed, in the closing process and in everything it did afterwards).
 */

#include "append.h"
#include "scan_rows.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* One map; owned by its ArrayBuffer (freed by the buffer's finalizer). */
typedef struct {
  void *address;
  size_t length;
  int mapped;
} mapping;

static void release_map(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  mapping *m = (mapping *)hint;
  if (m->mapped) munmap(m->address, m->length);
  free(m);
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
  mapping *m = (mapping *)malloc(sizeof(mapping));
  if (m == NULL) {
    munmap(address, bytes);
    return throw_error(env, "ERR_MMAP", "out of memory");
  }
  m->address = address;
  m->length = bytes;
  m->mapped = 1;
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, address, bytes, release_map, m, &buffer) != napi_ok) {
    munmap(address, bytes);
    free(m);
    return throw_error(env, "ERR_MMAP", "the runtime refused an external ArrayBuffer");
  }
  /* Lets unmap() find the mapping from the buffer. */
  if (napi_wrap(env, buffer, m, NULL, NULL, NULL) != napi_ok) {
    return throw_error(env, "ERR_MMAP", "could not tag the mapped buffer");
  }
  return buffer;
}

static napi_value unmap_file(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  bool is_buffer = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_is_arraybuffer(env, argv[0], &is_buffer) != napi_ok || !is_buffer) {
    return throw_error(env, "ERR_INVALID_ARG", "unmap(buffer) takes a buffer made by map()");
  }
  void *found = NULL;
  if (napi_remove_wrap(env, argv[0], &found) != napi_ok || found == NULL) {
    /* Not made by map(), or already unmapped. */
    napi_value undefined;
    napi_get_undefined(env, &undefined);
    return undefined;
  }
  mapping *m = (mapping *)found;
  /* MAP_FIXED replaces the file mapping in one step: the file's pages are
     released now, and the range holds zero pages (no memory: reads map the
     kernel's shared zero page) until the buffer's finalizer unmaps it. */
  void *zeros =
      mmap(m->address, m->length, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (zeros == MAP_FAILED) {
    /* Safety before speed: release the pages and detach the buffer, so
       that no view can reach them. Release first: detaching may run the
       finalizer, which must then find nothing left to unmap (and frees m). */
    munmap(m->address, m->length);
    m->mapped = 0;
    if (napi_detach_arraybuffer(env, argv[0]) != napi_ok) {
      return throw_error(env, "ERR_MMAP", "could not detach the mapped buffer");
    }
  }
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  return undefined;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value map_fn;
  napi_value unmap_fn;
  napi_value append_fn;
  napi_value scan_fn;
  if (napi_create_function(env, "append", NAPI_AUTO_LENGTH, append_bytes, NULL, &append_fn) !=
          napi_ok ||
      napi_set_named_property(env, exports, "append", append_fn) != napi_ok ||
      napi_create_function(env, "scanRows", NAPI_AUTO_LENGTH, scan_rows, NULL, &scan_fn) !=
          napi_ok ||
      napi_set_named_property(env, exports, "scanRows", scan_fn) != napi_ok ||
      napi_create_function(env, "map", NAPI_AUTO_LENGTH, map_file, NULL, &map_fn) != napi_ok ||
      napi_set_named_property(env, exports, "map", map_fn) != napi_ok ||
      napi_create_function(env, "unmap", NAPI_AUTO_LENGTH, unmap_file, NULL, &unmap_fn) != napi_ok ||
      napi_set_named_property(env, exports, "unmap", unmap_fn) != napi_ok) {
    return NULL;
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

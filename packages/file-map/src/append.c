/*
 * append(fd, bytes, offset, length): write(2) of bytes[offset, offset+length)
 * until all of it is written, for a descriptor opened with O_APPEND.
 *
 * fs.writeSync costs about 1.1 µs per call more than the write(2) it makes
 * (argument checks, a request object, an error context), as much again as
 * the system call on a machine without page-table isolation. A writer that
 * appends each API call at once, as frozenDB's format asks, pays that per
 * row; this is the same system call without the wrapper.
 */

#include "append.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

/* Throws an Error like Node's own for a failed write: code (ENOSPC, ...)
   named by libuv as Node names it, errno (negative, as Node reports it) and
   syscall. */
static napi_value throw_errno(napi_env env, int error) {
  const char *name = uv_err_name(-error);
  char message[200];
  snprintf(message, sizeof message, "%s: %s, write", name, strerror(error));
  napi_value code_value, message_value, error_value, errno_value, syscall_value;
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code_value) != napi_ok ||
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &message_value) != napi_ok ||
      napi_create_error(env, code_value, message_value, &error_value) != napi_ok ||
      napi_create_int32(env, -error, &errno_value) != napi_ok ||
      napi_set_named_property(env, error_value, "errno", errno_value) != napi_ok ||
      napi_create_string_utf8(env, "write", NAPI_AUTO_LENGTH, &syscall_value) != napi_ok ||
      napi_set_named_property(env, error_value, "syscall", syscall_value) != napi_ok) {
    napi_throw_error(env, name, message);
    return NULL;
  }
  napi_throw(env, error_value);
  return NULL;
}

static napi_value invalid(napi_env env, const char *message) {
  napi_throw_error(env, "ERR_INVALID_ARG", message);
  return NULL;
}

napi_value append_bytes(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4) {
    return invalid(env, "append(fd, bytes, offset, length) takes four arguments");
  }
  int32_t fd;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    return invalid(env, "fd must be a non-negative integer");
  }
  bool is_typed_array = false;
  napi_typedarray_type type;
  size_t count = 0;
  void *data = NULL;
  if (napi_is_typedarray(env, argv[1], &is_typed_array) != napi_ok || !is_typed_array ||
      napi_get_typedarray_info(env, argv[1], &type, &count, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array) {
    return invalid(env, "bytes must be a Uint8Array");
  }
  int64_t offset;
  int64_t length;
  if (napi_get_value_int64(env, argv[2], &offset) != napi_ok ||
      napi_get_value_int64(env, argv[3], &length) != napi_ok || offset < 0 || length < 0 ||
      (uint64_t)offset + (uint64_t)length > (uint64_t)count) {
    return invalid(env, "offset and length must lie within bytes");
  }
  const uint8_t *from = (const uint8_t *)data + offset;
  size_t left = (size_t)length;
  while (left > 0) {
    ssize_t written = write(fd, from, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      return throw_errno(env, errno);
    }
    /* Never for a regular file with bytes left; looping on it would never end. */
    if (written == 0) return throw_errno(env, EIO);
    from += written;
    left -= (size_t)written;
  }
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  return undefined;
}

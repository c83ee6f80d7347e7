/* append(fd, bytes, offset, length): see append.c. */
#ifndef FROZENDB_APPEND_H
#define FROZENDB_APPEND_H

#define NAPI_VERSION 8
#include <node_api.h>

napi_value append_bytes(napi_env env, napi_callback_info info);

#endif

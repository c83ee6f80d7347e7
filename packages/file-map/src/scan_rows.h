/* scanRows(bytes, offset, rowSize, count, out): see scan_rows.c. */
#ifndef FROZENDB_SCAN_ROWS_H
#define FROZENDB_SCAN_ROWS_H

#define NAPI_VERSION 8
#include <node_api.h>

napi_value scan_rows(napi_env env, napi_callback_info info);

#endif

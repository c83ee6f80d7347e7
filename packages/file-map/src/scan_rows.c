/*
 * scanRows(bytes, offset, rowSize, count, out): the byte scan a frozenDB row
 * check makes, for `count` consecutive rows of `rowSize` bytes starting at
 * bytes[offset], one packed result per row in out[0 .. count).
 *
 * For the row at s (bytes s .. s+rowSize), over [s, s + rowSize - 3), the
 * bytes the parity covers:
 *   parity = XOR of every byte,
 *   zero   = position of the first 0x00 (relative to s), or none,
 *   clean  = every byte from that zero up to s + rowSize - 5 is 0x00,
 *   ascii  = every byte outside that padding is below 0x80.
 * Packed: bits 0-16 zero + 1 (0: none), bits 17-24 parity, bit 25 clean,
 * bit 26 ascii. When the padding is not clean the row is invalid whatever
 * its parity and ASCII bits say, and those two are unspecified. The codec's rowScan() computes the same from JavaScript and
 * decides everything from it; this only does the byte work, which verify
 * runs over every byte of a file: here the compiler vectorises the XOR and
 * the zero search, several times faster than the word loop JavaScript has.
 */

#include "scan_rows.h"

#include <stdint.h>
#include <string.h>

static napi_value invalid(napi_env env, const char *message) {
  napi_throw_error(env, "ERR_INVALID_ARG", message);
  return NULL;
}

/* XOR and OR of bytes [from, to), eight at a time. */
static void fold(const uint8_t *row, size_t from, size_t to, uint8_t *xor_out, uint8_t *or_out) {
  uint64_t x = 0, o = 0;
  size_t i = from;
  for (; i + 8 <= to; i += 8) {
    uint64_t w;
    memcpy(&w, row + i, 8);
    x ^= w;
    o |= w;
  }
  for (; i < to; i++) {
    x ^= row[i];
    o |= row[i];
  }
  x ^= x >> 32;
  x ^= x >> 16;
  x ^= x >> 8;
  o |= o >> 32;
  o |= o >> 16;
  o |= o >> 8;
  *xor_out = (uint8_t)x;
  *or_out = (uint8_t)o;
}

static int32_t scan_one(const uint8_t *row, size_t row_size) {
  const size_t end = row_size - 3;
  const size_t padding_end = row_size - 5;
  const uint8_t *zero_at = memchr(row, 0, end);
  size_t zero = zero_at == NULL ? end : (size_t)(zero_at - row);
  int clean = 1;
  if (zero < padding_end) {
    uint8_t pad_xor, pad_or;
    fold(row, zero, padding_end, &pad_xor, &pad_or);
    clean = pad_or == 0;
  }
  /* With clean padding its zeros add nothing: the XOR and OR of the whole
     range are those of the bytes outside it. With dirty padding the row is
     invalid whatever they are (the caller reports the padding), so they are
     left as computed. */
  uint8_t parity, all_or;
  fold(row, 0, end, &parity, &all_or);
  return (int32_t)(zero_at == NULL ? 0 : zero + 1) | ((int32_t)parity << 17) | (clean << 25) |
         ((all_or & 0x80) ? 0 : (1 << 26));
}

napi_value scan_rows(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) {
    return invalid(env, "scanRows(bytes, offset, rowSize, count, out) takes five arguments");
  }
  bool is_typed_array = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (napi_is_typedarray(env, argv[0], &is_typed_array) != napi_ok || !is_typed_array ||
      napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array) {
    return invalid(env, "bytes must be a Uint8Array");
  }
  double offset, row_size, count;
  if (napi_get_value_double(env, argv[1], &offset) != napi_ok ||
      napi_get_value_double(env, argv[2], &row_size) != napi_ok ||
      napi_get_value_double(env, argv[3], &count) != napi_ok || !(offset >= 0) ||
      offset != (double)(size_t)offset || !(row_size >= 8) || row_size > 65536 ||
      row_size != (double)(size_t)row_size || !(count >= 0) ||
      count != (double)(size_t)count ||
      offset + row_size * count > (double)length) {
    return invalid(env, "offset, rowSize and count must select whole rows inside bytes");
  }
  size_t out_length = 0;
  void *out = NULL;
  if (napi_is_typedarray(env, argv[4], &is_typed_array) != napi_ok || !is_typed_array ||
      napi_get_typedarray_info(env, argv[4], &type, &out_length, &out, NULL, NULL) != napi_ok ||
      type != napi_int32_array || out_length < (size_t)count) {
    return invalid(env, "out must be an Int32Array of at least count elements");
  }
  const uint8_t *base = (const uint8_t *)data + (size_t)offset;
  int32_t *results = (int32_t *)out;
  for (size_t r = 0; r < (size_t)count; r++) {
    results[r] = scan_one(base + r * (size_t)row_size, (size_t)row_size);
  }
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  return undefined;
}

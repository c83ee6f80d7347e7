/**
 * Micro-benchmarks of the @frozendb/codec hot paths, each with its target
 * (from the codec spec) and, where one exists, a baseline measured in the
 * same run. The codec is imported by its public name, so this measures the
 * built package exactly as users load it.
 */

import {
  computeParity,
  crc32,
  crc32Kind,
  crc32Portable,
  type DataRowFields,
  decodeBase64Strict,
  decodeRow,
  decodeValueText,
  encodeDataRow,
  HEADER_SIZE,
  writeDataRow,
} from "@frozendb/codec";
import type { Benchmark } from "./harness.js";
import { buildRowFile, createRandom, type RowFile, rowOffsetIn } from "./row-file.js";

const ROW_SIZE = 256;
/** Offset of the first row and of the first key's Base64 text (after ROW_START and the start control). */
const FIRST_ROW = HEADER_SIZE;
const FIRST_KEY_TEXT = HEADER_SIZE + 2;
const ROW_COUNT = 10_000;
const CRC_BYTES = 64 * 1024 * 1024;
const KEY_BYTES = 16;

/** Facts about the data the codec benchmarks use, for the report. */
export interface CodecBenchmarkFacts {
  readonly rowSize: number;
  readonly rowCount: number;
  readonly meanValueLength: number;
  readonly crcBytes: number;
  /** Which implementation `crc32` used ("native" is Node's zlib.crc32). */
  readonly crc32Kind: string;
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`benchmark self-check failed: ${message}`);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Byte-at-a-time XOR over the first N−3 bytes: the obvious parity loop. */
function naiveParity(bytes: Uint8Array, offset: number, rowSize: number): number {
  let x = 0;
  const end = offset + rowSize - 3;
  for (let i = offset; i < end; i++) x ^= bytes[i]!;
  return x;
}

/** Decodes every row once and checks it against what was written. */
function checkRowFile(file: RowFile): Uint8Array[] {
  const values: Uint8Array[] = [];
  const decoder = new TextDecoder();
  for (let i = 0; i < file.rowCount; i++) {
    const offset = rowOffsetIn(file, i);
    const row = decodeRow(file.bytes, offset, ROW_SIZE);
    check(row.type === "data", `row ${i} decodes as ${row.type}`);
    const written = file.rows[i]!;
    check(sameBytes(row.key, written.key), `row ${i} key`);
    check(decodeValueText(row.value) === decoder.decode(written.value), `row ${i} value`);
    check(
      computeParity(file.bytes, offset, ROW_SIZE) === naiveParity(file.bytes, offset, ROW_SIZE),
      `row ${i} parity`,
    );
    const key = decodeBase64Strict(file.bytes, offset + 2, KEY_BYTES);
    check(key !== undefined && sameBytes(key, written.key), `row ${i} base64 key`);
    values.push(row.value);
  }
  return values;
}

function randomBytes(length: number, seed: number): Uint8Array {
  const random = createRandom(seed);
  const words = new Uint32Array(length >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = random();
  return new Uint8Array(words.buffer);
}

/** The codec benchmarks and the facts of their data. */
export function codecBenchmarks(): { benchmarks: Benchmark[]; facts: CodecBenchmarkFacts } {
  const file = buildRowFile(ROW_COUNT, ROW_SIZE);
  const bytes = file.bytes;
  const values = checkRowFile(file);
  const fields: readonly DataRowFields[] = file.rows;
  const keyTexts = fields.map((f) => Buffer.from(f.key).toString("base64"));
  const scratch = new Uint8Array(ROW_SIZE);

  // 64 MiB is allocated when a CRC benchmark first runs, not when --filter skips them.
  let crcData: Uint8Array | undefined;
  const crcInput = (): Uint8Array => {
    if (crcData === undefined) {
      crcData = randomBytes(CRC_BYTES, 0xc4c32);
      check(crc32(crcData) === crc32Portable(crcData), "crc32 native and portable agree");
    }
    return crcData;
  };

  const benchmarks: Benchmark[] = [
    {
      name: "decodeRow+valueText 256 B, 10k rows",
      group: "decode",
      note: "decodeRow(buf, 64 + i*256, 256) then row.valueText, cycling through 10,000 distinct rows laid out like a file",
      quick: true,
      target: { kind: "max-ns-per-op", value: 300 },
      run(n) {
        let acc = 0;
        let r = 0;
        for (let i = 0; i < n; i++) {
          const row = decodeRow(bytes, FIRST_ROW + r * ROW_SIZE, ROW_SIZE);
          if (row.type !== "data") throw new Error("not a data row");
          const text = row.valueText;
          acc += text.length + row.key[15]!;
          if (++r === ROW_COUNT) r = 0;
        }
        return acc;
      },
    },
    {
      name: "decodeRow+valueText 256 B, 1 row",
      group: "decode",
      note: "the same, always on the first row (hot cache, identical branches)",
      quick: true,
      target: { kind: "max-ns-per-op", value: 300 },
      run(n) {
        let acc = 0;
        for (let i = 0; i < n; i++) {
          const row = decodeRow(bytes, FIRST_ROW, ROW_SIZE);
          if (row.type !== "data") throw new Error("not a data row");
          const text = row.valueText;
          acc += text.length + row.key[15]!;
        }
        return acc;
      },
    },
    {
      name: "decodeRow only 256 B, 10k rows",
      group: "decode",
      note: "breakdown: decodeRow without turning the value into text",
      quick: false,
      run(n) {
        let acc = 0;
        let r = 0;
        for (let i = 0; i < n; i++) {
          const row = decodeRow(bytes, FIRST_ROW + r * ROW_SIZE, ROW_SIZE);
          if (row.type !== "data") throw new Error("not a data row");
          acc += row.valueLength + row.key[15]!;
          if (++r === ROW_COUNT) r = 0;
        }
        return acc;
      },
    },
    {
      name: "decodeValueText only, 10k values",
      group: "decode",
      note: "breakdown: decodeValueText of the ~150-byte value views decodeRow returned",
      quick: false,
      run(n) {
        let acc = 0;
        let r = 0;
        for (let i = 0; i < n; i++) {
          acc += decodeValueText(values[r]!).length;
          if (++r === ROW_COUNT) r = 0;
        }
        return acc;
      },
    },
    {
      name: "computeParity 256 B",
      group: "parity",
      note: "computeParity(buf, 64 + i*256, 256) over the 10,000 rows",
      quick: true,
      bytesPerOp: ROW_SIZE - 3,
      target: { kind: "max-ns-per-op", value: 60 },
      peer: "naive XOR loop 256 B",
      run(n) {
        let acc = 0;
        let r = 0;
        for (let i = 0; i < n; i++) {
          acc += computeParity(bytes, FIRST_ROW + r * ROW_SIZE, ROW_SIZE);
          if (++r === ROW_COUNT) r = 0;
        }
        return acc;
      },
    },
    {
      name: "naive XOR loop 256 B",
      group: "parity",
      note: "baseline: byte-by-byte XOR of the same 253 bytes",
      quick: true,
      bytesPerOp: ROW_SIZE - 3,
      run(n) {
        let acc = 0;
        let r = 0;
        for (let i = 0; i < n; i++) {
          acc += naiveParity(bytes, FIRST_ROW + r * ROW_SIZE, ROW_SIZE);
          if (++r === ROW_COUNT) r = 0;
        }
        return acc;
      },
    },
    {
      name: "crc32 64 MiB",
      group: "crc32",
      note: "crc32(buf) over 64 MiB of pseudo-random bytes (native zlib.crc32 when available)",
      quick: true,
      bytesPerOp: CRC_BYTES,
      target: { kind: "min-bytes-per-second", value: 2e9 },
      peer: "crc32Portable 64 MiB",
      run(n) {
        const data = crcInput();
        let acc = 0;
        for (let i = 0; i < n; i++) acc ^= crc32(data);
        return acc;
      },
    },
    {
      name: "crc32Portable 64 MiB",
      group: "crc32",
      note: "baseline: the codec's portable slicing-by-8 CRC over the same bytes",
      quick: true,
      bytesPerOp: CRC_BYTES,
      run(n) {
        const data = crcInput();
        let acc = 0;
        for (let i = 0; i < n; i++) acc ^= crc32Portable(data);
        return acc;
      },
    },
    {
      name: "encodeDataRow 256 B",
      group: "encode",
      note: "encodeDataRow(fields, 256): validation, a new 256-byte array, the whole row",
      quick: true,
      peer: "writeDataRow 256 B, reused buffer",
      run(n) {
        let acc = 0;
        let r = 0;
        for (let i = 0; i < n; i++) {
          const row = encodeDataRow(fields[r]!, ROW_SIZE);
          acc += row[ROW_SIZE - 3]!;
          if (++r === ROW_COUNT) r = 0;
        }
        return acc;
      },
    },
    {
      name: "writeDataRow 256 B, reused buffer",
      group: "encode",
      note: "baseline: writeDataRow into one reused buffer (no validation, no allocation)",
      quick: true,
      run(n) {
        let acc = 0;
        let r = 0;
        for (let i = 0; i < n; i++) {
          writeDataRow(scratch, 0, ROW_SIZE, fields[r]!);
          acc += scratch[ROW_SIZE - 3]!;
          if (++r === ROW_COUNT) r = 0;
        }
        return acc;
      },
    },
    {
      name: "decodeBase64Strict key",
      group: "base64",
      note: "decodeBase64Strict(buf, rowOffset + 2, 16): a 24-character key straight from row bytes",
      quick: true,
      peer: "Buffer.from(text, base64)",
      run(n) {
        let acc = 0;
        let r = 0;
        for (let i = 0; i < n; i++) {
          const key = decodeBase64Strict(bytes, FIRST_KEY_TEXT + r * ROW_SIZE, KEY_BYTES);
          acc += key === undefined ? 1 : key[15]!;
          if (++r === ROW_COUNT) r = 0;
        }
        return acc;
      },
    },
    {
      name: "Buffer.from(text, base64)",
      group: "base64",
      note: "baseline: Node's lenient decoder on the same keys, given as ready-made JS strings",
      quick: true,
      run(n) {
        let acc = 0;
        let r = 0;
        for (let i = 0; i < n; i++) {
          acc += Buffer.from(keyTexts[r]!, "base64")[15]!;
          if (++r === ROW_COUNT) r = 0;
        }
        return acc;
      },
    },
    {
      name: "Buffer.from(latin1 slice, base64)",
      group: "base64",
      note: "baseline: Node's decoder from the row bytes (latin1 string first), as a reader would have to",
      quick: false,
      run(n) {
        const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
        let acc = 0;
        let r = 0;
        for (let i = 0; i < n; i++) {
          const start = FIRST_KEY_TEXT + r * ROW_SIZE;
          acc += Buffer.from(buffer.toString("latin1", start, start + 24), "base64")[15]!;
          if (++r === ROW_COUNT) r = 0;
        }
        return acc;
      },
    },
  ];

  return {
    benchmarks,
    facts: {
      rowSize: ROW_SIZE,
      rowCount: ROW_COUNT,
      meanValueLength: file.meanValueLength,
      crcBytes: CRC_BYTES,
      crc32Kind: crc32Kind(),
    },
  };
}

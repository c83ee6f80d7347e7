// The main job for now: write a small v1 file with the codec into a temp
// folder — a committed transaction with a savepoint, a partial rollback, an
// empty transaction and an open one — then read it back and print every row.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  completeRowCount,
  crc32,
  decodeHeader,
  decodeValueText,
  encodeChecksumRow,
  encodeDataRow,
  encodeHeader,
  encodeNullRow,
  encodePartialDataRow,
  encodeValue,
  formatUuid,
  HEADER_SIZE,
  parseUuid,
  readRowAt,
  tailLength,
  uuidTimestamp,
  uuidv7,
  verifyInitialChecksumRow,
} from "@frozendb/codec";

const rowSize = 256;
const skewMs = 5000;
const header = encodeHeader({ rowSize, skewMs });
const key = () => parseUuid(uuidv7());
const value = (json) => encodeValue(json, rowSize);

const k = [key(), key(), key(), key(), key()];
const rows = [
  encodeChecksumRow(crc32(header), rowSize),
  encodeDataRow(
    {
      startControl: "T",
      endControl: "SE",
      key: k[0],
      value: value('{"user":"ana","action":"login"}'),
    },
    rowSize,
  ),
  encodeDataRow(
    {
      startControl: "R",
      endControl: "TC",
      key: k[1],
      value: value('{"user":"ana","action":"read","doc":42}'),
    },
    rowSize,
  ),
  encodeDataRow(
    {
      startControl: "T",
      endControl: "SE",
      key: k[2],
      value: value('{"user":"bo","action":"grant"}'),
    },
    rowSize,
  ),
  encodeDataRow(
    {
      startControl: "R",
      endControl: "R1",
      key: k[3],
      value: value('{"user":"bo","action":"revoke"}'),
    },
    rowSize,
  ),
  encodeNullRow(uuidTimestamp(k[3]), rowSize),
  encodePartialDataRow(
    { state: 3, startControl: "T", key: k[4], value: value('"still open"') },
    rowSize,
  ),
];

const dir = mkdtempSync(join(tmpdir(), "frozendb-demo-"));
const path = join(dir, "demo.fdb");
writeFileSync(path, Buffer.concat([header, ...rows]));

const file = new Uint8Array(readFileSync(path));
const decoded = decodeHeader(file);
verifyInitialChecksumRow(file, decoded.rowSize);
console.log(
  `${path}: ${file.length} bytes, row_size ${decoded.rowSize}, skew_ms ${decoded.skewMs}`,
);
console.log("index\toffset\ttype\tstart\tend\tkey\tvalue");
const count =
  completeRowCount(file.length, decoded.rowSize) +
  (tailLength(file.length, decoded.rowSize) > 0 ? 1 : 0);
for (let i = 0; i < count; i++) {
  const row = readRowAt(file, i, decoded.rowSize);
  const offset = HEADER_SIZE + i * decoded.rowSize;
  if (row.type === "checksum") {
    console.log(
      `${i}\t${offset}\tchecksum\tC\tCS\t\tcrc32=0x${row.crc.toString(16).padStart(8, "0")}`,
    );
  } else if (row.type === "null") {
    console.log(`${i}\t${offset}\tnull\tT\tNR\t${formatUuid(row.key)}\t`);
  } else if (row.type === "data") {
    console.log(
      `${i}\t${offset}\tdata\t${row.startControl}\t${row.endControl}\t${formatUuid(row.key)}\t${decodeValueText(row.value)}`,
    );
  } else if (row.type === "partial") {
    const fields = row.state === 1 ? "" : `${formatUuid(row.key)}\t${decodeValueText(row.value)}`;
    console.log(`${i}\t${offset}\tpartial (state ${row.state})\t${row.startControl}\t\t${fields}`);
  } else {
    console.log(`${i}\t${offset}\ttorn tail\t\t\t\t${row.reason}`);
  }
}

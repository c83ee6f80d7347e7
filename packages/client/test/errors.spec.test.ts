// Spec 004 (frozendb client), errors: the whole taxonomy re-exported, with
// codes, rendering and isFrozenDBError; the API throws those classes.
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import * as codec from "@frozendb/codec";
import { tempDir } from "@frozendb/testkit";
import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";
import {
  CorruptDatabaseError,
  create,
  ERROR_CODES,
  FrozenDBError,
  InvalidActionError,
  InvalidDataError,
  InvalidInputError,
  isFrozenDBError,
  KeyNotFoundError,
  KeyOrderingError,
  open,
  PathError,
  ReadError,
  TombstonedError,
  TransactionActiveError,
  verify,
  WriteError,
} from "../src/index.js";
import {
  BASE_MS,
  buildFile,
  keyAt,
  newPath,
  openTracked,
  thrown,
  txRows,
} from "./helpers/files.js";

/** Behaviour §12.2: every type and its code. */
const TAXONOMY: Array<[string, string]> = [
  ["InvalidInputError", "invalid_input"],
  ["InvalidActionError", "invalid_action"],
  ["PathError", "path_error"],
  ["WriteError", "write_error"],
  ["CorruptDatabaseError", "corrupt_database"],
  ["KeyOrderingError", "key_ordering"],
  ["TombstonedError", "tombstoned"],
  ["ReadError", "read_error"],
  ["KeyNotFoundError", "key_not_found"],
  ["TransactionActiveError", "transaction_active"],
  ["InvalidDataError", "invalid_data"],
];

type ErrorClass = new (message: string, options?: ErrorOptions) => FrozenDBError;

describe("S_004 errors", () => {
  it("S_004 FR_016 every error class of the taxonomy, isFrozenDBError and ERROR_CODES are re-exported (the same objects)", () => {
    const exported = api as unknown as Record<string, unknown>;
    const fromCodec = Object.entries(codec).filter(
      ([, value]) =>
        typeof value === "function" &&
        (value === codec.FrozenDBError || value.prototype instanceof codec.FrozenDBError),
    );
    expect(fromCodec.map(([name]) => name).sort()).toEqual(
      ["FrozenDBError", ...TAXONOMY.map(([name]) => name)].sort(),
    );
    for (const [name, value] of fromCodec) expect(exported[name], name).toBe(value);
    expect(isFrozenDBError).toBe(codec.isFrozenDBError);
    expect(ERROR_CODES).toBe(codec.ERROR_CODES);
    expect([...ERROR_CODES].sort()).toEqual(TAXONOMY.map(([, code]) => code).sort());
  });

  it.each(TAXONOMY)(
    "S_004 FR_016 %s has code %s, is a FrozenDBError and renders `<code>: <message> (caused by: …)`",
    (name, code) => {
      const Class = (api as unknown as Record<string, ErrorClass>)[name]!;
      const plain = new Class("something happened");
      expect(plain).toBeInstanceOf(Error);
      expect(plain).toBeInstanceOf(FrozenDBError);
      expect(plain.code).toBe(code);
      expect(plain.name).toBe(name);
      expect(plain.message).toBe("something happened");
      expect(isFrozenDBError(plain)).toBe(true);
      expect(String(plain)).toBe(`${code}: something happened`);
      const wrapped = new Class("outer", { cause: new InvalidInputError("inner") });
      expect(wrapped.cause).toBeInstanceOf(InvalidInputError);
      expect(String(wrapped)).toBe(`${code}: outer (caused by: invalid_input: inner)`);
    },
  );

  it("S_004 FR_016 isFrozenDBError is false for other values", () => {
    for (const value of [
      new Error("x"),
      new TypeError("x"),
      { code: "invalid_input", message: "x" },
      "invalid_input",
      null,
      undefined,
      42,
    ]) {
      expect(isFrozenDBError(value)).toBe(false);
    }
  });

  it("S_004 FR_016 the API throws the exported classes, so callers can use instanceof or switch on code", () => {
    const dir = tempDir();
    const path = join(dir, "e.fdb");
    create(path, { rowSize: 256, skewMs: 0 });
    const cases: Array<[string, () => unknown, ErrorClass, string]> = [];
    const w = openTracked(path, { mode: "write", sync: false });
    w.transaction((tx) => tx.add(keyAt(BASE_MS + 10), 1));
    const r = openTracked(path);
    cases.push(
      [
        "create bad rowSize",
        () => create(join(dir, "x.fdb"), { rowSize: 1 }),
        InvalidInputError,
        "invalid_input",
      ],
      ["create existing", () => create(path), PathError, "path_error"],
      ["open missing", () => open(join(dir, "missing.fdb")), PathError, "path_error"],
      ["second writer", () => open(path, { mode: "write" }), WriteError, "write_error"],
      ["begin in read mode", () => r.begin(), InvalidActionError, "invalid_action"],
      ["absent key", () => r.get(keyAt(BASE_MS)), KeyNotFoundError, "key_not_found"],
      [
        "old key",
        () => w.transaction((tx) => tx.add(keyAt(BASE_MS + 10, 5), 1)),
        KeyOrderingError,
        "key_ordering",
      ],
      ["verify missing", () => verify(join(dir, "missing.fdb")), ReadError, "read_error"],
    );
    for (const [name, call, Class, code] of cases) {
      const error = thrown(call);
      expect(error, name).toBeInstanceOf(Class);
      expect((error as FrozenDBError).code, name).toBe(code);
    }
    const tx = w.begin();
    tx.add(keyAt(BASE_MS + 21), 1); // skewMs 0: every key needs a later millisecond
    tx.add(keyAt(BASE_MS + 22), 2);
    const uncommitted = thrown(() => w.get(keyAt(BASE_MS + 21)));
    expect(uncommitted).toBeInstanceOf(KeyNotFoundError);
    expect((uncommitted as Error).cause).toBeInstanceOf(TransactionActiveError);
    w.close();
    expect(thrown(() => w.get(keyAt(BASE_MS + 10)))).toBeInstanceOf(TombstonedError);

    const bad = newPath();
    buildFile(bad, { rowSize: 128, skewMs: 0, rows: txRows([[keyAt(BASE_MS), "{x"]]) });
    expect(thrown(() => openTracked(bad).get(keyAt(BASE_MS)))).toBeInstanceOf(InvalidDataError);
    appendFileSync(bad, Buffer.from("torn tail"));
    const corrupt = thrown(() => open(bad, { mode: "write" }));
    expect(corrupt).toBeInstanceOf(CorruptDatabaseError);
    expect(isFrozenDBError(corrupt)).toBe(true);
  });
});

// Pins the public surface of `frozendb` (spec 004 success criteria): adding or
// removing an export must be a deliberate change to this snapshot.
import { expect, it } from "vitest";
import * as api from "../src/index.js";

it("exports of frozendb are pinned", () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "BatchTransaction",
      "CorruptDatabaseError",
      "Database",
      "ERROR_CODES",
      "Entry",
      "FrozenDBError",
      "InvalidActionError",
      "InvalidDataError",
      "InvalidInputError",
      "KeyNotFoundError",
      "KeyOrderingError",
      "PathError",
      "ReadError",
      "TombstonedError",
      "Transaction",
      "TransactionActiveError",
      "WriteError",
      "create",
      "isFrozenDBError",
      "open",
      "recover",
      "uuidv7",
      "verify",
    ]
  `);
});

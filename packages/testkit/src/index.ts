export { killHard, runNode, startNode } from "./child.js";
export { ensureBuilt } from "./ensure-built.js";
export {
  copyReference,
  hasReference,
  REFERENCE_DIR,
  type ReferenceExpectation,
  referenceExpectation,
  referenceNames,
  referenceSkipReason,
} from "./reference.js";
export { seededRandom } from "./seeded-random.js";
export { tempDir } from "./temp-dir.js";
export { type ThreadIo, threadIo } from "./thread-io.js";

export { killHard, runNode, startNode } from "./child.js";
export {
  copyReference,
  hasReference,
  REFERENCE_DIR,
  type ReferenceExpectation,
  referenceExpectation,
  referenceNames,
  referenceSkipReason,
} from "./reference.js";
export { tempDir } from "./temp-dir.js";

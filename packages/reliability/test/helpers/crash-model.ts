// What a crash-suite file must show: every reported commit, and never a
// rolled-back or uncommitted key. Built from the writer child's events.
import type { ChildEvent } from "./crash-processes.js";

/** A transaction the writer child planned (printed before its first call). */
export interface PlannedTx {
  readonly id: number;
  readonly kind: string;
  /** Rows in the order they are added: [key, value]. */
  readonly adds: ReadonlyArray<readonly [string, unknown]>;
  /** How many of `adds` (a prefix) are visible once it ends as planned. */
  readonly keep: number;
  /** `savepointRows[s - 1]`: index in `adds` of the row savepoint `s` marks. */
  readonly savepointRows: readonly number[];
}

/** The writer's events of one trial, split into finished transactions and the one it was killed in. */
export interface TrialLog {
  readonly created: boolean;
  readonly ready: boolean;
  readonly done: readonly PlannedTx[];
  /** Printed as planned but not reported done: the kill landed in it (or just after it ended). */
  readonly pending: PlannedTx | undefined;
}

/** Reads the writer child's event lines. */
export function parseTrialLog(events: readonly ChildEvent[]): TrialLog {
  const plans = new Map<number, PlannedTx>();
  const done: PlannedTx[] = [];
  for (const event of events) {
    if (event.e === "plan") {
      const plan = event as unknown as PlannedTx;
      plans.set(plan.id, plan);
    } else if (event.e === "done") {
      const id = event.id!;
      done.push(plans.get(id)!);
      plans.delete(id);
    }
  }
  if (plans.size > 1) throw new Error(`writer had ${plans.size} unfinished transactions`);
  return {
    created: events.some((e) => e.e === "created"),
    ready: events.some((e) => e.e === "ready"),
    done,
    pending: [...plans.values()][0],
  };
}

/** Every key the file must show with its value, and every key it must never show. */
export class ExpectedContents {
  readonly committed = new Map<string, unknown>();
  readonly forbidden = new Set<string>();
  // Insertion-ordered copies for cheap random sampling.
  readonly #committedKeys: string[] = [];
  readonly #forbiddenKeys: string[] = [];

  /** Records a transaction's rows: the first `visible` were committed, the others must never show. */
  settle(adds: ReadonlyArray<readonly [string, unknown]>, visible: number): void {
    adds.forEach(([key, value], i) => {
      if (i < visible) {
        this.committed.set(key, value);
        this.#committedKeys.push(key);
      } else {
        this.forbidden.add(key);
        this.#forbiddenKeys.push(key);
      }
    });
  }

  /** Up to `n` committed keys picked at random. */
  sampleCommitted(n: number, random: () => number): string[] {
    return sample(this.#committedKeys, n, random);
  }

  /** Up to `n` forbidden keys picked at random. */
  sampleForbidden(n: number, random: () => number): string[] {
    return sample(this.#forbiddenKeys, n, random);
  }
}

function sample(keys: readonly string[], n: number, random: () => number): string[] {
  if (keys.length <= n) return [...keys];
  return Array.from({ length: n }, () => keys[Math.floor(random() * keys.length)]!);
}

// Reads what the concurrency suite's writers and readers printed: which keys
// were committed when, which must never show, and how long each reader took
// to see each commit.
import type { ChildEvent } from "./crash-processes.js";

/** An event of the writer of generation `generation` (0: the first; each takeover adds one). */
export interface WriterEvent {
  readonly generation: number;
  readonly event: ChildEvent;
}

/** A group of keys that became visible together. */
export interface Commit {
  readonly label: string;
  readonly generation: number;
  /** Key → stored JSON. */
  readonly rows: ReadonlyMap<string, string>;
  /** Date.now() just before the call that ended the transaction: nothing may show earlier. */
  readonly startAt: number;
  /** Date.now() right after that call returned; undefined when the writer died before saying. */
  readonly at: number | undefined;
}

/** What the writers' events promise about the file. */
export interface Expectations {
  readonly commits: readonly Commit[];
  /** Keys of rolled-back rows (and of transactions that never ended): never visible. */
  readonly forbidden: ReadonlySet<string>;
  /** Takeovers: what each new writer found open and committed. */
  readonly takeovers: ReadonlyArray<{ generation: number; rowCount: number | undefined }>;
  /** Problems in the writers' own story (a recovered transaction that does not match the plan…). */
  readonly problems: readonly string[];
}

interface Plan {
  readonly id: number;
  readonly kind: string;
  readonly adds: ReadonlyArray<readonly [string, unknown]>;
  readonly keep: number;
}

type Rows = ReadonlyArray<readonly [string, unknown]>;

function rowMap(rows: Rows): Map<string, string> {
  return new Map(rows.map(([key, value]) => [key, JSON.stringify(value)]));
}

/**
 * Builds the expectations from the writers' events and `fileRows` (key →
 * JSON of every committed row in the file at the end), which decides only
 * where the events cannot: whether a transaction that ended just before a
 * kill (without its `done` line) was a commit.
 */
export function expectations(
  events: readonly WriterEvent[],
  fileRows: ReadonlyMap<string, string>,
): Expectations {
  const commits: Commit[] = [];
  const forbidden = new Set<string>();
  const takeovers: Array<{ generation: number; rowCount: number | undefined }> = [];
  const problems: string[] = [];
  const generations = Math.max(...events.map((e) => e.generation)) + 1;
  let unfinished: { plan: Plan; endingAt: number | undefined } | undefined;
  for (let g = 0; g < generations; g++) {
    const own = events.filter((e) => e.generation === g).map((e) => e.event);
    const recovered = own.find((e) => e.e === "recovered");
    if (g > 0) takeovers.push({ generation: g, rowCount: recovered?.rowCount });
    if (unfinished !== undefined) {
      settleUnfinished(unfinished, recovered, g, fileRows, commits, forbidden, problems);
    }
    unfinished = undefined;
    const plans = new Map<number, Plan>();
    const endings = new Map<number, number>();
    for (const event of own) {
      const id = event.id!;
      if (event.e === "plan") plans.set(id, event as unknown as Plan);
      else if (event.e === "ending") endings.set(id, event.at!);
      else if (event.e === "done") {
        const plan = plans.get(id)!;
        plans.delete(id);
        const kept = plan.adds.slice(0, plan.keep);
        for (const [key] of plan.adds.slice(plan.keep)) forbidden.add(key);
        if (kept.length === 0) continue;
        commits.push({
          label: `writer ${g} tx ${id} (${plan.kind})`,
          generation: g,
          rows: rowMap(kept),
          startAt: endings.get(id)!,
          at: event.at!,
        });
      }
    }
    const open = [...plans.values()];
    if (open.length > 1) problems.push(`writer ${g} left ${open.length} transactions unfinished`);
    if (open[0] !== undefined) unfinished = { plan: open[0], endingAt: endings.get(open[0].id) };
  }
  if (unfinished !== undefined) {
    problems.push(`the last writer left tx ${unfinished.plan.id} unfinished`);
  }
  return { commits, forbidden, takeovers, problems };
}

/**
 * The transaction a kill interrupted: committed by the next writer (the rows
 * it had written, a prefix), or — when nothing was open — either ended whole
 * before the kill or never begun.
 */
function settleUnfinished(
  unfinished: { plan: Plan; endingAt: number | undefined },
  recovered: ChildEvent | undefined,
  generation: number,
  fileRows: ReadonlyMap<string, string>,
  commits: Commit[],
  forbidden: Set<string>,
  problems: string[],
): void {
  const { plan, endingAt } = unfinished;
  const label = `writer ${generation - 1} tx ${plan.id} (${plan.kind}, killed)`;
  if (recovered === undefined) {
    problems.push(`writer ${generation} printed no recovery line`);
    return;
  }
  if (recovered.none !== true) {
    const count = recovered.rowCount!;
    const rows: Array<readonly [string, unknown]> = [...plan.adds.slice(0, count)];
    const marker = recovered.marker;
    if (marker !== undefined) rows.push(marker);
    for (const [key] of plan.adds.slice(count)) forbidden.add(key);
    if (rows.length > 0) {
      commits.push({
        label: `${label}, committed by writer ${generation}`,
        generation,
        rows: rowMap(rows),
        startAt: recovered.startAt!,
        at: recovered.at!,
      });
    }
    return;
  }
  const kept = plan.adds.slice(0, plan.keep);
  for (const [key] of plan.adds.slice(plan.keep)) forbidden.add(key);
  const visible = kept.filter(([key]) => fileRows.has(key)).length;
  if (visible === 0) {
    for (const [key] of kept) forbidden.add(key);
  } else if (visible < kept.length || endingAt === undefined) {
    problems.push(
      `${label}: ${visible} of ${kept.length} kept rows visible, ending call seen: ${endingAt !== undefined}`,
    );
  } else {
    commits.push({
      label,
      generation: generation - 1,
      rows: rowMap(kept),
      startAt: endingAt,
      at: undefined,
    });
  }
}

/** Percentile `p` (0–100) of `values` (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

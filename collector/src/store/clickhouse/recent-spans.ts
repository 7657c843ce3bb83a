import type { Step } from '../../model/step.js';
import { storedStep } from './clickhouse-rows.js';

/** A span this store wrote, as written, and the version its row carries. */
export interface HeldSpan {
  step: Step;
  version: bigint;
}

interface HeldRun {
  spans: Map<string, HeldSpan>;
  bytes: number;
  /** Date.now() of its last write. */
  at: number;
}

/** A run held this long after its last write without being read back is let go (read elsewhere, or never). */
const MAX_AGE_MS = 60_000;

/**
 * The spans this store has just written, by run, until the run is read back once (detection), which
 * takes them as a read of them would answer (`storedStep`, worked out then: most of the write path's
 * cost of holding them is a reference). Detection reads a run back about two seconds after it was
 * written; on ClickHouse that read costs the server about what the insert cost (the runs' trace IDs
 * are spread over every granule of the day's parts). The store answers a run from here only after
 * checking the key columns: every span ID the store has for it, with its newest version, must be one
 * held here with that version (see `ClickHouseTraceStore.getRuns`), so a span written by another
 * collector, a rewrite (erasure), a retention drop or a run not held in full here falls back to the
 * full read.
 *
 * Detection reads the oldest writes first, so when the budget of row bytes is reached a new run is
 * not taken in (its spans of held runs still are), rather than the oldest let go: when detection lags
 * by more than the budget holds, the runs it comes to next are the ones held. A run is let go once
 * answered, and a minute after its last write if it never was (another collector detected it).
 */
export class RecentSpans {
  /** Oldest last write first. */
  private readonly runs = new Map<string, HeldRun>();
  private bytes = 0;

  constructor(
    private readonly budgetBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** After an insert of `steps` (one row each, `bytes` of body in all) at `version`. */
  record(steps: readonly Step[], version: bigint, bytes: number): void {
    if (this.budgetBytes <= 0 || steps.length === 0) return;
    const at = this.now();
    for (const [key, run] of this.runs) {
      if (at - run.at < MAX_AGE_MS) break;
      this.drop(key);
    }
    const each = bytes / steps.length;
    for (const step of steps) {
      const key = keyOf(step.projectId, step.traceId);
      let run = this.runs.get(key);
      if (run) this.runs.delete(key);
      else if (this.bytes + each > this.budgetBytes) continue;
      else run = { spans: new Map(), bytes: 0, at };
      run.at = at;
      this.runs.set(key, run);
      if (!run.spans.has(step.spanId)) {
        run.bytes += each;
        this.bytes += each;
      }
      run.spans.set(step.spanId, { step, version });
    }
    // Held runs that keep growing: the oldest go once twice the budget is held.
    if (this.bytes <= 2 * this.budgetBytes) return;
    for (const [key] of this.runs) {
      if (this.bytes <= this.budgetBytes) return;
      this.drop(key);
    }
  }

  /** Forgets the runs of `steps` (an insert whose fate is unknown). */
  forget(steps: readonly Step[]): void {
    for (const step of steps) this.drop(keyOf(step.projectId, step.traceId));
  }

  /** The spans held of a run, by span ID, or undefined. */
  held(projectId: string, traceId: string): ReadonlyMap<string, HeldSpan> | undefined {
    return this.runs.get(keyOf(projectId, traceId))?.spans;
  }

  /**
   * A run's held spans as a read would answer them, and the run let go; undefined (and the run let go)
   * if one of them would not read back as it was written (a number out of its column's range), or none
   * is held.
   */
  take(projectId: string, traceId: string): Step[] | undefined {
    const key = keyOf(projectId, traceId);
    const run = this.runs.get(key);
    if (!run) return undefined;
    this.drop(key);
    const steps: Step[] = [];
    for (const span of run.spans.values()) {
      const stored = storedStep(span.step);
      if (stored === undefined) return undefined;
      steps.push(stored);
    }
    return steps;
  }

  /** Row bytes held. */
  get size(): number {
    return this.bytes;
  }

  private drop(key: string): void {
    const run = this.runs.get(key);
    if (!run) return;
    this.bytes -= run.bytes;
    this.runs.delete(key);
  }
}

function keyOf(projectId: string, traceId: string): string {
  return `${projectId}\u0000${traceId}`;
}

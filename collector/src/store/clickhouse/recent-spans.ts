import type { Step } from '../../model/step.js';
import { storedStep } from './clickhouse-rows.js';

/** A span this store wrote, as a read would answer it, and the version its row carries. */
export interface HeldSpan {
  step: Step;
  version: bigint;
}

interface HeldRun {
  spans: Map<string, HeldSpan>;
  bytes: number;
}

/**
 * The spans this store has just written, by run, as a read of them would answer (`storedStep`), until
 * the run is read back once (detection) or the budget of row bytes is exceeded (oldest write out
 * first). Detection reads a run back about two seconds after it was written; on ClickHouse that read
 * costs the server about what the insert cost (the runs' trace IDs are spread over every granule of
 * the day's parts). The store answers a run from here only after checking the key columns: every
 * span ID the store has for it, with its newest version, must be one held here with that version (see
 * `ClickHouseTraceStore.getRuns`), so a span written by another collector, a rewrite (erasure), a
 * retention drop or an eviction here falls back to the full read. A run answered is let go at once:
 * what is held is what detection has still to read, not the last few megabytes written; a run that
 * gets more spans afterwards is read back in full when it is detected again.
 */
export class RecentSpans {
  /** Oldest write first. */
  private readonly runs = new Map<string, HeldRun>();
  private bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  /** After an insert of `steps` (one row each, `bytes` of body in all) at `version`. */
  record(steps: readonly Step[], version: bigint, bytes: number): void {
    if (this.budgetBytes <= 0 || steps.length === 0) return;
    const each = bytes / steps.length;
    const unfit = new Set<string>();
    for (const step of steps) {
      const key = keyOf(step.projectId, step.traceId);
      const stored = storedStep(step);
      if (stored === undefined) {
        unfit.add(key);
        continue;
      }
      const run = this.runs.get(key) ?? { spans: new Map(), bytes: 0 };
      this.runs.delete(key);
      this.runs.set(key, run);
      if (!run.spans.has(step.spanId)) {
        run.bytes += each;
        this.bytes += each;
      }
      run.spans.set(step.spanId, { step: stored, version });
    }
    // A run with a span that would not read back as it was written is read from the store.
    for (const key of unfit) this.drop(key);
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

  /** A run was answered from here: it is let go. */
  answered(projectId: string, traceId: string): void {
    this.drop(keyOf(projectId, traceId));
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

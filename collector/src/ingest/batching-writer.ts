import { OverloadedError } from '../errors/errors.js';
import type { Step } from '../model/step.js';
import type { TraceStore } from '../store/port.js';

export interface BatchingWriterOptions {
  /** Flush as soon as this many rows are queued. Default 5,000 (ClickHouse wants large inserts). */
  maxRows?: number;
  /** Flush rows that have waited this long even if the batch is small. Default 200 ms. */
  maxDelayMs?: number;
  /** Queued plus in-flight rows beyond which `write` is refused at once. Default 10 × maxRows. */
  maxQueuedRows?: number;
}

export interface BatchingWriter {
  /** Resolves once the batch holding these steps is durable; rejects with the store's error otherwise. */
  write(steps: Step[]): Promise<void>;
  /** Rows accepted but not yet durable. */
  readonly pendingRows: number;
  /** Flushes everything queued, then refuses further writes. */
  close(): Promise<void>;
}

/** Back-pressure: more rows are waiting than the store keeps up with. Mapped to 429 + Retry-After. */
export class QueueFullError extends OverloadedError {
  override name = 'QueueFullError';
}

interface Pending {
  steps: Step[];
  at: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Turns many small OTLP requests into few large store writes: every insert makes a ClickHouse
 * part, so 25-row inserts run ~7× slower than 5,000-row ones. A caller is answered only when its
 * rows are durable, so an HTTP 2xx always means stored. One batch is written at a time.
 */
export function createBatchingWriter(
  store: Pick<TraceStore, 'writeSteps'>,
  options: BatchingWriterOptions = {},
): BatchingWriter {
  const maxRows = Math.max(1, options.maxRows ?? 5000);
  const maxDelayMs = Math.max(0, options.maxDelayMs ?? 200);
  const maxQueuedRows = Math.max(maxRows, options.maxQueuedRows ?? maxRows * 10);

  const queue: Pending[] = [];
  let queuedRows = 0;
  let inFlightRows = 0;
  let flushing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closing = false;

  function takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let rows = 0;
    // Whole requests only: a request larger than maxRows is written on its own.
    while (queue.length > 0) {
      const next = queue[0] as Pending;
      if (batch.length > 0 && rows + next.steps.length > maxRows) break;
      queue.shift();
      batch.push(next);
      rows += next.steps.length;
    }
    queuedRows -= rows;
    return batch;
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const due = closing || queuedRows >= maxRows || Date.now() - (queue[0] as Pending).at >= maxDelayMs;
      if (!due) break;
      const batch = takeBatch();
      const steps = batch.flatMap((p) => p.steps);
      inFlightRows = steps.length;
      try {
        await store.writeSteps(steps);
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      } finally {
        inFlightRows = 0;
      }
    }
  }

  function schedule(): void {
    if (flushing || queue.length === 0) return;
    const oldest = (queue[0] as Pending).at;
    const wait = closing || queuedRows >= maxRows ? 0 : Math.max(0, oldest + maxDelayMs - Date.now());
    if (wait === 0) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      flushing = drain().finally(() => {
        flushing = undefined;
        schedule();
      });
    } else if (!timer) {
      timer = setTimeout(() => {
        timer = undefined;
        schedule();
      }, wait);
    }
  }

  return {
    write(steps) {
      if (closing) return Promise.reject(new Error('the batching writer is closed'));
      if (steps.length === 0) return Promise.resolve();
      const waiting = queuedRows + inFlightRows;
      // An oversized request is still accepted into an empty queue, or it could never succeed.
      if (waiting > 0 && waiting + steps.length > maxQueuedRows) {
        return Promise.reject(new QueueFullError(`ingest queue is full (${waiting} rows waiting), retry later`));
      }
      return new Promise<void>((resolve, reject) => {
        queue.push({ steps, at: Date.now(), resolve, reject });
        queuedRows += steps.length;
        schedule();
      });
    },
    get pendingRows() {
      return queuedRows + inFlightRows;
    },
    async close() {
      closing = true;
      schedule();
      while (flushing) await flushing;
    },
  };
}

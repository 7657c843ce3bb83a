import { OverloadedError } from '../errors/errors.js';
import type { Step } from '../model/step.js';
import type { SpanWriter } from '../store/port.js';

export interface BatchingWriterOptions {
  /** Most rows in one store write. Default 5,000 (ClickHouse wants large inserts). */
  maxRows?: number;
  /** Most payload bytes (approximate) in one store write. Default 16 MiB. */
  maxBytes?: number;
  /**
   * How long a small batch may wait for company while the store is idle. Default 0: write at
   * once. Under load this is never needed: rows that arrive during a write form the next batch.
   */
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
  bytes: number;
  at: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** The payload fields dominate a row's size; reading their lengths costs nothing. */
export function approxStepBytes(s: Step): number {
  return (
    512 +
    s.runInput.length +
    s.inputMessages.length +
    s.outputMessages.length +
    s.systemInstructions.length +
    s.toolArguments.length +
    s.toolResult.length +
    s.documents.length +
    s.actionResult.length +
    s.statusMessage.length
  );
}

/**
 * Group commit: a write goes to the store as soon as the store is idle, and everything that
 * arrives while a write is in flight is coalesced into the next one (up to maxRows/maxBytes).
 * At low load a request waits for one store write; at high load batches grow by themselves, which
 * ClickHouse needs (every insert makes a part; 25-row inserts run ~7× slower than 5,000-row ones).
 * A caller is answered only when its rows are durable, so an HTTP 2xx always means stored. One
 * store write is in flight at a time.
 */
export function createBatchingWriter(store: SpanWriter, options: BatchingWriterOptions = {}): BatchingWriter {
  const maxRows = Math.max(1, options.maxRows ?? 5000);
  const maxBytes = Math.max(1, options.maxBytes ?? 16 * 1024 * 1024);
  const maxDelayMs = Math.max(0, options.maxDelayMs ?? 0);
  const maxQueuedRows = Math.max(maxRows, options.maxQueuedRows ?? maxRows * 10);

  const queue: Pending[] = [];
  let queuedRows = 0;
  let queuedBytes = 0;
  let inFlightRows = 0;
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closing = false;

  function takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let rows = 0;
    let bytes = 0;
    // Whole requests only: a request larger than a batch is written on its own.
    while (queue.length > 0) {
      const next = queue[0] as Pending;
      if (batch.length > 0 && (rows + next.steps.length > maxRows || bytes + next.bytes > maxBytes)) break;
      queue.shift();
      batch.push(next);
      rows += next.steps.length;
      bytes += next.bytes;
    }
    queuedRows -= rows;
    queuedBytes -= bytes;
    return batch;
  }

  async function writeBatch(batch: Pending[]): Promise<void> {
    const steps = batch.length === 1 ? (batch[0] as Pending).steps : batch.flatMap((p) => p.steps);
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

  function pump(): void {
    if (inFlight || queue.length === 0) return;
    const full = queuedRows >= maxRows || queuedBytes >= maxBytes;
    if (!closing && !full && maxDelayMs > 0) {
      const wait = (queue[0] as Pending).at + maxDelayMs - Date.now();
      if (wait > 0) {
        timer ??= setTimeout(() => {
          timer = undefined;
          pump();
        }, wait);
        return;
      }
    }
    if (timer) clearTimeout(timer);
    timer = undefined;
    inFlight = writeBatch(takeBatch()).finally(() => {
      inFlight = undefined;
      pump();
    });
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
      let bytes = 0;
      for (const s of steps) bytes += approxStepBytes(s);
      return new Promise<void>((resolve, reject) => {
        queue.push({ steps, bytes, at: Date.now(), resolve, reject });
        queuedRows += steps.length;
        queuedBytes += bytes;
        pump();
      });
    },
    get pendingRows() {
      return queuedRows + inFlightRows;
    },
    async close() {
      closing = true;
      pump();
      while (inFlight) await inFlight;
    },
  };
}

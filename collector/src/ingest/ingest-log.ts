import { createHash } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { type Logger, silentLogger } from '../log/logger.js';
import type { Step } from '../model/step.js';
import type { SpanWriter } from '../store/port.js';
import { type BatchingWriter, QueueFullError } from './batching-writer.js';

export interface IngestLogOptions {
  /** Directory of the log's segment files (created if missing). */
  dir: string;
  /** Most rows in one store write. Default 5,000. */
  maxRows?: number;
  /** Rows logged but not yet in the store beyond which `write` is refused (429). Default 200,000. */
  maxQueuedRows?: number;
  /** First wait before a failed store write is tried again (doubles up to 5 s). Default 200 ms. */
  retryMs?: number;
  /**
   * How long a store write waits, after the oldest step it would take was logged, for more steps to
   * come, unless `maxRows` already wait: fewer, larger inserts (on ClickHouse each insert is a part
   * per table, merged again later) for a store that lags by as much. Default 0: write as soon as the
   * store is idle.
   */
  storeDelayMs?: number;
  /** A warning per failed store write and per record dropped on replay. */
  log?: Logger;
}

export interface IngestLog extends BatchingWriter {
  /** Writes every record a previous process logged but did not store, then removes its segments. */
  replay(): Promise<{ records: number; steps: number; torn: number }>;
}

interface Entry {
  steps: Step[];
  segment: Segment;
  /** When it was logged (ms). */
  at: number;
}

interface Segment {
  seq: number;
  path: string;
  appended: number;
  stored: number;
  /** Open while appends may go to it. */
  file: FileHandle | undefined;
  /** Sealed: appends go to a newer segment; the file closes after its last append. */
  sealed: boolean;
  writing: boolean;
}

const HEADER = 8; // u32 payload length, u32 checksum (first 4 bytes of SHA-1 of the payload)
const SEGMENT_NAME = /^(\d{12})\.log$/;

const checksum = (payload: Uint8Array) => createHash('sha1').update(payload).digest().readUInt32LE(0);

/**
 * Write-ahead log for ingest: a request is acknowledged once its steps are appended to a local file
 * and fsynced, not when the store has them; a background loop then writes the logged steps into the
 * store in batches of up to `maxRows`, as large as the backlog allows. Clients stop waiting for the
 * store, so the store gets few large inserts instead of many small ones.
 *
 * - Appends are group-committed too: what arrives during one write + fdatasync goes into the next.
 * - A segment file holds records until every one of them is in the store, then it is deleted; a
 *   segment is closed for appends whenever the store loop has taken all of it, so a file lives about
 *   as long as one store write.
 * - On start, `replay` writes the records of segments a stopped process left (a torn last record, from
 *   a crash during its append, was never acknowledged and is dropped). Store writes are idempotent
 *   (spans collapse by key, summaries are idempotent), so a record stored just before a crash and
 *   written again on replay changes nothing.
 * - A failed store write is retried with back-off and the steps stay in the log; `write` answers
 *   QueueFullError (429) once `maxQueuedRows` are waiting.
 */
export async function createIngestLog(store: SpanWriter, options: IngestLogOptions): Promise<IngestLog> {
  const maxRows = Math.max(1, options.maxRows ?? 5000);
  const maxQueuedRows = Math.max(maxRows, options.maxQueuedRows ?? 200_000);
  const retryMs = Math.max(1, options.retryMs ?? 200);
  const storeDelayMs = Math.max(0, options.storeDelayMs ?? 0);
  const log = options.log ?? silentLogger;
  await mkdir(options.dir, { recursive: true });
  const existing = (await readdir(options.dir))
    .map((name) => SEGMENT_NAME.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  let nextSeq = (existing.at(-1) ?? 0) + 1;

  // Appending: records waiting for the next write + fdatasync, and the one in flight.
  let current: Segment | undefined;
  let waiting: { record: Buffer; steps: Step[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let appending: Promise<void> | undefined;
  // Storing: logged entries not yet in the store, oldest first.
  const unstored: Entry[] = [];
  let unstoredRows = 0;
  let storing: Promise<void> | undefined;
  let closing = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let delayTimer: NodeJS.Timeout | undefined;

  const segmentPath = (seq: number) => join(options.dir, `${String(seq).padStart(12, '0')}.log`);

  async function openSegment(): Promise<Segment> {
    const seq = nextSeq;
    nextSeq += 1;
    const path = segmentPath(seq);
    const file = await open(path, 'a');
    // The new name must survive a crash as well as the data appended to it.
    const dir = await open(options.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    current = { seq, path, appended: 0, stored: 0, file, sealed: false, writing: false };
    return current;
  }

  /** A sealed segment whose records are all in the store is deleted (its file closed first). */
  async function retire(segment: Segment) {
    if (!segment.sealed || segment.writing) return;
    const file = segment.file;
    segment.file = undefined;
    await file?.close();
    if (segment.stored >= segment.appended) await unlink(segment.path).catch(() => {});
  }

  function seal(segment: Segment | undefined) {
    if (!segment || segment.sealed) return;
    segment.sealed = true;
    if (current === segment) current = undefined;
  }

  async function appendWaiting(): Promise<void> {
    const batch = waiting;
    waiting = [];
    let target: Segment | undefined;
    try {
      target = current ?? (await openSegment());
      target.writing = true;
      const file = target.file as FileHandle;
      await file.write(Buffer.concat(batch.map((b) => b.record)));
      await file.datasync();
      target.appended += batch.length;
      const at = Date.now();
      for (const b of batch) {
        unstored.push({ steps: b.steps, segment: target, at });
        unstoredRows += b.steps.length;
      }
    } catch (error) {
      // What was written of this batch is unacknowledged; the segment takes no more appends.
      if (target) target.appended += batch.length;
      seal(target);
      for (const b of batch) b.reject(error);
      return;
    } finally {
      if (target) {
        target.writing = false;
        await retire(target);
      }
    }
    for (const b of batch) b.resolve();
    pumpStore();
  }

  function pumpAppend() {
    if (appending || waiting.length === 0) return;
    appending = appendWaiting().finally(() => {
      appending = undefined;
      pumpAppend();
    });
  }

  async function storeOnce(): Promise<boolean> {
    const take: Entry[] = [];
    let rows = 0;
    for (const e of unstored) {
      if (take.length > 0 && rows + e.steps.length > maxRows) break;
      take.push(e);
      rows += e.steps.length;
    }
    // Later appends go to a new segment, so this one can go soon after the batch is stored.
    seal(take.at(-1)?.segment);
    const steps = take.length === 1 ? (take[0] as Entry).steps : take.flatMap((e) => e.steps);
    try {
      await store.writeSteps(steps);
    } catch (error) {
      log.warn('storing logged steps failed; they stay in the log for a retry', { steps: steps.length, err: error });
      return false;
    }
    unstored.splice(0, take.length);
    unstoredRows -= rows;
    const touched = new Set<Segment>();
    for (const e of take) {
      e.segment.stored += 1;
      touched.add(e.segment);
    }
    for (const segment of touched) await retire(segment);
    return true;
  }

  function pumpStore(delayMs = retryMs) {
    if (storing || retryTimer || unstored.length === 0) return;
    if (!closing && storeDelayMs > 0 && unstoredRows < maxRows) {
      const wait = (unstored[0] as Entry).at + storeDelayMs - Date.now();
      if (wait > 0) {
        delayTimer ??= setTimeout(() => {
          delayTimer = undefined;
          pumpStore();
        }, wait);
        return;
      }
    }
    if (delayTimer) clearTimeout(delayTimer);
    delayTimer = undefined;
    storing = storeOnce().then(
      (ok) => {
        storing = undefined;
        if (ok) return pumpStore();
        if (closing) return;
        retryTimer = setTimeout(() => {
          retryTimer = undefined;
          pumpStore(Math.min(5_000, delayMs * 2));
        }, delayMs);
      },
      () => {
        storing = undefined;
      },
    );
  }

  return {
    write(steps) {
      if (closing) return Promise.reject(new Error('the ingest log is closed'));
      if (steps.length === 0) return Promise.resolve();
      if (unstoredRows > 0 && unstoredRows + steps.length > maxQueuedRows) {
        return Promise.reject(
          new QueueFullError(`ingest queue is full (${unstoredRows} rows waiting for the store), retry later`),
        );
      }
      const payload = serialize(steps);
      const record = Buffer.allocUnsafe(HEADER + payload.length);
      record.writeUInt32LE(payload.length, 0);
      record.writeUInt32LE(checksum(payload), 4);
      payload.copy(record, HEADER);
      return new Promise<void>((resolve, reject) => {
        waiting.push({ record, steps, resolve, reject });
        pumpAppend();
      });
    },
    get pendingRows() {
      return unstoredRows;
    },
    async replay() {
      let records = 0;
      let steps = 0;
      let torn = 0;
      for (const seq of existing) {
        const path = segmentPath(seq);
        const data = await readFile(path);
        const batch: Step[] = [];
        let at = 0;
        while (at < data.length) {
          const length = at + HEADER <= data.length ? data.readUInt32LE(at) : -1;
          const end = at + HEADER + length;
          const payload = length >= 0 && end <= data.length ? data.subarray(at + HEADER, end) : undefined;
          if (!payload || checksum(payload) !== data.readUInt32LE(at + 4)) {
            torn += 1;
            log.warn('the log ends in a torn record (never acknowledged); dropped', { file: path, byte: at });
            break;
          }
          batch.push(...(deserialize(payload) as Step[]));
          records += 1;
          at = end;
        }
        for (let i = 0; i < batch.length; i += maxRows) await store.writeSteps(batch.slice(i, i + maxRows));
        steps += batch.length;
        await unlink(path);
      }
      existing.length = 0;
      return { records, steps, torn };
    },
    async close() {
      closing = true;
      while (appending) await appending;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
      if (delayTimer) clearTimeout(delayTimer);
      delayTimer = undefined;
      while (storing) await storing;
      // One more pass; what the store does not take now stays logged for the next start.
      while (unstored.length > 0 && (await storeOnce())) {}
      const last = current;
      seal(last);
      if (last) await retire(last);
    },
  };
}

import { randomBytes } from 'node:crypto';
import { type Logger, silentLogger } from '../log/logger.js';
import type { Step } from '../model/step.js';
import type { ChainEntry, ChainEntryKind, ChainLeaf, ChainStore } from '../store/evidence.js';
import { nextTurn, turnIsLong } from '../turns/turns.js';
import { entrySteps, genesisHash, type PendingLeaf, pendingLeaf } from './chain.js';
import { headMessage, type Signer } from './signing.js';

export interface ChainRecorderOptions {
  store: Pick<ChainStore, 'appendChain'>;
  /** This collector's name (`CASEFILE_COLLECTOR_ID`); the chain ID adds a start-up nonce to it. */
  collectorId: string;
  signer?: Signer | undefined;
  /** Failed appends (warn), their recovery (info), spans that never reach the chain (error). */
  log?: Logger;
  /** Spans waiting for the chain beyond which the oldest batch is dropped (and logged). Default 1,000,000. */
  maxPendingSpans?: number;
  /** First retry delay after a failed append; doubles up to 30 s. Default 1,000 ms. */
  retryMs?: number;
  /**
   * Longest time a durable batch waits for its entry, so that the batches of that time share one
   * append (one store transaction or insert instead of one per write). Default 1,000 ms; 0 appends
   * as soon as the previous append is done. `flush`, `close` and `appendEvent` never wait for it.
   */
  appendDelayMs?: number;
  /** Spans waiting beyond which an append starts without waiting for the delay. Default 10,000. */
  appendSpans?: number;
  now?: () => bigint;
}

export interface ChainRecorder {
  /** This process's chain ID (the same in every project). */
  readonly chainId: string;
  /** A batch is durable: queue its spans for the chain. Never waits, never throws. */
  record(steps: readonly Step[]): void;
  /**
   * Append a retention or erasure entry (with the leaves of the spans an erasure rewrote) after
   * everything recorded before it; resolves with the entry once it is durable.
   */
  appendEvent(
    projectId: string,
    kind: Exclude<ChainEntryKind, 'batch'>,
    detail: unknown,
    steps?: readonly Step[],
  ): Promise<ChainEntry>;
  /** Resolves once everything recorded before the call is in the store (or could not be). */
  flush(): Promise<void>;
  /** Spans recorded but not yet in the store. */
  readonly pendingSpans: number;
  /** Flushes (one attempt if the store is failing), then refuses further work. */
  close(): Promise<void>;
}

/** A durable batch waiting for the chain, with the leaves of its first `hashed` spans. */
interface SpansItem {
  type: 'spans';
  /**
   * The batch's steps until every one is hashed, then none: the append needs only the leaves, and a
   * batch's steps (their payloads) are not kept alive until it, which would carry them through the
   * young generation's collections into the old one.
   */
  steps: readonly Step[];
  /** Spans in the batch. */
  count: number;
  at: number;
  leaves: PendingLeaf[];
  /** Each leaf's project. */
  projects: string[];
  hashed: number;
}

const NO_STEPS: readonly Step[] = [];

type Item =
  | SpansItem
  | {
      type: 'event';
      projectId: string;
      kind: Exclude<ChainEntryKind, 'batch'>;
      detail: string;
      steps: readonly Step[];
      resolve: (e: ChainEntry) => void;
      reject: (error: unknown) => void;
    }
  | { type: 'mark'; resolve: () => void };

interface Head {
  seq: bigint;
  hash: string;
}

/** Spans hashed between two looks at the clock; a slice ends once the turn is long (`turns.ts`). */
const HASH_STRIDE = 64;

const spansItem = (steps: readonly Step[], at: number): SpansItem => ({
  type: 'spans',
  steps,
  count: steps.length,
  at,
  leaves: [],
  projects: [],
  hashed: 0,
});

/**
 * Appends the per-project hash chain as batches become durable, off the request path: `record` only
 * queues; one append is in flight at a time, and it takes everything that became durable up to then
 * (one entry per project). An append starts once the oldest waiting batch has waited
 * `appendDelayMs`, once `appendSpans` spans wait, or at once when a flush, an event or `close` wants
 * it, so under steady ingest the chain costs one store write a second rather than one per store
 * write. Each recorded batch is hashed at once, in slices between I/O callbacks (while the store
 * writes the next one), so an append mostly finds its leaves ready.
 *
 * Guarantees: each chain is written by this process alone, in order, each entry naming its
 * predecessor's hash; an entry is appended only after its spans are durable. A crash between a
 * batch becoming durable and its entry being stored (at most the delay plus one append) leaves those
 * spans unrecorded: verification reports each of them as such (`span_unrecorded`, naming the span and
 * run; it cannot tell them from spans inserted behind the collector's back), never as verified.
 */
export function createChainRecorder(options: ChainRecorderOptions): ChainRecorder {
  const log = options.log ?? silentLogger;
  const maxPending = options.maxPendingSpans ?? 1_000_000;
  const retryBase = options.retryMs ?? 1000;
  const delayMs = options.appendDelayMs ?? 1000;
  const batchSpans = options.appendSpans ?? 10_000;
  const now = options.now ?? (() => BigInt(Date.now()) * 1_000_000n);
  const chainId = `${options.collectorId}~${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const sign = options.signer ? (hash: string) => (options.signer as Signer).sign(headMessage(hash)) : undefined;
  const heads = new Map<string, Head>();
  const queue: Item[] = [];
  let pending = 0;
  let running: Promise<void> | undefined;
  let closed = false;
  let failures = 0;
  let dropped = 0;
  /** Items at the front of the queue that the running step has taken; drops never touch them. */
  let taken = 0;
  /** Marks and events in the queue: they want an append now. */
  let waiters = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Milliseconds until the queue's front should be appended (0: now). */
  function wait(): number {
    const first = queue[0];
    if (closed || waiters > 0 || pending >= batchSpans || first === undefined || first.type !== 'spans') return 0;
    return Math.max(0, delayMs - (performance.now() - first.at));
  }

  const stepsOf = (item: Item) => (item.type === 'mark' ? 0 : item.type === 'spans' ? item.count : item.steps.length);

  /** The project's next entry, built with pauses for requests between its steps. */
  async function nextEntry(
    projectId: string,
    kind: ChainEntryKind,
    detail: string,
    leaves: readonly PendingLeaf[],
  ): Promise<{ entry: ChainEntry; leaves: ChainLeaf[] }> {
    const head = heads.get(projectId);
    const steps = entrySteps(
      {
        projectId,
        chainId,
        seq: head ? head.seq + 1n : 0n,
        kind,
        timeNs: now(),
        collectorId: options.collectorId,
        prevHash: head ? head.hash : genesisHash(projectId, chainId),
        detail,
        leaves,
      },
      sign,
    );
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
      if (turnIsLong()) await nextTurn();
    }
  }

  /**
   * Hashes more spans of a batch, at least `HASH_STRIDE` and on until the event loop's turn is long;
   * true once all of them are (its steps then let go).
   */
  function hashSlice(item: SpansItem): boolean {
    let i = item.hashed;
    while (i < item.count) {
      const end = Math.min(item.count, i + HASH_STRIDE);
      for (; i < end; i++) {
        const step = item.steps[i] as Step;
        item.leaves.push(pendingLeaf(step));
        item.projects.push(step.projectId);
      }
      if (turnIsLong()) break;
    }
    item.hashed = i;
    if (i < item.count) return false;
    item.steps = NO_STEPS;
    return true;
  }

  /** All of a batch's leaves, hashing what the background pass has not, in slices between I/O callbacks. */
  async function hashAll(item: SpansItem): Promise<void> {
    while (!hashSlice(item)) await nextTurn();
  }

  function byProjectInto(item: SpansItem, into: Map<string, PendingLeaf[]>): void {
    // A batch's spans mostly share a project: look its list up only when the project changes.
    let projectId: string | undefined;
    let list: PendingLeaf[] = [];
    for (let i = 0; i < item.count; i++) {
      const id = item.projects[i] as string;
      if (id !== projectId) {
        projectId = id;
        let found = into.get(id);
        if (found === undefined) {
          found = [];
          into.set(id, found);
        }
        list = found;
      }
      list.push(item.leaves[i] as PendingLeaf);
    }
  }

  /**
   * Hashes recorded batches as they arrive, a slice per turn of the event loop, so that the work runs
   * while the store writes the next batch and an append finds its leaves ready. The entry is still
   * appended only at the append's turn, after the batch is durable.
   */
  let hashing = false;
  function hashAhead(): void {
    if (hashing) return;
    const next = queue.find((item): item is SpansItem => item.type === 'spans' && item.hashed < item.count);
    if (!next) return;
    hashing = true;
    void nextTurn().then(() => {
      hashing = false;
      hashSlice(next);
      hashAhead();
    });
  }

  async function eventLeaves(steps: readonly Step[], into: Map<string, PendingLeaf[]>): Promise<void> {
    const item = spansItem(steps, 0);
    await hashAll(item);
    byProjectInto(item, into);
  }

  async function append(entries: ChainEntry[], leaves: ChainLeaf[], retry: boolean): Promise<void> {
    for (;;) {
      try {
        await options.store.appendChain(entries, leaves);
        if (failures > 0) log.info('chain appends work again', { failedAttempts: failures });
        failures = 0;
        for (const e of entries) heads.set(e.projectId, { seq: e.seq, hash: e.hash });
        return;
      } catch (error) {
        failures += 1;
        if (failures === 1 || failures % 20 === 0) {
          log.warn('appending to the chain failed; retrying', { failures, spansWaiting: pending, err: error });
        }
        if (!retry || closed) throw error;
        await new Promise((r) => setTimeout(r, Math.min(30_000, retryBase * 2 ** Math.min(failures - 1, 5))));
      }
    }
  }

  async function step(): Promise<void> {
    const first = queue[0] as Item;
    taken = 1;
    if (first.type === 'mark') {
      queue.shift();
      waiters -= 1;
      first.resolve();
      return;
    }
    if (first.type === 'event') {
      const leaves = new Map<string, PendingLeaf[]>();
      await eventLeaves(first.steps, leaves);
      const built = await nextEntry(first.projectId, first.kind, first.detail, leaves.get(first.projectId) ?? []);
      try {
        await append([built.entry], built.leaves, false);
        first.resolve(built.entry);
      } catch (error) {
        first.reject(error);
      } finally {
        queue.shift();
        waiters -= 1;
        pending -= first.steps.length;
      }
      return;
    }
    // Every span batch up to the next event or mark becomes one entry per project.
    let n = 0;
    while (n < queue.length && (queue[n] as Item).type === 'spans') n++;
    taken = n;
    const batch = queue.slice(0, n) as SpansItem[];
    const byProject = new Map<string, PendingLeaf[]>();
    for (const item of batch) {
      await hashAll(item);
      byProjectInto(item, byProject);
    }
    const entries: ChainEntry[] = [];
    const leaves: ChainLeaf[] = [];
    for (const [projectId, list] of byProject) {
      const built = await nextEntry(projectId, 'batch', '', list);
      entries.push(built.entry);
      for (const l of built.leaves) leaves.push(l);
    }
    try {
      await append(entries, leaves, true);
    } catch {
      log.error('spans were not recorded in the chain (the collector is closing)', { spans: leaves.length });
    }
    queue.splice(0, n);
    for (const item of batch) pending -= item.count;
  }

  function pump(): void {
    if (running || queue.length === 0) return;
    const ms = wait();
    if (ms > 0) {
      timer ??= setTimeout(() => {
        timer = undefined;
        pump();
      }, ms);
      return;
    }
    if (timer) clearTimeout(timer);
    timer = undefined;
    running = (async () => {
      while (queue.length > 0 && wait() === 0) {
        await step();
        taken = 0;
      }
    })().finally(() => {
      running = undefined;
      pump();
    });
  }

  return {
    chainId,
    record(steps) {
      if (closed || steps.length === 0) return;
      queue.push(spansItem(steps, performance.now()));
      pending += steps.length;
      // Bounded: beyond the limit the oldest batch not yet taken is dropped, loudly.
      while (pending > maxPending) {
        const index = queue.findIndex((item, i) => i >= taken && item.type === 'spans');
        if (index < 0) break;
        const [gone] = queue.splice(index, 1) as [Item];
        pending -= stepsOf(gone);
        dropped += stepsOf(gone);
        log.error('chain queue full: spans dropped; verification will report them as unrecorded', {
          droppedSoFar: dropped,
        });
      }
      hashAhead();
      pump();
    },
    appendEvent(projectId, kind, detail, steps = []) {
      if (closed) return Promise.reject(new Error('the chain recorder is closed'));
      return new Promise<ChainEntry>((resolve, reject) => {
        queue.push({ type: 'event', projectId, kind, detail: JSON.stringify(detail), steps, resolve, reject });
        pending += steps.length;
        waiters += 1;
        pump();
      });
    },
    flush() {
      return new Promise<void>((resolve) => {
        queue.push({ type: 'mark', resolve });
        waiters += 1;
        pump();
      });
    },
    get pendingSpans() {
      return pending;
    },
    async close() {
      closed = true;
      const flushed = this.flush();
      await flushed;
    },
  };
}

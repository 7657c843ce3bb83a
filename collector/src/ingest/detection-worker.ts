import { detectRun, type Finding } from '../detect/index.js';
import { StoreUnavailableError } from '../errors/errors.js';
import { type Logger, silentLogger } from '../log/logger.js';
import type { Step } from '../model/step.js';
import { findingId, type StoredFinding } from '../store/findings.js';
import type { DetectionBacklog, FindingsStore, PendingDetection, RunFindings, RunReader } from '../store/port.js';
import { pauseIfLong } from '../turns/turns.js';
import { withCarriedNovelty } from './carry-novelty.js';
import type { DetectionState } from './detection-state.js';
import { refreshPolicyGapFindings } from './policy-gap-findings.js';

export interface DetectionWorkerOptions {
  /** A run is detected once no step of it has been written for this long. Default 1,500 ms. */
  delayMs?: number;
  /** Runs detected at the same time (store round trips overlap). Default 4. */
  concurrency?: number;
  /** Pending runs read from the store at once (a page costs a few store round trips, and on a shared store one claim settle). Default 1,000. */
  pageSize?: number;
  /** How often the store is asked for work without being notified (retries, other writers). Default 5,000 ms. */
  pollMs?: number;
  /** First retry of a failed run; doubles per failure up to `maxRetryMs`. Default 1,000 ms. */
  retryMs?: number;
  /** Longest wait between retries of a run, and after a failed backlog read. Default 60,000 ms. */
  maxRetryMs?: number;
  /**
   * Each pass re-reads writes this far behind the oldest it still had to do, so a write stamped by
   * a writer whose clock is behind (another collector) is not passed over. Default 30,000 ms.
   */
  skewAllowanceMs?: number;
  /** How often learned baselines are stored. Default 5,000 ms. */
  persistEveryMs?: number;
  /**
   * Asked before a page of due runs is detected; answers the runs this worker may detect now (the
   * others are another collector's, or already done). Runs left out stay pending here and are asked
   * for again on later passes, so a run whose claimer died is taken over once its claim lapses.
   * `store.claimDetections` is the store's exclusive claim; default: every run.
   */
  claim?: (runs: readonly PendingDetection[]) => Promise<readonly PendingDetection[]>;
  /**
   * A run the store cannot read yet at the write that made it pending (on a cluster, a replica can hold
   * the run's backlog row before its spans) waits with the retry backoff, uncounted as a failure; past
   * this long it is detected as the store then reads it. Default 600,000 ms.
   */
  unreadyLimitMs?: number;
  /** Failures, each once and then every tenth time it repeats (warnings with the error under `err`). */
  log?: Logger;
}

export interface DetectionStats {
  /** Runs detected (and marked) since start. */
  detected: number;
  /** Detections that failed (each is retried with backoff). */
  failed: number;
  /** Runs waiting for a retry after a failure. */
  retrying: number;
  /** Age of the oldest due write not yet detected, ms (0 when caught up). */
  lagMs: number;
  /** Backlog reads that failed (the store was unavailable). */
  backlogErrors: number;
}

/**
 * What `readPage` read of a page: the runs it could read, the runs the store does not show at their
 * pending write yet, or the outage that stopped it.
 */
interface PageRead {
  loaded: Map<string, { steps: readonly Step[]; previous: readonly StoredFinding[] }>;
  unready: Set<string>;
  unavailable: unknown;
}

export interface DetectionWorker {
  /** Called after steps are durable: a hint that work is coming. Never throws, never waits. */
  notify(steps: readonly Step[]): void;
  /** Runs detected so far. */
  readonly detected: number;
  stats(): DetectionStats;
  /** Runs the store still has to detect (any age), and the oldest write among them; callers at the same time share one count, and a count answers for a second. */
  backlog(): Promise<{ runs: number; oldestNs?: bigint }>;
  /**
   * Stops taking work, waits for detections in flight (at most `deadlineMs`), stores the baselines.
   * Whatever was not detected stays pending in the store and is detected after the next start.
   */
  close(deadlineMs?: number): Promise<void>;
}

/** Longest wait before the backlog is read again after the store was unavailable. */
const OUTAGE_RETRY_MAX_MS = 5_000;
const MS = 1_000_000n;
const FAR_FUTURE = 2n ** 63n;
/** How long a backlog count answers later callers. */
const BACKLOG_REUSE_MS = 1_000;

/**
 * Detection after ingest, off the request path, with its work derived from the store: every
 * acknowledged write leaves its runs pending (`DetectionBacklog`) until they are detected and
 * marked, so a crash, a restart, a store outage or a backlog larger than memory delays detection
 * but never skips a run. The worker reads pending runs that have been quiet for `delayMs`, oldest
 * write first, detects up to `concurrency` at once (never one run twice at once), marks them, and
 * retries a failed run with backoff. A page of runs costs a few store round trips, not a few per
 * run: its steps and earlier findings are read in one go per project (`getRuns`,
 * `listRunFindings`), each run is judged by `detectRun` with the project's baseline and settings and
 * learned into the baseline taint-aware (`learnRun`: nothing that came from untrusted content,
 * nothing of a step with a high finding, so an attack never becomes normal while the rest of the run
 * is learned), then the page's findings are replaced in one write (`replaceRunFindings`) and its
 * runs marked detected.
 */
export function createDetectionWorker(
  store: RunReader & FindingsStore & DetectionBacklog,
  state: DetectionState,
  options: DetectionWorkerOptions = {},
): DetectionWorker {
  const delayMs = Math.max(0, options.delayMs ?? 1500);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const pageSize = Math.max(1, options.pageSize ?? 1000);
  const pollMs = Math.max(10, options.pollMs ?? 5000);
  const retryMs = Math.max(1, options.retryMs ?? 1000);
  const maxRetryMs = Math.max(retryMs, options.maxRetryMs ?? 60_000);
  const skewNs = BigInt(Math.max(0, options.skewAllowanceMs ?? 30_000)) * MS;
  const claim = options.claim ?? (async (runs: readonly PendingDetection[]) => runs);
  const log = options.log ?? silentLogger;
  const unreadyLimitMs = Math.max(0, options.unreadyLimitMs ?? 600_000);
  /** The wait before try `attempts + 1`: `retryMs`, doubling per attempt, at most `maxRetryMs`. */
  const backoffMs = (attempts: number) => Math.min(maxRetryMs, retryMs * 2 ** Math.min(attempts - 1, 16));

  // A run re-detected because a late span arrived must not be learned twice.
  const learned = new Set<string>();
  // `outage`: the run failed because the store was unavailable, not because of the run itself.
  const retries = new Map<string, { attempts: number; nextAt: number; outage: boolean }>();
  // Runs the store did not yet show at their pending write, since when.
  const unreadySince = new Map<string, number>();
  // Every write before `floor` has been detected (or is in `retries`).
  let floor = 0n;
  let oldestDueNs: bigint | undefined;
  let detected = 0;
  let failed = 0;
  let backlogErrors = 0;
  let backlogFailures = 0;
  let closing = false;
  let wake: (() => void) | undefined;
  let wakeAt = 0;
  let wakeTimer: NodeJS.Timeout | undefined;
  // When the runs of the latest durable write become due (its time + the quiet delay).
  let hintAt: number | undefined;

  const persistTimer = setInterval(() => {
    state.flush().catch((err: unknown) => log.warn('storing the detection baselines failed', { err }));
  }, options.persistEveryMs ?? 5000);
  persistTimer.unref();

  /** Sleeps until `ms` from now, or sooner when woken. */
  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      wakeAt = Date.now() + ms;
      wakeTimer = setTimeout(done, ms);
      wakeTimer.unref();
      function done() {
        if (wakeTimer) clearTimeout(wakeTimer);
        wakeTimer = undefined;
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  /** Wakes the loop at `at` if it would sleep longer. */
  function wakeBy(at: number): void {
    if (!wake || at >= wakeAt) return;
    if (wakeTimer) clearTimeout(wakeTimer);
    wakeAt = at;
    const w = wake;
    wakeTimer = setTimeout(w, Math.max(0, at - Date.now()));
    wakeTimer.unref();
  }

  async function loop(): Promise<void> {
    while (!closing) {
      let idleMs = pollMs;
      const startedAt = Date.now();
      try {
        await pass();
        backlogFailures = 0;
        if (hintAt !== undefined && hintAt <= startedAt) hintAt = undefined;
        if (hintAt !== undefined) idleMs = Math.min(idleMs, Math.max(0, hintAt - Date.now()));
        const nextRetry = Math.min(...[...retries.values()].map((r) => r.nextAt));
        if (Number.isFinite(nextRetry)) idleMs = Math.min(idleMs, Math.max(10, nextRetry - Date.now()));
      } catch (error) {
        backlogErrors++;
        backlogFailures++;
        idleMs = backoffMs(backlogFailures);
        // An unavailable store (down, or too busy to answer in time) is asked again within a few
        // seconds: one backlog read is cheap, and after an overload no write comes to say it is back.
        if (error instanceof StoreUnavailableError) idleMs = Math.min(idleMs, OUTAGE_RETRY_MAX_MS);
        if (backlogFailures === 1 || backlogFailures % 10 === 0) {
          log.warn('reading the detection backlog failed; retrying', {
            failures: backlogFailures,
            retryInMs: idleMs,
            err: error,
          });
        }
      }
      if (!closing) await sleep(idleMs);
    }
  }

  /** Detects every pending run that is due, page by page, oldest write first. */
  async function pass(): Promise<void> {
    let cursor = floor > skewNs ? floor - skewNs : 0n;
    let leftover: bigint | undefined; // the oldest write of a run that stays pending (retry)
    let first = true;
    while (!closing) {
      const untilNs = BigInt(Date.now() - delayMs) * MS;
      const page = await store.pendingDetections({ sinceNs: cursor, untilNs, limit: pageSize });
      // The store answered: runs that failed only because it was away are due now, not after their
      // backoff (which grows to a minute during a long outage or a long overload).
      if (first)
        for (const retry of retries.values()) if (retry.outage) retry.nextAt = Math.min(retry.nextAt, Date.now());
      if (first) oldestDueNs = page[0]?.writtenNs;
      first = false;
      if (page.length === 0) break;
      const now = Date.now();
      const due: PendingDetection[] = [];
      for (const p of page) {
        const retry = retries.get(keyOf(p));
        if (retry && retry.nextAt > now) leftover = min(leftover, p.writtenNs);
        else due.push(p);
      }
      // Runs another collector holds stay pending for this one too (`leftover`): if it dies, they
      // are claimed again here once its lease lapses. The page is read while it is claimed: on a
      // shared store the claim waits a settle delay, and a read of a run another collector wins is
      // wasted, never used.
      const reading = readPage(due);
      const mine = due.length > 0 ? await claim(due) : [];
      const { done, unavailable } = await detectAll(mine, await reading);
      for (const p of due) if (!done.includes(p)) leftover = min(leftover, p.writtenNs);
      if (done.length > 0) await store.markDetected(done);
      detected += done.length;
      if (unavailable !== undefined) throw unavailable;
      const last = (page[page.length - 1] as PendingDetection).writtenNs;
      oldestDueNs = min(leftover, last);
      // A page that made no progress moves past its last write; anything left there is in `leftover`.
      cursor = done.length > 0 ? last : last + 1n;
      if (page.length < pageSize) break;
    }
    if (closing) return;
    floor = min(leftover, cursor) ?? cursor;
    oldestDueNs = leftover;
  }

  /**
   * The steps and earlier findings of a page's runs, read per project in one go each. A page read
   * that fails for another reason than an outage leaves its runs to be read one by one (by
   * `detectOne`), so one run the store cannot read fails alone and does not hold back its page.
   */
  async function readPage(runs: readonly PendingDetection[]): Promise<PageRead> {
    const loaded = new Map<string, { steps: readonly Step[]; previous: readonly StoredFinding[] }>();
    const unready = new Set<string>();
    const projects = new Map<string, Map<string, bigint>>();
    for (const run of runs) {
      const writes = projects.get(run.projectId) ?? new Map<string, bigint>();
      writes.set(run.traceId, run.writtenNs);
      projects.set(run.projectId, writes);
    }
    for (const [projectId, writtenNs] of projects) {
      const traceIds = [...writtenNs.keys()];
      try {
        const steps = await store.getRuns(projectId, traceIds, { justWritten: true, writtenNs });
        const previous = await store.listRunFindings(projectId, traceIds);
        for (const traceId of traceIds) {
          const key = `${projectId}\0${traceId}`;
          const read = steps.get(traceId);
          if (read) loaded.set(key, { steps: read, previous: previous.get(traceId) ?? [] });
          else unready.add(key);
        }
      } catch (error) {
        if (error instanceof StoreUnavailableError) return { loaded, unready, unavailable: error };
      }
    }
    return { loaded, unready, unavailable: undefined };
  }

  /**
   * Detects `runs` with `concurrency` lanes, then stores the findings of the whole page in one write
   * and refreshes the policy-gap findings of the runs learned; answers the runs that succeeded, and a
   * store outage that stopped it. A failed page write fails every run of it (each is retried).
   */
  async function detectAll(
    runs: readonly PendingDetection[],
    page: PageRead,
  ): Promise<{ done: PendingDetection[]; unavailable: unknown }> {
    const done: PendingDetection[] = [];
    const writes: RunFindings[] = [];
    const fresh: Array<{ run: PendingDetection; steps: readonly Step[] }> = [];
    const inFlight = new Set<string>();
    let next = 0;
    let unavailable: unknown;
    const fail = (run: PendingDetection, error: unknown) => {
      failed++;
      const outage = error instanceof StoreUnavailableError;
      if (outage) unavailable = error;
      const key = keyOf(run);
      const attempts = (retries.get(key)?.attempts ?? 0) + 1;
      const wait = backoffMs(attempts);
      retries.set(key, { attempts, nextAt: Date.now() + wait, outage });
      if (attempts === 1 || attempts % 10 === 0) {
        log.warn('detecting a run failed; retrying', {
          projectId: run.projectId,
          traceId: run.traceId.slice(0, 32),
          attempts,
          retryInMs: wait,
          err: error,
        });
      }
    };
    if (page.unavailable !== undefined) {
      for (const run of runs) fail(run, page.unavailable);
      return { done: [], unavailable: page.unavailable };
    }
    const loaded = page.loaded;
    async function lane(): Promise<void> {
      while (!closing && unavailable === undefined && next < runs.length) {
        const run = runs[next++] as PendingDetection;
        const key = keyOf(run);
        if (inFlight.has(key)) continue; // a page holds a run once; kept for safety
        if (page.unready.has(key) && waitUnready(run, key)) continue;
        inFlight.add(key);
        try {
          const result = await detectOne(run.projectId, run.traceId, key, loaded.get(key));
          if (result?.write) writes.push(result.write);
          if (result?.learned) fresh.push({ run, steps: result.learned });
          done.push(run);
        } catch (error) {
          fail(run, error);
        } finally {
          inFlight.delete(key);
        }
        // A page read from memory resolves every await at once: give requests a turn between runs.
        await pauseIfLong();
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, runs.length) }, lane));
    try {
      await store.replaceRunFindings(writes);
    } catch (error) {
      for (const run of done) fail(run, error);
      return { done: [], unavailable };
    }
    // Policy gaps are refreshed per project, once per gap for the page (the baseline has learned it all).
    const byProject = new Map<string, Array<{ traceId: string; steps: readonly Step[] }>>();
    for (const f of fresh) {
      const list = byProject.get(f.run.projectId) ?? [];
      list.push({ traceId: f.run.traceId, steps: f.steps });
      byProject.set(f.run.projectId, list);
    }
    for (const [projectId, learnedRuns] of byProject) {
      try {
        const { baseline, config } = await state.load(projectId);
        await refreshPolicyGapFindings(store, projectId, learnedRuns, baseline, config);
      } catch (error) {
        // The runs are detected and stored; only the day's count lags until a later page with the
        // same gap brings it up to date. An outage still ends the pass (after these runs are marked).
        log.warn('refreshing policy-gap counts failed', { projectId, err: error });
        if (error instanceof StoreUnavailableError) unavailable ??= error;
      }
    }
    for (const run of done) {
      retries.delete(keyOf(run));
      unreadySince.delete(keyOf(run));
    }
    return { done, unavailable };
  }

  /**
   * A run the store does not show at its pending write: it is read again after the retry backoff, not
   * detected short or empty, until `unreadyLimitMs` has passed (a run retention removed since, or a
   * replica that never catches up); answers whether it waits.
   */
  function waitUnready(run: PendingDetection, key: string): boolean {
    const now = Date.now();
    const since = unreadySince.get(key) ?? now;
    unreadySince.set(key, since);
    if (now - since >= unreadyLimitMs) {
      log.warn('a run is still not readable at its latest write; detecting what the store holds', {
        projectId: run.projectId,
        traceId: run.traceId.slice(0, 32),
        waitedMs: now - since,
      });
      return false;
    }
    const attempts = (retries.get(key)?.attempts ?? 0) + 1;
    retries.set(key, {
      attempts,
      nextAt: now + backoffMs(attempts),
      outage: false,
    });
    if (attempts === 1) {
      log.info('a run is not readable at its latest write yet; reading it again later', {
        projectId: run.projectId,
        traceId: run.traceId.slice(0, 32),
      });
    }
    return true;
  }

  /**
   * Detects one run and learns it (once); answers its findings to store (none when the run was clean
   * and is still clean) and, when it was learned now, its steps for the policy-gap refresh.
   */
  async function detectOne(
    projectId: string,
    traceId: string,
    key: string,
    read: { steps: readonly Step[]; previous: readonly StoredFinding[] } | undefined,
  ): Promise<{ write?: RunFindings; learned?: readonly Step[] } | undefined> {
    const steps = read?.steps ?? (await store.getRun(projectId, traceId));
    if (steps.length === 0) return undefined; // removed by retention since it was written
    const previousFindings =
      read?.previous ?? (await store.listFindings(projectId, { traceId, limit: 100_000 })).findings;
    const { baseline, config } = await state.load(projectId);
    const fresh = detectRun(steps, baseline, config);
    const findings = withCarriedNovelty(fresh, previousFindings, steps, config, findingId);
    const kept = new Map(previousFindings.map((f) => [f.id, f]));
    // Most runs are clean and were clean before: nothing to replace.
    const write =
      findings.length > 0 || kept.size > 0
        ? { projectId, traceId, findings: toStored(projectId, steps, findings, kept) }
        : undefined;
    if (learned.has(key)) {
      await state.judgeVersions(projectId, steps);
      return { write };
    }
    await state.learn(projectId, steps, fresh);
    learned.add(key);
    if (learned.size > 100_000) learned.delete(learned.values().next().value as string);
    return { write, learned: steps };
  }

  const running = loop();
  let counting: Promise<{ runs: number; oldestNs?: bigint }> | undefined;
  let counted: { at: number; value: { runs: number; oldestNs?: bigint } } | undefined;

  return {
    notify(steps) {
      if (closing || steps.length === 0) return;
      hintAt = Date.now() + delayMs + 2;
      // A durable write says the store is back: runs that failed only because it was away are due
      // now, not after their backoff (which grows to a minute during a long outage).
      for (const retry of retries.values()) if (retry.outage) retry.nextAt = Math.min(retry.nextAt, Date.now());
      wakeBy(hintAt);
    },
    get detected() {
      return detected;
    },
    stats() {
      return {
        detected,
        failed,
        retrying: retries.size,
        lagMs: oldestDueNs === undefined ? 0 : Math.max(0, Date.now() - Number(oldestDueNs / MS)),
        backlogErrors,
      };
    },
    backlog() {
      // Scrapes and the admin page that ask at the same time share one count, and a count answers
      // every caller for a second after it: on a large backlog it is a scan of every pending write, a
      // timed-out scrape does not cancel it, and a scraper polling fast must not keep the store busy.
      if (counted && Date.now() - counted.at < BACKLOG_REUSE_MS) return Promise.resolve(counted.value);
      counting ??= store
        .countPendingDetections({ sinceNs: 0n, untilNs: FAR_FUTURE })
        .then((value) => {
          counted = { at: Date.now(), value };
          return value;
        })
        .finally(() => {
          counting = undefined;
        });
      return counting;
    },
    async close(deadlineMs = 10_000) {
      closing = true;
      clearInterval(persistTimer);
      wake?.();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), deadlineMs);
      });
      if ((await Promise.race([running, late])) === 'late') {
        log.warn('runs in flight did not finish before the deadline; they stay pending for the next start', {
          deadlineMs,
        });
      }
      clearTimeout(timer);
      await state.flush().catch((err: unknown) => log.warn('storing the detection baselines failed', { err }));
    },
  };
}

function keyOf(run: PendingDetection): string {
  return `${run.projectId}\0${run.traceId}`;
}

function min(a: bigint | undefined, b: bigint): bigint;
function min(a: bigint | undefined, b: bigint | undefined): bigint | undefined;
function min(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}

function toStored(
  projectId: string,
  steps: readonly Step[],
  findings: readonly Finding[],
  previous: Map<string, StoredFinding>,
): StoredFinding[] {
  const agentName = steps.find((s) => s.agentName !== '')?.agentName ?? '';
  const toolOf = new Map(steps.map((s) => [s.spanId, s.toolName]));
  const now = BigInt(Date.now()) * 1_000_000n;
  const out = new Map<string, StoredFinding>();
  for (const f of findings) {
    const id = findingId(f);
    if (out.has(id)) continue;
    const before = previous.get(id);
    out.set(id, {
      ...f,
      projectId,
      id,
      createdNs: before?.createdNs ?? now,
      agentName,
      toolName: toolOf.get(f.spanId) ?? '',
      status: before?.status ?? 'open',
    });
  }
  return [...out.values()];
}

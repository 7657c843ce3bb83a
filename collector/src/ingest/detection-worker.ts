import { detectRun, type Finding, severityRank } from '../detect/index.js';
import type { Step } from '../model/step.js';
import { findingId, type StoredFinding } from '../store/findings.js';
import type { FindingsStore, RunReader } from '../store/port.js';
import { withCarriedNovelty } from './carry-novelty.js';
import type { DetectionState } from './detection-state.js';

export interface DetectionWorkerOptions {
  /** A run is detected once no step of it has arrived for this long. Default 1,500 ms. */
  delayMs?: number;
  /** Runs waiting at most; beyond it the oldest is dropped (counted and logged). Default 10,000. */
  maxQueued?: number;
  /** Runs detected at the same time (store round trips overlap). Default 4. */
  concurrency?: number;
  /** How often learned baselines are stored. Default 5,000 ms. */
  persistEveryMs?: number;
  log?: (line: string) => void;
}

export interface DetectionWorker {
  /** Called after steps are durable: queues their runs. Never throws, never waits. */
  notify(steps: readonly Step[]): void;
  /** Runs waiting to be detected. */
  readonly pending: number;
  /** Runs dropped because the queue was full. */
  readonly dropped: number;
  /** Runs detected so far. */
  readonly detected: number;
  /** Detects every waiting run now, stores the baselines, and stops. */
  close(): Promise<void>;
}

interface Queued {
  projectId: string;
  traceId: string;
  dueAt: number;
}

const HIGH = severityRank('high');

/**
 * Detection after ingest, off the request path. Touched runs wait in a deduplicated queue until they
 * have been quiet for `delayMs` (agents send a run in several exports), then one at a time: load the
 * run, `detectRun` with the project's baseline and settings, replace its findings, and learn it into
 * the baseline only if it raised nothing high or critical (an attack must not become normal).
 */
export function createDetectionWorker(
  store: RunReader & FindingsStore,
  state: DetectionState,
  options: DetectionWorkerOptions = {},
): DetectionWorker {
  const delayMs = Math.max(0, options.delayMs ?? 1500);
  const maxQueued = Math.max(1, options.maxQueued ?? 10_000);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const log = options.log ?? (() => {});
  // Insertion order is due order: a touched run is moved to the end with the latest due time.
  const queue = new Map<string, Queued>();
  // A run re-detected because a late span arrived must not be learned twice.
  const learned = new Set<string>();
  // A run is never detected twice at once, or an older result could overwrite a newer one.
  const inFlight = new Set<string>();
  let dropped = 0;
  let detected = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closing = false;

  const persistTimer = setInterval(() => {
    state.flush().catch((e: unknown) => log(`detection: storing baselines failed: ${describe(e)}`));
  }, options.persistEveryMs ?? 5000);
  persistTimer.unref();

  function schedule(): void {
    // While closing, `close` drains the queue itself.
    if (closing || running || timer || queue.size === 0) return;
    const first = queue.values().next().value as Queued;
    const wait = Math.max(0, first.dueAt - Date.now());
    timer = setTimeout(() => {
      timer = undefined;
      running = drain().finally(() => {
        running = undefined;
        schedule();
      });
    }, wait);
    timer.unref();
  }

  /** The first due run that is not being detected already. */
  function takeDue(): Queued | undefined {
    const now = Date.now();
    for (const [key, q] of queue) {
      if (!closing && q.dueAt > now) return undefined;
      if (inFlight.has(key)) continue;
      queue.delete(key);
      return q;
    }
    return undefined;
  }

  async function lane(): Promise<void> {
    for (let next = takeDue(); next; next = takeDue()) {
      const key = `${next.projectId}\0${next.traceId}`;
      inFlight.add(key);
      try {
        await detectOne(next.projectId, next.traceId, key);
        detected++;
      } catch (error) {
        log(`detection: run ${next.traceId.slice(0, 32)} failed: ${describe(error)}`);
      } finally {
        inFlight.delete(key);
      }
    }
  }

  async function drain(): Promise<void> {
    await Promise.all(Array.from({ length: concurrency }, lane));
  }

  async function detectOne(projectId: string, traceId: string, key: string): Promise<void> {
    const steps = await store.getRun(projectId, traceId);
    if (steps.length === 0) return;
    const { baseline, config } = await state.load(projectId);
    const fresh = detectRun(steps, baseline, config);
    const previous = await store.listFindings(projectId, { traceId, limit: 100_000 });
    const findings = withCarriedNovelty(fresh, previous.findings, steps, config, findingId);
    const kept = new Map(previous.findings.map((f) => [f.id, f]));
    // Most runs are clean and were clean before: nothing to replace.
    if (findings.length > 0 || kept.size > 0) {
      await store.replaceFindings(projectId, traceId, toStored(projectId, steps, findings, kept));
    }
    if (!learned.has(key) && fresh.every((f) => severityRank(f.severity) < HIGH)) {
      await state.learn(projectId, steps);
      learned.add(key);
      if (learned.size > 100_000) learned.delete(learned.values().next().value as string);
    }
  }

  return {
    notify(steps) {
      if (closing) return;
      const dueAt = Date.now() + delayMs;
      for (const step of steps) {
        const key = `${step.projectId}\0${step.traceId}`;
        queue.delete(key);
        queue.set(key, { projectId: step.projectId, traceId: step.traceId, dueAt });
        if (queue.size > maxQueued) {
          queue.delete(queue.keys().next().value as string);
          dropped++;
          if (dropped === 1 || dropped % 1000 === 0) {
            log(`detection: queue full (${maxQueued} runs), dropped the oldest; ${dropped} dropped so far`);
          }
        }
      }
      schedule();
    },
    get pending() {
      return queue.size;
    },
    get dropped() {
      return dropped;
    },
    get detected() {
      return detected;
    },
    async close() {
      closing = true;
      clearInterval(persistTimer);
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (running) await running;
      await drain();
      await state.flush().catch((e: unknown) => log(`detection: storing baselines failed: ${describe(e)}`));
    },
  };
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

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

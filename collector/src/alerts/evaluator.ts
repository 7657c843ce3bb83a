/**
 * The alert scheduler. Every tick it lists each project's enabled rules, and for each rule whose
 * latest window end (a multiple of its interval) has not been evaluated yet, claims that rule-window
 * in the store (`claimEvaluation`: of several collectors sharing the store exactly one wins), then
 * evaluates, records the transition, stores the state and sends notifications. A failing rule is
 * logged and left in its state; the others go on. Missed windows (collector down) are not replayed:
 * only the latest window end is evaluated, as a sliding window already covers recent history.
 */
import type { AlertStore, ProjectStore } from '../store/port.js';
import { applyEvaluation } from './apply.js';
import { type EvaluationStore, evaluateRule } from './evaluate-rule.js';
import type { Notifier } from './notifier.js';
import { type AlertRule, parseStoredRule } from './rule-model.js';
import { createSampleCache } from './sample-cache.js';
import { parseStateDoc, type RuleStateDoc } from './state-machine.js';
import { MS, windowEndAt } from './windows.js';

export interface AlertEvaluatorOptions {
  store: AlertStore & ProjectStore & EvaluationStore;
  /** This collector's name in evaluation claims (CASEFILE_COLLECTOR_ID). */
  owner: string;
  /** Between ticks; 0 = never tick on a timer (tick() still works). */
  tickMs: number;
  notifier: Notifier;
  log?: (line: string) => void;
  /** Epoch milliseconds (tests move time). */
  now?: () => number;
  /** Rules evaluated at the same time (default 4). */
  concurrency?: number;
  /**
   * A window is evaluated this long after it ends (default 0), so spans still in exporters' batches
   * (OpenTelemetry's batch processor waits 5 s) land before the verdict.
   */
  delayMs?: number;
}

export interface TickReport {
  /** Rule-windows this collector evaluated. */
  evaluated: number;
  /** Rule-windows another collector (or an earlier tick) had claimed. */
  claimedElsewhere: number;
  failed: number;
  transitions: Array<{ projectId: string; ruleId: string; from: string; to: string }>;
}

export interface AlertEvaluator {
  /** One pass over every due rule; resolves when their evaluations and notifications are done. */
  tick(): Promise<TickReport>;
  start(): void;
  /** Stops the timer, cancels retry waits, waits for the running tick and pending notifications. */
  close(): Promise<void>;
}

const CLAIM_CONCURRENCY = 32;

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

interface Due {
  projectId: string;
  rule: AlertRule;
  state: RuleStateDoc;
  windowEndNs: bigint;
}

export function createAlertEvaluator(options: AlertEvaluatorOptions): AlertEvaluator {
  const { store, owner, notifier } = options;
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  const samples = createSampleCache({ now });
  const evaluationStore = samples.wrap(store);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const delayNs = BigInt(Math.max(0, Math.floor(options.delayMs ?? 0))) * MS;
  const pending = new Set<Promise<unknown>>();
  const reportedInvalid = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<TickReport> | undefined;
  let closed = false;

  async function dueRules(nowNs: bigint): Promise<Due[]> {
    const due: Due[] = [];
    for (const project of await store.listProjects()) {
      const [rules, states] = await Promise.all([store.listAlertRules(project.id), store.listAlertStates(project.id)]);
      const stateOf = new Map(states.map((s) => [s.ruleId, s]));
      for (const stored of rules) {
        const rule = parseStoredRule(stored);
        if (!rule) {
          const key = `${project.id}/${stored.id}/${stored.updatedNs}`;
          if (!reportedInvalid.has(key)) log(`alerts: rule ${stored.id} of ${project.id} is not valid; skipped`);
          reportedInvalid.add(key);
          continue;
        }
        if (!rule.enabled) continue;
        const state = parseStateDoc(stateOf.get(rule.id));
        const windowEndNs = windowEndAt(nowNs - delayNs, rule.intervalMs);
        if (state.lastWindowEndNs !== '' && BigInt(state.lastWindowEndNs) >= windowEndNs) continue;
        due.push({ projectId: project.id, rule, state, windowEndNs });
      }
    }
    return due;
  }

  /** Claims first, many at once: a claim may wait on the store (ClickHouse settles claims for 1.5 s). */
  async function claim(d: Due, report: TickReport): Promise<boolean> {
    try {
      if (await store.claimEvaluation(d.projectId, d.rule.id, d.windowEndNs, owner)) return true;
      report.claimedElsewhere++;
    } catch (err) {
      report.failed++;
      log(`alerts: claiming rule ${d.rule.id} of ${d.projectId} failed: ${(err as Error).message}`);
    }
    return false;
  }

  async function evaluateOne(d: Due, report: TickReport, notifications: Array<Promise<unknown>>): Promise<void> {
    try {
      const evaluation = await evaluateRule(evaluationStore, d.projectId, d.rule, d.windowEndNs, { examples: 'lazy' });
      const nowNs = BigInt(Math.floor(now())) * MS;
      const applied = await applyEvaluation({ store, notifier }, d.projectId, d.rule, d.state, evaluation, nowNs);
      report.evaluated++;
      if (applied.transition.to !== applied.transition.from) {
        const { from, to } = applied.transition;
        report.transitions.push({ projectId: d.projectId, ruleId: d.rule.id, from, to });
      }
      if (applied.delivery) notifications.push(track(applied.delivery));
    } catch (err) {
      report.failed++;
      log(`alerts: evaluating rule ${d.rule.id} of ${d.projectId} failed: ${(err as Error).stack ?? err}`);
    }
  }

  function track<T>(p: Promise<T>): Promise<T> {
    pending.add(p);
    p.finally(() => pending.delete(p)).catch(() => {});
    return p;
  }

  async function runTick(waitForNotifications: boolean): Promise<TickReport> {
    const report: TickReport = { evaluated: 0, claimedElsewhere: 0, failed: 0, transitions: [] };
    const nowNs = BigInt(Math.floor(now())) * MS;
    let due: Due[];
    try {
      due = await dueRules(nowNs);
    } catch (err) {
      log(`alerts: listing rules failed: ${(err as Error).message}`);
      return report;
    }
    const notifications: Array<Promise<unknown>> = [];
    const won = await pool(due, CLAIM_CONCURRENCY, (d) => claim(d, report));
    const mine = due.filter((_, i) => won[i]);
    await pool(mine, concurrency, (d) => evaluateOne(d, report, notifications));
    if (waitForNotifications) await Promise.allSettled(notifications);
    return report;
  }

  function tickOnce(wait: boolean): Promise<TickReport> {
    if (running) return running;
    const p = runTick(wait).finally(() => {
      running = undefined;
    });
    running = p;
    return p;
  }

  return {
    tick: () => tickOnce(true),
    start() {
      if (closed || timer || options.tickMs <= 0) return;
      timer = setInterval(() => {
        void tickOnce(false);
      }, options.tickMs);
      timer.unref();
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      notifier.close();
      await running?.catch(() => {});
      await Promise.allSettled([...pending]);
    },
  };
}

/**
 * The alert scheduler. Every tick it lists each project's enabled rules and, for each rule with window
 * ends (multiples of its interval) not evaluated yet, claims the rule's next window in the store
 * (`claimEvaluation`: of several collectors sharing the store exactly one wins), then evaluates the
 * rule's pending windows oldest first — the persistence and hysteresis need them in order — recording
 * transitions, storing the state and sending notifications.
 *
 * - Catch-up: windows missed while no collector ran are evaluated when one returns, at most
 *   `catchUpWindows` of them and none older than `catchUpMs` (older ones are skipped and logged), at
 *   most `windowsPerTick` per rule per tick.
 * - Retries: a claim is keyed by the window and a retry slot (`retryMs` since the window was due), so
 *   a window whose evaluation failed — or whose collector died after claiming it — is claimed again
 *   in the next slot. After `maxAttempts` recorded failures the window is skipped (its state stays).
 * - A failing rule is logged and keeps its state; the others go on.
 */
import { type Logger, silentLogger } from '../log/logger.js';
import type { AlertStore, ProjectStore } from '../store/port.js';
import { applyEvaluation } from './apply.js';
import { type EvaluationStore, evaluateRule } from './evaluate-rule.js';
import type { Notifier } from './notifier.js';
import { type AlertRule, parseStoredRule } from './rule-model.js';
import { createSampleCache } from './sample-cache.js';
import { failed, parseStateDoc, type RuleStateDoc } from './state-machine.js';
import { MS, windowEndAt } from './windows.js';

export interface AlertEvaluatorOptions {
  store: AlertStore & ProjectStore & EvaluationStore;
  /** This collector's name in evaluation claims (CASEFILE_COLLECTOR_ID). */
  owner: string;
  /** Between ticks; 0 = never tick on a timer (tick() still works). */
  tickMs: number;
  notifier: Notifier;
  /** Warnings: rules that cannot be read or evaluated, windows skipped, store failures. */
  log?: Logger;
  /** Epoch milliseconds (tests move time). */
  now?: () => number;
  /** Rules evaluated at the same time (default 4). */
  concurrency?: number;
  /**
   * A window is evaluated this long after it ends (default 0), so spans still in exporters' batches
   * (OpenTelemetry's batch processor waits 5 s) land before the verdict.
   */
  delayMs?: number;
  /** A claimed window not evaluated after this long is claimed again (default 2 minutes). */
  retryMs?: number;
  /** Failed evaluations of one window before it is skipped (default 5). */
  maxAttempts?: number;
  /** Missed windows are caught up only this far back (default 24 hours)… */
  catchUpMs?: number;
  /** …and at most this many of them (default 48). */
  catchUpWindows?: number;
  /** Windows one rule evaluates per tick (default 12); the rest wait for the next tick. */
  windowsPerTick?: number;
  /** Told each tick's report (metrics). */
  onTick?: (report: TickReport) => void;
}

export interface TickReport {
  /** Rule-windows this collector evaluated. */
  evaluated: number;
  /** Among them, windows older than the latest due one (missed while no collector ran, or retried). */
  caughtUp: number;
  /** Rules whose next window another collector (or an earlier tick) had claimed. */
  claimedElsewhere: number;
  failed: number;
  /** Windows given up on: older than the catch-up bound, or failed `maxAttempts` times. */
  skipped: number;
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
  /** Window ends to evaluate this tick, oldest first. */
  ends: bigint[];
  /** The latest due window end (the last of `ends` unless the catch-up spans several ticks). */
  latestNs: bigint;
  /** Claim key of the first one: the rule ID, plus the retry slot after the first. */
  claimKey: string;
}

/**
 * The claim key of a rule's window in a retry slot: slot 0 (the first `retryMs` after the window was
 * due) is the rule ID itself, later slots append `~retry<n>`, which no rule ID contains.
 */
export function claimKey(ruleId: string, slot: bigint): string {
  return slot <= 0n ? ruleId : `${ruleId}~retry${slot}`;
}

export function createAlertEvaluator(options: AlertEvaluatorOptions): AlertEvaluator {
  const { store, owner, notifier } = options;
  const log = options.log ?? silentLogger;
  const now = options.now ?? Date.now;
  const samples = createSampleCache({ now });
  const evaluationStore = samples.wrap(store);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const delayNs = BigInt(Math.max(0, Math.floor(options.delayMs ?? 0))) * MS;
  const retryNs = BigInt(Math.max(1, Math.floor(options.retryMs ?? 120_000))) * MS;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const catchUpNs = BigInt(Math.max(0, Math.floor(options.catchUpMs ?? 86_400_000))) * MS;
  const catchUpWindows = Math.max(1, options.catchUpWindows ?? 48);
  const windowsPerTick = Math.max(1, options.windowsPerTick ?? 12);
  const pending = new Set<Promise<unknown>>();
  const reportedInvalid = new Set<string>();
  const reportedSkips = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<TickReport> | undefined;
  let closed = false;

  /** The rule's windows still to evaluate, oldest first, within the catch-up bounds. */
  function pendingEnds(
    d: { projectId: string; rule: AlertRule; state: RuleStateDoc },
    nowNs: bigint,
    report: TickReport,
  ) {
    const interval = BigInt(d.rule.intervalMs) * MS;
    const latest = windowEndAt(nowNs - delayNs, d.rule.intervalMs);
    // A rule never evaluated starts at its latest window: there is no history of it to catch up on.
    if (d.state.lastWindowEndNs === '') return [latest];
    const last = BigInt(d.state.lastWindowEndNs);
    if (last >= latest) return [];
    const first = last + interval;
    const byCount = latest - BigInt(catchUpWindows - 1) * interval;
    const byAge = windowEndAt(nowNs - catchUpNs, d.rule.intervalMs);
    const oldest = [first, byCount, byAge].reduce((a, b) => (a > b ? a : b));
    if (oldest > first) {
      const missed = (oldest - first) / interval;
      report.skipped += Number(missed);
      const key = `${d.projectId}/${d.rule.id}/${d.state.lastWindowEndNs}`;
      if (!reportedSkips.has(key)) {
        log.warn('a rule missed windows beyond the catch-up bound', {
          projectId: d.projectId,
          ruleId: d.rule.id,
          missedWindows: Number(missed),
          evaluatingFrom: new Date(Number(oldest / MS)).toISOString(),
        });
        reportedSkips.add(key);
      }
    }
    // Windows a window length apart, ending at the latest: a sliding window (1 h every 2 s) is not
    // replayed end by end — the windows in between overlap the ones judged, and the persistence counts
    // windows a window length apart anyway — so a rule that fell behind is back at the latest window
    // within a tick or two.
    const step = BigInt(Math.max(1, Math.ceil(d.rule.windowMs / d.rule.intervalMs))) * interval;
    const ends: bigint[] = [];
    for (let end = latest; end >= oldest; end -= step) ends.push(end);
    ends.reverse();
    return ends.slice(0, windowsPerTick);
  }

  async function dueRules(nowNs: bigint, report: TickReport): Promise<Due[]> {
    const due: Due[] = [];
    for (const project of await store.listProjects()) {
      const [rules, states] = await Promise.all([store.listAlertRules(project.id), store.listAlertStates(project.id)]);
      const stateOf = new Map(states.map((s) => [s.ruleId, s]));
      for (const stored of rules) {
        const rule = parseStoredRule(stored);
        if (!rule) {
          const key = `${project.id}/${stored.id}/${stored.updatedNs}`;
          if (!reportedInvalid.has(key))
            log.warn('a rule is not valid; skipped', { projectId: project.id, ruleId: stored.id });
          reportedInvalid.add(key);
          continue;
        }
        if (!rule.enabled) continue;
        const state = parseStateDoc(stateOf.get(rule.id));
        const ends = pendingEnds({ projectId: project.id, rule, state }, nowNs, report);
        const first = ends[0];
        if (first === undefined) continue;
        const slot = (nowNs - (first + delayNs)) / retryNs;
        const latestNs = windowEndAt(nowNs - delayNs, rule.intervalMs);
        due.push({ projectId: project.id, rule, state, ends, latestNs, claimKey: claimKey(rule.id, slot) });
      }
    }
    return due;
  }

  /**
   * Claims first, many at once: a claim may wait on the store (ClickHouse settles claims for 1.5 s).
   * One claim per rule and tick, on its oldest pending window: the winner evaluates the rule's pending
   * windows in order, so two collectors never interleave one rule's windows.
   */
  async function claim(d: Due, report: TickReport): Promise<boolean> {
    try {
      if (await store.claimEvaluation(d.projectId, d.claimKey, d.ends[0] as bigint, owner)) return true;
      report.claimedElsewhere++;
    } catch (err) {
      report.failed++;
      log.warn('claiming a rule’s window failed', { projectId: d.projectId, ruleId: d.rule.id, err });
    }
    return false;
  }

  async function evaluateRuleWindows(d: Due, report: TickReport, notifications: Array<Promise<unknown>>) {
    let state = d.state;
    for (const end of d.ends) {
      try {
        const evaluation = await evaluateRule(evaluationStore, d.projectId, d.rule, end, { examples: 'lazy' });
        const nowNs = BigInt(Math.floor(now())) * MS;
        const applied = await applyEvaluation({ store, notifier }, d.projectId, d.rule, state, evaluation, nowNs);
        state = applied.state;
        report.evaluated++;
        if (end < d.latestNs) report.caughtUp++;
        if (applied.transition.to !== applied.transition.from) {
          const { from, to } = applied.transition;
          report.transitions.push({ projectId: d.projectId, ruleId: d.rule.id, from, to });
        }
        if (applied.delivery) notifications.push(track(applied.delivery));
      } catch (err) {
        report.failed++;
        log.warn('evaluating a rule failed', {
          projectId: d.projectId,
          ruleId: d.rule.id,
          windowEndNs: String(end),
          err,
        });
        await recordFailure(d, state, end, err as Error, report);
        return;
      }
    }
  }

  /** Counts the failure in the rule's state; after `maxAttempts` the window is skipped. */
  async function recordFailure(d: Due, state: RuleStateDoc, end: bigint, err: Error, report: TickReport) {
    const nowNs = BigInt(Math.floor(now())) * MS;
    const next = failed(state, end, String(err.message ?? err).slice(0, 300), maxAttempts);
    if (next.lastWindowEndNs === String(end)) {
      report.skipped++;
      log.warn('a window was skipped after failed attempts', {
        projectId: d.projectId,
        ruleId: d.rule.id,
        windowEndNs: String(end),
        attempts: maxAttempts,
      });
    }
    try {
      await store.putAlertState({
        projectId: d.projectId,
        ruleId: d.rule.id,
        json: JSON.stringify(next),
        updatedNs: nowNs,
      });
    } catch (e) {
      log.warn('recording a rule’s failure failed', { projectId: d.projectId, ruleId: d.rule.id, err: e });
    }
  }

  function track<T>(p: Promise<T>): Promise<T> {
    pending.add(p);
    p.finally(() => pending.delete(p)).catch(() => {});
    return p;
  }

  async function runTick(waitForNotifications: boolean): Promise<TickReport> {
    const report: TickReport = {
      evaluated: 0,
      caughtUp: 0,
      claimedElsewhere: 0,
      failed: 0,
      skipped: 0,
      transitions: [],
    };
    const nowNs = BigInt(Math.floor(now())) * MS;
    let due: Due[];
    try {
      due = await dueRules(nowNs, report);
    } catch (err) {
      log.warn('listing the alert rules failed', { err });
      return report;
    }
    const notifications: Array<Promise<unknown>> = [];
    const won = await pool(due, CLAIM_CONCURRENCY, (d) => claim(d, report));
    const mine = due.filter((_, i) => won[i]);
    await pool(mine, concurrency, (d) => evaluateRuleWindows(d, report, notifications));
    if (waitForNotifications) await Promise.allSettled(notifications);
    return report;
  }

  function tickOnce(wait: boolean): Promise<TickReport> {
    if (running) return running;
    const p = runTick(wait)
      .then((report) => {
        options.onTick?.(report);
        return report;
      })
      .finally(() => {
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

/**
 * A rule's state between evaluations: ok → firing → resolved → ok, plus insufficient_data.
 *
 * - A window breaches when a metric crosses the threshold. The rule fires when enough of the last
 *   windows breached (persistence: by default 2 of the last 3 for drift rules), or at once on a
 *   window far past the threshold (`strong`). One noisy window therefore does not page anyone.
 * - A firing rule resolves only on a clear window with no breach in the persistence span (hysteresis):
 *   a window that merely fails to breach keeps it firing, so a metric hovering around the threshold
 *   does not flap.
 * - Too little data makes ok/resolved insufficient_data; a firing rule stays firing (resolving needs
 *   evidence, and an agent that stopped running is no reason to call the incident over).
 * - Notifications go out on entering firing, on resolved, and every `renotifyMs` while firing.
 *
 * "The last N windows" are windows a window length apart (ending at end, end − window, end − 2·window,
 * snapped to the evaluation grid), so with a 1 h window evaluated every 5 minutes the persistence
 * looks at three hours of traffic, not at three overlapping views of the same hour.
 */
import { z } from 'zod';
import type { AlertState, StoredAlertState } from '../store/alerts.js';
import type { WindowSignal } from './alarm-policy.js';
import { MS, windowEndAt } from './windows.js';

const nanos = z.string().regex(/^\d{0,20}$/);
/** At most this many breaching window ends are kept (persistence looks at no more than 12 windows). */
const MAX_BREACH_ENDS = 24;

export const ruleStateDocSchema = z.object({
  state: z.enum(['ok', 'firing', 'resolved', 'insufficient_data']),
  /** When the state last changed. */
  sinceNs: nanos,
  /** The last window end evaluated ('' never). */
  lastWindowEndNs: nanos,
  lastEvaluatedNs: nanos,
  /** The last notification sent ('' never). */
  lastNotifiedNs: nanos,
  lastEventId: z.string(),
  lastSummary: z.string(),
  /** Ends of recent windows that breached (for the persistence), oldest first. */
  breachEnds: z.array(nanos).max(MAX_BREACH_ENDS).default([]),
  /** Breaching windows among the last `of` at the last evaluation (the UI shows "1 of 2"). */
  recentBreaches: z.number().int().min(0).default(0),
  /** Failed attempts at the next window (`failedWindowEndNs`), and the last error; 0 after a success. */
  failures: z.number().int().min(0).default(0),
  failedWindowEndNs: nanos.default(''),
  lastError: z.string().default(''),
});
export type RuleStateDoc = z.infer<typeof ruleStateDocSchema>;

export const INITIAL_STATE: RuleStateDoc = {
  state: 'ok',
  sinceNs: '',
  lastWindowEndNs: '',
  lastEvaluatedNs: '',
  lastNotifiedNs: '',
  lastEventId: '',
  lastSummary: '',
  breachEnds: [],
  recentBreaches: 0,
  failures: 0,
  failedWindowEndNs: '',
  lastError: '',
};

export function parseStateDoc(stored: StoredAlertState | undefined): RuleStateDoc {
  if (!stored) return INITIAL_STATE;
  try {
    const parsed = ruleStateDocSchema.safeParse(JSON.parse(stored.json));
    return parsed.success ? parsed.data : INITIAL_STATE;
  } catch {
    return INITIAL_STATE;
  }
}

/** What the state machine needs to know about the rule. */
export interface StatePolicy {
  persistence: { breaches: number; of: number };
  windowMs: number;
  intervalMs: number;
  renotifyMs: number;
}

/** What the state machine needs from a rule. */
export function statePolicy(rule: StatePolicy): StatePolicy {
  return {
    persistence: rule.persistence,
    windowMs: rule.windowMs,
    intervalMs: rule.intervalMs,
    renotifyMs: rule.renotifyMs,
  };
}

export interface Transition {
  from: AlertState;
  to: AlertState;
  /** Record an event: the state changed, or a renotification is due. */
  record: boolean;
  notify: 'state-change' | 'renotify' | undefined;
  /** Breaching windows among the last `of`, this one included. */
  recentBreaches: number;
  /** The persistence (or a strong window) says fire. */
  fires: boolean;
  /** Breaching window ends to keep for the next evaluation. */
  breachEnds: string[];
}

/** Ends of the last `of` windows, a window length apart, this one first. */
export function persistenceEnds(
  windowEndNs: bigint,
  policy: Omit<StatePolicy, 'renotifyMs' | 'persistence'>,
  of: number,
) {
  const step = BigInt(Math.max(policy.windowMs, policy.intervalMs)) * MS;
  const ends: bigint[] = [windowEndNs];
  for (let k = 1; k < of; k++) ends.push(windowEndAt(windowEndNs - BigInt(k) * step, policy.intervalMs));
  return ends;
}

export function nextState(
  prev: RuleStateDoc,
  signal: WindowSignal,
  windowEndNs: bigint,
  nowNs: bigint,
  policy: StatePolicy,
): Transition {
  const from = prev.state;
  const breached = signal === 'strong' || signal === 'breach';
  const { breaches, of } = policy.persistence;
  const ends = persistenceEnds(windowEndNs, policy, of);
  const oldest = ends[ends.length - 1] as bigint;
  const kept = new Set(prev.breachEnds.filter((e) => e !== '' && BigInt(e) >= oldest && BigInt(e) < windowEndNs));
  if (breached) kept.add(String(windowEndNs));
  const recentBreaches = ends.filter((e) => kept.has(String(e))).length;
  const fires = signal === 'strong' || (signal === 'breach' && recentBreaches >= breaches);
  const breachEnds = [...kept].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)).slice(-MAX_BREACH_ENDS);

  let to: AlertState;
  // Resolving takes a clear window and no breach in any of the last `of` windows: a metric that hovers
  // around the threshold stays one incident instead of firing and resolving in turn.
  if (from === 'firing') to = signal === 'clear' && recentBreaches === 0 ? 'resolved' : 'firing';
  else if (fires) to = 'firing';
  else to = signal === 'none' ? 'insufficient_data' : 'ok';
  const base = { from, to, recentBreaches, fires, breachEnds };
  if (to !== from) {
    const notify = to === 'firing' || to === 'resolved' ? 'state-change' : undefined;
    return { ...base, record: true, notify };
  }
  if (to === 'firing' && breached && policy.renotifyMs > 0) {
    const last = prev.lastNotifiedNs === '' ? 0n : BigInt(prev.lastNotifiedNs);
    if (nowNs - last >= BigInt(policy.renotifyMs) * MS) return { ...base, record: true, notify: 'renotify' };
  }
  return { ...base, record: false, notify: undefined };
}

/** The state document after an evaluation. */
export function advance(
  prev: RuleStateDoc,
  t: Transition,
  ctx: { windowEndNs: bigint; nowNs: bigint; eventId: string; summary: string; notified: boolean },
): RuleStateDoc {
  return {
    state: t.to,
    sinceNs: t.to !== t.from || prev.sinceNs === '' ? String(ctx.nowNs) : prev.sinceNs,
    lastWindowEndNs: String(ctx.windowEndNs),
    lastEvaluatedNs: String(ctx.nowNs),
    lastNotifiedNs: ctx.notified ? String(ctx.nowNs) : prev.lastNotifiedNs,
    lastEventId: t.record ? ctx.eventId : prev.lastEventId,
    lastSummary: ctx.summary,
    breachEnds: t.breachEnds,
    recentBreaches: t.recentBreaches,
    failures: 0,
    failedWindowEndNs: '',
    lastError: '',
  };
}

/**
 * The state after a failed evaluation of `windowEndNs`: one more failure counted. At `maxAttempts`
 * the window is given up (the next evaluation moves on to the window after it) and the state itself
 * stays as it was: a window nobody could judge says nothing about the agent.
 */
export function failed(prev: RuleStateDoc, windowEndNs: bigint, error: string, maxAttempts: number): RuleStateDoc {
  const same = prev.failedWindowEndNs === String(windowEndNs);
  const failures = (same ? prev.failures : 0) + 1;
  if (failures >= maxAttempts) {
    return { ...prev, lastWindowEndNs: String(windowEndNs), failures: 0, failedWindowEndNs: '', lastError: error };
  }
  return { ...prev, failures, failedWindowEndNs: String(windowEndNs), lastError: error };
}

/**
 * A rule's state between evaluations: ok → firing → resolved → ok, plus insufficient_data.
 *
 * - A breach (drift, threshold crossed) makes any state firing.
 * - An ok evaluation makes firing resolved, and resolved (or insufficient_data) ok on the next one.
 * - Too little data makes ok/resolved insufficient_data; a firing rule stays firing (resolving needs
 *   evidence, and an agent that stopped running is no reason to call the incident over).
 * - Notifications go out on entering firing, on resolved, and every `renotifyMs` while firing.
 */
import { z } from 'zod';
import type { AlertState, StoredAlertState } from '../store/alerts.js';
import type { Outcome } from './evaluation.js';

const nanos = z.string().regex(/^\d{0,20}$/);

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

export interface Transition {
  from: AlertState;
  to: AlertState;
  /** Record an event: the state changed, or a renotification is due. */
  record: boolean;
  notify: 'state-change' | 'renotify' | undefined;
}

export function nextState(prev: RuleStateDoc, outcome: Outcome, nowNs: bigint, renotifyMs: number): Transition {
  const from = prev.state;
  const to: AlertState =
    outcome === 'breach'
      ? 'firing'
      : outcome === 'ok'
        ? from === 'firing'
          ? 'resolved'
          : 'ok'
        : from === 'firing'
          ? 'firing'
          : 'insufficient_data';
  if (to !== from) {
    const notify = to === 'firing' || to === 'resolved' ? 'state-change' : undefined;
    return { from, to, record: true, notify };
  }
  if (to === 'firing' && outcome === 'breach' && renotifyMs > 0) {
    const last = prev.lastNotifiedNs === '' ? 0n : BigInt(prev.lastNotifiedNs);
    if (nowNs - last >= BigInt(renotifyMs) * 1_000_000n) return { from, to, record: true, notify: 'renotify' };
  }
  return { from, to, record: false, notify: undefined };
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
  };
}

import type { AlertDelivery, AlertEvent, StoredAlertRule, StoredAlertState } from '../store/alerts.js';
import type { AlertStore } from '../store/port.js';

// JSON keeps composite keys unambiguous whatever the parts contain (separators, NUL, quotes).
const key = (...parts: string[]): string => JSON.stringify(parts);

const byDesc = (a: bigint, b: bigint): number => (a > b ? -1 : a < b ? 1 : 0);
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Alert rules, states, history, deliveries and claims in memory, for unit tests above the port.
 * Same semantics as the adapters (the alerts conformance suite runs against it): objects are copied
 * in and out, so a caller mutating a returned value never changes what is stored.
 */
export function createMemoryAlerts(): AlertStore & {
  /** Retention: events and deliveries before `beforeNs`, and claims of windows ending before it, go. */
  purgeHistoryBefore(projectId: string, beforeNs: bigint): void;
} {
  const rules = new Map<string, StoredAlertRule>();
  const states = new Map<string, StoredAlertState>();
  const events = new Map<string, AlertEvent>();
  const deliveries: AlertDelivery[] = [];
  const claims = new Map<string, { projectId: string; windowEndNs: bigint }>();

  return {
    async putAlertRule(rule) {
      rules.set(key(rule.projectId, rule.id), { ...rule });
    },
    async deleteAlertRule(projectId, id) {
      return rules.delete(key(projectId, id));
    },
    async listAlertRules(projectId) {
      return [...rules.values()]
        .filter((r) => r.projectId === projectId)
        .sort((a, b) => byText(a.id, b.id))
        .map((r) => ({ ...r }));
    },
    async putAlertState(state) {
      const k = key(state.projectId, state.ruleId);
      const current = states.get(k);
      // The later `updatedNs` wins; an equal one replaces (the later write wins, as everywhere).
      if (current === undefined || state.updatedNs >= current.updatedNs) states.set(k, { ...state });
    },
    async listAlertStates(projectId) {
      return [...states.values()]
        .filter((s) => s.projectId === projectId)
        .sort((a, b) => byText(a.ruleId, b.ruleId))
        .map((s) => ({ ...s }));
    },
    async recordAlertEvent(event) {
      events.set(key(event.projectId, event.id), { ...event });
    },
    async listAlertEvents(projectId, q) {
      return [...events.values()]
        .filter(
          (e) =>
            e.projectId === projectId &&
            (q.ruleId === undefined || e.ruleId === q.ruleId) &&
            (q.beforeNs === undefined || e.timeNs < q.beforeNs),
        )
        .sort((a, b) => byDesc(a.timeNs, b.timeNs) || byText(b.id, a.id))
        .slice(0, Math.max(0, q.limit))
        .map((e) => ({ ...e }));
    },
    async recordAlertDelivery(delivery) {
      deliveries.push({ ...delivery });
    },
    async listAlertDeliveries(projectId, q) {
      // Newest first; equal times by attempt, then the later-recorded first.
      return deliveries
        .map((d, seq) => ({ d, seq }))
        .filter(
          ({ d }) =>
            d.projectId === projectId &&
            (q.ruleId === undefined || d.ruleId === q.ruleId) &&
            (q.eventId === undefined || d.eventId === q.eventId),
        )
        .sort((a, b) => byDesc(a.d.timeNs, b.d.timeNs) || b.d.attempt - a.d.attempt || b.seq - a.seq)
        .slice(0, Math.max(0, q.limit))
        .map(({ d }) => ({ ...d }));
    },
    async claimEvaluation(projectId, ruleId, windowEndNs) {
      const k = key(projectId, ruleId, windowEndNs.toString());
      if (claims.has(k)) return false;
      claims.set(k, { projectId, windowEndNs });
      return true;
    },
    purgeHistoryBefore(projectId, beforeNs) {
      for (const [k, e] of events) if (e.projectId === projectId && e.timeNs < beforeNs) events.delete(k);
      const kept = deliveries.filter((d) => d.projectId !== projectId || d.timeNs >= beforeNs);
      deliveries.splice(0, deliveries.length, ...kept);
      for (const [k, c] of claims) if (c.projectId === projectId && c.windowEndNs < beforeNs) claims.delete(k);
    },
  };
}

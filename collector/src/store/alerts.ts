/**
 * Alert rules, their state, their history and webhook deliveries as the storage port sees them.
 * Rules and states are JSON documents validated by the alerts module (`alerts/rule-schema.ts`), so the
 * adapters store text and never need a migration when a rule gains an option.
 */

/** A stored alert rule: its JSON document plus what the adapters index on. */
export interface StoredAlertRule {
  projectId: string;
  /** Stable ID chosen by the API (URL-safe, ≤ 64 chars). */
  id: string;
  /** The rule (JSON text, `alertRuleSchema`). */
  json: string;
  updatedNs: bigint;
}

export type AlertState = 'ok' | 'firing' | 'resolved' | 'insufficient_data';

/** A rule's current state (one per rule; the later `updatedNs` wins). */
export interface StoredAlertState {
  projectId: string;
  ruleId: string;
  /** JSON text (`alertStateSchema`): state, since, last window, last notification, … */
  json: string;
  updatedNs: bigint;
}

/** One recorded evaluation outcome that changed a rule's state (append-only). */
export interface AlertEvent {
  projectId: string;
  ruleId: string;
  /** Unique: `${ruleId}:${windowEndNs}`, so a re-recorded evaluation is stored once. */
  id: string;
  timeNs: bigint;
  /** End of the evaluated current window, ns. */
  windowEndNs: bigint;
  from: AlertState;
  to: AlertState;
  /** JSON text: statistic, p-value, both windows' summaries, example runs, … */
  detail: string;
}

export interface AlertEventQuery {
  ruleId?: string;
  /** Exclusive upper bound on `timeNs` (paging backwards). */
  beforeNs?: bigint;
  limit: number;
}

/** One attempt to deliver one notification (append-only). */
export interface AlertDelivery {
  projectId: string;
  ruleId: string;
  /** The event it notifies about. */
  eventId: string;
  /** 1-based. */
  attempt: number;
  timeNs: bigint;
  /** The channel's target with any credentials in it replaced (e.g. a Slack hook URL's path). */
  target: string;
  /** HTTP status, 0 when no response came. */
  statusCode: number;
  ok: boolean;
  /** '' when ok. */
  error: string;
  durationMs: number;
}

export interface AlertDeliveryQuery {
  ruleId?: string;
  eventId?: string;
  limit: number;
}

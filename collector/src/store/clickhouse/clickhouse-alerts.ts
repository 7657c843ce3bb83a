import type {
  AlertDelivery,
  AlertDeliveryQuery,
  AlertEvent,
  AlertEventQuery,
  StoredAlertRule,
  StoredAlertState,
} from '../alerts.js';
import type { FindingsContext } from './clickhouse-findings.js';

/** Alert rules, states, history, deliveries and evaluation claims on ClickHouse (18.16 subset). */

export type AlertsContext = FindingsContext;

const pending = (what: string): Error => new Error(`${what} is not available on ClickHouse yet`);

export async function putAlertRule(_ctx: AlertsContext, _rule: StoredAlertRule): Promise<void> {
  throw pending('alert rules');
}
export async function deleteAlertRule(_ctx: AlertsContext, _projectId: string, _id: string): Promise<boolean> {
  throw pending('alert rules');
}
export async function listAlertRules(_ctx: AlertsContext, _projectId: string): Promise<StoredAlertRule[]> {
  throw pending('alert rules');
}
export async function putAlertState(_ctx: AlertsContext, _state: StoredAlertState): Promise<void> {
  throw pending('alert states');
}
export async function listAlertStates(_ctx: AlertsContext, _projectId: string): Promise<StoredAlertState[]> {
  throw pending('alert states');
}
export async function recordAlertEvent(_ctx: AlertsContext, _event: AlertEvent): Promise<void> {
  throw pending('alert events');
}
export async function listAlertEvents(
  _ctx: AlertsContext,
  _projectId: string,
  _query: AlertEventQuery,
): Promise<AlertEvent[]> {
  throw pending('alert events');
}
export async function recordAlertDelivery(_ctx: AlertsContext, _delivery: AlertDelivery): Promise<void> {
  throw pending('alert deliveries');
}
export async function listAlertDeliveries(
  _ctx: AlertsContext,
  _projectId: string,
  _query: AlertDeliveryQuery,
): Promise<AlertDelivery[]> {
  throw pending('alert deliveries');
}
export async function claimEvaluation(
  _ctx: AlertsContext,
  _projectId: string,
  _ruleId: string,
  _windowEndNs: bigint,
  _owner: string,
): Promise<boolean> {
  throw pending('evaluation claims');
}

import type { DuckDBConnection } from '@duckdb/node-api';
import type {
  AlertDelivery,
  AlertDeliveryQuery,
  AlertEvent,
  AlertEventQuery,
  StoredAlertRule,
  StoredAlertState,
} from '../alerts.js';

/** Alert rules, states, history, deliveries and evaluation claims on DuckDB. */

const pending = (what: string): Error => new Error(`${what} is not available on DuckDB yet`);

export async function putAlertRule(_conn: DuckDBConnection, _rule: StoredAlertRule): Promise<void> {
  throw pending('alert rules');
}
export async function deleteAlertRule(_conn: DuckDBConnection, _projectId: string, _id: string): Promise<boolean> {
  throw pending('alert rules');
}
export async function listAlertRules(_conn: DuckDBConnection, _projectId: string): Promise<StoredAlertRule[]> {
  throw pending('alert rules');
}
export async function putAlertState(_conn: DuckDBConnection, _state: StoredAlertState): Promise<void> {
  throw pending('alert states');
}
export async function listAlertStates(_conn: DuckDBConnection, _projectId: string): Promise<StoredAlertState[]> {
  throw pending('alert states');
}
export async function recordAlertEvent(_conn: DuckDBConnection, _event: AlertEvent): Promise<void> {
  throw pending('alert events');
}
export async function listAlertEvents(
  _conn: DuckDBConnection,
  _projectId: string,
  _query: AlertEventQuery,
): Promise<AlertEvent[]> {
  throw pending('alert events');
}
export async function recordAlertDelivery(_conn: DuckDBConnection, _delivery: AlertDelivery): Promise<void> {
  throw pending('alert deliveries');
}
export async function listAlertDeliveries(
  _conn: DuckDBConnection,
  _projectId: string,
  _query: AlertDeliveryQuery,
): Promise<AlertDelivery[]> {
  throw pending('alert deliveries');
}
export async function claimEvaluation(
  _conn: DuckDBConnection,
  _projectId: string,
  _ruleId: string,
  _windowEndNs: bigint,
  _owner: string,
): Promise<boolean> {
  throw pending('evaluation claims');
}

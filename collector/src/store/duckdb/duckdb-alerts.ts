import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type {
  AlertDelivery,
  AlertDeliveryQuery,
  AlertEvent,
  AlertEventQuery,
  AlertState,
  StoredAlertRule,
  StoredAlertState,
} from '../alerts.js';
import { type Row, readRows } from './duckdb-read.js';

/**
 * Alert rules, states, history, deliveries and evaluation claims on DuckDB. Rules and states are
 * JSON text keyed by (project, ID); events are keyed by their ID so a re-recorded evaluation
 * replaces itself; deliveries are an append-only log ordered by a sequence for equal times.
 */

export const ALERTS_MIGRATION = {
  version: 3,
  name: 'alert rules, states, history, deliveries, evaluation claims',
  statements: [
    `CREATE TABLE alert_rules (
  project_id VARCHAR NOT NULL, id VARCHAR NOT NULL, json VARCHAR NOT NULL, updated_ns UBIGINT NOT NULL,
  PRIMARY KEY (project_id, id)
)`,
    `CREATE TABLE alert_states (
  project_id VARCHAR NOT NULL, rule_id VARCHAR NOT NULL, json VARCHAR NOT NULL, updated_ns UBIGINT NOT NULL,
  PRIMARY KEY (project_id, rule_id)
)`,
    `CREATE TABLE alert_events (
  project_id VARCHAR NOT NULL, id VARCHAR NOT NULL, rule_id VARCHAR NOT NULL, time_ns UBIGINT NOT NULL,
  window_end_ns UBIGINT NOT NULL, from_state VARCHAR NOT NULL, to_state VARCHAR NOT NULL, detail VARCHAR NOT NULL,
  PRIMARY KEY (project_id, id)
)`,
    `CREATE TABLE alert_deliveries (
  project_id VARCHAR NOT NULL, rule_id VARCHAR NOT NULL, event_id VARCHAR NOT NULL, attempt INTEGER NOT NULL,
  time_ns UBIGINT NOT NULL, seq BIGINT NOT NULL, target VARCHAR NOT NULL, status_code INTEGER NOT NULL,
  ok BOOLEAN NOT NULL, error VARCHAR NOT NULL, duration_ms DOUBLE NOT NULL
)`,
    'CREATE SEQUENCE alert_deliveries_seq',
    `CREATE TABLE alert_claims (
  project_id VARCHAR NOT NULL, rule_id VARCHAR NOT NULL, window_end_ns UBIGINT NOT NULL, owner VARCHAR NOT NULL,
  claimed_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  PRIMARY KEY (project_id, rule_id, window_end_ns)
)`,
  ],
};

/**
 * Retention: history, delivery attempts and claims of windows before the cutoff go; rules and their
 * current states stay (a rule is configuration, not data). Params: ($1 project, $2 cutoff ns).
 */
export const PURGE_ALERTS: readonly string[] = [
  'DELETE FROM alert_events WHERE project_id = $1 AND time_ns < $2::UBIGINT',
  'DELETE FROM alert_deliveries WHERE project_id = $1 AND time_ns < $2::UBIGINT',
  'DELETE FROM alert_claims WHERE project_id = $1 AND window_end_ns < $2::UBIGINT',
];

const rows = (conn: DuckDBConnection, sql: string, params?: DuckDBValue[]): Promise<Row[]> =>
  readRows(conn, sql, params, 'DuckDB alerts statement failed');

export async function putAlertRule(conn: DuckDBConnection, r: StoredAlertRule): Promise<void> {
  await rows(conn, 'INSERT OR REPLACE INTO alert_rules VALUES ($1, $2, $3, $4::UBIGINT)', [
    r.projectId,
    r.id,
    r.json,
    r.updatedNs,
  ]);
}

export async function deleteAlertRule(conn: DuckDBConnection, projectId: string, id: string): Promise<boolean> {
  const sql = 'DELETE FROM alert_rules WHERE project_id = $1 AND id = $2 RETURNING id';
  return (await rows(conn, sql, [projectId, id])).length > 0;
}

export async function listAlertRules(conn: DuckDBConnection, projectId: string): Promise<StoredAlertRule[]> {
  const sql = 'SELECT * FROM alert_rules WHERE project_id = $1 ORDER BY id';
  return (await rows(conn, sql, [projectId])).map((r) => ({
    projectId: String(r.project_id),
    id: String(r.id),
    json: String(r.json),
    updatedNs: BigInt(r.updated_ns as bigint),
  }));
}

// An equal `updatedNs` replaces too: the later write wins, as for every idempotent write.
const UPSERT_STATE = `INSERT INTO alert_states VALUES ($1, $2, $3, $4::UBIGINT)
ON CONFLICT (project_id, rule_id) DO UPDATE SET json = excluded.json, updated_ns = excluded.updated_ns
WHERE excluded.updated_ns >= alert_states.updated_ns`;

export async function putAlertState(conn: DuckDBConnection, s: StoredAlertState): Promise<void> {
  await rows(conn, UPSERT_STATE, [s.projectId, s.ruleId, s.json, s.updatedNs]);
}

export async function listAlertStates(conn: DuckDBConnection, projectId: string): Promise<StoredAlertState[]> {
  const sql = 'SELECT * FROM alert_states WHERE project_id = $1 ORDER BY rule_id';
  return (await rows(conn, sql, [projectId])).map((r) => ({
    projectId: String(r.project_id),
    ruleId: String(r.rule_id),
    json: String(r.json),
    updatedNs: BigInt(r.updated_ns as bigint),
  }));
}

export async function recordAlertEvent(conn: DuckDBConnection, e: AlertEvent): Promise<void> {
  const sql = 'INSERT OR REPLACE INTO alert_events VALUES ($1, $2, $3, $4::UBIGINT, $5::UBIGINT, $6, $7, $8)';
  await rows(conn, sql, [e.projectId, e.id, e.ruleId, e.timeNs, e.windowEndNs, e.from, e.to, e.detail]);
}

export async function listAlertEvents(
  conn: DuckDBConnection,
  projectId: string,
  q: AlertEventQuery,
): Promise<AlertEvent[]> {
  const params: DuckDBValue[] = [projectId];
  const where = ['project_id = $1'];
  if (q.ruleId !== undefined) {
    params.push(q.ruleId);
    where.push(`rule_id = $${params.length}`);
  }
  if (q.beforeNs !== undefined) {
    params.push(q.beforeNs);
    where.push(`time_ns < $${params.length}::UBIGINT`);
  }
  params.push(Math.max(0, q.limit));
  const sql = `SELECT * FROM alert_events WHERE ${where.join(' AND ')}
ORDER BY time_ns DESC, id DESC LIMIT $${params.length}`;
  return (await rows(conn, sql, params)).map((r) => ({
    projectId: String(r.project_id),
    ruleId: String(r.rule_id),
    id: String(r.id),
    timeNs: BigInt(r.time_ns as bigint),
    windowEndNs: BigInt(r.window_end_ns as bigint),
    from: String(r.from_state) as AlertState,
    to: String(r.to_state) as AlertState,
    detail: String(r.detail),
  }));
}

export async function recordAlertDelivery(conn: DuckDBConnection, d: AlertDelivery): Promise<void> {
  const sql = `INSERT INTO alert_deliveries
VALUES ($1, $2, $3, $4, $5::UBIGINT, nextval('alert_deliveries_seq'), $6, $7, $8, $9, $10)`;
  await rows(conn, sql, [
    d.projectId,
    d.ruleId,
    d.eventId,
    d.attempt,
    d.timeNs,
    d.target,
    d.statusCode,
    d.ok,
    d.error,
    d.durationMs,
  ]);
}

export async function listAlertDeliveries(
  conn: DuckDBConnection,
  projectId: string,
  q: AlertDeliveryQuery,
): Promise<AlertDelivery[]> {
  const params: DuckDBValue[] = [projectId];
  const where = ['project_id = $1'];
  for (const [column, value] of [
    ['rule_id', q.ruleId],
    ['event_id', q.eventId],
  ] as const) {
    if (value === undefined) continue;
    params.push(value);
    where.push(`${column} = $${params.length}`);
  }
  params.push(Math.max(0, q.limit));
  const sql = `SELECT * FROM alert_deliveries WHERE ${where.join(' AND ')}
ORDER BY time_ns DESC, attempt DESC, seq DESC LIMIT $${params.length}`;
  return (await rows(conn, sql, params)).map((r) => ({
    projectId: String(r.project_id),
    ruleId: String(r.rule_id),
    eventId: String(r.event_id),
    attempt: Number(r.attempt),
    timeNs: BigInt(r.time_ns as bigint),
    target: String(r.target),
    statusCode: Number(r.status_code),
    ok: Boolean(r.ok),
    error: String(r.error),
    durationMs: Number(r.duration_ms),
  }));
}

/**
 * One process owns the DuckDB file, and the store runs every write (this included) one at a time on
 * its writer connection; the primary key makes the first insert of a key the only one that returns
 * a row, so concurrent calls in the process and later calls (after a restart too) get false.
 */
export async function claimEvaluation(
  conn: DuckDBConnection,
  projectId: string,
  ruleId: string,
  windowEndNs: bigint,
  owner: string,
): Promise<boolean> {
  const sql = `INSERT INTO alert_claims (project_id, rule_id, window_end_ns, owner) VALUES ($1, $2, $3::UBIGINT, $4)
ON CONFLICT DO NOTHING RETURNING owner`;
  return (await rows(conn, sql, [projectId, ruleId, windowEndNs, owner])).length > 0;
}

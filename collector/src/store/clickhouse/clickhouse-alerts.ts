import type {
  AlertDelivery,
  AlertDeliveryQuery,
  AlertEvent,
  AlertEventQuery,
  AlertState,
  StoredAlertRule,
  StoredAlertState,
} from '../alerts.js';
import { type AlertsContext, CLAIMS_TABLE_DDL } from './clickhouse-alert-claims.js';
import { alterTarget, storedName, systemTable } from './clickhouse-cluster.js';
import type { Row } from './clickhouse-findings.js';
import type { Migration } from './migration.js';
import { literal, uint, wellFormed } from './sql.js';

export { type AlertsContext, claimEvaluation, DEFAULT_CLAIM_SETTLE_MS } from './clickhouse-alert-claims.js';

/**
 * Alert rules, states, history, deliveries and evaluation claims on ClickHouse (18.16 subset).
 * Replace-by-key tables are ReplacingMergeTree read with FINAL; none is partitioned, because FINAL
 * collapses rows only within one partition and an event re-recorded with another time must still
 * replace itself. Deleting a rule inserts a tombstone row that replaces it.
 */
export const ALERTS_MIGRATION: Migration = {
  version: 3,
  name: 'alert rules, states, history, deliveries, evaluation claims',
  statements: (db) => [
    `CREATE TABLE IF NOT EXISTS ${db}.alert_rules (
  project_id String, id String, json String, updated_ns UInt64, deleted UInt8, version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (project_id, id)`,
    `CREATE TABLE IF NOT EXISTS ${db}.alert_states (project_id String, rule_id String, json String, updated_ns UInt64)
ENGINE = ReplacingMergeTree(updated_ns) ORDER BY (project_id, rule_id)`,
    `CREATE TABLE IF NOT EXISTS ${db}.alert_events (
  project_id String, id String, rule_id String, time_ns UInt64, window_end_ns UInt64,
  from_state String, to_state String, detail String, version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (project_id, id)`,
    `CREATE TABLE IF NOT EXISTS ${db}.alert_deliveries (
  project_id String, rule_id String, event_id String, attempt UInt32, time_ns UInt64, seq UInt64,
  target String, status_code Int32, ok UInt8, error String, duration_ms Float64
) ENGINE = MergeTree() ORDER BY (project_id, time_ns, seq)`,
    CLAIMS_TABLE_DDL(db),
  ],
};

const wf = (v: string) => wellFormed(v);

export async function putAlertRule(ctx: AlertsContext, r: StoredAlertRule): Promise<void> {
  await ctx.insert('alert_rules', [ruleRow(ctx, r.projectId, r.id, r.json, r.updatedNs, 0)]);
}

function ruleRow(ctx: AlertsContext, projectId: string, id: string, json: string, updatedNs: bigint, deleted: number) {
  return {
    project_id: wf(projectId),
    id: wf(id),
    json: wf(json),
    updated_ns: updatedNs.toString(),
    deleted,
    version: ctx.nextVersion().toString(),
  };
}

// The project filter is on the sorting key, so it may run before FINAL collapses rows; `deleted`
// is filtered outside, after the tombstone has replaced the rule (never moved to PREWHERE).
const liveRules = (ctx: AlertsContext, where: string) =>
  `SELECT project_id, id, json, updated_ns FROM (
  SELECT * FROM ${ctx.db}.alert_rules FINAL WHERE ${where}
) WHERE deleted = 0 ORDER BY id`;

export async function deleteAlertRule(ctx: AlertsContext, projectId: string, id: string): Promise<boolean> {
  const [live] = await ctx.select(liveRules(ctx, `project_id = ${literal(projectId)} AND id = ${literal(id)}`));
  if (!live) return false;
  await ctx.insert('alert_rules', [ruleRow(ctx, projectId, id, '', 0n, 1)]);
  return true;
}

export async function listAlertRules(ctx: AlertsContext, projectId: string): Promise<StoredAlertRule[]> {
  const rows = await ctx.select(liveRules(ctx, `project_id = ${literal(projectId)}`));
  return rows.map((r) => ({
    projectId: String(r.project_id),
    id: String(r.id),
    json: String(r.json),
    updatedNs: BigInt(String(r.updated_ns)),
  }));
}

/** The version column is `updated_ns` itself, so a stale state never replaces a newer one. */
export async function putAlertState(ctx: AlertsContext, s: StoredAlertState): Promise<void> {
  const row = {
    project_id: wf(s.projectId),
    rule_id: wf(s.ruleId),
    json: wf(s.json),
    updated_ns: s.updatedNs.toString(),
  };
  await ctx.insert('alert_states', [row]);
}

export async function listAlertStates(ctx: AlertsContext, projectId: string): Promise<StoredAlertState[]> {
  const rows = await ctx.select(
    `SELECT project_id, rule_id, json, updated_ns FROM ${ctx.db}.alert_states FINAL
WHERE project_id = ${literal(projectId)} ORDER BY rule_id`,
  );
  return rows.map((r) => ({
    projectId: String(r.project_id),
    ruleId: String(r.rule_id),
    json: String(r.json),
    updatedNs: BigInt(String(r.updated_ns)),
  }));
}

export async function recordAlertEvent(ctx: AlertsContext, e: AlertEvent): Promise<void> {
  const row = {
    project_id: wf(e.projectId),
    id: wf(e.id),
    rule_id: wf(e.ruleId),
    time_ns: e.timeNs.toString(),
    window_end_ns: e.windowEndNs.toString(),
    from_state: e.from,
    to_state: e.to,
    detail: wf(e.detail),
    version: ctx.nextVersion().toString(),
  };
  await ctx.insert('alert_events', [row]);
}

export async function listAlertEvents(
  ctx: AlertsContext,
  projectId: string,
  q: AlertEventQuery,
): Promise<AlertEvent[]> {
  // Time and rule are filtered after FINAL: a re-recorded event may have changed either.
  const outer: string[] = [];
  if (q.ruleId !== undefined) outer.push(`rule_id = ${literal(q.ruleId)}`);
  if (q.beforeNs !== undefined) outer.push(`time_ns < ${uint(q.beforeNs)}`);
  const rows = await ctx.select(
    `SELECT * FROM (SELECT * FROM ${ctx.db}.alert_events FINAL WHERE project_id = ${literal(projectId)})
${outer.length > 0 ? `WHERE ${outer.join(' AND ')}\n` : ''}ORDER BY time_ns DESC, id DESC LIMIT ${uint(Math.max(0, q.limit))}`,
  );
  return rows.map((r) => ({
    projectId: String(r.project_id),
    ruleId: String(r.rule_id),
    id: String(r.id),
    timeNs: BigInt(String(r.time_ns)),
    windowEndNs: BigInt(String(r.window_end_ns)),
    from: String(r.from_state) as AlertState,
    to: String(r.to_state) as AlertState,
    detail: String(r.detail),
  }));
}

export async function recordAlertDelivery(ctx: AlertsContext, d: AlertDelivery): Promise<void> {
  const row = {
    project_id: wf(d.projectId),
    rule_id: wf(d.ruleId),
    event_id: wf(d.eventId),
    attempt: d.attempt,
    time_ns: d.timeNs.toString(),
    seq: ctx.nextVersion().toString(),
    target: wf(d.target),
    status_code: d.statusCode,
    ok: d.ok ? 1 : 0,
    error: wf(d.error),
    duration_ms: d.durationMs,
  };
  await ctx.insert('alert_deliveries', [row]);
}

export async function listAlertDeliveries(
  ctx: AlertsContext,
  projectId: string,
  q: AlertDeliveryQuery,
): Promise<AlertDelivery[]> {
  const where = [`project_id = ${literal(projectId)}`];
  if (q.ruleId !== undefined) where.push(`rule_id = ${literal(q.ruleId)}`);
  if (q.eventId !== undefined) where.push(`event_id = ${literal(q.eventId)}`);
  const rows = await ctx.select(
    `SELECT * FROM ${ctx.db}.alert_deliveries WHERE ${where.join(' AND ')}
ORDER BY time_ns DESC, attempt DESC, seq DESC LIMIT ${uint(Math.max(0, q.limit))}`,
  );
  return rows.map(toDelivery);
}

function toDelivery(r: Row): AlertDelivery {
  return {
    projectId: String(r.project_id),
    ruleId: String(r.rule_id),
    eventId: String(r.event_id),
    attempt: Number(r.attempt),
    timeNs: BigInt(String(r.time_ns)),
    target: String(r.target),
    statusCode: Number(r.status_code),
    ok: Number(r.ok) === 1,
    error: String(r.error),
    durationMs: Number(r.duration_ms),
  };
}

const MUTATION_WAIT_MS = 60_000;

/**
 * Retention for alerts: events, delivery attempts and claims of windows before `beforeNs` (exact,
 * not rounded to a day) go with an awaited `ALTER … DELETE`, issued only where a row matches; rules
 * and their current states are configuration and stay.
 */
export async function purgeAlertsBefore(ctx: AlertsContext, projectId: string, beforeNs: bigint): Promise<void> {
  const tables: [string, string][] = [
    ['alert_events', 'time_ns'],
    ['alert_deliveries', 'time_ns'],
    ['alert_claims', 'window_end_ns'],
  ];
  const mutated: string[] = [];
  for (const [table, column] of tables) {
    const where = `project_id = ${literal(projectId)} AND ${column} < ${uint(beforeNs)}`;
    const [row] = await ctx.select(`SELECT count() AS n FROM ${ctx.db}.${table} WHERE ${where}`);
    if (Number(row?.n ?? 0) === 0) continue;
    await ctx.command(`ALTER TABLE ${alterTarget(ctx.db, table, ctx.cluster)} DELETE WHERE ${where}`);
    mutated.push(table);
  }
  if (mutated.length === 0) return;
  const deadline = Date.now() + MUTATION_WAIT_MS;
  while (Date.now() < deadline) {
    const [row] = await ctx.select(
      `SELECT count() AS n FROM ${systemTable('mutations', ctx.cluster)}
WHERE database = ${literal(ctx.database)} AND table IN (${mutated.map((t) => literal(storedName(t, ctx.cluster))).join(', ')})
AND is_done = 0`,
    );
    if (Number(row?.n ?? 0) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`ClickHouse alert retention mutations did not finish within ${MUTATION_WAIT_MS} ms`);
}

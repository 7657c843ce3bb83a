import { type Severity, worstSeverity } from '@casefile/contract';
import { groupByTrace } from '../by-trace.js';
import {
  countsTowardRun,
  type DetectionAuditEntry,
  type FindingPage,
  type FindingQuery,
  type FindingStatus,
  findingCursorAfter,
  parseFindingCursor,
  type StoredFinding,
  severityRankOf,
} from '../findings.js';
import type { RunFindings } from '../port.js';
import type { Migration } from './migration.js';
import { literal, literalArray, uint, wellFormed } from './sql.js';

/**
 * Findings, baselines, detection settings and their audit log on ClickHouse (18.16 subset).
 *
 * A run's findings are ONE row of `findings` (ReplacingMergeTree keyed by project + trace) holding
 * parallel arrays, so replacing a run's findings is one insert and every read with FINAL sees
 * exactly the latest set; listing ARRAY JOINs the rows of the project (a small table: one row per
 * run that was detected, never a scan of spans). A status change rewrites that row.
 */

export type Row = Record<string, unknown>;

export interface FindingsContext {
  db: string;
  select(sql: string): Promise<Row[]>;
  insert(table: string, rows: Row[]): Promise<void>;
  nextVersion(): bigint;
}

export const FINDINGS_MIGRATION: Migration = {
  version: 2,
  name: 'findings, detection state, detection audit log',
  statements: (db) => [
    `CREATE TABLE IF NOT EXISTS ${db}.findings (
  project_id String, trace_id String, version UInt64,
  ids Array(String), rule_ids Array(String), severities Array(String), span_ids Array(String),
  reasons Array(String), evidences Array(String), evidence_starts Array(Int32), evidence_ends Array(Int32),
  details Array(String), agent_names Array(String), tool_names Array(String), statuses Array(String),
  created_ns Array(UInt64), open_count UInt32
) ENGINE = ReplacingMergeTree(version) ORDER BY (project_id, trace_id)`,
    `CREATE TABLE IF NOT EXISTS ${db}.detection_state (project_id String, kind String, json String, version UInt64)
ENGINE = ReplacingMergeTree(version) ORDER BY (project_id, kind)`,
    `CREATE TABLE IF NOT EXISTS ${db}.detection_audit (
  project_id String, time_ns UInt64, seq UInt64, actor String, action String, target String, detail String
) ENGINE = MergeTree() ORDER BY (project_id, time_ns, seq)`,
  ],
};

const wf = (v: string) => wellFormed(v);

function findingsRow(projectId: string, traceId: string, findings: readonly StoredFinding[], version: bigint): Row {
  return {
    project_id: wf(projectId),
    trace_id: wf(traceId),
    version: version.toString(),
    ids: findings.map((f) => f.id),
    rule_ids: findings.map((f) => wf(f.ruleId)),
    severities: findings.map((f) => f.severity),
    span_ids: findings.map((f) => wf(f.spanId)),
    reasons: findings.map((f) => wf(f.reason)),
    evidences: findings.map((f) => wf(f.evidence)),
    evidence_starts: findings.map((f) => f.evidenceStart ?? -1),
    evidence_ends: findings.map((f) => f.evidenceEnd ?? -1),
    details: findings.map((f) => wf(JSON.stringify(f.details ?? {}))),
    agent_names: findings.map((f) => wf(f.agentName)),
    tool_names: findings.map((f) => wf(f.toolName)),
    statuses: findings.map((f) => f.status),
    created_ns: findings.map((f) => f.createdNs.toString()),
    open_count: findings.filter(countsTowardRun).length,
  };
}

export async function replaceFindings(
  ctx: FindingsContext,
  projectId: string,
  traceId: string,
  findings: readonly StoredFinding[],
): Promise<void> {
  await ctx.insert('findings', [findingsRow(projectId, traceId, findings, ctx.nextVersion())]);
}

/** Many runs' findings in one insert; a run listed twice keeps its last entry. */
export async function replaceRunFindings(ctx: FindingsContext, runs: readonly RunFindings[]): Promise<void> {
  const last = new Map(runs.map((r) => [`${r.projectId}\0${r.traceId}`, r]));
  if (last.size === 0) return;
  await ctx.insert(
    'findings',
    [...last.values()].map((r) => findingsRow(r.projectId, r.traceId, r.findings, ctx.nextVersion())),
  );
}

const FLAT_COLUMNS = `trace_id, id, rule_id, severity, span_id, reason, evidence, evidence_start, evidence_end,
  detail, agent_name, tool_name, status, created`;
const ARRAY_JOIN = `ARRAY JOIN ids AS id, rule_ids AS rule_id, severities AS severity, span_ids AS span_id,
  reasons AS reason, evidences AS evidence, evidence_starts AS evidence_start, evidence_ends AS evidence_end,
  details AS detail, agent_names AS agent_name, tool_names AS tool_name, statuses AS status, created_ns AS created`;

// Severity rank of an ARRAY JOINed finding, 0 low … 3 critical (as `severityRankOf`).
const RANK = "toInt32(indexOf(['low', 'medium', 'high', 'critical'], severity)) - 1";

export async function listFindings(ctx: FindingsContext, projectId: string, q: FindingQuery): Promise<FindingPage> {
  const inner = [`project_id = ${literal(projectId)}`];
  if (q.traceId !== undefined) inner.push(`trace_id = ${literal(q.traceId)}`);
  const where: string[] = [];
  const eq = (column: string, value: string | undefined) => {
    if (value !== undefined) where.push(`${column} = ${literal(value)}`);
  };
  eq('rule_id', q.ruleId);
  eq('severity', q.severity);
  eq('agent_name', q.agentName);
  eq('tool_name', q.toolName);
  eq('status', q.status);
  if (q.minSeverity !== undefined) where.push(`${RANK} >= ${uint(severityRankOf(q.minSeverity))}`);
  if (q.fromNs !== undefined) where.push(`created >= ${uint(q.fromNs)}`);
  if (q.toNs !== undefined) where.push(`created < ${uint(q.toNs)}`);
  const from = `FROM (SELECT * FROM ${ctx.db}.findings FINAL WHERE ${inner.join(' AND ')})\n${ARRAY_JOIN}`;
  const filtered = (w: readonly string[]) => (w.length > 0 ? `\nWHERE ${w.join(' AND ')}` : '');
  const countSql = `SELECT count() AS n ${from}${filtered(where)}`;
  if (q.cursor !== undefined) {
    const after = parseFindingCursor(q.cursor, q.order);
    const at = uint(after.createdNs);
    const older = `(created < ${at} OR (created = ${at} AND id < ${literal(after.id)}))`;
    if (after.rank === undefined) where.push(older);
    else {
      const rank = uint(after.rank);
      where.push(`(${RANK} < ${rank} OR (${RANK} = ${rank} AND ${older}))`);
    }
  }
  const order = q.order === 'severity' ? `${RANK} DESC, created DESC, id DESC` : 'created DESC, id DESC';
  const rows = await ctx.select(`SELECT ${FLAT_COLUMNS}
${from}${filtered(where)}
ORDER BY ${order}
LIMIT ${uint(q.limit + 1)}`);
  const findings = rows.map((r) => toStoredFinding(projectId, r));
  const total = q.count ? { total: Number((await ctx.select(countSql))[0]?.n ?? 0) } : {};
  if (findings.length <= q.limit) return { findings, ...total };
  findings.length = q.limit;
  const last = findings[findings.length - 1] as StoredFinding;
  return { findings, nextCursor: findingCursorAfter(last, q.order), ...total };
}

/** Every finding of each listed run, keyed by trace ID. */
export async function listRunFindings(
  ctx: FindingsContext,
  projectId: string,
  traceIds: readonly string[],
): Promise<Map<string, StoredFinding[]>> {
  const findings: StoredFinding[] = [];
  const ids = [...new Set(traceIds)];
  const p = literal(projectId);
  for (let i = 0; i < ids.length; i += 500) {
    const inList = (list: readonly string[]) => list.map((id) => literal(id)).join(', ');
    // Most runs of a detection page have never had a finding. Which ones have a row is read from
    // the key columns alone; only those are read with FINAL, which reads every column of each
    // granule it touches (~7,600 rows a page, the largest read of detection on the server).
    const having = (
      await ctx.select(
        `SELECT DISTINCT trace_id FROM ${ctx.db}.findings WHERE project_id = ${p} AND trace_id IN (${inList(ids.slice(i, i + 500))})`,
      )
    ).map((r) => String(r.trace_id));
    if (having.length === 0) continue;
    const rows = await ctx.select(`SELECT ${FLAT_COLUMNS}
FROM (SELECT * FROM ${ctx.db}.findings FINAL WHERE project_id = ${p} AND trace_id IN (${inList(having)}))
${ARRAY_JOIN}
ORDER BY created DESC, id DESC`);
    for (const row of rows) findings.push(toStoredFinding(projectId, row));
  }
  return groupByTrace(findings);
}

export async function setFindingStatus(
  ctx: FindingsContext,
  projectId: string,
  id: string,
  status: FindingStatus,
): Promise<StoredFinding | undefined> {
  const [owner] = await ctx.select(
    `SELECT trace_id FROM ${ctx.db}.findings FINAL WHERE project_id = ${literal(projectId)} AND has(ids, ${literal(id)}) LIMIT 1`,
  );
  if (!owner) return undefined;
  const traceId = String(owner.trace_id);
  const { findings } = await listFindings(ctx, projectId, { traceId, limit: 100_000 });
  const updated = findings.map((f) => (f.id === id ? { ...f, status } : f));
  await replaceFindings(ctx, projectId, traceId, updated);
  return updated.find((f) => f.id === id);
}

/**
 * After retention: runs that no longer exist get an empty findings row (a replacement, so reads
 * with FINAL no longer see their findings; merges then drop the old rows).
 */
export async function clearOrphanFindings(ctx: FindingsContext, projectId: string): Promise<void> {
  const p = literal(projectId);
  const rows = await ctx.select(
    `SELECT trace_id FROM ${ctx.db}.findings FINAL WHERE project_id = ${p} AND length(ids) > 0
AND trace_id NOT IN (SELECT trace_id FROM ${ctx.db}.run_list WHERE project_id = ${p})`,
  );
  if (rows.length === 0) return;
  const version = ctx.nextVersion();
  await ctx.insert(
    'findings',
    rows.map((r) => findingsRow(projectId, String(r.trace_id), [], version)),
  );
}

/** Counted findings (`countsTowardRun`) per run, for the summaries of one page of runs (a primary-key read). */
/** Per run: its findings that count towards it, and the worst severity among its open findings. */
export async function openCounts(
  ctx: FindingsContext,
  projectId: string,
  traceIds: readonly string[],
): Promise<Map<string, { count: number; worst: Severity | '' }>> {
  if (traceIds.length === 0) return new Map();
  const rows = await ctx.select(
    `SELECT trace_id, open_count, arrayFilter((s, st) -> st = 'open', severities, statuses) AS open_severities
FROM ${ctx.db}.findings FINAL
WHERE project_id = ${literal(projectId)} AND trace_id IN (${literalArray(traceIds).slice(1, -1)})`,
  );
  return new Map(
    rows.map((r) => [
      String(r.trace_id),
      { count: Number(r.open_count), worst: worstSeverity((r.open_severities as unknown[]).map(String)) },
    ]),
  );
}

export async function getState(ctx: FindingsContext, projectId: string, kind: string): Promise<string | undefined> {
  const [row] = await ctx.select(
    `SELECT json FROM ${ctx.db}.detection_state FINAL WHERE project_id = ${literal(projectId)} AND kind = ${literal(kind)}`,
  );
  return row ? String(row.json) : undefined;
}

export async function putState(ctx: FindingsContext, projectId: string, kind: string, json: string): Promise<void> {
  const row = { project_id: wf(projectId), kind, json: wf(json), version: ctx.nextVersion().toString() };
  await ctx.insert('detection_state', [row]);
}

export async function recordAudit(ctx: FindingsContext, e: DetectionAuditEntry): Promise<void> {
  await ctx.insert('detection_audit', [
    {
      project_id: wf(e.projectId),
      time_ns: e.timeNs.toString(),
      seq: ctx.nextVersion().toString(),
      actor: wf(e.actor),
      action: wf(e.action),
      target: wf(e.target),
      detail: wf(e.detail),
    },
  ]);
}

export async function listAudit(
  ctx: FindingsContext,
  projectId: string,
  limit: number,
): Promise<DetectionAuditEntry[]> {
  const rows = await ctx.select(
    `SELECT project_id, time_ns, actor, action, target, detail FROM ${ctx.db}.detection_audit
WHERE project_id = ${literal(projectId)} ORDER BY time_ns DESC, seq DESC LIMIT ${uint(limit)}`,
  );
  return rows.map((r) => ({
    projectId: String(r.project_id),
    timeNs: BigInt(String(r.time_ns)),
    actor: String(r.actor),
    action: String(r.action),
    target: String(r.target),
    detail: String(r.detail),
  }));
}

function toStoredFinding(projectId: string, r: Row): StoredFinding {
  const f: StoredFinding = {
    projectId,
    traceId: String(r.trace_id),
    id: String(r.id),
    ruleId: String(r.rule_id),
    severity: String(r.severity) as Severity,
    spanId: String(r.span_id),
    reason: String(r.reason),
    evidence: String(r.evidence),
    agentName: String(r.agent_name),
    toolName: String(r.tool_name),
    status: String(r.status) as FindingStatus,
    createdNs: BigInt(String(r.created)),
  };
  const details = JSON.parse(String(r.detail)) as Record<string, string | number>;
  if (Object.keys(details).length > 0) f.details = details;
  if (Number(r.evidence_start) >= 0) f.evidenceStart = Number(r.evidence_start);
  if (Number(r.evidence_end) >= 0) f.evidenceEnd = Number(r.evidence_end);
  return f;
}

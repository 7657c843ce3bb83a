import type { Severity } from '@casefile/contract';
import type { DuckDBValue } from '@duckdb/node-api';
import {
  type DetectionAuditEntry,
  type FindingQuery,
  type FindingStatus,
  parseFindingCursor,
  type StoredFinding,
  severityRankOf,
} from '../findings.js';

/** SQL and row mapping for findings, baselines, detection settings and their audit log (DuckDB). */

type Row = Record<string, unknown>;

export const FINDINGS_MIGRATION = {
  version: 2,
  name: 'findings, detection state, detection audit log',
  statements: [
    `CREATE TABLE findings (
  project_id VARCHAR NOT NULL,
  trace_id VARCHAR NOT NULL,
  id VARCHAR NOT NULL,
  rule_id VARCHAR NOT NULL,
  severity VARCHAR NOT NULL,
  span_id VARCHAR NOT NULL,
  reason VARCHAR NOT NULL,
  evidence VARCHAR NOT NULL,
  evidence_start INTEGER,
  evidence_end INTEGER,
  details VARCHAR NOT NULL,
  agent_name VARCHAR NOT NULL,
  tool_name VARCHAR NOT NULL,
  status VARCHAR NOT NULL,
  created_ns UBIGINT NOT NULL,
  PRIMARY KEY (project_id, trace_id, id)
)`,
    'CREATE TABLE detection_state (project_id VARCHAR, kind VARCHAR, json VARCHAR NOT NULL, PRIMARY KEY (project_id, kind))',
    `CREATE TABLE detection_audit (
  project_id VARCHAR NOT NULL,
  time_ns UBIGINT NOT NULL,
  seq BIGINT NOT NULL,
  actor VARCHAR NOT NULL,
  action VARCHAR NOT NULL,
  target VARCHAR NOT NULL,
  detail VARCHAR NOT NULL
)`,
    'CREATE SEQUENCE detection_audit_seq',
  ],
};

/** The run's findings that `countsTowardRun`, as the `finding_count` column of a summary over `runs r`. */
export const FINDING_COUNT_SQL =
  "(SELECT count(*) FROM findings f WHERE f.project_id = r.project_id AND f.trace_id = r.trace_id AND f.status = 'open' AND f.severity <> 'low')";

/**
 * Whether run `r` of project `projectParam` has a finding that `countsTowardRun`: membership in the
 * project's set of such runs, which DuckDB builds once (a correlated count or EXISTS was planned per run).
 */
export const hasFindingsSql = (projectParam: string): string =>
  `r.trace_id IN (SELECT f.trace_id FROM findings f WHERE f.project_id = ${projectParam} AND f.status = 'open' AND f.severity <> 'low')`;

const FINDING_COLUMNS = 15;

/**
 * The statements that replace the findings of `runs` as a whole: one DELETE per project and chunk of
 * runs, then multi-row INSERTs (a statement per finding, or INSERT OR REPLACE, costs a plan and an
 * index probe each; a page of runs would pay hundreds of them). A run listed twice keeps its last
 * entry, a finding ID listed twice in one run its last occurrence.
 */
export function replaceFindingsStatements(
  runs: readonly { projectId: string; traceId: string; findings: readonly StoredFinding[] }[],
): { sql: string; params: DuckDBValue[] }[] {
  const last = new Map(runs.map((r) => [`${r.projectId}\0${r.traceId}`, r]));
  const byProject = new Map<string, string[]>();
  const rows: DuckDBValue[][] = [];
  for (const { projectId, traceId, findings } of last.values()) {
    const ids = byProject.get(projectId);
    if (ids) ids.push(traceId);
    else byProject.set(projectId, [traceId]);
    const unique = new Map(findings.map((f) => [f.id, f]));
    for (const f of unique.values()) rows.push(findingParams({ ...f, projectId, traceId }));
  }
  const out: { sql: string; params: DuckDBValue[] }[] = [];
  const CHUNK = 500;
  for (const [projectId, traceIds] of byProject) {
    for (let i = 0; i < traceIds.length; i += CHUNK) {
      const chunk = traceIds.slice(i, i + CHUNK);
      out.push({
        sql: `DELETE FROM findings WHERE project_id = $1 AND trace_id IN (${chunk.map((_, j) => `$${j + 2}`).join(', ')})`,
        params: [projectId, ...chunk],
      });
    }
  }
  const ROWS = 100;
  for (let i = 0; i < rows.length; i += ROWS) {
    const chunk = rows.slice(i, i + ROWS);
    const values = chunk.map(
      (_, r) =>
        `(${Array.from({ length: FINDING_COLUMNS }, (_, c) => `$${r * FINDING_COLUMNS + c + 1}${c === FINDING_COLUMNS - 1 ? '::UBIGINT' : ''}`).join(', ')})`,
    );
    out.push({ sql: `INSERT INTO findings VALUES ${values.join(', ')}`, params: chunk.flat() });
  }
  return out;
}

function findingParams(f: StoredFinding): DuckDBValue[] {
  return [
    f.projectId,
    f.traceId,
    f.id,
    f.ruleId,
    f.severity,
    f.spanId,
    f.reason,
    f.evidence,
    f.evidenceStart ?? null,
    f.evidenceEnd ?? null,
    JSON.stringify(f.details ?? {}),
    f.agentName,
    f.toolName,
    f.status,
    f.createdNs,
  ];
}

/** Findings of runs that no longer have any step (after retention). */
export const DELETE_ORPHAN_FINDINGS =
  'DELETE FROM findings WHERE project_id = $1 AND trace_id NOT IN (SELECT trace_id FROM runs WHERE project_id = $1)';

const RANK_SQL = "CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END";

/** The listing query in `q.order` (see `findingOrder`), and the count of the same filters. */
export function buildListFindings(
  projectId: string,
  q: FindingQuery,
): { sql: string; params: DuckDBValue[]; count: { sql: string; params: DuckDBValue[] } } {
  const params: DuckDBValue[] = [projectId];
  const bind = (value: DuckDBValue): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = ['project_id = $1'];
  const eq = (column: string, value: string | undefined) => {
    if (value !== undefined) where.push(`${column} = ${bind(value)}`);
  };
  eq('trace_id', q.traceId);
  eq('rule_id', q.ruleId);
  eq('severity', q.severity);
  eq('agent_name', q.agentName);
  eq('tool_name', q.toolName);
  eq('status', q.status);
  if (q.minSeverity !== undefined) where.push(`${RANK_SQL} >= ${bind(severityRankOf(q.minSeverity))}`);
  if (q.fromNs !== undefined) where.push(`created_ns >= ${bind(q.fromNs)}::UBIGINT`);
  if (q.toNs !== undefined) where.push(`created_ns < ${bind(q.toNs)}::UBIGINT`);
  const count = { sql: `SELECT count(*) AS n FROM findings WHERE ${where.join(' AND ')}`, params: [...params] };
  if (q.cursor !== undefined) {
    const after = parseFindingCursor(q.cursor, q.order);
    const at = bind(after.createdNs);
    const older = `(created_ns < ${at}::UBIGINT OR (created_ns = ${at}::UBIGINT AND id < ${bind(after.id)}))`;
    if (after.rank === undefined) where.push(older);
    else {
      const rank = bind(after.rank);
      where.push(`(${RANK_SQL} < ${rank} OR (${RANK_SQL} = ${rank} AND ${older}))`);
    }
  }
  const order = q.order === 'severity' ? `${RANK_SQL} DESC, created_ns DESC, id DESC` : 'created_ns DESC, id DESC';
  const sql = `SELECT * FROM findings WHERE ${where.join(' AND ')}
ORDER BY ${order} LIMIT ${bind(q.limit + 1)}`;
  return { sql, params, count };
}

export function toStoredFinding(r: Row): StoredFinding {
  const f: StoredFinding = {
    projectId: String(r.project_id),
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
    createdNs: BigInt(r.created_ns as bigint),
  };
  const details = JSON.parse(String(r.details)) as Record<string, string | number>;
  if (Object.keys(details).length > 0) f.details = details;
  if (r.evidence_start !== null && r.evidence_start !== undefined) f.evidenceStart = Number(r.evidence_start);
  if (r.evidence_end !== null && r.evidence_end !== undefined) f.evidenceEnd = Number(r.evidence_end);
  return f;
}

export function toAuditEntry(r: Row): DetectionAuditEntry {
  return {
    projectId: String(r.project_id),
    timeNs: BigInt(r.time_ns as bigint),
    actor: String(r.actor),
    action: String(r.action),
    target: String(r.target),
    detail: String(r.detail),
  };
}

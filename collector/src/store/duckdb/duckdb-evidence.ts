import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { LIST, listValue, VARCHAR } from '@duckdb/node-api';
import { type LeafGroupRow, packLeaves, unpackLeaves } from '../chain-leaf-groups.js';
import type {
  ChainEntry,
  ChainEntryKey,
  ChainEntryQuery,
  ChainGroup,
  ChainLeaf,
  EvidenceAuditEntry,
  EvidenceAuditQuery,
  IntegrityTraceQuery,
  RetentionPolicy,
  StoredCase,
} from '../evidence.js';
import { lastDayBefore, utcDay } from '../evidence.js';
import { type Row, readRows } from './duckdb-read.js';

/**
 * The hash chain, cases, the evidence audit log and retention policies on DuckDB. Entries keep their
 * groups as JSON text; leaves are kept a group to a row (`chain_group_leaves`: one run's span IDs and
 * packed leaf hashes of one day in one entry, see `chain-leaf-groups.ts`), appended without a key
 * index (an index would slow every ingest write; verification reads a run's leaves by scanning this
 * narrow table). Reads return identical rows once (`DISTINCT`), so a retried append reads back as one.
 */

/**
 * A list of text as a statement parameter: DuckDB cannot bind an empty list (its item type is
 * unknown), so an empty one travels as NULL and `asTextList` turns it back into an empty VARCHAR[].
 */
export function textList(items: readonly string[]): DuckDBValue {
  return items.length === 0 ? null : listValue([...items]);
}

export const asTextList = (param: string): string => `coalesce(${param}::VARCHAR[], []::VARCHAR[])`;

export const EVIDENCE_MIGRATION = {
  version: 10,
  name: 'hash chain, cases, evidence audit log, retention policies',
  statements: [
    `CREATE TABLE IF NOT EXISTS chain_entries (
  project_id VARCHAR NOT NULL, chain_id VARCHAR NOT NULL, seq UBIGINT NOT NULL, kind VARCHAR NOT NULL,
  time_ns UBIGINT NOT NULL, collector_id VARCHAR NOT NULL, prev_hash VARCHAR NOT NULL, root VARCHAR NOT NULL,
  span_count INTEGER NOT NULL, groups VARCHAR NOT NULL, detail VARCHAR NOT NULL, hash VARCHAR NOT NULL,
  signature VARCHAR NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS chain_leaves (
  project_id VARCHAR NOT NULL, trace_id VARCHAR NOT NULL, span_id VARCHAR NOT NULL, chain_id VARCHAR NOT NULL,
  seq UBIGINT NOT NULL, day INTEGER NOT NULL, leaf VARCHAR NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS cases (
  project_id VARCHAR NOT NULL, id VARCHAR NOT NULL, name VARCHAR NOT NULL, note VARCHAR NOT NULL,
  owner VARCHAR NOT NULL, created_ns UBIGINT NOT NULL, updated_ns UBIGINT NOT NULL, trace_ids VARCHAR[] NOT NULL,
  held BOOLEAN NOT NULL, hold_by VARCHAR NOT NULL, hold_since_ns UBIGINT NOT NULL, hold_reason VARCHAR NOT NULL,
  PRIMARY KEY (project_id, id)
)`,
    `CREATE TABLE IF NOT EXISTS evidence_audit (
  project_id VARCHAR NOT NULL, time_ns UBIGINT NOT NULL, seq BIGINT NOT NULL, actor VARCHAR NOT NULL,
  action VARCHAR NOT NULL, target VARCHAR NOT NULL, detail VARCHAR NOT NULL
)`,
    'CREATE SEQUENCE IF NOT EXISTS evidence_audit_seq',
    `CREATE TABLE IF NOT EXISTS retention_policies (
  project_id VARCHAR PRIMARY KEY, days INTEGER, updated_ns UBIGINT NOT NULL, updated_by VARCHAR NOT NULL
)`,
  ],
};

/**
 * Leaves a group to a row instead of a span to a row: an append writes one row per run, not one per
 * span (ten times fewer rows for the DuckDB workers to write, and fewer appender calls). The rows a
 * store already holds are packed into the new table in the same transaction, each group's leaves
 * ordered by span ID (then leaf, so a forged second leaf of a span is kept beside the first), so old
 * chains verify as before.
 */
export const LEAF_GROUPS_MIGRATION = {
  version: 11,
  name: 'chain leaves packed one row per entry group',
  statements: [
    `CREATE TABLE IF NOT EXISTS chain_group_leaves (
  project_id VARCHAR NOT NULL, trace_id VARCHAR NOT NULL, day INTEGER NOT NULL, chain_id VARCHAR NOT NULL,
  seq UBIGINT NOT NULL, span_ids VARCHAR[] NOT NULL, leaves VARCHAR NOT NULL
)`,
    `INSERT INTO chain_group_leaves
SELECT project_id, trace_id, day, chain_id, seq, list(span_id ORDER BY span_id, leaf), string_agg(leaf, '' ORDER BY span_id, leaf)
FROM (SELECT DISTINCT * FROM chain_leaves) GROUP BY project_id, trace_id, day, chain_id, seq`,
    'DROP TABLE chain_leaves',
  ],
};

const rows = (conn: DuckDBConnection, sql: string, params?: DuckDBValue[]): Promise<Row[]> =>
  readRows(conn, sql, params, 'DuckDB evidence statement failed');

const SPAN_IDS = LIST(VARCHAR);

/** Inside the caller's transaction. */
export async function appendChain(
  conn: DuckDBConnection,
  entries: readonly ChainEntry[],
  leaves: readonly ChainLeaf[],
): Promise<void> {
  if (leaves.length > 0) {
    const appender = await conn.createAppender('chain_group_leaves');
    try {
      for (const g of packLeaves(leaves)) {
        appender.appendVarchar(g.projectId);
        appender.appendVarchar(g.traceId);
        appender.appendInteger(g.day);
        appender.appendVarchar(g.chainId);
        appender.appendUBigInt(g.seq);
        appender.appendList(g.spanIds, SPAN_IDS);
        appender.appendVarchar(g.leaves);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }
  for (const e of entries) {
    await rows(
      conn,
      'INSERT INTO chain_entries VALUES ($1, $2, $3::UBIGINT, $4, $5::UBIGINT, $6, $7, $8, $9, $10, $11, $12, $13)',
      [
        e.projectId,
        e.chainId,
        e.seq,
        e.kind,
        e.timeNs,
        e.collectorId,
        e.prevHash,
        e.root,
        e.spanCount,
        JSON.stringify(e.groups),
        e.detail,
        e.hash,
        e.signature,
      ],
    );
  }
}

const ENTRY_SELECT = 'SELECT DISTINCT * FROM chain_entries';

export async function listChainEntries(
  conn: DuckDBConnection,
  projectId: string,
  q: ChainEntryQuery,
): Promise<ChainEntry[]> {
  const where = ['project_id = $1'];
  const params: DuckDBValue[] = [projectId];
  if (q.chainId !== undefined) {
    params.push(q.chainId);
    where.push(`chain_id = $${params.length}`);
  }
  if (q.afterSeq !== undefined) {
    params.push(q.afterSeq);
    where.push(`seq > $${params.length}::UBIGINT`);
  }
  if (q.kind !== undefined) {
    params.push(q.kind);
    where.push(`kind = $${params.length}`);
  }
  params.push(q.limit);
  const sql = `${ENTRY_SELECT} WHERE ${where.join(' AND ')} ORDER BY chain_id, seq, hash LIMIT $${params.length}`;
  return (await rows(conn, sql, params)).map(toEntry);
}

export async function getChainEntries(
  conn: DuckDBConnection,
  projectId: string,
  keys: readonly ChainEntryKey[],
): Promise<ChainEntry[]> {
  if (keys.length === 0) return [];
  const sql = `${ENTRY_SELECT} WHERE project_id = $1 AND list_contains($2, chain_id || ':' || seq::VARCHAR) ORDER BY chain_id, seq, hash`;
  return (await rows(conn, sql, [projectId, listValue(keys.map((k) => `${k.chainId}:${k.seq}`))])).map(toEntry);
}

export async function chainHeads(conn: DuckDBConnection, projectId: string): Promise<ChainEntry[]> {
  const sql = `SELECT DISTINCT e.* FROM chain_entries e
JOIN (SELECT chain_id, max(seq) AS top FROM chain_entries WHERE project_id = $1 GROUP BY chain_id) h
  ON e.chain_id = h.chain_id AND e.seq = h.top
WHERE e.project_id = $1 ORDER BY e.chain_id, e.hash`;
  const heads = new Map<string, ChainEntry>();
  for (const e of (await rows(conn, sql, [projectId])).map(toEntry)) if (!heads.has(e.chainId)) heads.set(e.chainId, e);
  return [...heads.values()];
}

export async function chainLeaves(
  conn: DuckDBConnection,
  projectId: string,
  traceIds: readonly string[],
): Promise<ChainLeaf[]> {
  if (traceIds.length === 0) return [];
  const sql = 'SELECT DISTINCT * FROM chain_group_leaves WHERE project_id = $1 AND list_contains($2, trace_id)';
  return (await rows(conn, sql, [projectId, listValue([...traceIds])])).flatMap((r) => unpackLeaves(toGroup(r)));
}

function toGroup(r: Row): LeafGroupRow {
  return {
    projectId: String(r.project_id),
    traceId: String(r.trace_id),
    day: Number(r.day),
    chainId: String(r.chain_id),
    seq: BigInt(r.seq as bigint),
    spanIds: (r.span_ids as unknown[]).map(String),
    leaves: String(r.leaves),
  };
}

export async function integrityTraceIds(
  conn: DuckDBConnection,
  projectId: string,
  q: IntegrityTraceQuery,
): Promise<string[]> {
  const from = q.fromNs ?? 0n;
  const to = q.toNs ?? 18_446_744_073_709_551_615n;
  const sql = `SELECT trace_id FROM (
  SELECT trace_id FROM runs WHERE project_id = $1 AND start_ns >= $2::UBIGINT AND start_ns < $3::UBIGINT
  UNION
  SELECT trace_id FROM chain_group_leaves WHERE project_id = $1 AND day >= $4 AND day <= $5
) WHERE trace_id > $6 ORDER BY trace_id LIMIT $7`;
  const params: DuckDBValue[] = [
    projectId,
    from,
    to,
    q.fromNs === undefined ? 0 : utcDay(q.fromNs),
    q.toNs === undefined ? 99_999_999 : lastDayBefore(q.toNs),
    q.afterTraceId ?? '',
    q.limit,
  ];
  return (await rows(conn, sql, params)).map((r) => String(r.trace_id));
}

/** Retention of leaves: those of days before the cutoff's, except held runs. Inside the purge transaction. */
export async function purgeLeaves(
  conn: DuckDBConnection,
  projectId: string,
  beforeNs: bigint,
  keep: readonly string[],
): Promise<void> {
  await rows(
    conn,
    `DELETE FROM chain_group_leaves WHERE project_id = $1 AND day < $2 AND NOT list_contains(${asTextList('$3')}, trace_id)`,
    [projectId, utcDay(beforeNs), textList(keep)],
  );
}

export async function putCase(conn: DuckDBConnection, c: StoredCase): Promise<void> {
  await rows(
    conn,
    `INSERT OR REPLACE INTO cases VALUES ($1, $2, $3, $4, $5, $6::UBIGINT, $7::UBIGINT, ${asTextList('$8')}, $9, $10, $11::UBIGINT, $12)`,
    [
      c.projectId,
      c.id,
      c.name,
      c.note,
      c.owner,
      c.createdNs,
      c.updatedNs,
      textList(c.traceIds),
      c.hold !== null,
      c.hold?.by ?? '',
      c.hold?.sinceNs ?? 0n,
      c.hold?.reason ?? '',
    ],
  );
}

export async function getCase(conn: DuckDBConnection, projectId: string, id: string): Promise<StoredCase | undefined> {
  const [row] = await rows(conn, 'SELECT * FROM cases WHERE project_id = $1 AND id = $2', [projectId, id]);
  return row ? toCase(row) : undefined;
}

export async function listCases(conn: DuckDBConnection, projectId: string): Promise<StoredCase[]> {
  const sql = 'SELECT * FROM cases WHERE project_id = $1 ORDER BY created_ns DESC, id DESC';
  return (await rows(conn, sql, [projectId])).map(toCase);
}

export async function recordEvidenceAudit(conn: DuckDBConnection, e: EvidenceAuditEntry): Promise<void> {
  await rows(
    conn,
    "INSERT INTO evidence_audit VALUES ($1, $2::UBIGINT, nextval('evidence_audit_seq'), $3, $4, $5, $6)",
    [e.projectId, e.timeNs, e.actor, e.action, e.target, e.detail],
  );
}

export async function listEvidenceAudit(
  conn: DuckDBConnection,
  projectId: string,
  q: EvidenceAuditQuery,
): Promise<EvidenceAuditEntry[]> {
  const where = ['project_id = $1'];
  const params: DuckDBValue[] = [projectId];
  if (q.target !== undefined) {
    params.push(q.target);
    where.push(`target = $${params.length}`);
  }
  if (q.action !== undefined) {
    params.push(q.action);
    where.push(`action = $${params.length}`);
  }
  params.push(q.limit);
  const sql = `SELECT * FROM evidence_audit WHERE ${where.join(' AND ')} ORDER BY time_ns DESC, seq DESC LIMIT $${params.length}`;
  return (await rows(conn, sql, params)).map((r) => ({
    projectId: String(r.project_id),
    timeNs: BigInt(r.time_ns as bigint),
    actor: String(r.actor),
    action: String(r.action),
    target: String(r.target),
    detail: String(r.detail),
  }));
}

export async function getRetentionPolicy(
  conn: DuckDBConnection,
  projectId: string,
): Promise<RetentionPolicy | undefined> {
  const [r] = await rows(conn, 'SELECT * FROM retention_policies WHERE project_id = $1', [projectId]);
  return r
    ? {
        projectId: String(r.project_id),
        days: r.days === null ? null : Number(r.days),
        updatedNs: BigInt(r.updated_ns as bigint),
        updatedBy: String(r.updated_by),
      }
    : undefined;
}

export async function putRetentionPolicy(conn: DuckDBConnection, p: RetentionPolicy): Promise<void> {
  await rows(conn, 'INSERT OR REPLACE INTO retention_policies VALUES ($1, $2, $3::UBIGINT, $4)', [
    p.projectId,
    p.days,
    p.updatedNs,
    p.updatedBy,
  ]);
}

function toEntry(r: Row): ChainEntry {
  return {
    projectId: String(r.project_id),
    chainId: String(r.chain_id),
    seq: BigInt(r.seq as bigint),
    kind: String(r.kind) as ChainEntry['kind'],
    timeNs: BigInt(r.time_ns as bigint),
    collectorId: String(r.collector_id),
    prevHash: String(r.prev_hash),
    root: String(r.root),
    spanCount: Number(r.span_count),
    groups: parseGroups(String(r.groups)),
    detail: String(r.detail),
    hash: String(r.hash),
    signature: String(r.signature),
  };
}

// Stored by the collector, but read as untrusted: a garbled column makes verification fail, not crash.
function parseGroups(text: string): ChainGroup[] {
  try {
    const raw = JSON.parse(text) as unknown;
    if (!Array.isArray(raw)) return [];
    return raw.map((g: Record<string, unknown>) => ({
      day: Number(g.day),
      traceId: String(g.traceId),
      root: String(g.root),
      count: Number(g.count),
    }));
  } catch {
    return [];
  }
}

function toCase(r: Row): StoredCase {
  return {
    projectId: String(r.project_id),
    id: String(r.id),
    name: String(r.name),
    note: String(r.note),
    owner: String(r.owner),
    createdNs: BigInt(r.created_ns as bigint),
    updatedNs: BigInt(r.updated_ns as bigint),
    traceIds: (r.trace_ids as string[]).map(String),
    hold: r.held
      ? { by: String(r.hold_by), sinceNs: BigInt(r.hold_since_ns as bigint), reason: String(r.hold_reason) }
      : null,
  };
}

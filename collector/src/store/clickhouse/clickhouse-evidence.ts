import type { Step } from '../../model/step.js';
import { type LeafGroupRow, packLeaves, unpackLeaves } from '../chain-leaf-groups.js';
import type {
  ChainEntry,
  ChainEntryKey,
  ChainEntryQuery,
  ChainLeaf,
  EvidenceAuditEntry,
  EvidenceAuditQuery,
  IntegrityTraceQuery,
  RetentionPolicy,
  StoredCase,
} from '../evidence.js';
import { lastDayBefore, utcDay } from '../evidence.js';
import { alterTarget } from './clickhouse-cluster.js';
import type { Row } from './clickhouse-rows.js';
import type { Migration } from './migration.js';
import { literal, uint, wellFormed as wf } from './sql.js';

/**
 * The hash chain, cases, the evidence audit log and retention policies on ClickHouse.
 *
 * `chain_entries` is small (one row per store write and project) and never partitioned: retention
 * keeps every entry, they are the tombstones of the days it drops. `chain_group_leaves` (one row per
 * group of an entry: a run's span IDs and packed leaf hashes of one day, see `chain-leaf-groups.ts`)
 * is partitioned by the spans' UTC day like `spans`, so retention drops a day's leaves with the day's
 * spans; ordered by (project, trace), so a run's leaves are read by key. `chain_leaves` (one row per
 * span) is the layout before it: still read, never written, so chains recorded then verify as
 * before, also while collectors of both versions share the server. All are plain MergeTree: a
 * retried insert leaves identical rows that reads collapse (`DISTINCT`), and a forged second row
 * with the same key is read back too, for verification to see.
 */

export const EVIDENCE_MIGRATION: Migration = {
  version: 10,
  name: 'hash chain, cases, evidence audit log, retention policies',
  statements: (db, layout) => [
    `CREATE TABLE IF NOT EXISTS ${db}.chain_entries${layout.onCluster} (
  project_id String, chain_id String, seq UInt64, kind String, time_ns UInt64, collector_id String,
  prev_hash String, root String, span_count UInt32,
  group_days Array(UInt32), group_traces Array(String), group_roots Array(String), group_counts Array(UInt32),
  detail String, hash String, signature String
) ${layout.engine(db, 'chain_entries', 'MergeTree')} ORDER BY (project_id, chain_id, seq)`,
    `CREATE TABLE IF NOT EXISTS ${db}.chain_leaves${layout.onCluster} (
  project_id String, trace_id String, span_id String, chain_id String, seq UInt64, day Date, leaf String
) ${layout.engine(db, 'chain_leaves', 'MergeTree')} PARTITION BY toYYYYMMDD(day) ORDER BY (project_id, trace_id, span_id)`,
    `CREATE TABLE IF NOT EXISTS ${db}.cases${layout.onCluster} (
  project_id String, id String, name String, note String, owner String, created_ns UInt64, updated_ns UInt64,
  trace_ids Array(String), held UInt8, hold_by String, hold_since_ns UInt64, hold_reason String, version UInt64
) ${layout.engine(db, 'cases', 'ReplacingMergeTree', 'version')} ORDER BY (project_id, id)`,
    `CREATE TABLE IF NOT EXISTS ${db}.evidence_audit${layout.onCluster} (
  project_id String, time_ns UInt64, seq UInt64, actor String, action String, target String, detail String
) ${layout.engine(db, 'evidence_audit', 'MergeTree')} ORDER BY (project_id, time_ns, seq)`,
    `CREATE TABLE IF NOT EXISTS ${db}.retention_policies${layout.onCluster} (
  project_id String, days Nullable(UInt32), updated_ns UInt64, updated_by String, version UInt64
) ${layout.engine(db, 'retention_policies', 'ReplacingMergeTree', 'version')} ORDER BY project_id`,
  ],
};

/**
 * Leaves a group to a row instead of a span to a row: an append inserts one row per run, not one per
 * span. Rows of the old table are not moved (an older collector may still be writing them); reads
 * take both tables.
 */
export const LEAF_GROUPS_MIGRATION: Migration = {
  version: 13,
  name: 'chain leaves packed one row per entry group',
  statements: (db, layout) => [
    `CREATE TABLE IF NOT EXISTS ${db}.chain_group_leaves${layout.onCluster} (
  project_id String, trace_id String, day Date, chain_id String, seq UInt64, span_ids Array(String), leaves String
) ${layout.engine(db, 'chain_group_leaves', 'MergeTree')} PARTITION BY toYYYYMMDD(day) ORDER BY (project_id, trace_id, chain_id, seq)`,
  ],
};

/** The tables that hold chain leaves, partitioned by day (retention drops them with the spans). */
export const LEAF_TABLES = ['chain_leaves', 'chain_group_leaves'] as const;

export interface EvidenceContext {
  /** Quoted database identifier. */
  db: string;
  select(sql: string): Promise<Row[]>;
  command(sql: string): Promise<void>;
  insert(table: string, rows: Row[]): Promise<void>;
  /** Inserts a `JSONEachRow` body built as text (no row objects, no second serialising pass). */
  insertJsonEachRow(table: string, columns: readonly string[], body: string): Promise<void>;
  nextVersion(): bigint;
}

const isoDay = (day: number) =>
  `${String(Math.floor(day / 10_000)).padStart(4, '0')}-${String(Math.floor(day / 100) % 100).padStart(2, '0')}-${String(day % 100).padStart(2, '0')}`;

const GROUP_COLUMNS = ['project_id', 'trace_id', 'day', 'chain_id', 'seq', 'span_ids', 'leaves'];

const jsonText = (value: string) => JSON.stringify(wf(value));

/**
 * The leaves as one `JSONEachRow` text, one line per group (a run's leaves of one day in one entry).
 * The project and chain are the same for runs of groups, so each is written as JSON once per run of
 * equal values.
 */
export function leafGroupRows(leaves: readonly ChainLeaf[]): string {
  let out = '';
  let project = '';
  let projectJson = '';
  let chain = '';
  let chainJson = '';
  for (const g of packLeaves(leaves)) {
    if (g.projectId !== project || projectJson === '') {
      project = g.projectId;
      projectJson = jsonText(project);
    }
    if (g.chainId !== chain || chainJson === '') {
      chain = g.chainId;
      chainJson = jsonText(chain);
    }
    out += `{"project_id":${projectJson},"trace_id":${jsonText(g.traceId)},"day":"${isoDay(g.day)}","chain_id":${chainJson},"seq":"${g.seq.toString()}","span_ids":[${g.spanIds.map(jsonText).join(',')}],"leaves":${jsonText(g.leaves)}}\n`;
  }
  return out;
}

export async function appendChain(
  ctx: EvidenceContext,
  entries: readonly ChainEntry[],
  leaves: readonly ChainLeaf[],
): Promise<void> {
  // Leaves first: an entry that can be read has its leaves.
  if (leaves.length > 0) await ctx.insertJsonEachRow('chain_group_leaves', GROUP_COLUMNS, leafGroupRows(leaves));
  if (entries.length > 0) {
    await ctx.insert(
      'chain_entries',
      entries.map((e) => ({
        project_id: e.projectId,
        chain_id: e.chainId,
        seq: e.seq.toString(),
        kind: e.kind,
        time_ns: e.timeNs.toString(),
        collector_id: e.collectorId,
        prev_hash: e.prevHash,
        root: e.root,
        span_count: e.spanCount,
        group_days: e.groups.map((g) => g.day),
        group_traces: e.groups.map((g) => g.traceId),
        group_roots: e.groups.map((g) => g.root),
        group_counts: e.groups.map((g) => g.count),
        detail: wf(e.detail),
        hash: e.hash,
        signature: e.signature,
      })),
    );
  }
}

const ENTRY_COLUMNS = `project_id, chain_id, seq, kind, time_ns, collector_id, prev_hash, root, span_count,
  group_days, group_traces, group_roots, group_counts, detail, hash, signature`;

export async function listChainEntries(
  ctx: EvidenceContext,
  projectId: string,
  q: ChainEntryQuery,
): Promise<ChainEntry[]> {
  const where = [`project_id = ${literal(projectId)}`];
  if (q.chainId !== undefined) where.push(`chain_id = ${literal(q.chainId)}`);
  if (q.afterSeq !== undefined) where.push(`seq > ${uint(q.afterSeq)}`);
  if (q.kind !== undefined) where.push(`kind = ${literal(q.kind)}`);
  const rows = await ctx.select(
    `SELECT DISTINCT ${ENTRY_COLUMNS} FROM ${ctx.db}.chain_entries WHERE ${where.join(' AND ')}
ORDER BY chain_id, seq, hash LIMIT ${uint(q.limit)}`,
  );
  return rows.map(toEntry);
}

export async function getChainEntries(
  ctx: EvidenceContext,
  projectId: string,
  keys: readonly ChainEntryKey[],
): Promise<ChainEntry[]> {
  if (keys.length === 0) return [];
  const tuples = keys.map((k) => `(${literal(k.chainId)}, ${uint(k.seq)})`).join(', ');
  const rows = await ctx.select(
    `SELECT DISTINCT ${ENTRY_COLUMNS} FROM ${ctx.db}.chain_entries
WHERE project_id = ${literal(projectId)} AND (chain_id, seq) IN (${tuples}) ORDER BY chain_id, seq, hash`,
  );
  return rows.map(toEntry);
}

export async function chainHeads(ctx: EvidenceContext, projectId: string): Promise<ChainEntry[]> {
  const p = literal(projectId);
  const rows = await ctx.select(
    `SELECT DISTINCT ${ENTRY_COLUMNS} FROM ${ctx.db}.chain_entries
WHERE project_id = ${p} AND (chain_id, seq) IN (SELECT chain_id, max(seq) FROM ${ctx.db}.chain_entries WHERE project_id = ${p} GROUP BY chain_id)
ORDER BY chain_id, hash`,
  );
  const heads = new Map<string, ChainEntry>();
  for (const e of rows.map(toEntry)) if (!heads.has(e.chainId)) heads.set(e.chainId, e);
  return [...heads.values()];
}

export async function chainLeaves(
  ctx: EvidenceContext,
  projectId: string,
  traceIds: readonly string[],
): Promise<ChainLeaf[]> {
  if (traceIds.length === 0) return [];
  const where = `project_id = ${literal(projectId)} AND trace_id IN (${traceIds.map(literal).join(', ')})`;
  // A leaf of the old layout reads as a group of one.
  const rows = await ctx.select(
    `SELECT DISTINCT project_id, trace_id, d, chain_id, seq, span_ids, leaves FROM (
  SELECT project_id, trace_id, toYYYYMMDD(day) AS d, chain_id, seq, span_ids, leaves FROM ${ctx.db}.chain_group_leaves WHERE ${where}
  UNION ALL
  SELECT project_id, trace_id, toYYYYMMDD(day) AS d, chain_id, seq, [span_id] AS span_ids, leaf AS leaves FROM ${ctx.db}.chain_leaves WHERE ${where}
)`,
  );
  return rows.flatMap((r) => unpackLeaves(toGroup(r)));
}

function toGroup(r: Row): LeafGroupRow {
  return {
    projectId: String(r.project_id),
    traceId: String(r.trace_id),
    day: Number(r.d),
    chainId: String(r.chain_id),
    seq: BigInt(String(r.seq)),
    spanIds: (r.span_ids as unknown[]).map(String),
    leaves: String(r.leaves),
  };
}

export async function integrityTraceIds(
  ctx: EvidenceContext,
  projectId: string,
  q: IntegrityTraceQuery,
): Promise<string[]> {
  const p = literal(projectId);
  const after = q.afterTraceId === undefined ? '' : ` AND trace_id > ${literal(q.afterTraceId)}`;
  const having: string[] = [];
  if (q.fromNs !== undefined) having.push(`minMerge(min_start) >= ${uint(q.fromNs)}`);
  if (q.toNs !== undefined) having.push(`minMerge(min_start) < ${uint(q.toNs)}`);
  const days: string[] = [];
  if (q.fromNs !== undefined) days.push(`day >= toDate(${literal(isoDay(utcDay(q.fromNs)))})`);
  if (q.toNs !== undefined) days.push(`day <= toDate(${literal(isoDay(lastDayBefore(q.toNs)))})`);
  const rows = await ctx.select(
    `SELECT trace_id FROM (
  SELECT trace_id FROM ${ctx.db}.trace_starts WHERE project_id = ${p}${after}
  GROUP BY trace_id${having.length > 0 ? ` HAVING ${having.join(' AND ')}` : ''}
  UNION ALL
  SELECT DISTINCT trace_id FROM ${ctx.db}.chain_group_leaves WHERE project_id = ${p}${after}${days.map((d) => ` AND ${d}`).join('')}
  UNION ALL
  SELECT DISTINCT trace_id FROM ${ctx.db}.chain_leaves WHERE project_id = ${p}${after}${days.map((d) => ` AND ${d}`).join('')}
) GROUP BY trace_id ORDER BY trace_id LIMIT ${uint(q.limit)}`,
  );
  return rows.map((r) => String(r.trace_id));
}

export async function putCase(ctx: EvidenceContext, c: StoredCase): Promise<void> {
  await ctx.insert('cases', [
    {
      project_id: c.projectId,
      id: c.id,
      name: wf(c.name),
      note: wf(c.note),
      owner: wf(c.owner),
      created_ns: c.createdNs.toString(),
      updated_ns: c.updatedNs.toString(),
      trace_ids: c.traceIds,
      held: c.hold === null ? 0 : 1,
      hold_by: wf(c.hold?.by ?? ''),
      hold_since_ns: (c.hold?.sinceNs ?? 0n).toString(),
      hold_reason: wf(c.hold?.reason ?? ''),
      version: ctx.nextVersion().toString(),
    },
  ]);
}

const CASE_COLUMNS =
  'project_id, id, name, note, owner, created_ns, updated_ns, trace_ids, held, hold_by, hold_since_ns, hold_reason';

export async function getCase(ctx: EvidenceContext, projectId: string, id: string): Promise<StoredCase | undefined> {
  const [row] = await ctx.select(
    `SELECT ${CASE_COLUMNS} FROM ${ctx.db}.cases FINAL WHERE project_id = ${literal(projectId)} AND id = ${literal(id)}`,
  );
  return row ? toCase(row) : undefined;
}

export async function listCases(ctx: EvidenceContext, projectId: string): Promise<StoredCase[]> {
  const rows = await ctx.select(
    `SELECT ${CASE_COLUMNS} FROM ${ctx.db}.cases FINAL WHERE project_id = ${literal(projectId)} ORDER BY created_ns DESC, id DESC`,
  );
  return rows.map(toCase);
}

export async function recordEvidenceAudit(ctx: EvidenceContext, e: EvidenceAuditEntry): Promise<void> {
  await ctx.insert('evidence_audit', [
    {
      project_id: e.projectId,
      time_ns: e.timeNs.toString(),
      seq: ctx.nextVersion().toString(),
      actor: wf(e.actor),
      action: wf(e.action),
      target: wf(e.target),
      detail: wf(e.detail),
    },
  ]);
}

export async function listEvidenceAudit(
  ctx: EvidenceContext,
  projectId: string,
  q: EvidenceAuditQuery,
): Promise<EvidenceAuditEntry[]> {
  const where = [`project_id = ${literal(projectId)}`];
  if (q.target !== undefined) where.push(`target = ${literal(q.target)}`);
  if (q.action !== undefined) where.push(`action = ${literal(q.action)}`);
  const rows = await ctx.select(
    `SELECT project_id, time_ns, actor, action, target, detail FROM ${ctx.db}.evidence_audit
WHERE ${where.join(' AND ')} ORDER BY time_ns DESC, seq DESC LIMIT ${uint(q.limit)}`,
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

export async function getRetentionPolicy(
  ctx: EvidenceContext,
  projectId: string,
): Promise<RetentionPolicy | undefined> {
  const [r] = await ctx.select(
    `SELECT project_id, days, updated_ns, updated_by FROM ${ctx.db}.retention_policies FINAL WHERE project_id = ${literal(projectId)}`,
  );
  return r
    ? {
        projectId: String(r.project_id),
        days: r.days === null ? null : Number(r.days),
        updatedNs: BigInt(String(r.updated_ns)),
        updatedBy: String(r.updated_by),
      }
    : undefined;
}

export async function putRetentionPolicy(ctx: EvidenceContext, p: RetentionPolicy): Promise<void> {
  await ctx.insert('retention_policies', [
    {
      project_id: p.projectId,
      days: p.days,
      updated_ns: p.updatedNs.toString(),
      updated_by: wf(p.updatedBy),
      version: ctx.nextVersion().toString(),
    },
  ]);
}

/** The spans of the given runs as stored now (the newest version of each). */
export function readSpansSql(
  db: string,
  projectId: string,
  traceIds: readonly string[],
  columns: readonly string[],
): string {
  return `SELECT ${columns.join(', ')} FROM ${db}.spans FINAL
WHERE project_id = ${literal(projectId)} AND trace_id IN (${traceIds.map(literal).join(', ')})`;
}

export interface RewriteContext extends EvidenceContext {
  /** Raw database name, for system tables. */
  database: string;
  readSpans(projectId: string, traceIds: readonly string[]): Promise<Step[]>;
  /** Writes the steps as `writeSteps` does; answers the version their rows carry. */
  writeSteps(steps: readonly Step[]): Promise<bigint>;
  /** Tables the views fill from `spans`, to be rebuilt for the rewritten runs. */
  derivedTables: readonly string[];
  waitForMutations(tables: readonly string[]): Promise<void>;
  /** The cluster the tables live on, if any: mutations and merges then go to the local tables ON CLUSTER. */
  cluster?: string;
}

/**
 * Erasure's partition-rewrite path (works on 18.16, which has no lightweight delete): the rewritten
 * runs' derived rows are deleted (an awaited mutation), every span of those runs is inserted again
 * with the new content and a newer version (so the views derive their rows from the new content
 * only), then each day partition they live in is merged with `OPTIMIZE … FINAL`, which physically
 * drops the replaced versions. Replaced findings rows go the same way. On a cluster the replaced
 * versions (older than the rewrite's) are deleted with awaited mutations on every shard instead.
 */
export async function rewriteSpans(ctx: RewriteContext, projectId: string, steps: readonly Step[]): Promise<void> {
  const mine = steps.filter((s) => s.projectId === projectId);
  if (mine.length === 0) return;
  const traceIds = [...new Set(mine.map((s) => s.traceId))];
  const replaced = new Map(mine.map((s) => [`${s.traceId}\0${s.spanId}`, s]));
  const current = await ctx.readSpans(projectId, traceIds);
  const all = current.map((s) => replaced.get(`${s.traceId}\0${s.spanId}`) ?? s);
  const inTraces = `project_id = ${literal(projectId)} AND trace_id IN (${traceIds.map(literal).join(', ')})`;
  for (const table of ctx.derivedTables)
    await ctx.command(`ALTER TABLE ${alterTarget(ctx.db, table, ctx.cluster)} DELETE WHERE ${inTraces}`);
  await ctx.waitForMutations(ctx.derivedTables);
  if (ctx.cluster !== undefined && all.length > 0) {
    // 18.16 refuses OPTIMIZE … ON CLUSTER of a replicated table, and a collector reaches one server only:
    // the replaced versions are deleted with mutations on every shard instead (replicated to every replica).
    const findingVersions = await ctx.select(
      `SELECT trace_id, toString(max(version)) AS v FROM ${ctx.db}.findings WHERE ${inTraces} GROUP BY trace_id`,
    );
    const version = await ctx.writeSteps(all);
    await ctx.command(
      `ALTER TABLE ${alterTarget(ctx.db, 'spans', ctx.cluster)} DELETE WHERE ${inTraces} AND version < ${uint(version)}`,
    );
    if (findingVersions.length > 0) {
      const older = findingVersions.map(
        (r) => `(trace_id = ${literal(String(r.trace_id))} AND version < ${uint(BigInt(String(r.v)))})`,
      );
      await ctx.command(
        `ALTER TABLE ${alterTarget(ctx.db, 'findings', ctx.cluster)} DELETE WHERE project_id = ${literal(projectId)} AND (${older.join(' OR ')})`,
      );
    }
    await ctx.waitForMutations(['spans', 'findings']);
    return;
  }
  await ctx.writeSteps(all);
  const partitions = await ctx.select(
    `SELECT DISTINCT toYYYYMMDD(start_time) AS p FROM ${ctx.db}.spans WHERE ${inTraces}`,
  );
  for (const r of partitions) {
    await ctx.command(
      `OPTIMIZE TABLE ${alterTarget(ctx.db, 'spans', ctx.cluster)} PARTITION ${uint(Number(r.p))} FINAL`,
    );
  }
  await ctx.command(`OPTIMIZE TABLE ${alterTarget(ctx.db, 'findings', ctx.cluster)} FINAL`);
}

function toEntry(r: Row): ChainEntry {
  const days = (r.group_days as unknown[]).map(Number);
  const traces = (r.group_traces as unknown[]).map(String);
  const roots = (r.group_roots as unknown[]).map(String);
  const counts = (r.group_counts as unknown[]).map(Number);
  return {
    projectId: String(r.project_id),
    chainId: String(r.chain_id),
    seq: BigInt(String(r.seq)),
    kind: String(r.kind) as ChainEntry['kind'],
    timeNs: BigInt(String(r.time_ns)),
    collectorId: String(r.collector_id),
    prevHash: String(r.prev_hash),
    root: String(r.root),
    spanCount: Number(r.span_count),
    groups: days.map((day, i) => ({ day, traceId: traces[i] ?? '', root: roots[i] ?? '', count: counts[i] ?? 0 })),
    detail: String(r.detail),
    hash: String(r.hash),
    signature: String(r.signature),
  };
}

function toCase(r: Row): StoredCase {
  return {
    projectId: String(r.project_id),
    id: String(r.id),
    name: String(r.name),
    note: String(r.note),
    owner: String(r.owner),
    createdNs: BigInt(String(r.created_ns)),
    updatedNs: BigInt(String(r.updated_ns)),
    traceIds: (r.trace_ids as unknown[]).map(String),
    hold:
      Number(r.held) === 1
        ? { by: String(r.hold_by), sinceNs: BigInt(String(r.hold_since_ns)), reason: String(r.hold_reason) }
        : null,
  };
}

import { alterTarget, storedName, systemTable } from './clickhouse-cluster.js';
import { LEAF_TABLES } from './clickhouse-evidence.js';
import type { Row } from './clickhouse-rows.js';
import { DAY_PARTITIONED_TABLES, MONTH_PARTITIONED_TABLES } from './clickhouse-schema.js';
import { literal, uint } from './sql.js';

export interface RetentionDeps {
  /** Quoted database identifier. */
  db: string;
  /** Raw database name, for system tables. */
  database: string;
  select(sql: string): Promise<Row[]>;
  command(sql: string): Promise<void>;
  /** On a cluster: commands go to every shard's local tables, system tables are read cluster-wide. */
  cluster?: string;
}

const NS_PER_DAY = 86_400_000_000_000n;
const MUTATION_WAIT_MS = 60_000;

/** YYYYMMDD (UTC) of the day that contains `ns`, as ClickHouse names a toYYYYMMDD partition. */
export function dayPartition(ns: bigint): number {
  const date = new Date(Number((ns / NS_PER_DAY) * 86_400_000n));
  return date.getUTCFullYear() * 10_000 + (date.getUTCMonth() + 1) * 100 + date.getUTCDate();
}

/**
 * Deletes a project's data in whole UTC days strictly before the day containing `beforeNs`.
 * A day that holds only this project is dropped as a partition (instant, no rewrite); a day shared
 * with other projects is cleared with an `ALTER ... DELETE` mutation, awaited so that the purge
 * has happened when this resolves.
 */
export async function purgeProjectBefore(
  deps: RetentionDeps,
  projectId: string,
  beforeNs: bigint,
  keepTraceIds: ReadonlySet<string> = new Set(),
): Promise<void> {
  const cutoff = dayPartition(beforeNs);
  const project = literal(projectId);
  const tables = [...DAY_PARTITIONED_TABLES, ...LEAF_TABLES];
  await purgeTables(deps, tables, 'spans', 'toYYYYMMDD(start_time)', cutoff, project, [...keepTraceIds]);
  await purgeDays(deps, MONTH_PARTITIONED_TABLES, cutoff, project, [...keepTraceIds]);
  await purgeTables(deps, ['access_log'], 'access_log', 'toYYYYMMDD(day)', cutoff, project, []);
  // The detection backlog's write times and marks, by the day of the write: a write older than the
  // retention period is of a run that retention removed (held runs keep theirs).
  await purgeTables(deps, ['run_writes', 'detection_marks'], 'run_writes', 'toYYYYMMDD(day)', cutoff, project, [
    ...keepTraceIds,
  ]);
  await dropStaleClaims(deps);
}

/** Detection claims are leases read only from yesterday on: days before that are dropped whole. */
async function dropStaleClaims(deps: RetentionDeps): Promise<void> {
  const cutoff = dayPartition(BigInt(Date.now()) * 1_000_000n - 2n * NS_PER_DAY);
  const parts = await deps.select(
    `SELECT DISTINCT partition FROM ${systemTable('parts', deps.cluster)}
WHERE database = ${literal(deps.database)} AND table = ${literal(storedName('detection_claims', deps.cluster))} AND active`,
  );
  for (const day of parts.map((r) => Number(String(r.partition).replace(/'/g, '')))) {
    if (day > 0 && day < cutoff) {
      await deps.command(
        `ALTER TABLE ${alterTarget(deps.db, 'detection_claims', deps.cluster)} DROP PARTITION ${uint(day)}`,
      );
    }
  }
}

/**
 * A day is dropped as a partition only when it holds nothing of another project and no held run of
 * this one; otherwise the project's other rows of that day are deleted with a mutation.
 */
async function purgeTables(
  deps: RetentionDeps,
  tables: readonly string[],
  probeTable: string,
  probeDay: string,
  cutoff: number,
  project: string,
  keep: readonly string[],
): Promise<void> {
  const kept = keep.length === 0 ? '' : ` AND trace_id NOT IN (${keep.map(literal).join(', ')})`;
  const parts = await deps.select(
    `SELECT DISTINCT partition FROM ${systemTable('parts', deps.cluster)}
WHERE database = ${literal(deps.database)} AND table = ${literal(storedName(probeTable, deps.cluster))} AND active`,
  );
  const days = parts.map((r) => Number(String(r.partition).replace(/'/g, ''))).filter((d) => d > 0 && d < cutoff);
  const shared: number[] = [];
  for (const day of days) {
    const held =
      keep.length === 0 ? '' : ` OR (project_id = ${project} AND trace_id IN (${keep.map(literal).join(', ')}))`;
    const [row] = await deps.select(
      `SELECT count() AS n FROM ${deps.db}.${probeTable} WHERE ${probeDay} = ${uint(day)} AND (project_id != ${project}${held})`,
    );
    if (Number(row?.n ?? 0) > 0) {
      shared.push(day);
      continue;
    }
    for (const table of tables)
      await deps.command(`ALTER TABLE ${alterTarget(deps.db, table, deps.cluster)} DROP PARTITION ${uint(day)}`);
  }
  if (shared.length === 0) return;
  const inDays = shared.map((d) => uint(d)).join(', ');
  for (const table of tables) {
    const dayExpr = table === 'spans' ? 'toYYYYMMDD(start_time)' : 'toYYYYMMDD(day)';
    await deps.command(
      `ALTER TABLE ${alterTarget(deps.db, table, deps.cluster)} DELETE WHERE project_id = ${project} AND ${dayExpr} IN (${inDays})${kept}`,
    );
  }
  await waitForMutations(deps, tables);
}

/**
 * Tables partitioned by month hold a `day` per row: the purged days' rows of the project (held runs
 * kept) are deleted with an awaited mutation, sent only when there are some.
 */
async function purgeDays(
  deps: RetentionDeps,
  tables: readonly string[],
  cutoff: number,
  project: string,
  keep: readonly string[],
): Promise<void> {
  const kept = keep.length === 0 ? '' : ` AND trace_id NOT IN (${keep.map(literal).join(', ')})`;
  const where = `project_id = ${project} AND toYYYYMMDD(day) < ${uint(cutoff)}${kept}`;
  const stale: string[] = [];
  for (const table of tables) {
    const [row] = await deps.select(`SELECT count() AS n FROM ${deps.db}.${table} WHERE ${where}`);
    if (Number(row?.n ?? 0) > 0) stale.push(table);
  }
  for (const table of stale) {
    await deps.command(`ALTER TABLE ${alterTarget(deps.db, table, deps.cluster)} DELETE WHERE ${where}`);
  }
  if (stale.length > 0) await waitForMutations(deps, stale);
}

export async function waitForMutations(deps: RetentionDeps, tables: readonly string[]): Promise<void> {
  const names = tables.map((t) => literal(storedName(t, deps.cluster))).join(', ');
  const deadline = Date.now() + MUTATION_WAIT_MS;
  while (Date.now() < deadline) {
    const [row] = await deps.select(
      `SELECT count() AS n FROM ${systemTable('mutations', deps.cluster)} WHERE database = ${literal(deps.database)} AND table IN (${names}) AND is_done = 0`,
    );
    if (Number(row?.n ?? 0) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `ClickHouse retention mutations on ${tables.join(', ')} did not finish within ${MUTATION_WAIT_MS} ms`,
  );
}

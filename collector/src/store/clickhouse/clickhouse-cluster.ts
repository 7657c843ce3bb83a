import { ident } from './sql.js';

/**
 * The cluster variant of the schema, in one place. The migrations are written for one server; on a
 * cluster (`CASEFILE_CLICKHOUSE_CLUSTER`) every statement is rewritten here:
 *
 * - `CREATE TABLE db.t (...) ENGINE = XMergeTree(args) ...` becomes a `db.t_local` table created
 *   `ON CLUSTER` as `ReplicatedXMergeTree('/clickhouse/tables/{shard}/<database>/t', '{replica}', args)`,
 *   plus `db.t` itself as a `Distributed` table in front of it. A table with a `trace_id` column is
 *   sharded by `cityHash64(trace_id)`, so every row of a run (spans, summaries, lookups, findings) lives
 *   on one shard; any other table by `cityHash64` of the first column of its ORDER BY key, so every
 *   version of one row meets on one shard and `FINAL` collapses them there.
 * - `CREATE MATERIALIZED VIEW db.v TO db.t AS SELECT ... FROM db.s` becomes a view `ON CLUSTER` from
 *   `db.s_local` into `db.t_local`: each shard summarises the spans it holds, on the replica that took
 *   the insert, and replication carries the result to the other replicas.
 * - `ALTER TABLE db.t ...` runs `ON CLUSTER` on `db.t_local` and, for a column change, on `db.t` too.
 * - `DROP TABLE IF EXISTS db.t` drops `db.t` (a Distributed table or a view) and `db.t_local` (if any)
 *   `ON CLUSTER`, the Distributed table first so nothing reads the local one while it goes.
 * - `INSERT INTO db.t SELECT ... FROM db.s` (a backfill) stays as it is: it reads every shard through
 *   the Distributed tables and the insert sends each row to the shard of its trace.
 *
 * Every other query keeps the table names it has: reads and writes go through the Distributed tables.
 * Statements are idempotent (`IF NOT EXISTS`), and `ON CLUSTER` queues them in ZooKeeper where every
 * server runs them in order, so several collectors can migrate at once.
 */

export interface ClusterSchema {
  cluster: string;
  /** Raw database name (for ZooKeeper paths and system tables). */
  database: string;
}

/** The local (replicated) table behind a Distributed one. */
export const localName = (table: string): string => `${table}_local`;

const CREATE_TABLE =
  /^CREATE TABLE IF NOT EXISTS (\S+)\.(\w+) \(([\s\S]*)\)\s*ENGINE = (\w*MergeTree)\(([^)]*)\)([\s\S]*)$/;
const CREATE_VIEW = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\S+)\.(\w+) TO (\S+)\.(\w+) AS\s+([\s\S]*)$/;
const ALTER_TABLE = /^ALTER TABLE (\S+)\.(\w+) ([\s\S]*)$/;
const DROP_TABLE = /^DROP TABLE IF EXISTS (\S+)\.(\w+)$/;

/** The ON CLUSTER form of `CREATE DATABASE`. */
export function createDatabaseSql(db: string, cluster: string): string {
  return `CREATE DATABASE IF NOT EXISTS ${db} ON CLUSTER ${ident(cluster)}`;
}

/** The statements that stand for one single-server schema statement on `schema.cluster`. */
export function clusterStatements(statement: string, schema: ClusterSchema): string[] {
  const on = `ON CLUSTER ${ident(schema.cluster)}`;
  const sql = statement.trim();
  const table = CREATE_TABLE.exec(sql);
  if (table) {
    const [, db, name, columns, engine, args, rest] = table as unknown as string[] as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const path = `'/clickhouse/tables/{shard}/${schema.database}/${name}'`;
    const replicatedArgs = [path, "'{replica}'", ...(args.trim() ? [args.trim()] : [])].join(', ');
    const local = `${db}.${localName(name)}`;
    return [
      `CREATE TABLE IF NOT EXISTS ${local} ${on} (${columns}) ENGINE = Replicated${engine}(${replicatedArgs})${rest}`,
      `CREATE TABLE IF NOT EXISTS ${db}.${name} ${on} AS ${local}
ENGINE = Distributed(${ident(schema.cluster)}, ${db}, ${ident(localName(name))}, ${shardingKey(columns, rest, name)})`,
    ];
  }
  const view = CREATE_VIEW.exec(sql);
  if (view) {
    const [, db, name, targetDb, target, select] = view as unknown as string[] as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const sourceFrom = new RegExp(`(FROM ${escapeRegExp(db)}\\.)(\\w+)`, 'g');
    const localSelect = select.replace(sourceFrom, (_, from: string, source: string) => `${from}${localName(source)}`);
    return [
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${name} ${on} TO ${targetDb}.${localName(target)} AS\n${localSelect}`,
    ];
  }
  if (/^INSERT INTO /.test(sql)) return [sql];
  const alter = ALTER_TABLE.exec(sql);
  if (alter) {
    const [, db, name, change] = alter as unknown as string[] as [string, string, string, string];
    const local = `ALTER TABLE ${db}.${localName(name)} ${on} ${change}`;
    // Column changes apply to the Distributed table as well; partition and mutation commands only locally.
    return /^(ADD|DROP|MODIFY) COLUMN\b/i.test(change) ? [local, `ALTER TABLE ${db}.${name} ${on} ${change}`] : [local];
  }
  const drop = DROP_TABLE.exec(sql);
  if (drop) {
    const [, db, name] = drop as unknown as string[] as [string, string, string];
    return [`DROP TABLE IF EXISTS ${db}.${name} ${on}`, `DROP TABLE IF EXISTS ${db}.${localName(name)} ${on}`];
  }
  throw new Error(`no cluster form for this schema statement (add one in clickhouse-cluster.ts): ${sql.slice(0, 120)}`);
}

/**
 * The cluster statements of one migration in waves: every statement of a wave is independent of the
 * others in it (local tables, then Distributed tables, then views, then inserts and alters in order), so a wave is
 * sent at once. Each server still runs its DDL queue one entry at a time; what a wave saves is the
 * round trip of waiting for every server after each statement.
 */
export function clusterWaves(statements: readonly string[], schema: ClusterSchema): string[][] {
  const tables: string[] = [];
  const distributed: string[] = [];
  const views: string[] = [];
  const rest: string[][] = [];
  for (const statement of statements) {
    const sql = statement.trim();
    const out = clusterStatements(sql, schema);
    if (CREATE_TABLE.test(sql)) {
      tables.push(out[0] as string);
      distributed.push(out[1] as string);
    } else if (CREATE_VIEW.test(sql)) views.push(...out);
    // An insert (a backfill) follows every table and view of the migration, in order.
    else rest.push(...out.map((s) => [s]));
  }
  return [tables, distributed, views, ...rest].filter((wave) => wave.length > 0);
}

function shardingKey(columns: string, rest: string, name: string): string {
  if (/(^|[\s,(])trace_id\s+String\b/.test(columns)) return 'cityHash64(trace_id)';
  const order = /ORDER BY\s+(?:\(\s*)?(\w+)/.exec(rest);
  if (!order) throw new Error(`table ${name} has neither trace_id nor an ORDER BY key to shard by`);
  return `cityHash64(${order[1]})`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Where a mutation or partition command goes: the local table on every shard (`ON CLUSTER`; the
 * server runs it once per shard, on the leader replica, and replication does the rest).
 */
export function alterTarget(db: string, table: string, cluster: string | undefined): string {
  return cluster === undefined ? `${db}.${table}` : `${db}.${ident(localName(table))} ON CLUSTER ${ident(cluster)}`;
}

/** A system table read on one replica of every shard (`cluster()`), or on this server alone. */
export function systemTable(name: 'parts' | 'mutations', cluster: string | undefined): string {
  return cluster === undefined ? `system.${name}` : `cluster(${ident(cluster)}, system, ${name})`;
}

/** The table name system tables know a table by. */
export function storedName(table: string, cluster: string | undefined): string {
  return cluster === undefined ? table : localName(table);
}

import { RUN_NAME_ATTRIBUTE } from '@casefile/contract';
import { type ColumnKind, STEP_COLUMNS } from '../step-columns.js';
import { ALERTS_MIGRATION } from './clickhouse-alerts.js';
import { BACKLOG_MIGRATION } from './clickhouse-backlog.js';
import { DETECTION_CLAIMS_MIGRATION } from './clickhouse-detection-claims.js';
import { EVIDENCE_MIGRATION, LEAF_GROUPS_MIGRATION } from './clickhouse-evidence.js';
import { FINDINGS_MIGRATION } from './clickhouse-findings.js';
import type { Migration } from './migration.js';
import { ident, literal } from './sql.js';
import { SINGLE_NODE, type TableLayout } from './table-layout.js';

/**
 * The ClickHouse schema, restricted to SQL that runs on 18.16 and on current servers: no
 * DateTime64, Map, LowCardinality, codecs, TTL or skip indexes. Times are UInt64 ns plus a
 * `DateTime('UTC')` / `Date` column that only serves partitioning, so retention drops whole days.
 *
 * `spans` is the source of truth (ReplacingMergeTree: a resent span collapses into one row, read
 * with FINAL). Everything else is filled by materialized views at insert time and partitioned by
 * the same UTC day, so dropping a day's partition everywhere keeps the derived tables consistent.
 */

const TYPES: Record<Exclude<ColumnKind, 'stringMap'>, string> = {
  text: 'String',
  int: 'Int32',
  ns: 'UInt64',
  nullableInt: 'Nullable(Int64)',
  textList: 'Array(String)',
  events: 'String',
};

/** Column names of `spans` as they are inserted and selected (maps become parallel arrays). */
export const SPAN_COLUMN_NAMES: readonly string[] = STEP_COLUMNS.flatMap((col) =>
  col.kind === 'stringMap' ? [`${col.column}_keys`, `${col.column}_values`] : [col.column],
);

const spanColumnsDdl = STEP_COLUMNS.flatMap((col) =>
  col.kind === 'stringMap'
    ? [`${col.column}_keys Array(String)`, `${col.column}_values Array(String)`]
    : [`${col.column} ${TYPES[col.kind]}`],
).join(',\n  ');

/** Tables whose partitions are UTC days of a step's start; retention drops them together. */
export const DAY_PARTITIONED_TABLES = ['spans', 'run_documents', 'run_tools', 'run_approvals', 'run_list'];

// The root step wins, then an agent step, then the earliest; an empty value never beats a set one.
const rankKey = (col: string) =>
  `(toUInt8(${col} = ''), toUInt8((parent_span_id != '') * 2 + (kind != 'agent')), start_ns, span_id)`;
const RANK_TYPE = 'Tuple(UInt8, UInt8, UInt64, String)';
const PICKED = [
  'name',
  'service_name',
  'agent_name',
  'agent_version',
  'conversation_id',
  'prompt_version',
  'policy_version',
  'run_input',
];

/** The run summary as aggregate states (read with SUMMARY_SELECT): `run_list`, and `runs` and `run_index` of earlier versions. */
const SUMMARY_STATES_DDL = `start_s AggregateFunction(min, UInt64),
  end_s AggregateFunction(max, UInt64),
  ${PICKED.map((col) => `${col}_s AggregateFunction(argMin, String, ${RANK_TYPE})`).join(',\n  ')},
  error_s AggregateFunction(max, UInt8),
  steps_s AggregateFunction(uniqExact, String),
  errors_s AggregateFunction(uniqExactIf, String, UInt8),
  tools_s AggregateFunction(groupUniqArray, String),
  models_s AggregateFunction(groupUniqArrayArray, Array(String)),
  tokens_s AggregateFunction(groupUniqArray, Tuple(String, Int64, Int64))`;

// Every state is idempotent (min, max, distinct sets keyed by span ID), so a resent batch that a
// view aggregates a second time changes no result.
const SUMMARY_STATES_SELECT = `minState(start_ns) AS start_s, maxState(end_ns) AS end_s,
  ${PICKED.map((col) => `argMinState(${col}, ${rankKey(col)}) AS ${col}_s`).join(',\n  ')},
  maxState(toUInt8(status = 'error')) AS error_s,
  uniqExactState(span_id) AS steps_s,
  uniqExactIfState(span_id, toUInt8(status = 'error')) AS errors_s,
  groupUniqArrayState(tool_name) AS tools_s,
  groupUniqArrayArrayState([request_model, response_model]) AS models_s,
  groupUniqArrayState((span_id, ifNull(input_tokens, toInt64(0)), ifNull(output_tokens, toInt64(0)))) AS tokens_s`;

const RUN_INDEX_SELECT = (
  db: string,
) => `SELECT project_id, toStartOfHour(start_time) AS hour, trace_id, toDate(start_time) AS day,
  ${SUMMARY_STATES_SELECT}
FROM ${db}.spans GROUP BY project_id, trace_id, day, hour`;

// `casefile.run.name` of a step ('' when it has none), ranked as the picked columns: `pickRunName`.
const RUN_NAME = `attributes_values[indexOf(attributes_keys, ${literal(RUN_NAME_ATTRIBUTE)})]`;
const RUN_NAME_STATE = `argMinState(${RUN_NAME}, ${rankKey(RUN_NAME)}) AS run_name_s`;

const RUN_LIST_SELECT = (
  db: string,
) => `SELECT project_id, toStartOfHour(start_time) AS hour, trace_id, toDate(start_time) AS day,
  ${SUMMARY_STATES_SELECT},
  ${RUN_NAME_STATE}
FROM ${db}.spans GROUP BY project_id, trace_id, day, hour`;

const SUMMARY_STATE_COLUMNS = [
  'start_s',
  'end_s',
  ...PICKED.map((col) => `${col}_s`),
  'error_s',
  'steps_s',
  'errors_s',
  'tools_s',
  'models_s',
  'tokens_s',
].join(', ');

const lookup = (
  db: string,
  layout: TableLayout,
  table: string,
  key: string,
  source: string,
  where: string,
): string[] => [
  `CREATE TABLE IF NOT EXISTS ${db}.${table}${layout.onCluster} (project_id String, ${key} String, trace_id String, day Date)
${layout.engine(db, table, 'ReplacingMergeTree')} PARTITION BY toYYYYMMDD(day) ORDER BY (project_id, ${key}, trace_id)`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${table}_mv${layout.onCluster} TO ${db}.${table} AS
SELECT project_id, ${key}, trace_id, toDate(start_time) AS day FROM ${db}.spans ${source} WHERE ${where}`,
];

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'spans, runs summary, lookups, credentials, projects, access log',
    statements: (db, layout) => [
      `CREATE TABLE IF NOT EXISTS ${db}.spans${layout.onCluster} (
  ${spanColumnsDdl},
  start_time DateTime('UTC'),
  version UInt64
) ${layout.engine(db, 'spans', 'ReplacingMergeTree', 'version')}
PARTITION BY toYYYYMMDD(start_time)
ORDER BY (project_id, trace_id, span_id)`,
      `CREATE TABLE IF NOT EXISTS ${db}.runs${layout.onCluster} (
  project_id String,
  trace_id String,
  day Date,
  ${SUMMARY_STATES_DDL}
) ${layout.engine(db, 'runs', 'AggregatingMergeTree')} PARTITION BY toYYYYMMDD(day) ORDER BY (project_id, trace_id)`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.runs_mv${layout.onCluster} TO ${db}.runs AS
SELECT project_id, trace_id, toDate(start_time) AS day,
  ${SUMMARY_STATES_SELECT}
FROM ${db}.spans GROUP BY project_id, trace_id, day`,
      `CREATE TABLE IF NOT EXISTS ${db}.trace_times${layout.onCluster} (
  project_id String, trace_id String, day Date,
  min_start AggregateFunction(min, UInt64), max_start AggregateFunction(max, UInt64)
) ${layout.engine(db, 'trace_times', 'AggregatingMergeTree')} PARTITION BY toYYYYMMDD(day) ORDER BY (project_id, trace_id)`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.trace_times_mv${layout.onCluster} TO ${db}.trace_times AS
SELECT project_id, trace_id, toDate(start_time) AS day, minState(start_ns) AS min_start, maxState(start_ns) AS max_start
FROM ${db}.spans GROUP BY project_id, trace_id, day`,
      ...lookup(
        db,
        layout,
        'run_documents',
        'document_id',
        'ARRAY JOIN document_ids AS document_id',
        "document_id != ''",
      ),
      ...lookup(db, layout, 'run_tools', 'tool_name', '', "tool_name != ''"),
      ...lookup(db, layout, 'run_approvals', 'approval_id', '', "approval_id != ''"),
      `CREATE TABLE IF NOT EXISTS ${db}.credentials${layout.onCluster} (
  hash String, kind String, project_ids Array(String), role String, name String,
  created_ns UInt64, revoked UInt8, version UInt64
) ${layout.engine(db, 'credentials', 'ReplacingMergeTree', 'version')} ORDER BY hash`,
      `CREATE TABLE IF NOT EXISTS ${db}.projects${layout.onCluster} (id String, name String, created_ns UInt64, version UInt64)
${layout.engine(db, 'projects', 'ReplacingMergeTree', 'version')} ORDER BY id`,
      `CREATE TABLE IF NOT EXISTS ${db}.access_log${layout.onCluster} (
  project_id String, time_ns UInt64, day Date, seq UInt64, actor String, action String, target String
) ${layout.engine(db, 'access_log', 'MergeTree')} PARTITION BY toYYYYMMDD(day) ORDER BY (project_id, time_ns, seq)`,
    ],
  },
  FINDINGS_MIGRATION,
  ALERTS_MIGRATION,
  {
    version: 4,
    name: 'run index: run summaries ordered by start hour',
    // `runs` is ordered by trace, so a listing had to merge every run of the project (or of whole
    // days). `run_index` holds the same summary states ordered by (project, start hour, trace): a
    // page reads the hours it lists and merges only those rows. A run's rows sit in the hours its
    // steps start in, the first of them holding its start. The view comes first, then the backfill
    // from the spans already stored (a span caught by both is counted once: every state is
    // idempotent). Partitioned by the same UTC day as `spans`, so retention drops it with them.
    statements: (db, layout) => [
      `CREATE TABLE IF NOT EXISTS ${db}.run_index${layout.onCluster} (
  project_id String,
  hour DateTime('UTC'),
  trace_id String,
  day Date,
  ${SUMMARY_STATES_DDL}
) ${layout.engine(db, 'run_index', 'AggregatingMergeTree')} PARTITION BY toYYYYMMDD(day) ORDER BY (project_id, hour, trace_id)`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.run_index_mv${layout.onCluster} TO ${db}.run_index AS
${RUN_INDEX_SELECT(db)}`,
      `INSERT INTO ${db}.run_index ${RUN_INDEX_SELECT(db)}`,
    ],
  },
  BACKLOG_MIGRATION,
  EVIDENCE_MIGRATION,
  DETECTION_CLAIMS_MIGRATION,
  {
    version: 12,
    name: 'run list: run summaries and run names by start hour, in small granules',
    // `run_index` is read in granules of 8,192 rows (4–6 hours of runs at a thousand runs an hour), and
    // a page of 50 runs merged every summary state of them, then read the run names from `spans`
    // granule by granule. `run_list` holds the same states plus the run name (picked as
    // `pickRunName` does) in granules of 256 rows, so a page picks its runs from the start states
    // of a few granules and merges the full summaries of those runs alone. The view comes first; the
    // backfill copies `run_index` row for row (no aggregation, so memory stays flat on a large store)
    // and adds the run names of the stored spans that carry one (a row caught by both the view and
    // the backfill is counted once: every state is idempotent).
    statements: (db, layout) => [
      `CREATE TABLE IF NOT EXISTS ${db}.run_list${layout.onCluster} (
  project_id String,
  hour DateTime('UTC'),
  trace_id String,
  day Date,
  ${SUMMARY_STATES_DDL},
  run_name_s AggregateFunction(argMin, String, ${RANK_TYPE})
) ${layout.engine(db, 'run_list', 'AggregatingMergeTree')} PARTITION BY toYYYYMMDD(day) ORDER BY (project_id, hour, trace_id)
SETTINGS index_granularity = 256`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.run_list_mv${layout.onCluster} TO ${db}.run_list AS
${RUN_LIST_SELECT(db)}`,
      `INSERT INTO ${db}.run_list (project_id, hour, trace_id, day, ${SUMMARY_STATE_COLUMNS})
SELECT project_id, hour, trace_id, day, ${SUMMARY_STATE_COLUMNS} FROM ${db}.run_index`,
      `INSERT INTO ${db}.run_list (project_id, hour, trace_id, day, run_name_s)
SELECT project_id, toStartOfHour(start_time) AS hour, trace_id, toDate(start_time) AS day, ${RUN_NAME_STATE}
FROM ${db}.spans WHERE has(attributes_keys, ${literal(RUN_NAME_ATTRIBUTE)}) GROUP BY project_id, trace_id, day, hour`,
    ],
  },
  LEAF_GROUPS_MIGRATION,
  {
    version: 14,
    name: 'trace starts: first and last step start of a trace, by trace, in month partitions',
    // `trace_times` is partitioned by day, so finding one trace reads a granule of 8,192 rows in every
    // day of the store; opening a run and checking whether the runs of a page began before it read
    // them all. `trace_starts` holds the same states in month partitions and granules of 256 rows: a
    // lookup of 50 traces reads at most 50 small granules a month. Retention deletes its rows of the
    // purged days with a mutation (see `clickhouse-retention.ts`). Backfilled from `trace_times`,
    // row for row.
    statements: (db, layout) => [
      `CREATE TABLE IF NOT EXISTS ${db}.trace_starts${layout.onCluster} (
  project_id String, trace_id String, day Date,
  min_start AggregateFunction(min, UInt64), max_start AggregateFunction(max, UInt64)
) ${layout.engine(db, 'trace_starts', 'AggregatingMergeTree')} PARTITION BY toYYYYMM(day) ORDER BY (project_id, trace_id, day)
SETTINGS index_granularity = 256`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.trace_starts_mv${layout.onCluster} TO ${db}.trace_starts AS
SELECT project_id, trace_id, toDate(start_time) AS day, minState(start_ns) AS min_start, maxState(start_ns) AS max_start
FROM ${db}.spans GROUP BY project_id, trace_id, day`,
      `INSERT INTO ${db}.trace_starts (project_id, trace_id, day, min_start, max_start)
SELECT project_id, trace_id, day, min_start, max_start FROM ${db}.trace_times`,
    ],
  },
  {
    version: 15,
    name: 'drop runs, run_index and trace_times: run_list and trace_starts hold the same states',
    // Every reader of `runs` (sorted lists, counts, drift, versions), of `run_index` (the overview) and
    // of `trace_times` (integrity paging) reads `run_list` and `trace_starts` now, which migrations 12
    // and 14 filled from them. Their views ran on every insert into `spans` for nothing (the summary
    // views were the costliest two of all: `npm run bench -- --only scale-views`), and retention and
    // erasure altered them day by day. The view goes before its table, so no insert meets a view
    // whose target is gone. A collector of an earlier version still reads them: upgrade every
    // collector sharing the store.
    statements: (db) => [
      `DROP TABLE IF EXISTS ${db}.runs_mv`,
      `DROP TABLE IF EXISTS ${db}.runs`,
      `DROP TABLE IF EXISTS ${db}.run_index_mv`,
      `DROP TABLE IF EXISTS ${db}.run_index`,
      `DROP TABLE IF EXISTS ${db}.trace_times_mv`,
      `DROP TABLE IF EXISTS ${db}.trace_times`,
    ],
  },
];

/** Tables partitioned by month whose rows carry the UTC day of their step: retention deletes those days' rows. */
export const MONTH_PARTITIONED_TABLES = ['trace_starts'];

export function migrationsTableDdl(db: string, layout: TableLayout = SINGLE_NODE): string {
  return `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations${layout.onCluster} (version UInt32, name String, applied_at DateTime)
${layout.engine(db, 'schema_migrations', 'ReplacingMergeTree')} ORDER BY version`;
}

export function quotedDb(database: string): string {
  return ident(database);
}

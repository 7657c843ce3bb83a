import type { DuckDBConnection } from '@duckdb/node-api';
import { type ColumnKind, STEP_COLUMNS } from '../step-columns.js';
import { ALERTS_MIGRATION } from './duckdb-alerts.js';
import { BACKLOG_MIGRATION } from './duckdb-backlog.js';
import { RUN_NAME_MIGRATION } from './duckdb-derive.js';
import { EVIDENCE_MIGRATION, LEAF_GROUPS_MIGRATION } from './duckdb-evidence.js';
import { FINDINGS_MIGRATION } from './duckdb-findings.js';

const TYPES: Record<ColumnKind, string> = {
  text: "VARCHAR NOT NULL DEFAULT ''",
  int: 'INTEGER NOT NULL DEFAULT 0',
  ns: 'UBIGINT NOT NULL',
  nullableInt: 'BIGINT',
  textList: 'VARCHAR[] NOT NULL',
  stringMap: "VARCHAR NOT NULL DEFAULT '{}'",
  events: "VARCHAR NOT NULL DEFAULT '[]'",
};

export const SPAN_COLUMNS_SQL = STEP_COLUMNS.map((col) => `${col.column} ${TYPES[col.kind]}`).join(',\n  ');

interface Migration {
  version: number;
  name: string;
  statements: string[];
}

/**
 * Append-only: a released migration is never edited; a change is a new version. `runs` and the
 * three lookup tables are derived from `spans` inside each write transaction, so listing and the
 * "which runs touched X" questions never scan all spans.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'spans, runs, lookups, credentials, projects, access log',
    statements: [
      `CREATE TABLE spans (
  ${SPAN_COLUMNS_SQL},
  PRIMARY KEY (project_id, trace_id, span_id)
)`,
      `CREATE TABLE runs (
  project_id VARCHAR NOT NULL,
  trace_id VARCHAR NOT NULL,
  start_ns UBIGINT NOT NULL,
  end_ns UBIGINT NOT NULL,
  name VARCHAR NOT NULL,
  service_name VARCHAR NOT NULL,
  agent_name VARCHAR NOT NULL,
  agent_version VARCHAR NOT NULL,
  conversation_id VARCHAR NOT NULL,
  status VARCHAR NOT NULL,
  step_count INTEGER NOT NULL,
  error_count INTEGER NOT NULL,
  tool_names VARCHAR[] NOT NULL,
  prompt_version VARCHAR NOT NULL,
  policy_version VARCHAR NOT NULL,
  models VARCHAR[] NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  run_input VARCHAR NOT NULL,
  finding_count INTEGER NOT NULL,
  PRIMARY KEY (project_id, trace_id)
)`,
      'CREATE TABLE run_documents (project_id VARCHAR, document_id VARCHAR, trace_id VARCHAR, PRIMARY KEY (project_id, document_id, trace_id))',
      'CREATE TABLE run_tools (project_id VARCHAR, tool_name VARCHAR, trace_id VARCHAR, PRIMARY KEY (project_id, tool_name, trace_id))',
      'CREATE TABLE run_approvals (project_id VARCHAR, approval_id VARCHAR, trace_id VARCHAR, PRIMARY KEY (project_id, approval_id, trace_id))',
      `CREATE TABLE credentials (
  hash VARCHAR PRIMARY KEY,
  kind VARCHAR NOT NULL,
  project_ids VARCHAR[] NOT NULL,
  role VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  created_ns UBIGINT NOT NULL,
  revoked BOOLEAN NOT NULL
)`,
      'CREATE TABLE projects (id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, created_ns UBIGINT NOT NULL)',
      `CREATE TABLE access_log (
  project_id VARCHAR NOT NULL,
  time_ns UBIGINT NOT NULL,
  seq BIGINT NOT NULL,
  actor VARCHAR NOT NULL,
  action VARCHAR NOT NULL,
  target VARCHAR NOT NULL
)`,
      'CREATE SEQUENCE access_log_seq',
    ],
  },
  FINDINGS_MIGRATION,
  ALERTS_MIGRATION,
  BACKLOG_MIGRATION,
  EVIDENCE_MIGRATION,
  LEAF_GROUPS_MIGRATION,
  RUN_NAME_MIGRATION,
];

export async function applyMigrations(conn: DuckDBConnection): Promise<void> {
  await conn.run(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)',
  );
  const done = await conn.runAndReadAll('SELECT version FROM schema_migrations');
  const applied = new Set(done.getRowsJS().map((row) => Number(row[0])));
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    await conn.run('BEGIN TRANSACTION');
    try {
      for (const statement of migration.statements) await conn.run(statement);
      await conn.run('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      await conn.run('COMMIT');
    } catch (error) {
      await conn.run('ROLLBACK');
      throw new Error(`DuckDB migration ${migration.version} (${migration.name}) failed`, { cause: error });
    }
  }
}

import { RUN_NAME_ATTRIBUTE, type RunSort } from '@casefile/contract';
import type { DuckDBValue } from '@duckdb/node-api';
import { BadInputError } from '../../errors/errors.js';
import type { Step } from '../../model/step.js';
import { bucketCount, type OverviewQuery, overviewRangeMs } from '../overview.js';
import { decodeCursor, isSorted, offsetOf, type RunQuery } from '../port.js';
import { FINDING_COUNT_SQL, hasFindingsSql } from './duckdb-findings.js';
import { spanTextCondition } from './duckdb-run-search.js';

/**
 * SQL that keeps `runs` and the lookup tables in step with `spans`. Run inside the write
 * transaction after the temp table `affected(project_id, trace_id)` has been filled: the derived
 * rows of those runs are recomputed from their stored steps, so a resent batch changes nothing and
 * a rewritten step replaces its old contribution.
 */

// The root step wins, then an `agent` step, then the earliest; empty values never win over set ones.
const RANK = "(parent_span_id <> '')::INTEGER * 2 + (kind <> 'agent')::INTEGER";
// arg_min over the ranking as a row value: the same pick as first(… ORDER BY …), which sorts each group
// once per column (the ranking is unique within a run: it ends with the span ID).
const pick = (col: string) => `arg_min(${col}, (${col} = '', ${RANK}, start_ns, span_id))`;
// `casefile.run.name` of a step's attributes (JSON text), '' when absent; parsed only where the key is present.
const RUN_NAME_SQL = (alias: string) =>
  `CASE WHEN ${alias}.attributes LIKE '%"${RUN_NAME_ATTRIBUTE}"%' THEN coalesce(json_extract_string(${alias}.attributes, '$."${RUN_NAME_ATTRIBUTE}"'), '') ELSE '' END`;
// A list's distinct non-empty values. A plain list() then list functions: a DISTINCT aggregate with a
// FILTER costs DuckDB a hash table of its own per group (INSERT INTO runs of a 50-span write 19–24 ms with
// three of them, 10–13 ms this way).
const distinctNonEmpty = (list: string) => `list_filter(list_distinct(${list}), lambda v: v <> '')`;

// The runs' spans are found by their key columns first, then read by row ID: a join that selects these
// columns directly scans them (attributes included) for every stored span, 2.8 s a write at 10 million
// spans, against ~0.1 s this way.
const AFFECTED_SPANS = `CREATE OR REPLACE TEMP TABLE affected_spans AS
SELECT s.project_id, s.trace_id, s.span_id, s.parent_span_id, s.kind, s.name, s.start_ns, s.end_ns, s.status,
  s.service_name, s.agent_name, s.agent_version, s.conversation_id, s.run_input, s.prompt_version,
  s.policy_version, s.request_model, s.response_model, s.input_tokens, s.output_tokens, s.tool_name,
  s.document_ids, s.approval_id, ${RUN_NAME_SQL('s')} AS run_name
FROM spans s WHERE s.rowid IN (SELECT k.rowid FROM spans k JOIN affected a ON k.project_id = a.project_id AND k.trace_id = a.trace_id)`;
const DELETE_RUNS =
  'DELETE FROM runs USING affected a WHERE runs.project_id = a.project_id AND runs.trace_id = a.trace_id';
const INSERT_RUNS = `INSERT INTO runs
SELECT project_id, trace_id, min(start_ns), max(end_ns), ${pick('name')}, ${pick('service_name')},
  ${pick('agent_name')}, ${pick('agent_version')}, ${pick('conversation_id')},
  CASE WHEN bool_or(status = 'error') THEN 'error' ELSE 'ok' END,
  count(*), count(*) FILTER (WHERE status = 'error'),
  list_sort(${distinctNonEmpty('list(tool_name)')}),
  ${pick('prompt_version')}, ${pick('policy_version')},
  list_sort(${distinctNonEmpty('list_concat(list(request_model), list(response_model))')}),
  coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), ${pick('run_input')}, 0, ${pick('run_name')}
FROM affected_spans GROUP BY project_id, trace_id`;

/**
 * Brings `runs` and the lookups in step with `spans` for the runs in `affected`, through `run` (which
 * answers the rows a statement changed). `replaced`: the write replaced or removed stored spans.
 */
export async function refreshDerived(
  run: (sql: string) => Promise<number>,
  replaced: boolean,
  staged: StagedLookups = ALL_LOOKUPS,
): Promise<void> {
  await run(AFFECTED_SPANS);
  const existing = await run(DELETE_RUNS);
  await run(INSERT_RUNS);
  const how = replaced ? 'rebuild' : existing === 0 ? 'newRuns' : 'add';
  for (const sql of lookupStatements(how, staged)) await run(sql);
  await run('DROP TABLE affected_spans');
}

type LookupName = 'documents' | 'tools' | 'approvals';

/** Which lookup keys the staged spans carry (a superset: a lookup left out has no key among them). */
export type StagedLookups = ReadonlySet<LookupName>;

const ALL_LOOKUPS: StagedLookups = new Set<LookupName>(['documents', 'tools', 'approvals']);

/**
 * The lookups the staged steps carry keys for. Spans from most tracing SDKs carry no approval ID and
 * few document IDs: a write that only adds spans skips those lookups' statements (1–2 ms each with no
 * key to add).
 */
export function stagedLookups(steps: readonly Step[]): StagedLookups {
  const found = new Set<LookupName>();
  for (const s of steps) {
    if (s.documentIds.length > 0) found.add('documents');
    if (s.toolName !== '') found.add('tools');
    if (s.approvalId !== '') found.add('approvals');
    if (found.size === ALL_LOOKUPS.size) break;
  }
  return found;
}

const LOOKUPS: readonly {
  name: LookupName;
  table: string;
  keyColumn: string;
  keyExpr: string;
  where: string;
}[] = [
  {
    name: 'documents',
    table: 'run_documents',
    keyColumn: 'document_id',
    keyExpr: 'unnest(document_ids)',
    where: 'len(document_ids) > 0',
  },
  { name: 'tools', table: 'run_tools', keyColumn: 'tool_name', keyExpr: 'tool_name', where: "tool_name <> ''" },
  {
    name: 'approvals',
    table: 'run_approvals',
    keyColumn: 'approval_id',
    keyExpr: 'approval_id',
    where: "approval_id <> ''",
  },
];

const lookupKeys = (l: (typeof LOOKUPS)[number], from: string) =>
  `SELECT DISTINCT project_id, k, trace_id FROM (SELECT project_id, ${l.keyExpr} AS k, trace_id FROM ${from} WHERE ${l.where}) WHERE k <> ''`;

/**
 * The lookup tables (document, tool, approval → run), with `affected_spans` in place.
 * - `rebuild` (the write replaced or removed stored spans, so a key may have gone): the affected
 *   runs' rows are deleted and made again from all their spans.
 * - `add` (it only added spans, `staging` holds them all): every row there is still right; the new
 *   spans' keys are added with a keyed INSERT OR IGNORE, where a delete by trace ID scans the whole
 *   table (~40 ms a table at 10 million spans).
 * - `newRuns` (only added, and no affected run existed before): nothing of theirs is there yet, so a
 *   plain insert; INSERT OR IGNORE's conflict check costs several milliseconds a statement.
 * In `add` and `newRuns` a lookup none of the staged spans has a key for is left alone.
 */
function lookupStatements(how: 'rebuild' | 'add' | 'newRuns', staged: StagedLookups): string[] {
  return LOOKUPS.flatMap((l) => {
    const into = `INTO ${l.table} (project_id, ${l.keyColumn}, trace_id)`;
    // Only added spans, none with this lookup's key: nothing to add.
    if (how !== 'rebuild' && !staged.has(l.name)) return [];
    if (how === 'newRuns') return [`INSERT ${into} ${lookupKeys(l, 'staging')}`];
    if (how === 'add') return [`INSERT OR IGNORE ${into} ${lookupKeys(l, 'staging')}`];
    return [
      `DELETE FROM ${l.table} USING affected a WHERE ${l.table}.project_id = a.project_id AND ${l.table}.trace_id = a.trace_id`,
      // The affected runs' rows are gone and the select is distinct: nothing can conflict.
      `INSERT ${into} ${lookupKeys(l, 'affected_spans')}`,
    ];
  });
}

/**
 * A run summary's columns. `findingCount` is filled after the page is chosen, from the page's findings
 * only (a count per run in the select made DuckDB count findings for every run of the project before
 * taking the page); only the severity sort selects it, as it orders by it.
 */
export const RUN_COLUMNS = `r.trace_id, r.start_ns, r.end_ns, r.name, r.service_name, r.agent_name, r.agent_version, r.conversation_id, r.status, r.step_count, r.error_count, r.tool_names, r.prompt_version, r.policy_version, r.models, r.input_tokens, r.output_tokens, r.run_input, r.run_name`;

/**
 * Migration 12: each run's name (`casefile.run.name`, picked as `pickRunName` does) kept in `runs`, so a
 * list page no longer reads its runs' steps for it. Existing runs are filled from their stored steps.
 */
export const RUN_NAME_MIGRATION = {
  version: 12,
  name: 'run names kept in runs',
  statements: [
    "ALTER TABLE runs ADD COLUMN run_name VARCHAR DEFAULT ''",
    `UPDATE runs SET run_name = n.run_name FROM (
  SELECT project_id, trace_id, ${pick('run_name')} AS run_name
  FROM (SELECT project_id, trace_id, parent_span_id, kind, start_ns, span_id, ${RUN_NAME_SQL('s')} AS run_name
    FROM spans s WHERE s.attributes LIKE '%"${RUN_NAME_ATTRIBUTE}"%')
  GROUP BY project_id, trace_id
) n WHERE runs.project_id = n.project_id AND runs.trace_id = n.trace_id`,
  ],
};

const SEVERITY_RANK_SQL = `(SELECT coalesce(max(CASE f.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 END), 0)
FROM findings f WHERE f.project_id = r.project_id AND f.trace_id = r.trace_id AND f.status = 'open')`;

/** ORDER BY of `query.sort` (see `compareRuns`); ties newest first. */
function orderBy(sort: RunSort | undefined): string {
  if (sort === undefined || (sort.key === 'start' && sort.descending)) return 'r.start_ns DESC, r.trace_id DESC';
  const dir = sort.descending ? 'DESC' : 'ASC';
  switch (sort.key) {
    case 'start':
      return 'r.start_ns ASC, r.trace_id ASC';
    case 'duration':
      return `r.end_ns - r.start_ns ${dir}, r.start_ns DESC, r.trace_id DESC`;
    case 'tokens':
      return `r.input_tokens + r.output_tokens ${dir}, r.start_ns DESC, r.trace_id DESC`;
    case 'severity':
      return `${SEVERITY_RANK_SQL} ${dir}, finding_count ${dir}, r.start_ns DESC, r.trace_id DESC`;
  }
}

/**
 * Builds the listing query with positional parameters; every value is bound, never spliced. A
 * sorted list pages by offset, the newest-first one by (start, trace) after the cursor. `count` is
 * the same filters' total.
 */
export function buildListRuns(
  projectId: string,
  query: RunQuery,
): { sql: string; params: DuckDBValue[]; count: { sql: string; params: DuckDBValue[] } } {
  const params: DuckDBValue[] = [projectId];
  const bind = (value: DuckDBValue): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = ['r.project_id = $1'];
  if (query.fromNs !== undefined) where.push(`r.start_ns >= ${bind(query.fromNs)}::UBIGINT`);
  if (query.toNs !== undefined) where.push(`r.start_ns < ${bind(query.toNs)}::UBIGINT`);
  if (query.agentName !== undefined) where.push(`r.agent_name = ${bind(query.agentName)}`);
  if (query.status !== undefined) where.push(`r.status = ${bind(query.status)}`);
  if (query.toolName !== undefined) where.push(`list_contains(r.tool_names, ${bind(query.toolName)})`);
  if (query.promptVersion !== undefined) where.push(`r.prompt_version = ${bind(query.promptVersion)}`);
  if (query.policyVersion !== undefined) where.push(`r.policy_version = ${bind(query.policyVersion)}`);
  if (query.model !== undefined) where.push(`list_contains(r.models, ${bind(query.model)})`);
  if (query.documentId !== undefined) {
    where.push(
      `EXISTS (SELECT 1 FROM run_documents d WHERE d.project_id = r.project_id AND d.trace_id = r.trace_id AND d.document_id = ${bind(query.documentId)})`,
    );
  }
  if (query.approvalId !== undefined) {
    where.push(
      `EXISTS (SELECT 1 FROM run_approvals a WHERE a.project_id = r.project_id AND a.trace_id = r.trace_id AND a.approval_id = ${bind(query.approvalId)})`,
    );
  }
  if (query.text !== undefined && query.text !== '') {
    const any = spanTextCondition(query.text, bind);
    where.push(`r.trace_id IN (SELECT s.trace_id FROM spans s WHERE s.project_id = $1 AND (${any}))`);
  }
  if (query.hasFindings !== undefined) where.push(`${query.hasFindings ? '' : 'NOT '}${hasFindingsSql('$1')}`);
  const count = { sql: `SELECT count(*) AS n FROM runs r WHERE ${where.join(' AND ')}`, params: [...params] };
  let page = `LIMIT ${bind(query.limit + 1)}`;
  if (isSorted(query)) {
    page += ` OFFSET ${bind(offsetOf(query.cursor))}`;
  } else if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor);
    if (!after) throw new BadInputError('invalid cursor');
    const start = bind(after.startNs);
    where.push(
      `(r.start_ns < ${start}::UBIGINT OR (r.start_ns = ${start}::UBIGINT AND r.trace_id < ${bind(after.traceId)}))`,
    );
  }
  const counted = query.sort?.key === 'severity' ? `, ${FINDING_COUNT_SQL} AS finding_count` : '';
  const sql = `SELECT ${RUN_COLUMNS}${counted} FROM runs r WHERE ${where.join(' AND ')}
ORDER BY ${orderBy(query.sort)} ${page}`;
  return { sql, params, count };
}

/**
 * The overview of `query` in one aggregate over `runs`: the total, each bucket and each agent are one
 * grouping set each; the nearest-rank percentiles are read from each group's sorted durations.
 */
export function buildOverview(projectId: string, query: OverviewQuery): { sql: string; params: DuckDBValue[] } {
  const { fromMs, toMs } = overviewRangeMs(query);
  const count = bucketCount(fromMs, toMs, query.bucketMs);
  const params: DuckDBValue[] = [projectId, query.fromNs, BigInt(toMs) * 1_000_000n, fromMs, query.bucketMs, count];
  const agent = query.agentName === undefined ? '' : ` AND r.agent_name = $${params.push(query.agentName)}`;
  const rank = (p: number) => `greatest(1, ceil(${p / 100}::DOUBLE * count(*)))::BIGINT`;
  const sql = `SELECT
  CASE WHEN GROUPING(bucket) = 0 THEN 'bucket' WHEN GROUPING(agent) = 0 THEN 'agent' ELSE 'total' END AS kind,
  CASE WHEN GROUPING(bucket) = 0 THEN bucket::VARCHAR WHEN GROUPING(agent) = 0 THEN agent ELSE '' END AS key,
  count(*) AS runs, count(*) FILTER (WHERE status = 'error') AS errors,
  list_sort(list(duration_ms))[${rank(50)}] AS p50_ms, list_sort(list(duration_ms))[${rank(95)}] AS p95_ms,
  coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(output_tokens), 0) AS output_tokens,
  count(*) FILTER (WHERE has_findings) AS with_findings, max(start_ns) AS newest_ns
FROM (
  SELECT r.start_ns, r.status, r.input_tokens, r.output_tokens,
    CASE WHEN r.agent_name <> '' THEN r.agent_name WHEN r.service_name <> '' THEN r.service_name ELSE '(unknown)' END AS agent,
    least($6::BIGINT - 1, ((r.start_ns // 1000000)::BIGINT - $4::BIGINT) // $5::BIGINT) AS bucket,
    (r.end_ns::HUGEINT - r.start_ns::HUGEINT)::DOUBLE / 1000000.0::DOUBLE AS duration_ms,
    ${FINDING_COUNT_SQL} > 0 AS has_findings
  FROM runs r WHERE r.project_id = $1 AND r.start_ns >= $2::UBIGINT AND r.start_ns < $3::UBIGINT${agent}
)
GROUP BY GROUPING SETS ((), (bucket), (agent))`;
  return { sql, params };
}

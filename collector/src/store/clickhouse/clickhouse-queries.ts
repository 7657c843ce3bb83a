import type { RunSort } from '@casefile/contract';
import { BadInputError } from '../../errors/errors.js';
import { bucketCount, type OverviewQuery, overviewRangeMs } from '../overview.js';
import { decodeCursor, type RunQuery, type Touch } from '../port.js';
import { storedName, systemTable } from './clickhouse-cluster.js';
import { partitionSeconds, SUMMARY_SELECT } from './clickhouse-rows.js';
import { findingTracesSubquery, spanTextCondition } from './clickhouse-run-search.js';
import { literal, uint } from './sql.js';

/**
 * Read queries over the derived tables. `db` is an already-quoted identifier; every value goes
 * through `literal` / `uint`.
 */

const TOUCH_TABLES = {
  documentId: ['run_documents', 'document_id'],
  toolName: ['run_tools', 'tool_name'],
  approvalId: ['run_approvals', 'approval_id'],
} as const;

/**
 * Traces a lookup key names. With `sinceNs` (no run the query can match starts earlier), only the days
 * from then on are read: a step starts at or after its run, so its lookup row lies in those days.
 */
function touchSubquery(db: string, projectId: string, touch: Touch, sinceNs?: bigint): string {
  const [key, value] = Object.entries(touch)[0] as [keyof typeof TOUCH_TABLES, string];
  const [table, column] = TOUCH_TABLES[key];
  const since = sinceNs === undefined ? '' : ` AND day >= toDate(${literal(utcDate(sinceNs))})`;
  return `SELECT trace_id FROM ${db}.${table} WHERE project_id = ${literal(projectId)} AND ${column} = ${literal(value)}${since}`;
}

function utcDate(ns: bigint): string {
  return new Date(partitionSeconds(ns) * 1000).toISOString().slice(0, 10);
}

/**
 * A slice of start times one listing probe covers: `run_list` rows from the hour of `fromNs` on are
 * merged per trace, and runs whose start falls in `[fromNs, toNs)` are kept.
 */
export interface RunWindow {
  fromNs: bigint;
  toNs?: bigint;
  /** Traces found to have steps before `fromNs`: their start lies in an older window. */
  exclude?: readonly string[];
  /** No step of any run the query can match starts after this (known when the query names its runs). */
  lastNs?: bigint;
}

const hourOf = (ns: bigint) => {
  const s = partitionSeconds(ns);
  return s - (s % 3600);
};

/**
 * `run_list` rows from the hour of `ns` on, and up to the hour of `ns`. Each also names the day
 * partitions: on 18.16 a bound on `hour` alone still reads the last granule of every part of every
 * day (a part's last mark has no upper key), ~20,000 rows for the newest hour of a month-old store.
 */
const sinceHour = (ns: bigint) => `hour >= toDateTime(${uint(hourOf(ns))}) AND day >= toDate(${literal(utcDate(ns))})`;
const untilHour = (ns: bigint) => `hour <= toDateTime(${uint(hourOf(ns))}) AND day <= toDate(${literal(utcDate(ns))})`;

interface RunFilter {
  where: string[];
  having: string[];
}

/** The HAVING conditions on a merged run's summary columns that a query's filters ask for. */
function summaryConditions(query: RunQuery): string[] {
  const having: string[] = [];
  if (query.agentName !== undefined) having.push(`agent_name = ${literal(query.agentName)}`);
  if (query.status !== undefined) having.push(`status = ${literal(query.status)}`);
  if (query.toolName !== undefined) having.push(`has(tool_names, ${literal(query.toolName)})`);
  if (query.promptVersion !== undefined) having.push(`prompt_version = ${literal(query.promptVersion)}`);
  if (query.policyVersion !== undefined) having.push(`policy_version = ${literal(query.policyVersion)}`);
  if (query.model !== undefined) having.push(`has(models, ${literal(query.model)})`);
  return having;
}

/**
 * The WHERE (over `run_list` summary rows) and HAVING (over merged runs) of a query's filters, without its
 * cursor: the sorted list and the count, which merge every matching run.
 */
function runFilter(db: string, projectId: string, query: RunQuery): RunFilter {
  const p = literal(projectId);
  const where = [`project_id = ${p}`];
  const having: string[] = [];
  if (query.fromNs !== undefined) {
    having.push(`start_ns >= ${uint(query.fromNs)}`);
    // A run that starts at or after fromNs has all its summary rows in hours >= that hour, so only
    // those traces are aggregated (over all their rows, so the aggregate stays exact).
    where.push(
      `trace_id IN (SELECT trace_id FROM ${db}.run_list WHERE project_id = ${p} AND ${sinceHour(query.fromNs)})`,
    );
  }
  if (query.toNs !== undefined) having.push(`start_ns < ${uint(query.toNs)}`);
  having.push(...summaryConditions(query));
  if (query.documentId !== undefined) {
    where.push(`trace_id IN (${touchSubquery(db, projectId, { documentId: query.documentId })})`);
  }
  if (query.approvalId !== undefined) {
    where.push(`trace_id IN (${touchSubquery(db, projectId, { approvalId: query.approvalId })})`);
  }
  if (query.text !== undefined && query.text !== '') {
    // Every step of a run starts at or after the run, so a lower time bound prunes partitions.
    const since =
      query.fromNs === undefined ? '' : ` AND start_time >= toDateTime(${uint(partitionSeconds(query.fromNs))})`;
    where.push(
      `trace_id IN (SELECT trace_id FROM ${db}.spans WHERE project_id = ${p}${since} AND (${spanTextCondition(query.text)}))`,
    );
  }
  if (query.hasFindings !== undefined) {
    // A filter on the findings table itself (not on the counts added to a page afterwards), so
    // pages stay full and the cursor stays exact.
    where.push(`trace_id ${query.hasFindings ? 'IN' : 'NOT IN'} (${findingTracesSubquery(db, projectId)})`);
  }
  return { where, having };
}

const havingClause = (having: readonly string[]) => (having.length > 0 ? `\nHAVING ${having.join(' AND ')}` : '');

/** The filters evaluated on a run's merged summary: they need every `run_list` row of the run. */
const STATE_FILTERS = {
  agentName: 'argMinMerge(agent_name_s) AS agent_name',
  status: "if(maxMerge(error_s) = 1, 'error', 'ok') AS status",
  toolName: "arraySort(arrayFilter(x -> x != '', groupUniqArrayMerge(tools_s))) AS tool_names",
  promptVersion: 'argMinMerge(prompt_version_s) AS prompt_version',
  policyVersion: 'argMinMerge(policy_version_s) AS policy_version',
  model: "arraySort(arrayFilter(x -> x != '', groupUniqArrayArrayMerge(models_s))) AS models",
} as const;

/**
 * Which runs a page lists, newest first: trace IDs and start times only, merged from `run_list` over
 * the probe window's hours. Only the start state is read, plus the states the query filters on; the
 * full summaries of the page's runs are merged afterwards (`runSummariesSql`).
 *
 * A run that starts in the window has its earliest row in the window's hours, and a row of a later hour
 * starts later, so without a filter on merged states the read stops at the window's last hour. A filter on
 * merged states (agent, status, tool …) needs every row of a run: then the rows from the window's first hour
 * on are read, for the traces that have a row in the window's hours only (PREWHERE). Without a window (the
 * last probe, reaching the store's first run) no trace can have begun earlier.
 */
export function pageRunsSql(db: string, projectId: string, query: RunQuery, window?: RunWindow): string {
  const p = literal(projectId);
  const columns = ['trace_id', 'minMerge(start_s) AS start_ns'];
  for (const [key, expr] of Object.entries(STATE_FILTERS)) {
    if (query[key as keyof typeof STATE_FILTERS] !== undefined) columns.push(expr);
  }
  const allRows = columns.length > 2;
  const where = [`project_id = ${p}`];
  const having: string[] = [];
  let prewhere = '';
  const lo = window ? sinceHour(window.fromNs) : undefined;
  const hiNs = window?.toNs ?? query.toNs;
  const hi = hiNs === undefined ? undefined : untilHour(hiNs > 0n ? hiNs - 1n : 0n);
  if (lo) where.push(lo);
  if (window?.lastNs !== undefined) where.push(untilHour(window.lastNs));
  else if (hi && !allRows) where.push(hi);
  else if (hi && allRows) {
    prewhere = `PREWHERE trace_id IN (SELECT trace_id FROM ${db}.run_list WHERE project_id = ${p}${lo ? ` AND ${lo}` : ''} AND ${hi})\n`;
  }
  if (window?.exclude && window.exclude.length > 0) {
    where.push(`trace_id NOT IN (${window.exclude.map(literal).join(', ')})`);
  }
  if (window) having.push(`start_ns >= ${uint(window.fromNs)}`);
  if (window?.toNs !== undefined) having.push(`start_ns < ${uint(window.toNs)}`);
  if (query.fromNs !== undefined) having.push(`start_ns >= ${uint(query.fromNs)}`);
  if (query.toNs !== undefined) having.push(`start_ns < ${uint(query.toNs)}`);
  having.push(...summaryConditions(query));
  // Every step of a run starts at or after the run, so the window's (else the query's) lower bound
  // prunes the day partitions of the lookups and of the spans a text search reads.
  const lower = window && !(query.fromNs !== undefined && query.fromNs > window.fromNs) ? window.fromNs : query.fromNs;
  if (query.documentId !== undefined) {
    where.push(`trace_id IN (${touchSubquery(db, projectId, { documentId: query.documentId }, lower)})`);
  }
  if (query.approvalId !== undefined) {
    where.push(`trace_id IN (${touchSubquery(db, projectId, { approvalId: query.approvalId }, lower)})`);
  }
  if (query.text !== undefined && query.text !== '') {
    const since = lower === undefined ? '' : ` AND start_time >= toDateTime(${uint(partitionSeconds(lower))})`;
    where.push(
      `trace_id IN (SELECT trace_id FROM ${db}.spans WHERE project_id = ${p}${since} AND (${spanTextCondition(query.text)}))`,
    );
  }
  if (query.hasFindings !== undefined) {
    where.push(`trace_id ${query.hasFindings ? 'IN' : 'NOT IN'} (${findingTracesSubquery(db, projectId)})`);
  }
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor);
    if (!after) throw new BadInputError('invalid cursor');
    const start = uint(after.startNs);
    having.push(`(start_ns < ${start} OR (start_ns = ${start} AND trace_id < ${literal(after.traceId)}))`);
  }
  return `SELECT ${columns.join(', ')}
FROM ${db}.run_list ${prewhere}WHERE ${where.join(' AND ')}
GROUP BY trace_id${havingClause(having)}
ORDER BY start_ns DESC, trace_id DESC
LIMIT ${uint(query.limit + 1)}`;
}

/**
 * The full summaries (and run names) of listed runs, merged from `run_list`: every row of a run lies in
 * the hours from its start on, so the read starts at the hour of the earliest listed start and, past
 * the trace-ID column, touches only the granules that hold the listed runs. With `toNs`, the latest
 * step start of all of them, it also ends there.
 */
export function runSummariesSql(
  db: string,
  projectId: string,
  traceIds: readonly string[],
  fromNs: bigint,
  toNs?: bigint,
): string {
  const upper = toNs === undefined ? '' : ` AND ${untilHour(toNs)}`;
  return `SELECT ${SUMMARY_SELECT}, argMinMerge(run_name_s) AS run_name
FROM ${db}.run_list PREWHERE trace_id IN (${traceIds.map(literal).join(', ')})
WHERE project_id = ${literal(projectId)} AND ${sinceHour(fromNs)}${upper}
GROUP BY trace_id`;
}

/** First and last step start of each of the traces a lookup key names (from `trace_starts`). */
export function touchedTraceTimesSql(db: string, projectId: string, touch: Touch): string {
  return `SELECT trace_id, toString(minMerge(min_start)) AS lo, toString(maxMerge(max_start)) AS hi
FROM ${db}.trace_starts WHERE project_id = ${literal(projectId)} AND trace_id IN (${touchSubquery(db, projectId, touch)})
GROUP BY trace_id`;
}

// Worst open severity of a run's findings row: 0 none, 1 low … 4 critical (as `severityRank`).
const WORST_OPEN_RANK = `arrayReduce('max', arrayPushBack(arrayMap((s, st) -> if(st = 'open', indexOf(['low', 'medium', 'high', 'critical'], s), 0), severities, statuses), 0))`;

/** ORDER BY of a sorted list (see `compareRuns`); ties newest first. */
function sortOrder(sort: RunSort): string {
  const dir = sort.descending ? 'DESC' : 'ASC';
  switch (sort.key) {
    case 'start':
      return `start_ns ${dir}, trace_id ${dir}`;
    case 'duration':
      return `end_ns - start_ns ${dir}, start_ns DESC, trace_id DESC`;
    case 'tokens':
      return `input_tokens + output_tokens ${dir}, start_ns DESC, trace_id DESC`;
    case 'severity':
      return `sort_rank ${dir}, sort_count ${dir}, start_ns DESC, trace_id DESC`;
  }
}

/**
 * A page of runs in another order than newest first: every matching run is merged and ordered
 * (for `severity`, joined to its findings row), then `limit + 1` are taken from `offset` on.
 */
export function sortedRunsSql(
  db: string,
  projectId: string,
  query: RunQuery & { sort: RunSort },
  offset: number,
): string {
  const { where, having } = runFilter(db, projectId, query);
  const runs = `SELECT ${SUMMARY_SELECT}
FROM ${db}.run_list WHERE ${where.join(' AND ')}
GROUP BY trace_id${havingClause(having)}`;
  const page = `ORDER BY ${sortOrder(query.sort)}\nLIMIT ${uint(offset)}, ${uint(query.limit + 1)}`;
  if (query.sort.key !== 'severity') return `${runs}\n${page}`;
  return `SELECT * FROM (${runs})
ANY LEFT JOIN (SELECT trace_id, open_count AS sort_count, ${WORST_OPEN_RANK} AS sort_rank
FROM ${db}.findings FINAL WHERE project_id = ${literal(projectId)}) USING trace_id
${page}`;
}

/** How many runs match the query's filters. */
export function countRunsSql(db: string, projectId: string, query: RunQuery): string {
  const { where, having } = runFilter(db, projectId, query);
  if (having.length === 0) {
    return `SELECT uniqExact(trace_id) AS n FROM ${db}.run_list WHERE ${where.join(' AND ')}`;
  }
  return `SELECT count() AS n FROM (SELECT ${SUMMARY_SELECT}
FROM ${db}.run_list WHERE ${where.join(' AND ')}
GROUP BY trace_id${havingClause(having)})`;
}

/**
 * Of the newest `n` `run_list` rows in `[fromNs, toNs)`: how many, the oldest and newest hour (seconds).
 * `sinceDay` (an SQL Date expression) limits the read to the day partitions from that day on; a probe so
 * limited that finds fewer than `n` rows says nothing about older days.
 */
export function newestHoursSql(
  db: string,
  projectId: string,
  fromNs: bigint,
  toNs: bigint | undefined,
  n: number,
  sinceDay?: string,
): string {
  const upper = toNs === undefined ? '' : ` AND ${untilHour(toNs > 0n ? toNs - 1n : 0n)}`;
  const days = sinceDay === undefined ? '' : ` AND day >= ${sinceDay}`;
  return `SELECT count() AS n, min(h) AS lo, max(h) AS hi FROM (
SELECT toUInt32(hour) AS h FROM ${db}.run_list WHERE project_id = ${literal(projectId)} AND ${sinceHour(fromNs)}${upper}${days}
ORDER BY hour DESC LIMIT ${uint(n)})`;
}

/**
 * The newest day any `run_list` part holds (of every project), from the parts' metadata: where the
 * newest runs most likely are, found without reading a row.
 */
export function newestPartDaySql(database: string, cluster: string | undefined): string {
  return `SELECT toString(max(max_date)) AS day FROM ${systemTable('parts', cluster)}
WHERE database = ${literal(database)} AND table = ${literal(storedName('run_list', cluster))} AND active`;
}

/** First and last step start of each of these traces (from `trace_starts`, every day). */
export function traceStartsSql(db: string, projectId: string, traceIds: readonly string[]): string {
  return `SELECT trace_id, toString(minMerge(min_start)) AS lo, toString(maxMerge(max_start)) AS hi
FROM ${db}.trace_starts WHERE project_id = ${literal(projectId)} AND trace_id IN (${traceIds.map(literal).join(', ')})
GROUP BY trace_id`;
}

/**
 * The overview of `query` in one statement. The runs that start in the range are merged from
 * `run_list` over the hours from the range's first on (a run's rows lie in the hours its steps start
 * in, so these hold all of it), only for traces with a row in the range's hours; a trace whose start
 * (from `trace_starts`) is before the range began before it and is left out. Each run is then counted three times (total,
 * its bucket, its agent) by ARRAY JOIN, and every group's figures come from one GROUP BY; the
 * nearest-rank percentiles are read from each group's sorted durations.
 */
export function overviewSql(db: string, projectId: string, query: OverviewQuery): string {
  const p = literal(projectId);
  const { fromMs, toMs } = overviewRangeMs(query);
  const count = bucketCount(fromMs, toMs, query.bucketMs);
  const toNs = BigInt(toMs) * 1_000_000n;
  const firstHour = `toDateTime(${uint(hourOf(query.fromNs))})`;
  const inHours = `${sinceHour(query.fromNs)} AND ${untilHour(toNs > 0n ? toNs - 1n : 0n)}`;
  const having = [`start_ns >= ${uint(query.fromNs)}`, `start_ns < ${uint(toNs)}`];
  if (query.agentName !== undefined) having.push(`agent_name = ${literal(query.agentName)}`);
  const rank = (q: number) => `toUInt64(greatest(1, ceil(${q / 100} * count())))`;
  const inRange = `SELECT trace_id FROM ${db}.run_list WHERE project_id = ${p} AND ${inHours}`;
  // Of the range's traces, those with a step before the range: their start states up to the range's
  // first day (trace_starts is ordered by trace), not the trace column of every earlier hour.
  const startedBefore = `SELECT trace_id FROM ${db}.trace_starts WHERE project_id = ${p} AND trace_id IN (${inRange})
    AND day <= toDate(${firstHour}) GROUP BY trace_id HAVING minMerge(min_start) < ${uint(query.fromNs)}`;
  return `SELECT kind, key, count() AS runs, countIf(status = 'error') AS errors,
  arraySort(groupArray(duration_ms))[${rank(50)}] AS p50_ms, arraySort(groupArray(duration_ms))[${rank(95)}] AS p95_ms,
  sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
  countIf(has_findings = 1) AS with_findings, toString(max(start_ns)) AS newest_ns
FROM (
  SELECT start_ns, if(errored = 1, 'error', 'ok') AS status, input_tokens, output_tokens,
    if(end_ns >= start_ns, toFloat64(end_ns - start_ns), -toFloat64(start_ns - end_ns)) / 1000000 AS duration_ms,
    trace_id IN (${findingTracesSubquery(db, projectId)}) AS has_findings,
    toString(least(${uint(count - 1)}, intDiv(intDiv(start_ns, 1000000) - ${uint(fromMs)}, ${uint(query.bucketMs)}))) AS bucket,
    if(agent_name != '', agent_name, if(service_name != '', service_name, '(unknown)')) AS agent
  FROM (
    SELECT trace_id, minMerge(start_s) AS start_ns, maxMerge(end_s) AS end_ns, maxMerge(error_s) AS errored,
      argMinMerge(agent_name_s) AS agent_name, argMinMerge(service_name_s) AS service_name,
      arraySum(arrayMap(t -> t.2, groupUniqArrayMerge(tokens_s))) AS input_tokens,
      arraySum(arrayMap(t -> t.3, groupUniqArrayMerge(tokens_s))) AS output_tokens
    FROM ${db}.run_list
    PREWHERE trace_id IN (${inRange})
    WHERE project_id = ${p} AND ${sinceHour(query.fromNs)}
    GROUP BY trace_id
    HAVING ${having.join(' AND ')}
  )
  WHERE trace_id NOT IN (${startedBefore})
)
ARRAY JOIN ['total', 'bucket', 'agent'] AS kind, ['', bucket, agent] AS key
GROUP BY kind, key`;
}

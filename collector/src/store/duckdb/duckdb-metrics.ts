import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { checkBucket, countsRuns, maxValuesOf, TOP_LABELS } from '../metric-rules.js';
import {
  METRIC_KINDS,
  type MetricPoint,
  type MetricSample,
  type MetricSampleQuery,
  type MetricSeriesQuery,
  type VersionDimension,
  type VersionSeen,
} from '../metrics.js';
import { observationsSql } from './duckdb-metric-observations.js';
import { type Row, readRows } from './duckdb-read.js';

/**
 * Behaviour metrics on DuckDB: aggregate queries over `spans`, `runs` and `findings`. The
 * observations of a metric are one subquery (`duckdb-metric-observations.ts`); here they are counted,
 * averaged, ranked or sampled. Quantiles are exact (`quantile_cont`).
 */

const rows = (conn: DuckDBConnection, sql: string, params?: DuckDBValue[]): Promise<Row[]> =>
  readRows(conn, sql, params, 'DuckDB metric query failed');

export async function metricSample(
  conn: DuckDBConnection,
  projectId: string,
  query: MetricSampleQuery,
): Promise<MetricSample> {
  const max = maxValuesOf(query.maxValues);
  const obs = observationsSql(projectId, query);
  switch (METRIC_KINDS[query.metric]) {
    case 'numeric': {
      // Uniform and deterministic: the observations with the smallest hashes of their IDs.
      const limit = obs.bind(max);
      const sql = `WITH obs AS (${obs.sql})
SELECT (SELECT count(*) FROM obs) AS total,
  (SELECT list(v ORDER BY v) FROM (SELECT v FROM obs ORDER BY hash(k), k, v LIMIT ${limit})) AS vals`;
      const [row] = await rows(conn, sql, obs.params);
      const values = ((row?.vals as number[] | null) ?? []).map(Number);
      return { kind: 'numeric', values, total: Number(row?.total ?? 0) };
    }
    case 'categorical': {
      const perRun = countsRuns(query.metric);
      // One statement: the run count sees the same writes as the label counts it is the base of.
      const sql = `WITH obs AS (${obs.sql})
SELECT label, count(*) AS c${perRun ? ', (SELECT count(DISTINCT k) FROM obs) AS runs' : ''}
FROM obs GROUP BY label ORDER BY c DESC, label`;
      const found = await rows(conn, sql, obs.params);
      const counts = found.map((r) => [String(r.label), Number(r.c)] as [string, number]);
      return perRun
        ? { kind: 'categorical', counts, runs: Number(found[0]?.runs ?? 0) }
        : { kind: 'categorical', counts };
    }
    case 'rate': {
      const sql = `SELECT count(*) FILTER (WHERE ok) AS successes, count(*) AS trials FROM (${obs.sql})`;
      const [row] = await rows(conn, sql, obs.params);
      return { kind: 'rate', successes: Number(row?.successes ?? 0), trials: Number(row?.trials ?? 0) };
    }
    default: {
      const [row] = await rows(conn, `SELECT count(*) AS n FROM (${obs.sql})`, obs.params);
      return { kind: 'count', count: Number(row?.n ?? 0) };
    }
  }
}

export async function metricSeries(
  conn: DuckDBConnection,
  projectId: string,
  query: MetricSeriesQuery,
): Promise<MetricPoint[]> {
  checkBucket(query.bucketNs);
  const obs = observationsSql(projectId, query);
  const width = `${obs.bind(query.bucketNs)}::UBIGINT`;
  const bucketed = `SELECT *, t - t % ${width} AS b FROM (${obs.sql})`;
  switch (METRIC_KINDS[query.metric]) {
    case 'numeric': {
      const sql = `SELECT b, count(*) AS n, avg(v) AS mean, quantile_cont(v, 0.5) AS p50, quantile_cont(v, 0.95) AS p95
FROM (${bucketed}) GROUP BY b ORDER BY b`;
      return (await rows(conn, sql, obs.params)).map((r) => ({
        startNs: BigInt(r.b as bigint),
        count: Number(r.n),
        value: Number(r.mean),
        p50: Number(r.p50),
        p95: Number(r.p95),
      }));
    }
    case 'categorical': {
      const perRun = countsRuns(query.metric);
      const sql = `SELECT t.b, label, c, total${perRun ? ', u.runs' : ''} FROM (
  SELECT b, label, c, sum(c) OVER (PARTITION BY b) AS total, row_number() OVER (PARTITION BY b ORDER BY c DESC, label) AS rn
  FROM (SELECT b, label, count(*) AS c FROM (${bucketed}) GROUP BY b, label)
) t${perRun ? ` JOIN (SELECT b, count(DISTINCT k) AS runs FROM (${bucketed}) GROUP BY b) u ON u.b = t.b` : ''}
WHERE rn <= ${TOP_LABELS} ORDER BY t.b, rn`;
      const points: MetricPoint[] = [];
      for (const r of await rows(conn, sql, obs.params)) {
        const startNs = BigInt(r.b as bigint);
        let point = points[points.length - 1];
        if (point?.startNs !== startNs) {
          const of = perRun ? Number(r.runs) : Number(r.total);
          point = {
            startNs,
            count: Number(r.total),
            value: Number(r.c) / of,
            top: [],
            ...(perRun ? { runs: of } : {}),
          };
          points.push(point);
        }
        point.top?.push([String(r.label), Number(r.c)]);
      }
      return points;
    }
    case 'rate': {
      const sql = `SELECT b, count(*) AS n, count(*) FILTER (WHERE ok) AS successes FROM (${bucketed}) GROUP BY b ORDER BY b`;
      return (await rows(conn, sql, obs.params)).map((r) => ({
        startNs: BigInt(r.b as bigint),
        count: Number(r.n),
        value: Number(r.successes) / Number(r.n),
        successes: Number(r.successes),
      }));
    }
    default: {
      const sql = `SELECT b, count(*) AS n FROM (${bucketed}) GROUP BY b ORDER BY b`;
      return (await rows(conn, sql, obs.params)).map((r) => ({
        startNs: BigInt(r.b as bigint),
        count: Number(r.n),
        value: Number(r.n),
      }));
    }
  }
}

export async function listVersions(
  conn: DuckDBConnection,
  projectId: string,
  agentName: string,
  dimension: VersionDimension,
): Promise<VersionSeen[]> {
  const params: DuckDBValue[] = agentName === '' ? [projectId] : [projectId, agentName];
  const agent = agentName === '' ? '' : 'AND r.agent_name = $2';
  const value =
    dimension === 'model' ? 'unnest(r.models)' : dimension === 'prompt' ? 'r.prompt_version' : 'r.policy_version';
  const sql = `SELECT value, min(start_ns) AS first_ns, max(start_ns) AS last_ns, count(DISTINCT trace_id) AS runs
FROM (SELECT ${value} AS value, r.start_ns, r.trace_id FROM runs r WHERE r.project_id = $1 ${agent})
WHERE value <> '' GROUP BY value ORDER BY first_ns, value`;
  return (await rows(conn, sql, params)).map((r) => ({
    value: String(r.value),
    firstNs: BigInt(r.first_ns as bigint),
    lastNs: BigInt(r.last_ns as bigint),
    runs: Number(r.runs),
  }));
}

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
import type { FindingsContext } from './clickhouse-findings.js';
import { observationsSql } from './clickhouse-metric-observations.js';
import { literal, uint } from './sql.js';

/**
 * Behaviour metrics on ClickHouse (18.16 subset): aggregate queries over the span and summary tables.
 * The observations of a metric are one subquery (`clickhouse-metric-observations.ts`); here they are
 * counted, ranked (`LIMIT n BY` stands in for window functions), sampled by `cityHash64` of their IDs,
 * or bucketed. Series quantiles use `quantiles`, a reservoir of 8,192 values per bucket: exact (and
 * interpolated like DuckDB's `quantile_cont`) up to that many values, approximate above.
 */

export type MetricsContext = FindingsContext;

export async function metricSample(
  ctx: MetricsContext,
  projectId: string,
  query: MetricSampleQuery,
): Promise<MetricSample> {
  const max = maxValuesOf(query.maxValues);
  const obs = observationsSql(ctx.db, projectId, query);
  switch (METRIC_KINDS[query.metric]) {
    case 'numeric': {
      const [[total], values] = await Promise.all([
        ctx.select(`SELECT count() AS n FROM (${obs})`),
        max === 0
          ? Promise.resolve([])
          : ctx.select(`SELECT v FROM (${obs}) ORDER BY cityHash64(k), k, v LIMIT ${uint(max)}`),
      ]);
      return {
        kind: 'numeric',
        values: values.map((r) => Number(r.v)).sort((a, b) => a - b),
        total: Number(total?.n ?? 0),
      };
    }
    case 'categorical': {
      const perRun = countsRuns(query.metric);
      // The run count comes from the same scan as the label counts: two queries can each see a
      // different moment of a write that is landing (labels of 40 runs and a run count of 0, or
      // the other way round), and the shares of such a sample mean nothing.
      const rows = await ctx.select(
        perRun
          ? `SELECT label, c, runs FROM (
  SELECT groupArray(label) AS labels, groupArray(c) AS cs, uniqExactMerge(r) AS runs FROM (
    SELECT label, count() AS c, uniqExactState(k) AS r FROM (${obs}) GROUP BY label
  )
) ARRAY JOIN labels AS label, cs AS c ORDER BY c DESC, label`
          : `SELECT label, count() AS c FROM (${obs}) GROUP BY label ORDER BY c DESC, label`,
      );
      const counts = rows.map((r) => [String(r.label), Number(r.c)] as [string, number]);
      return perRun
        ? { kind: 'categorical', counts, runs: Number(rows[0]?.runs ?? 0) }
        : { kind: 'categorical', counts };
    }
    case 'rate': {
      const [row] = await ctx.select(`SELECT countIf(ok = 1) AS successes, count() AS trials FROM (${obs})`);
      return { kind: 'rate', successes: Number(row?.successes ?? 0), trials: Number(row?.trials ?? 0) };
    }
    default: {
      const [row] = await ctx.select(`SELECT count() AS n FROM (${obs})`);
      return { kind: 'count', count: Number(row?.n ?? 0) };
    }
  }
}

export async function metricSeries(
  ctx: MetricsContext,
  projectId: string,
  query: MetricSeriesQuery,
): Promise<MetricPoint[]> {
  checkBucket(query.bucketNs);
  const width = uint(query.bucketNs);
  const bucketed = `SELECT *, t - t % ${width} AS b FROM (${observationsSql(ctx.db, projectId, query)})`;
  const startOf = (r: Record<string, unknown>) => BigInt(String(r.b));
  switch (METRIC_KINDS[query.metric]) {
    case 'numeric': {
      const rows = await ctx.select(`SELECT b, count() AS n, avg(v) AS mean, quantiles(0.5, 0.95)(v) AS q
FROM (${bucketed}) GROUP BY b ORDER BY b`);
      return rows.map((r) => {
        const [p50, p95] = (r.q as number[]).map(Number);
        return { startNs: startOf(r), count: Number(r.n), value: Number(r.mean), p50, p95 };
      });
    }
    case 'categorical': {
      const perRun = countsRuns(query.metric);
      // One scan: a bucket's total, its run count and its top labels from the same rows (two queries
      // can each see a different moment of a write that is landing). Labels are ranked per bucket
      // by count, then label, as (count, label) pairs.
      const rows = await ctx.select(`SELECT b, sum(c) AS n${perRun ? ', uniqExactMerge(r) AS runs' : ''},
  arraySlice(arraySort(x -> (-toInt64(tupleElement(x, 2)), tupleElement(x, 1)), groupArray((label, c))), 1, ${uint(TOP_LABELS)}) AS top
FROM (SELECT b, label, count() AS c${perRun ? ', uniqExactState(k) AS r' : ''} FROM (${bucketed}) GROUP BY b, label)
GROUP BY b ORDER BY b`);
      return rows.map((r) => {
        const list = (r.top as Array<[unknown, unknown]>).map(
          ([label, c]) => [String(label), Number(c)] as [string, number],
        );
        const count = Number(r.n);
        const of = perRun ? Number(r.runs) : count;
        return {
          startNs: startOf(r),
          count,
          value: (list[0]?.[1] ?? 0) / of,
          top: list,
          ...(perRun ? { runs: of } : {}),
        };
      });
    }
    case 'rate': {
      const rows = await ctx.select(
        `SELECT b, count() AS n, countIf(ok = 1) AS successes FROM (${bucketed}) GROUP BY b ORDER BY b`,
      );
      return rows.map((r) => ({
        startNs: startOf(r),
        count: Number(r.n),
        value: Number(r.successes) / Number(r.n),
        successes: Number(r.successes),
      }));
    }
    default: {
      const rows = await ctx.select(`SELECT b, count() AS n FROM (${bucketed}) GROUP BY b ORDER BY b`);
      return rows.map((r) => ({ startNs: startOf(r), count: Number(r.n), value: Number(r.n) }));
    }
  }
}

export async function listVersions(
  ctx: MetricsContext,
  projectId: string,
  agentName: string,
  dimension: VersionDimension,
): Promise<VersionSeen[]> {
  const value =
    dimension === 'model'
      ? "arrayJoin(arrayFilter(x -> x != '', groupUniqArrayArrayMerge(models_s)))"
      : `argMinMerge(${dimension === 'prompt' ? 'prompt' : 'policy'}_version_s)`;
  const agent = agentName === '' ? '' : `HAVING argMinMerge(agent_name_s) = ${literal(agentName)}`;
  const rows = await ctx.select(`SELECT value, min(t) AS first_ns, max(t) AS last_ns, count() AS runs FROM (
  SELECT trace_id, minMerge(start_s) AS t, ${value} AS value
  FROM ${ctx.db}.run_list WHERE project_id = ${literal(projectId)} GROUP BY trace_id ${agent}
) WHERE value != '' GROUP BY value ORDER BY first_ns, value`);
  return rows.map((r) => ({
    value: String(r.value),
    firstNs: BigInt(String(r.first_ns)),
    lastNs: BigInt(String(r.last_ns)),
    runs: Number(r.runs),
  }));
}

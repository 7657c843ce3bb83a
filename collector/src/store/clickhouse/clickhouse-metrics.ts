import type {
  MetricPoint,
  MetricSample,
  MetricSampleQuery,
  MetricSeriesQuery,
  VersionDimension,
  VersionSeen,
} from '../metrics.js';
import type { FindingsContext } from './clickhouse-findings.js';

/** Behaviour metrics on ClickHouse (18.16 subset): aggregate queries over the span and summary tables. */

export type MetricsContext = FindingsContext;

export async function metricSample(
  _ctx: MetricsContext,
  _projectId: string,
  query: MetricSampleQuery,
): Promise<MetricSample> {
  throw new Error(`metric ${query.metric} is not available on ClickHouse yet`);
}

export async function metricSeries(
  _ctx: MetricsContext,
  _projectId: string,
  query: MetricSeriesQuery,
): Promise<MetricPoint[]> {
  throw new Error(`metric ${query.metric} is not available on ClickHouse yet`);
}

export async function listVersions(
  _ctx: MetricsContext,
  _projectId: string,
  _agentName: string,
  dimension: VersionDimension,
): Promise<VersionSeen[]> {
  throw new Error(`${dimension} versions are not available on ClickHouse yet`);
}

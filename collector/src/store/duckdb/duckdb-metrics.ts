import type { DuckDBConnection } from '@duckdb/node-api';
import type {
  MetricPoint,
  MetricSample,
  MetricSampleQuery,
  MetricSeriesQuery,
  VersionDimension,
  VersionSeen,
} from '../metrics.js';

/** Behaviour metrics on DuckDB: aggregate queries over `steps`, `runs` and `findings`. */

export async function metricSample(
  _conn: DuckDBConnection,
  _projectId: string,
  query: MetricSampleQuery,
): Promise<MetricSample> {
  throw new Error(`metric ${query.metric} is not available on DuckDB yet`);
}

export async function metricSeries(
  _conn: DuckDBConnection,
  _projectId: string,
  query: MetricSeriesQuery,
): Promise<MetricPoint[]> {
  throw new Error(`metric ${query.metric} is not available on DuckDB yet`);
}

export async function listVersions(
  _conn: DuckDBConnection,
  _projectId: string,
  _agentName: string,
  dimension: VersionDimension,
): Promise<VersionSeen[]> {
  throw new Error(`${dimension} versions are not available on DuckDB yet`);
}

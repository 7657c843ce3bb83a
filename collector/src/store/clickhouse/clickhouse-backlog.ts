import type { PendingDetection, PendingDetectionQuery } from '../port.js';
import type { Row } from './clickhouse-rows.js';
import type { Migration } from './migration.js';
import { literal, uint } from './sql.js';

/**
 * The detection backlog on ClickHouse. `run_writes` gets one row per (insert, trace) from a
 * materialized view over `spans`, stamped with the insert's `version` (the collector's strictly
 * increasing write time), so an insert that succeeded is pending detection with no second write
 * to lose. `detection_marks` holds the write time each run was detected at. Both are partitioned
 * by the UTC day of that write time, so a scan of recent writes reads only recent partitions.
 * A run is pending while its newest mark is older than its newest write.
 */
export const BACKLOG_MIGRATION: Migration = {
  version: 5,
  name: 'detection backlog: run write times, detection marks',
  statements: (db) => [
    `CREATE TABLE IF NOT EXISTS ${db}.run_writes (project_id String, trace_id String, written_ns UInt64, day Date)
ENGINE = ReplacingMergeTree(written_ns) PARTITION BY toYYYYMMDD(day) ORDER BY (project_id, trace_id)`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.run_writes_mv TO ${db}.run_writes AS
SELECT project_id, trace_id, max(version) AS written_ns, ${dayOf('max(version)')} AS day
FROM ${db}.spans GROUP BY project_id, trace_id`,
    `CREATE TABLE IF NOT EXISTS ${db}.detection_marks (
  project_id String, trace_id String, written_ns UInt64, day Date DEFAULT ${dayOf('written_ns')}
) ENGINE = ReplacingMergeTree(written_ns) PARTITION BY toYYYYMMDD(day) ORDER BY (project_id, trace_id)`,
  ],
};

function dayOf(nsExpr: string): string {
  return `toDate(toDateTime(intDiv(${nsExpr}, 1000000000), 'UTC'))`;
}

/** Runs written since `sinceNs` with their newest write and newest mark (0 when never detected). */
function pendingFrom(db: string, sinceNs: bigint, untilNs: bigint): string {
  const since = uint(sinceNs);
  const days = `day >= ${dayOf(since)} AND written_ns >= ${since}`;
  return `FROM (
  SELECT project_id, trace_id, max(written_ns) AS w FROM ${db}.run_writes WHERE ${days} GROUP BY project_id, trace_id
) ANY LEFT JOIN (
  SELECT project_id, trace_id, max(written_ns) AS m FROM ${db}.detection_marks WHERE ${days} GROUP BY project_id, trace_id
) USING (project_id, trace_id)
WHERE m < w AND w <= ${uint(untilNs)}`;
}

export function pendingSql(db: string, q: PendingDetectionQuery): string {
  return `SELECT project_id, trace_id, toString(w) AS written ${pendingFrom(db, q.sinceNs, q.untilNs)}
ORDER BY w, project_id, trace_id LIMIT ${uint(q.limit)}`;
}

export function countPendingSql(db: string, q: Omit<PendingDetectionQuery, 'limit'>): string {
  return `SELECT count() AS runs, toString(min(w)) AS oldest ${pendingFrom(db, q.sinceNs, q.untilNs)}`;
}

export function toPending(r: Row): PendingDetection {
  return { projectId: String(r.project_id), traceId: String(r.trace_id), writtenNs: BigInt(String(r.written)) };
}

export function markSql(db: string, marks: readonly PendingDetection[]): string {
  const values = marks.map((m) => `(${literal(m.projectId)}, ${literal(m.traceId)}, ${uint(m.writtenNs)})`);
  return `INSERT INTO ${db}.detection_marks (project_id, trace_id, written_ns) VALUES ${values.join(', ')}`;
}

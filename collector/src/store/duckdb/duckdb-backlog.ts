import type { PendingDetectionQuery } from '../port.js';

/**
 * The detection backlog on DuckDB. `run_writes` holds each run's latest write time, set in the
 * write transaction itself (so a write that committed is always pending detection), and
 * `detection_marks` the write time each run was last detected at. A run is pending while its mark
 * is older than its latest write.
 */
export const BACKLOG_MIGRATION = {
  version: 4,
  name: 'detection backlog: run write times, detection marks',
  statements: [
    `CREATE TABLE run_writes (
  project_id VARCHAR NOT NULL, trace_id VARCHAR NOT NULL, written_ns UBIGINT NOT NULL,
  PRIMARY KEY (project_id, trace_id)
)`,
    `CREATE TABLE detection_marks (
  project_id VARCHAR NOT NULL, trace_id VARCHAR NOT NULL, written_ns UBIGINT NOT NULL,
  PRIMARY KEY (project_id, trace_id)
)`,
    // Runs written before the backlog existed count as detected: the old worker examined them.
    'INSERT INTO run_writes SELECT project_id, trace_id, 0 FROM runs',
    'INSERT INTO detection_marks SELECT project_id, trace_id, 0 FROM runs',
  ],
};

/**
 * Run inside the write transaction, after `affected` is filled; the second takes $1 = the write time.
 * A delete and a plain insert, not INSERT OR REPLACE: DuckDB's conflict path costs several times more
 * (see `writeRows` in the store).
 */
export const STAMP_WRITES: readonly string[] = [
  'DELETE FROM run_writes USING affected a WHERE run_writes.project_id = a.project_id AND run_writes.trace_id = a.trace_id',
  'INSERT INTO run_writes SELECT project_id, trace_id, $1::UBIGINT FROM affected',
];

const PENDING_FROM = `FROM run_writes w LEFT JOIN detection_marks m ON m.project_id = w.project_id AND m.trace_id = w.trace_id
WHERE w.written_ns >= $1::UBIGINT AND w.written_ns <= $2::UBIGINT AND (m.written_ns IS NULL OR m.written_ns < w.written_ns)`;

export function pendingSql(q: PendingDetectionQuery): { sql: string; params: [bigint, bigint, number] } {
  return {
    sql: `SELECT w.project_id, w.trace_id, w.written_ns ${PENDING_FROM}
ORDER BY w.written_ns, w.project_id, w.trace_id LIMIT $3`,
    params: [q.sinceNs, q.untilNs, q.limit],
  };
}

export const COUNT_PENDING = `SELECT count(*) AS runs, min(w.written_ns) AS oldest ${PENDING_FROM}`;

/**
 * One statement for up to `rows` marks (a run at most once: DuckDB refuses two conflicting rows in
 * one upsert). A mark never moves back: an older write's mark leaves a later one in place.
 */
export function upsertMarks(rows: number): string {
  const values = Array.from({ length: rows }, (_, i) => `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3}::UBIGINT)`);
  return `INSERT INTO detection_marks VALUES ${values.join(', ')}
ON CONFLICT (project_id, trace_id) DO UPDATE SET written_ns = greatest(detection_marks.written_ns, excluded.written_ns)`;
}

/** In the purge transaction: a run retention removed entirely has nothing left to detect. */
export const PURGE_BACKLOG = [
  'DELETE FROM run_writes w WHERE w.project_id = $1 AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.project_id = w.project_id AND r.trace_id = w.trace_id)',
  'DELETE FROM detection_marks m WHERE m.project_id = $1 AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.project_id = m.project_id AND r.trace_id = m.trace_id)',
];

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Severity, worstSeverity } from '@casefile/contract';
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBValue,
  LIST,
  listValue,
  VARCHAR,
} from '@duckdb/node-api';
import { StoreQueryError, StoreUnavailableError } from '../../errors/errors.js';
import type { RunSummary, Step } from '../../model/step.js';
import { orderSteps } from '../../model/step-order.js';
import { convertInTurns } from '../../turns/turns.js';
import type {
  AlertDelivery,
  AlertDeliveryQuery,
  AlertEvent,
  AlertEventQuery,
  StoredAlertRule,
  StoredAlertState,
} from '../alerts.js';
import { groupByTrace } from '../by-trace.js';
import type {
  ChainEntry,
  ChainEntryKey,
  ChainEntryQuery,
  ChainLeaf,
  EvidenceAuditEntry,
  EvidenceAuditQuery,
  IntegrityTraceQuery,
  RetentionPolicy,
  StoredCase,
} from '../evidence.js';
import {
  countsTowardRun,
  type DetectionAuditEntry,
  type FindingPage,
  type FindingQuery,
  type FindingStatus,
  findingCursorAfter,
  type StoredFinding,
} from '../findings.js';
import type {
  MetricPoint,
  MetricSample,
  MetricSampleQuery,
  MetricSeriesQuery,
  VersionDimension,
  VersionSeen,
} from '../metrics.js';
import { type Overview, type OverviewQuery, overviewGroupOf, overviewOf } from '../overview.js';
import {
  type AccessEntry,
  type AccessFilter,
  type Credential,
  isSorted,
  offsetOf,
  type PendingDetection,
  type PendingDetectionQuery,
  type Project,
  type PurgeOptions,
  type RunFindings,
  type RunPage,
  type RunQuery,
  runPageOf,
  type Touch,
  type TraceStore,
} from '../port.js';
import { dedupeSteps, eventsFromJson, eventsToJson, STEP_COLUMNS, type StepColumn } from '../step-columns.js';
import { inPageOrder } from '../text-search.js';
import { createWriteClock } from '../write-clock.js';
import * as alerts from './duckdb-alerts.js';
import { COUNT_PENDING, PURGE_BACKLOG, pendingSql, STAMP_WRITES, upsertMarks } from './duckdb-backlog.js';
import { buildListRuns, buildOverview, RUN_COLUMNS, refreshDerived, stagedLookups } from './duckdb-derive.js';
import * as evidence from './duckdb-evidence.js';
import {
  buildListFindings,
  DELETE_ORPHAN_FINDINGS,
  replaceFindingsStatements,
  toAuditEntry,
  toStoredFinding,
} from './duckdb-findings.js';
import * as metrics from './duckdb-metrics.js';
import { type Row, readRows } from './duckdb-read.js';
import { buildTextMatches } from './duckdb-run-search.js';
import { applyMigrations } from './duckdb-schema.js';

const TEXT_LIST = LIST(VARCHAR);

/**
 * The embedded store: one file `<dataDir>/casefile.duckdb`, one process. Writes and reads each use
 * their own connection and are serialised per connection; DuckDB's MVCC lets a read see the last
 * committed write while the next one is in progress.
 */
interface PendingChainAppend {
  entries: readonly ChainEntry[];
  leaves: readonly ChainLeaf[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class DuckDbTraceStore implements TraceStore {
  readonly backend = 'duckdb';
  private writeChain: Promise<unknown> = Promise.resolve();
  private readChain: Promise<unknown> = Promise.resolve();
  private readonly clock = createWriteClock();
  /** Chain appends waiting for the writer: the next span write's transaction takes them along. */
  private pendingChain: PendingChainAppend[] = [];

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
  ) {}

  static async open(dataDir: string, options: { memoryLimit?: string | undefined } = {}): Promise<DuckDbTraceStore> {
    const file = join(dataDir, 'casefile.duckdb');
    try {
      await mkdir(dataDir, { recursive: true });
      // Each checkpoint rewrites the primary-key index of `spans`; at the default 16 MB of WAL that
      // happens every other 5,000-row batch and makes writes O(stored spans). 256 MB keeps it rare
      // while bounding the WAL replayed after a crash.
      const instance = await DuckDBInstance.create(file, {
        checkpoint_threshold: '256MB',
        ...(options.memoryLimit === undefined ? {} : { memory_limit: options.memoryLimit }),
      });
      return new DuckDbTraceStore(instance, await instance.connect(), await instance.connect());
    } catch (error) {
      throw new StoreUnavailableError(`cannot open DuckDB file ${file}`, { cause: error });
    }
  }

  migrate(): Promise<void> {
    return this.onWriter(async (conn) => {
      await applyMigrations(conn);
      await conn.run('CREATE OR REPLACE TEMP TABLE staging AS SELECT * FROM spans LIMIT 0');
      await conn.run('CREATE OR REPLACE TEMP TABLE affected (project_id VARCHAR, trace_id VARCHAR)');
    });
  }

  writeSteps(steps: readonly Step[]): Promise<void> {
    if (steps.length === 0) return Promise.resolve();
    const rows = dedupeSteps(steps);
    return this.onWriter(async (conn) => {
      if (await this.writeRows(conn, rows, true)) return;
      // The chain rows taken along failed: the spans alone, the chain rows in their own transaction.
      await this.writeRows(conn, rows, false);
    });
  }

  /**
   * One span write's transaction; with `withChain`, chain appends waiting at its end are committed in
   * it too (they record spans already durable, so sharing the commit changes nothing they prove, and
   * saves a commit each). Resolves false when only the chain rows made it fail, after a rollback.
   */
  private async writeRows(conn: DuckDBConnection, rows: readonly Step[], withChain: boolean): Promise<boolean> {
    await conn.run('BEGIN TRANSACTION');
    let chain: PendingChainAppend[] = [];
    let chainFailed = false;
    try {
      const appender = await conn.createAppender('staging', 'main', 'temp');
      try {
        for (const step of rows) appendStep(appender, step);
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      // "Later write wins" as a delete of the batch's keys and a plain insert (the batch holds each key
      // once): INSERT OR REPLACE's conflict path cost 3–4 times as much (22 against 6 ms for 50 spans,
      // 37 against 8 for 500, on 25,000 stored).
      const replaced = await conn.run(
        'DELETE FROM spans USING staging s WHERE spans.project_id = s.project_id AND spans.trace_id = s.trace_id AND spans.span_id = s.span_id',
      );
      await conn.run('INSERT INTO spans SELECT * FROM staging');
      await conn.run('INSERT INTO affected SELECT DISTINCT project_id, trace_id FROM staging');
      await refreshDerived((sql) => changed(conn, sql), replaced.rowsChanged > 0, stagedLookups(rows));
      await exec(conn, STAMP_WRITES[0] as string);
      await exec(conn, STAMP_WRITES[1] as string, [this.clock()]);
      await conn.run('DELETE FROM staging');
      await conn.run('DELETE FROM affected');
      if (withChain && this.pendingChain.length > 0) {
        chain = this.pendingChain;
        this.pendingChain = [];
        try {
          for (const c of chain) await evidence.appendChain(conn, c.entries, c.leaves);
        } catch (error) {
          chainFailed = true;
          throw error;
        }
      }
      await conn.run('COMMIT');
      for (const c of chain) c.resolve();
      return true;
    } catch (error) {
      await conn.run('ROLLBACK').catch(() => undefined);
      // Waiting chain appends go back to the front; each still has its own turn on the writer queued.
      if (chain.length > 0) this.pendingChain = [...chain, ...this.pendingChain];
      if (chainFailed) return false;
      throw error instanceof StoreQueryError ? error : new Error('DuckDB write failed', { cause: error });
    }
  }

  async listRuns(projectId: string, query: RunQuery): Promise<RunPage> {
    const { sql, params, count } = buildListRuns(projectId, query);
    return this.onReader(async (conn) => {
      const rows = (await readRows(conn, sql, params)).map(toRunSummary);
      const page = runPageOf(rows, query.limit, isSorted(query) ? offsetOf(query.cursor) : undefined);
      if (query.count) page.total = Number((await readRows(conn, count.sql, count.params))[0]?.n ?? 0);
      await withRunFacts(conn, projectId, page.runs);
      if (query.text && page.runs.length > 0) {
        const m = buildTextMatches(projectId, page.runs, query.text);
        page.textMatches = inPageOrder(page.runs, await readRows(conn, m.sql, m.params), query.text, (row, field) =>
          JSON.parse(String(field === 'attributes' ? row.attributes : row.resource_attributes)),
        );
      }
      return page;
    });
  }

  getRun(projectId: string, traceId: string): Promise<Step[]> {
    // One trace: the plain filter is as fast as the row-ID read (a few ms faster for small runs).
    const sql = 'SELECT * FROM spans WHERE project_id = $1 AND trace_id = $2 ORDER BY start_ns, span_id';
    return this.onReader(async (conn) => orderSteps((await readRows(conn, sql, [projectId, traceId])).map(toStep)));
  }

  async getRuns(projectId: string, traceIds: readonly string[]): Promise<Map<string, Step[]>> {
    const steps: Step[] = [];
    for (const chunk of chunks(unique(traceIds), 500)) {
      const sql = spansWhere(`project_id = $1 AND trace_id IN (${placeholders(chunk.length, 2)})`);
      await convertInTurns(await this.onReader((conn) => readRows(conn, sql, [projectId, ...chunk])), toStep, steps);
    }
    return groupByTrace(steps, orderSteps);
  }

  overview(projectId: string, query: OverviewQuery): Promise<Overview> {
    const { sql, params } = buildOverview(projectId, query);
    return this.onReader(async (conn) => overviewOf(query, (await readRows(conn, sql, params)).map(overviewGroupOf)));
  }

  runsTouching(projectId: string, touch: Touch, limit: number): Promise<RunSummary[]> {
    const [table, column, value] =
      'documentId' in touch
        ? ['run_documents', 'document_id', touch.documentId]
        : 'toolName' in touch
          ? ['run_tools', 'tool_name', touch.toolName]
          : ['run_approvals', 'approval_id', touch.approvalId];
    const sql = `SELECT ${RUN_COLUMNS} FROM ${table} l JOIN runs r ON r.project_id = l.project_id AND r.trace_id = l.trace_id
WHERE l.project_id = $1 AND l.${column} = $2 ORDER BY r.start_ns DESC, r.trace_id DESC LIMIT $3`;
    return this.onReader(async (conn) =>
      withRunFacts(conn, projectId, (await readRows(conn, sql, [projectId, value, limit])).map(toRunSummary)),
    );
  }

  putCredential(credential: Credential): Promise<void> {
    const sql = 'INSERT OR REPLACE INTO credentials VALUES ($1, $2, $3, $4, $5, $6::UBIGINT, $7)';
    const params = [
      credential.hash,
      credential.kind,
      listValue(credential.projectIds),
      credential.role,
      credential.name,
      credential.createdNs,
      credential.revoked,
    ];
    return this.onWriter(async (conn) => void (await exec(conn, sql, params)));
  }

  async findCredential(hash: string): Promise<Credential | undefined> {
    const rows = await this.onReader((conn) => readRows(conn, 'SELECT * FROM credentials WHERE hash = $1', [hash]));
    return rows[0] ? toCredential(rows[0]) : undefined;
  }

  listCredentials(projectId?: string): Promise<Credential[]> {
    const sql =
      projectId === undefined
        ? 'SELECT * FROM credentials ORDER BY created_ns, hash'
        : 'SELECT * FROM credentials WHERE list_contains(project_ids, $1) ORDER BY created_ns, hash';
    const params = projectId === undefined ? [] : [projectId];
    return this.onReader(async (conn) => (await readRows(conn, sql, params)).map(toCredential));
  }

  putProject(project: Project): Promise<void> {
    const sql = 'INSERT OR REPLACE INTO projects VALUES ($1, $2, $3::UBIGINT)';
    return this.onWriter(async (conn) => void (await exec(conn, sql, [project.id, project.name, project.createdNs])));
  }

  listProjects(): Promise<Project[]> {
    return this.onReader(async (conn) =>
      (await readRows(conn, 'SELECT * FROM projects ORDER BY id')).map((r) => ({
        id: String(r.id),
        name: String(r.name),
        createdNs: BigInt(r.created_ns as bigint),
      })),
    );
  }

  recordAccess(entry: AccessEntry): Promise<void> {
    const sql = "INSERT INTO access_log VALUES ($1, $2::UBIGINT, nextval('access_log_seq'), $3, $4, $5)";
    const params = [entry.projectId, entry.timeNs, entry.actor, entry.action, entry.target];
    return this.onWriter(async (conn) => void (await exec(conn, sql, params)));
  }

  listAccess(projectId: string, limit: number, filter: AccessFilter = {}): Promise<AccessEntry[]> {
    const params: DuckDBValue[] = [projectId, limit];
    const where = ['project_id = $1'];
    if (filter.actor !== undefined) {
      params.push(filter.actor);
      where.push(`actor = $${params.length}`);
    }
    if (filter.fromNs !== undefined) {
      params.push(filter.fromNs);
      where.push(`time_ns >= $${params.length}::UBIGINT`);
    }
    if (filter.toNs !== undefined) {
      params.push(filter.toNs);
      where.push(`time_ns < $${params.length}::UBIGINT`);
    }
    const sql = `SELECT * FROM access_log WHERE ${where.join(' AND ')} ORDER BY time_ns DESC, seq DESC LIMIT $2`;
    return this.onReader(async (conn) =>
      (await readRows(conn, sql, params)).map((r) => ({
        projectId: String(r.project_id),
        timeNs: BigInt(r.time_ns as bigint),
        actor: String(r.actor),
        action: String(r.action),
        target: String(r.target),
      })),
    );
  }

  purgeBefore(projectId: string, beforeNs: bigint, options: PurgeOptions = {}): Promise<void> {
    const params = [projectId, beforeNs];
    const keep = [...(options.keepTraceIds ?? [])];
    const spanParams = [projectId, beforeNs, evidence.textList(keep)];
    const spansBefore = `project_id = $1 AND start_ns < $2::UBIGINT AND NOT list_contains(${evidence.asTextList('$3')}, trace_id)`;
    return this.onWriter(async (conn) => {
      await conn.run('BEGIN TRANSACTION');
      try {
        await exec(
          conn,
          `INSERT INTO affected SELECT DISTINCT project_id, trace_id FROM spans WHERE ${spansBefore}`,
          spanParams,
        );
        await exec(conn, `DELETE FROM spans WHERE ${spansBefore}`, spanParams);
        await refreshDerived((sql) => changed(conn, sql), true);
        await evidence.purgeLeaves(conn, projectId, beforeNs, keep);
        await exec(conn, 'DELETE FROM access_log WHERE project_id = $1 AND time_ns < $2::UBIGINT', params);
        await exec(conn, DELETE_ORPHAN_FINDINGS, [projectId]);
        for (const statement of PURGE_BACKLOG) await exec(conn, statement, [projectId]);
        for (const statement of alerts.PURGE_ALERTS) await exec(conn, statement, params);
        await conn.run('DELETE FROM affected');
        await conn.run('COMMIT');
      } catch (error) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async ping(): Promise<void> {
    // In-process: it answers unless the file could not be opened, which `open` already reported.
    await this.onReader((conn) => conn.run('SELECT 1'));
  }

  pendingDetections(query: PendingDetectionQuery): Promise<PendingDetection[]> {
    const { sql, params } = pendingSql(query);
    return this.onReader(async (conn) =>
      (await readRows(conn, sql, params)).map((r) => ({
        projectId: String(r.project_id),
        traceId: String(r.trace_id),
        writtenNs: BigInt(r.written_ns as bigint),
      })),
    );
  }

  countPendingDetections(query: Omit<PendingDetectionQuery, 'limit'>): Promise<{ runs: number; oldestNs?: bigint }> {
    return this.onReader(async (conn) => {
      const [row] = await readRows(conn, COUNT_PENDING, [query.sinceNs, query.untilNs]);
      const runs = Number(row?.runs ?? 0);
      return runs === 0 ? { runs } : { runs, oldestNs: BigInt(row?.oldest as bigint) };
    });
  }

  /** One process holds a DuckDB file: every run is this caller's. */
  async claimDetections(runs: readonly PendingDetection[]): Promise<PendingDetection[]> {
    return [...runs];
  }

  markDetected(marks: readonly PendingDetection[]): Promise<void> {
    if (marks.length === 0) return Promise.resolve();
    return this.onWriter(async (conn) => {
      await conn.run('BEGIN TRANSACTION');
      try {
        const newest = new Map<string, PendingDetection>();
        for (const m of marks) {
          const key = `${m.projectId}\0${m.traceId}`;
          const seen = newest.get(key);
          if (!seen || seen.writtenNs < m.writtenNs) newest.set(key, m);
        }
        const unique = [...newest.values()];
        for (let i = 0; i < unique.length; i += 500) {
          const chunk = unique.slice(i, i + 500);
          await exec(
            conn,
            upsertMarks(chunk.length),
            chunk.flatMap((m) => [m.projectId, m.traceId, m.writtenNs]),
          );
        }
        await conn.run('COMMIT');
      } catch (error) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  replaceFindings(projectId: string, traceId: string, findings: readonly StoredFinding[]): Promise<void> {
    return this.replaceRunFindings([{ projectId, traceId, findings }]);
  }

  replaceRunFindings(runs: readonly RunFindings[]): Promise<void> {
    if (runs.length === 0) return Promise.resolve();
    const statements = replaceFindingsStatements(runs);
    return this.onWriter(async (conn) => {
      await conn.run('BEGIN TRANSACTION');
      try {
        for (const { sql, params } of statements) await exec(conn, sql, params);
        await conn.run('COMMIT');
      } catch (error) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async listRunFindings(projectId: string, traceIds: readonly string[]): Promise<Map<string, StoredFinding[]>> {
    const findings: StoredFinding[] = [];
    for (const chunk of chunks(unique(traceIds), 500)) {
      const sql = `SELECT * FROM findings WHERE project_id = $1 AND trace_id IN (${placeholders(chunk.length, 2)})
ORDER BY created_ns DESC, id DESC`;
      for (const row of await this.onReader((conn) => readRows(conn, sql, [projectId, ...chunk]))) {
        findings.push(toStoredFinding(row));
      }
    }
    return groupByTrace(findings);
  }

  async listFindings(projectId: string, query: FindingQuery): Promise<FindingPage> {
    const { sql, params, count } = buildListFindings(projectId, query);
    return this.onReader(async (conn) => {
      const findings = (await readRows(conn, sql, params)).map(toStoredFinding);
      const total = query.count ? { total: Number((await readRows(conn, count.sql, count.params))[0]?.n ?? 0) } : {};
      if (findings.length <= query.limit) return { findings, ...total };
      findings.length = query.limit;
      const last = findings[findings.length - 1] as StoredFinding;
      return { findings, nextCursor: findingCursorAfter(last, query.order), ...total };
    });
  }

  setFindingStatus(projectId: string, id: string, status: FindingStatus): Promise<StoredFinding | undefined> {
    const sql = 'UPDATE findings SET status = $3 WHERE project_id = $1 AND id = $2 RETURNING *';
    return this.onWriter(async (conn) => {
      const [row] = await readRows(conn, sql, [projectId, id, status]);
      return row ? toStoredFinding(row) : undefined;
    });
  }

  getBaseline(projectId: string): Promise<string | undefined> {
    return this.getState(projectId, 'baseline');
  }

  putBaseline(projectId: string, json: string): Promise<void> {
    return this.putState(projectId, 'baseline', json);
  }

  getDetectionSettings(projectId: string): Promise<string | undefined> {
    return this.getState(projectId, 'settings');
  }

  putDetectionSettings(projectId: string, json: string): Promise<void> {
    return this.putState(projectId, 'settings', json);
  }

  recordDetectionAudit(e: DetectionAuditEntry): Promise<void> {
    const sql = "INSERT INTO detection_audit VALUES ($1, $2::UBIGINT, nextval('detection_audit_seq'), $3, $4, $5, $6)";
    const params = [e.projectId, e.timeNs, e.actor, e.action, e.target, e.detail];
    return this.onWriter(async (conn) => void (await exec(conn, sql, params)));
  }

  listDetectionAudit(projectId: string, limit: number): Promise<DetectionAuditEntry[]> {
    const sql = 'SELECT * FROM detection_audit WHERE project_id = $1 ORDER BY time_ns DESC, seq DESC LIMIT $2';
    return this.onReader(async (conn) => (await readRows(conn, sql, [projectId, limit])).map(toAuditEntry));
  }

  private async getState(projectId: string, kind: string): Promise<string | undefined> {
    const sql = 'SELECT json FROM detection_state WHERE project_id = $1 AND kind = $2';
    const [row] = await this.onReader((conn) => readRows(conn, sql, [projectId, kind]));
    return row ? String(row.json) : undefined;
  }

  private putState(projectId: string, kind: string, json: string): Promise<void> {
    const sql = 'INSERT OR REPLACE INTO detection_state VALUES ($1, $2, $3)';
    return this.onWriter(async (conn) => void (await exec(conn, sql, [projectId, kind, json])));
  }

  metricSample(projectId: string, query: MetricSampleQuery): Promise<MetricSample> {
    return this.onReader((conn) => metrics.metricSample(conn, projectId, query));
  }

  metricSeries(projectId: string, query: MetricSeriesQuery): Promise<MetricPoint[]> {
    return this.onReader((conn) => metrics.metricSeries(conn, projectId, query));
  }

  listVersions(projectId: string, scope: { agentName?: string }, dimension: VersionDimension): Promise<VersionSeen[]> {
    return this.onReader((conn) => metrics.listVersions(conn, projectId, scope.agentName ?? '', dimension));
  }

  putAlertRule(rule: StoredAlertRule): Promise<void> {
    return this.onWriter((conn) => alerts.putAlertRule(conn, rule));
  }

  deleteAlertRule(projectId: string, id: string): Promise<boolean> {
    return this.onWriter((conn) => alerts.deleteAlertRule(conn, projectId, id));
  }

  listAlertRules(projectId: string): Promise<StoredAlertRule[]> {
    return this.onReader((conn) => alerts.listAlertRules(conn, projectId));
  }

  putAlertState(state: StoredAlertState): Promise<void> {
    return this.onWriter((conn) => alerts.putAlertState(conn, state));
  }

  listAlertStates(projectId: string): Promise<StoredAlertState[]> {
    return this.onReader((conn) => alerts.listAlertStates(conn, projectId));
  }

  recordAlertEvent(event: AlertEvent): Promise<void> {
    return this.onWriter((conn) => alerts.recordAlertEvent(conn, event));
  }

  listAlertEvents(projectId: string, query: AlertEventQuery): Promise<AlertEvent[]> {
    return this.onReader((conn) => alerts.listAlertEvents(conn, projectId, query));
  }

  recordAlertDelivery(delivery: AlertDelivery): Promise<void> {
    return this.onWriter((conn) => alerts.recordAlertDelivery(conn, delivery));
  }

  listAlertDeliveries(projectId: string, query: AlertDeliveryQuery): Promise<AlertDelivery[]> {
    return this.onReader((conn) => alerts.listAlertDeliveries(conn, projectId, query));
  }

  claimEvaluation(projectId: string, ruleId: string, windowEndNs: bigint, owner: string): Promise<boolean> {
    return this.onWriter((conn) => alerts.claimEvaluation(conn, projectId, ruleId, windowEndNs, owner));
  }

  /**
   * Appended in the transaction of a span write that is running or waiting when it arrives (which
   * takes it along before its commit), or else in one of its own at its turn on the writer.
   */
  appendChain(entries: readonly ChainEntry[], leaves: readonly ChainLeaf[]): Promise<void> {
    if (entries.length === 0 && leaves.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const mine: PendingChainAppend = { entries, leaves, resolve, reject };
      this.pendingChain.push(mine);
      this.onWriter(async (conn) => {
        const index = this.pendingChain.indexOf(mine);
        if (index < 0) return; // a span write committed it
        this.pendingChain.splice(index, 1);
        await conn.run('BEGIN TRANSACTION');
        try {
          await evidence.appendChain(conn, entries, leaves);
          await conn.run('COMMIT');
          resolve();
        } catch (error) {
          await conn.run('ROLLBACK').catch(() => undefined);
          reject(error instanceof StoreQueryError ? error : new Error('DuckDB chain append failed', { cause: error }));
        }
      }).catch(reject);
    });
  }

  listChainEntries(projectId: string, query: ChainEntryQuery): Promise<ChainEntry[]> {
    return this.onReader((conn) => evidence.listChainEntries(conn, projectId, query));
  }

  getChainEntries(projectId: string, keys: readonly ChainEntryKey[]): Promise<ChainEntry[]> {
    return this.onReader((conn) => evidence.getChainEntries(conn, projectId, keys));
  }

  chainHeads(projectId: string): Promise<ChainEntry[]> {
    return this.onReader((conn) => evidence.chainHeads(conn, projectId));
  }

  chainLeaves(projectId: string, traceIds: readonly string[]): Promise<ChainLeaf[]> {
    return this.onReader((conn) => evidence.chainLeaves(conn, projectId, traceIds));
  }

  integrityTraceIds(projectId: string, query: IntegrityTraceQuery): Promise<string[]> {
    return this.onReader((conn) => evidence.integrityTraceIds(conn, projectId, query));
  }

  readSpans(projectId: string, traceIds: readonly string[]): Promise<Step[]> {
    if (traceIds.length === 0) return Promise.resolve([]);
    const sql = spansWhere('project_id = $1 AND list_contains($2, trace_id)');
    return this.onReader(async (conn) =>
      (await readRows(conn, sql, [projectId, listValue([...traceIds])])).map(toStep),
    );
  }

  async rewriteSpans(projectId: string, steps: readonly Step[]): Promise<void> {
    await this.writeSteps(steps.filter((s) => s.projectId === projectId));
    // The old values stay in the write-ahead log until a checkpoint rewrites the file without them.
    // A checkpoint waits for no reader: it is tried again while reads are in flight.
    await this.onWriter(async (conn) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await exec(conn, 'CHECKPOINT');
        } catch (error) {
          if (attempt >= 50) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    });
  }

  putCase(c: StoredCase): Promise<void> {
    return this.onWriter((conn) => evidence.putCase(conn, c));
  }

  getCase(projectId: string, id: string): Promise<StoredCase | undefined> {
    return this.onReader((conn) => evidence.getCase(conn, projectId, id));
  }

  listCases(projectId: string): Promise<StoredCase[]> {
    return this.onReader((conn) => evidence.listCases(conn, projectId));
  }

  recordEvidenceAudit(entry: EvidenceAuditEntry): Promise<void> {
    return this.onWriter((conn) => evidence.recordEvidenceAudit(conn, entry));
  }

  listEvidenceAudit(projectId: string, query: EvidenceAuditQuery): Promise<EvidenceAuditEntry[]> {
    return this.onReader((conn) => evidence.listEvidenceAudit(conn, projectId, query));
  }

  getRetentionPolicy(projectId: string): Promise<RetentionPolicy | undefined> {
    return this.onReader((conn) => evidence.getRetentionPolicy(conn, projectId));
  }

  putRetentionPolicy(policy: RetentionPolicy): Promise<void> {
    return this.onWriter((conn) => evidence.putRetentionPolicy(conn, policy));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.writeChain, this.readChain]);
    this.writer.closeSync();
    this.reader.closeSync();
    this.instance.closeSync();
  }

  private onWriter<T>(task: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const next = this.writeChain.then(() => task(this.writer));
    this.writeChain = next.catch(() => undefined);
    return next;
  }

  private onReader<T>(task: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const next = this.readChain.then(() => task(this.reader));
    this.readChain = next.catch(() => undefined);
    return next;
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function chunks<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/** `$from, $from+1, …` for `n` parameters. */
function placeholders(n: number, from: number): string {
  return Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ');
}

/**
 * Every column of the spans the condition (on key columns) selects. The rows are found first and read
 * by row ID: filtering while selecting every column made DuckDB read all of them for every stored span,
 * at 10 million spans 6.4 s for 20 runs' steps against 0.55 s this way (detection's read of a page of
 * 50 runs 4.5–35 s against 0.13–0.18 s).
 */
function spansWhere(condition: string): string {
  return `SELECT * FROM spans WHERE rowid IN (SELECT rowid FROM spans WHERE ${condition})`;
}

/** Runs a statement; answers the rows it changed. */
async function changed(conn: DuckDBConnection, sql: string): Promise<number> {
  try {
    return (await conn.run(sql)).rowsChanged;
  } catch (error) {
    throw new StoreQueryError('DuckDB statement failed', sql, { cause: error });
  }
}

async function exec(conn: DuckDBConnection, sql: string, params?: DuckDBValue[]): Promise<void> {
  try {
    await conn.run(sql, params);
  } catch (error) {
    throw new StoreQueryError('DuckDB statement failed', sql, { cause: error });
  }
}

function appendStep(appender: DuckDBAppender, step: Step): void {
  for (const col of STEP_COLUMNS) appendField(appender, col, step[col.field]);
  appender.endRow();
}

function appendField(appender: DuckDBAppender, col: StepColumn, value: unknown): void {
  switch (col.kind) {
    case 'text':
      appender.appendVarchar(String(value));
      break;
    case 'int':
      appender.appendInteger(Math.trunc(Number(value)));
      break;
    case 'ns':
      appender.appendUBigInt(value as bigint);
      break;
    case 'nullableInt':
      if (value === null || value === undefined) appender.appendNull();
      else appender.appendBigInt(BigInt(Math.trunc(value as number)));
      break;
    case 'textList':
      appender.appendList(value as string[], TEXT_LIST);
      break;
    case 'stringMap':
      appender.appendVarchar(JSON.stringify(value));
      break;
    case 'events':
      appender.appendVarchar(eventsToJson(value as Step['events']));
      break;
  }
}

function toStep(row: Row): Step {
  const step: Record<string, unknown> = {};
  for (const col of STEP_COLUMNS) {
    const value = row[col.column];
    switch (col.kind) {
      case 'text':
        step[col.field] = String(value);
        break;
      case 'int':
        step[col.field] = Number(value);
        break;
      case 'ns':
        step[col.field] = BigInt(value as bigint);
        break;
      case 'nullableInt':
        step[col.field] = value === null ? null : Number(value);
        break;
      case 'textList':
        step[col.field] = (value as string[]).map(String);
        break;
      case 'stringMap':
        step[col.field] = JSON.parse(String(value));
        break;
      case 'events':
        step[col.field] = eventsFromJson(String(value));
        break;
    }
  }
  return step as unknown as Step;
}

function toRunSummary(r: Row): RunSummary {
  return {
    traceId: String(r.trace_id),
    startNs: BigInt(r.start_ns as bigint),
    endNs: BigInt(r.end_ns as bigint),
    name: String(r.name),
    serviceName: String(r.service_name),
    agentName: String(r.agent_name),
    agentVersion: String(r.agent_version),
    conversationId: String(r.conversation_id),
    status: r.status === 'error' ? 'error' : 'ok',
    stepCount: Number(r.step_count),
    errorCount: Number(r.error_count),
    toolNames: (r.tool_names as string[]).map(String),
    promptVersion: String(r.prompt_version),
    policyVersion: String(r.policy_version),
    models: (r.models as string[]).map(String),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    runInput: String(r.run_input),
    findingCount: 0,
    runName: String(r.run_name ?? ''),
    worstSeverity: '',
  };
}

/**
 * Fills `findingCount` and `worstSeverity` from the open findings. Read after listing, over the listed
 * traces only, so neither is computed for runs the page does not show.
 */
async function withRunFacts(conn: DuckDBConnection, projectId: string, runs: RunSummary[]): Promise<RunSummary[]> {
  if (runs.length === 0) return runs;
  const ids = runs.map((r) => r.traceId);
  const inList = ids.map((_, i) => `$${i + 2}`).join(', ');
  const severities = new Map<string, Severity[]>();
  const open = `SELECT trace_id, severity FROM findings WHERE project_id = $1 AND trace_id IN (${inList}) AND status = 'open'`;
  for (const r of await readRows(conn, open, [projectId, ...ids])) {
    const list = severities.get(String(r.trace_id)) ?? [];
    list.push(String(r.severity) as Severity);
    severities.set(String(r.trace_id), list);
  }
  for (const run of runs) {
    const open = severities.get(run.traceId) ?? [];
    run.worstSeverity = worstSeverity(open);
    run.findingCount = open.filter((severity) => countsTowardRun({ status: 'open', severity })).length;
  }
  return runs;
}

function toCredential(r: Row): Credential {
  return {
    hash: String(r.hash),
    kind: r.kind === 'login' ? 'login' : 'ingest',
    projectIds: (r.project_ids as string[]).map(String),
    role: r.role as Credential['role'],
    name: String(r.name),
    createdNs: BigInt(r.created_ns as bigint),
    revoked: Boolean(r.revoked),
  };
}

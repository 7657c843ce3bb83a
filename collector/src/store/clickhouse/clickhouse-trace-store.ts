import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { RUN_NAME_ATTRIBUTE, type Severity } from '@casefile/contract';
import {
  type ClickHouseClient,
  ClickHouseError,
  ClickHouseLogLevel,
  type ClickHouseSettings,
  createClient,
} from '@clickhouse/client';
import { BadInputError, StoreQueryError, StoreUnavailableError } from '../../errors/errors.js';
import type { RunSummary, Step } from '../../model/step.js';
import { orderSteps } from '../../model/step-order.js';
import { pickRunName } from '../../model/summarize-run.js';
import { convertInTurns, pauseIfLong } from '../../turns/turns.js';
import type {
  AlertDelivery,
  AlertDeliveryQuery,
  AlertEvent,
  AlertEventQuery,
  StoredAlertRule,
  StoredAlertState,
} from '../alerts.js';
import { groupByTrace } from '../by-trace.js';
import { createDeadlineGuard, type DeadlineGuard } from '../deadline-guard.js';
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
import type { DetectionAuditEntry, FindingPage, FindingQuery, FindingStatus, StoredFinding } from '../findings.js';
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
  decodeCursor,
  type GetRunsOptions,
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
import { dedupeSteps } from '../step-columns.js';
import { inPageOrder } from '../text-search.js';
import { DEFAULT_CLAIM_SETTLE_MS } from './clickhouse-alert-claims.js';
import * as alertsSql from './clickhouse-alerts.js';
import { countPendingSql, markSql, pendingSql, toPending } from './clickhouse-backlog.js';
import { clusterWaves, createDatabaseSql } from './clickhouse-cluster.js';
import { type CompactRows, readCompact } from './clickhouse-compact.js';
import * as claimsSql from './clickhouse-detection-claims.js';
import * as evidenceSql from './clickhouse-evidence.js';
import * as findingsSql from './clickhouse-findings.js';
import * as metricsSql from './clickhouse-metrics.js';
import {
  countRunsSql,
  newestHoursSql,
  newestPartDaySql,
  overviewSql,
  pageRunsSql,
  type RunWindow,
  runSummariesSql,
  sortedRunsSql,
  touchedTraceTimesSql,
  traceStartsSql,
} from './clickhouse-queries.js';
import { purgeProjectBefore, waitForMutations } from './clickhouse-retention.js';
import { partitionSeconds, type Row, rowToSummary, stepReader, stepsToJsonEachRow } from './clickhouse-rows.js';
import { textMatchesSql } from './clickhouse-run-search.js';
import { DAY_PARTITIONED_TABLES, MIGRATIONS, migrationsTableDdl, SPAN_COLUMN_NAMES } from './clickhouse-schema.js';
import type { Migration } from './migration.js';
import { RecentSpans } from './recent-spans.js';
import { ident, literal, literalArray, uint, wellFormed } from './sql.js';
import { SINGLE_NODE, type TableLayout } from './table-layout.js';

export interface ClickHouseStoreConfig {
  url: string;
  database: string;
  username?: string;
  password?: string;
  /** Settle delay of `claimEvaluation` (see `clickhouse-alert-claims.ts`); default 1,500 ms. */
  claimSettleMs?: number;
  /** Longest one statement may take (→ StoreUnavailableError). Default 30,000 ms. */
  timeoutMs?: number;
  /** A statement outstanding this long makes the store ping the server (see `deadline-guard.ts`). Default 1,000 ms. */
  stallMs?: number;
  /** A ping unanswered this long marks the server hung: in-flight statements fail, new ones fail at once. Default 3,000 ms (a busy server on a loaded machine took over 2 s to answer one). */
  pingTimeoutMs?: number;
  /** Engines and ON CLUSTER clause of the schema's tables (`table-layout.ts`); default SINGLE_NODE. */
  layout?: TableLayout;
  /**
   * Longest one migration statement may take: a migration that adds a derived table backfills it
   * from every stored span (minutes on a store of millions). Default 3,600,000 ms.
   */
  migrateTimeoutMs?: number;
  /**
   * A cluster name from the servers' `remote_servers`: the schema is created `ON CLUSTER` as
   * replicated local tables behind Distributed ones (see `clickhouse-cluster.ts`).
   */
  cluster?: string;
  /**
   * On a cluster, how many replicas of a shard must hold a span insert before it is acknowledged
   * (`insert_quorum`). Default 1: on disk on one replica, replicated after. 2: an acknowledged span is
   * on two replicas, so losing a machine loses none; inserts stop while a shard has fewer live
   * replicas, and on 18.16 the last quorum part of a day cannot be mutated, so retention's row deletes
   * of a day shared with another project wait for the next insert into that day.
   */
  insertQuorum?: number;
  /**
   * With `insertQuorum` > 1: how long a span insert waits for its quorum (`insert_quorum_timeout`), and
   * for other quorum inserts into its shard to finish first. Past it the write fails with 503 and
   * Retry-After, so a shard short of replicas answers quickly instead of holding requests. Default 10,000 ms.
   */
  insertQuorumTimeoutMs?: number;
  /**
   * Row bytes of the spans just written that this store holds for detection's read-back
   * (`GetRunsOptions.justWritten`), oldest run out first; 0 reads every run back from the server.
   * Default 32 MiB (what detection has still to read: a run is let go once it was read back).
   */
  recentSpanBytes?: number;
}

const DEFAULT_RECENT_SPAN_BYTES = 32 * 1024 * 1024;
/** Rows of a span insert's body built between two looks at the event loop's turn. */
const ROW_PART = 256;

const NS_PER_S = 1_000_000_000n;
const HOUR_NS = 3_600n * NS_PER_S;
/** How long the newest `run_list` day is remembered (see `newestPartDay`). */
const PART_DAY_TTL_MS = 10_000;

/** Open finding counts and worst open severity by trace ID. */
type FindingCounts = Map<string, { count: number; worst: Severity | '' }>;

const INSERT_COLUMNS: [string, ...string[]] = ['start_time', 'version', ...SPAN_COLUMN_NAMES];

// Server-side conditions that clear up by themselves: the caller should retry (503), not fail.
// 285/286/319: too few live replicas for the quorum, a quorum insert still under way, a quorum insert's fate unknown.
/**
 * On a cluster, the server the collector talks to lost the replica it was talking to for a shard:
 * ATTEMPT_TO_READ_AFTER_EOF (the replica died mid-statement; a span insert is then of unknown fate, and
 * the resend is harmless) and ALL_CONNECTION_TRIES_FAILED (no replica of a shard answers). Both clear up
 * when a replica is back or takes over: 503, so an exporter resends instead of dropping the batch.
 */
const LINK_CODES = new Set(['32', '279']);
const RETRYABLE_CODES = new Set(['159', '202', '203', '209', '210', '242', '252', '285', '286', '319']);

/**
 * The scale-out store. Talks to ClickHouse over HTTP with the official client and only the SQL
 * subset of 18.16 (see `clickhouse-schema.ts`). Stateless: any number of collectors can share one
 * database.
 */
export class ClickHouseTraceStore implements TraceStore {
  readonly backend = 'clickhouse';
  private readonly db: string;
  private lastVersion = 0n;
  /** Spans just written, which detection's read-back takes from here once their versions check out. */
  private readonly recent: RecentSpans;

  private readonly guard: DeadlineGuard;

  private constructor(
    private readonly client: ClickHouseClient,
    readonly database: string,
    private readonly url: string,
    private readonly config: ClickHouseStoreConfig,
  ) {
    this.db = ident(database);
    this.recent = new RecentSpans(config.recentSpanBytes ?? DEFAULT_RECENT_SPAN_BYTES);
    this.claimSettleMs = config.claimSettleMs;
    this.layout = config.layout ?? SINGLE_NODE;
    this.cluster = config.cluster;
    this.insertQuorum = config.cluster === undefined ? 1 : (config.insertQuorum ?? 1);
    this.guard = createDeadlineGuard({
      name: 'ClickHouse',
      timeoutMs: config.timeoutMs ?? 30_000,
      stallMs: config.stallMs ?? 1_000,
      pingTimeoutMs: config.pingTimeoutMs ?? 3_000,
      ping: (ms) => this.ping(ms),
    });
  }

  private readonly claimSettleMs: number | undefined;
  private readonly layout: TableLayout;
  /** The cluster the schema lives on, if any. */
  readonly cluster: string | undefined;
  private readonly insertQuorum: number;

  static async open(config: ClickHouseStoreConfig): Promise<ClickHouseTraceStore> {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(config.database)) {
      throw new Error(`ClickHouse database name must match [A-Za-z_][A-Za-z0-9_]*: ${JSON.stringify(config.database)}`);
    }
    if (config.cluster !== undefined && !/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/.test(config.cluster)) {
      throw new Error(`ClickHouse cluster name must be a plain name: ${JSON.stringify(config.cluster)}`);
    }
    if (config.cluster !== undefined && config.layout !== undefined && config.layout !== SINGLE_NODE) {
      throw new Error('give a ClickHouse cluster or a table layout, not both: a cluster rewrites the single-node DDL');
    }
    const quorum = config.insertQuorum ?? 1;
    if (!Number.isInteger(quorum) || quorum < 1) throw new Error(`insert quorum must be 1 or more: ${quorum}`);
    const client = createClient({
      url: config.url,
      username: config.username ?? 'default',
      password: config.password ?? '',
      // The deadline guard aborts sooner; this only backs it up.
      request_timeout: (config.timeoutMs ?? 30_000) + 5_000,
      // Failures are rethrown as StoreUnavailableError/StoreQueryError; the caller decides what to log.
      log: { level: ClickHouseLogLevel.OFF },
      // Servers before 23.11 close a connection idle for 3 s. A socket the client still holds for reuse
      // then fails its next statement with "socket hang up"; on a busy event loop the idle timer fires
      // late, so stale sockets are also dropped when they are taken from the pool.
      keep_alive: { idle_socket_ttl: 2_000, eagerly_destroy_stale_sockets: true },
      ...(config.cluster === undefined ? {} : { clickhouse_settings: CLUSTER_SETTINGS }),
    });
    return new ClickHouseTraceStore(client, config.database, config.url, config);
  }

  /** Server version, e.g. "18.16.1". */
  async serverVersion(): Promise<string> {
    const [row] = await this.select('SELECT version() AS v');
    return String(row?.v);
  }

  async migrate(): Promise<void> {
    const cluster = this.cluster;
    // On a cluster the single-node DDL is rewritten (clickhouse-cluster.ts) and sent in waves: each
    // wave's statements are independent of each other. One server: each statement in order.
    const waves =
      cluster === undefined
        ? (statements: string[]) => statements.map((s) => [s])
        : (statements: string[]) => clusterWaves(statements, { cluster, database: this.database });
    await this.command(
      cluster === undefined
        ? `CREATE DATABASE IF NOT EXISTS ${this.db}${this.layout.onCluster}`
        : createDatabaseSql(this.db, cluster),
    );
    for (const wave of waves([migrationsTableDdl(this.db, this.layout)])) {
      await Promise.all(wave.map((s) => this.command(s)));
    }
    const applied = new Set(
      (await this.select(`SELECT version FROM ${this.db}.schema_migrations`)).map((r) => Number(r.version)),
    );
    const pending = MIGRATIONS.filter((m) => !applied.has(m.version));
    if (pending.length === 0) return;
    // Backfills outlast the per-statement deadline of ordinary calls: a client of their own whose
    // requests may take up to migrateTimeoutMs (the guard still fails them at once on a hung server).
    const timeoutMs = this.config.migrateTimeoutMs ?? 3_600_000;
    const client = createClient({
      url: this.url,
      username: this.config.username ?? 'default',
      password: this.config.password ?? '',
      request_timeout: timeoutMs + 5_000,
      log: { level: ClickHouseLogLevel.OFF },
      ...(cluster === undefined ? {} : { clickhouse_settings: CLUSTER_SETTINGS }),
    });
    const run = async (sql: string) => {
      try {
        await this.guard.run(
          (signal) => client.command({ query: sql, abort_signal: signal, clickhouse_settings: WHOLE_ANSWER }),
          timeoutMs,
        );
      } catch (error) {
        throw mapError(error, sql);
      }
    };
    const apply = async (statements: string[]) => {
      for (const wave of waves(statements)) await Promise.all(wave.map(run));
    };
    const record = (m: Migration) =>
      run(`INSERT INTO ${this.db}.schema_migrations VALUES (${uint(m.version)}, ${literal(m.name)}, now())`);
    const statementsOf = (m: Migration) => m.statements(this.db, this.layout);
    try {
      if (cluster !== undefined && pending.every((m) => statementsOf(m).every(isCreate))) {
        // Only creates and backfills: the pending migrations go together, in waves.
        await apply(pending.flatMap(statementsOf));
        for (const migration of pending) await record(migration);
        return;
      }
      for (const migration of pending) {
        await apply(statementsOf(migration));
        await record(migration);
      }
    } finally {
      await client.close();
    }
  }

  async writeSteps(steps: readonly Step[]): Promise<void> {
    if (steps.length > 0) await this.insertSteps(steps);
  }

  /** Inserts the steps as one block; answers the version the rows carry. */
  private async insertSteps(steps: readonly Step[]): Promise<bigint> {
    const version = this.nextVersion();
    const unique = dedupeSteps(steps);
    // One body, built once and sent as it is (no row objects, no per-row serialising), in parts that
    // give requests a turn of the event loop between them.
    const body: Buffer[] = [];
    let bytes = 0;
    for (let i = 0; i < unique.length; i += ROW_PART) {
      const part = stepsToJsonEachRow(unique.slice(i, i + ROW_PART), version);
      body.push(part);
      bytes += part.length;
      await pauseIfLong();
    }
    const table = `${this.db}.spans`;
    const query = `INSERT INTO ${table} (${INSERT_COLUMNS.map(ident).join(', ')}) FORMAT JSONEachRow`;
    try {
      await this.withQuorum(
        `INSERT INTO ${table} FORMAT JSONEachRow (${unique.length} rows)`,
        async (settings, signal) => {
          const result = await this.client.exec({
            query,
            values: Readable.from(body, { objectMode: false }),
            abort_signal: signal,
            clickhouse_settings: { ...settings, ...SPAN_INSERT_SETTINGS },
          });
          // The answer to an insert is empty; read it to the end so the socket goes back to the pool.
          result.stream.resume();
          await finished(result.stream);
        },
      );
    } catch (error) {
      this.recent.forget(unique);
      throw error;
    }
    this.recent.record(unique, version, bytes);
    return version;
  }

  /**
   * Runs an insert with the span quorum (`insert_quorum`, `insert_quorum_timeout`) when there is one.
   * 18.16 takes one quorum insert per table and shard at a time; a second one is refused (286) and
   * tried again here until the quorum timeout. A resent batch is harmless: rows collapse by key, every
   * summary is idempotent. A quorum that cannot be had (too few live replicas, or the previous quorum
   * insert of the shard still unconfirmed) is a 503 with Retry-After of the quorum timeout.
   */
  private async withQuorum(
    what: string,
    insert: (settings: ClickHouseSettings | undefined, signal: AbortSignal) => Promise<unknown>,
  ): Promise<void> {
    const timeoutMs = this.config.insertQuorumTimeoutMs ?? DEFAULT_QUORUM_TIMEOUT_MS;
    const settings =
      this.insertQuorum > 1
        ? ({
            insert_quorum: String(this.insertQuorum),
            insert_quorum_timeout: String(timeoutMs),
          } as unknown as ClickHouseSettings)
        : undefined;
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.guard.run((signal) => insert(settings, signal));
        return;
      } catch (error) {
        if (settings && isCode(error, QUORUM_BUSY) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(500, 10 * attempt) + Math.random() * 20));
          continue;
        }
        if (settings && QUORUM_CODES.has(errorCode(error))) {
          throw new StoreUnavailableError(
            `ClickHouse could not reach the write quorum of ${this.insertQuorum} replicas within ${timeoutMs} ms (code ${errorCode(error)}): ${what}`,
            {
              cause: error,
              retryAfterSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
              publicReason: `a shard has fewer than ${this.insertQuorum} live replicas for the write quorum`,
            },
          );
        }
        throw mapError(error, what);
      }
    }
  }

  async listRuns(projectId: string, query: RunQuery): Promise<RunPage> {
    const offset = isSorted(query) ? offsetOf(query.cursor) : undefined;
    const runs = isSorted(query)
      ? await this.withFindingCounts(
          projectId,
          (await this.select(sortedRunsSql(this.db, projectId, query, offset ?? 0))).map(rowToSummary),
        )
      : query.approvalId !== undefined
        ? await this.touchedRuns(projectId, { approvalId: query.approvalId }, query)
        : await this.listRunsByWindows(projectId, query);
    const page = runPageOf(runs, query.limit, offset);
    if (query.count) {
      const [row] = await this.select(countRunsSql(this.db, projectId, query));
      page.total = Number(row?.n ?? 0);
    }
    if (query.text && page.runs.length > 0) {
      const sql = textMatchesSql(this.db, projectId, page.runs, query.text);
      page.textMatches = inPageOrder(page.runs, await this.select(sql), query.text, (row, field) => {
        const prefix = field === 'attributes' ? 'attributes' : 'resource_attributes';
        const keys = (row[`${prefix}_keys`] as unknown[]).map(String);
        const values = (row[`${prefix}_values`] as unknown[]).map(String);
        return Object.fromEntries(keys.map((k, i) => [k, values[i] ?? '']));
      });
    }
    return page;
  }

  /**
   * Newest first without merging every run: probe windows of start time, newest first, each picking
   * its runs from `run_list` (summary states ordered by start hour) over its hours only. The first
   * window holds the newest 2 × (limit + 1) index rows; each next one is 8 times wider, until the page
   * is full or the lower bound is reached. A filter that matches almost nothing ends in one probe over
   * all older runs. Only the page's runs are then merged in full, with their finding counts.
   */
  private async listRunsByWindows(projectId: string, query: RunQuery): Promise<RunSummary[]> {
    const want = query.limit + 1;
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !after) throw new BadInputError('invalid cursor');
    const lowest = query.fromNs ?? 0n;
    let hi = after ? after.startNs + 1n : undefined;
    if (query.toNs !== undefined && (hi === undefined || query.toNs < hi)) hi = query.toNs;
    if (hi !== undefined && hi <= lowest) return [];
    // The first probe reads the newest days only: the day before the cursor's or the query's upper
    // bound, else the day before the newest day stored. When they hold too few rows, all days are read.
    const newestDay = hi === undefined ? await this.newestPartDay() : utcDay(hi);
    const recent = /^\d{4}-\d{2}-\d{2}$/.test(newestDay) ? `toDate(${literal(newestDay)}) - 1` : undefined;
    let [probe] = recent
      ? await this.select(newestHoursSql(this.db, projectId, lowest, hi, want * 2, recent))
      : [undefined];
    if (!probe || Number(probe.n) < want * 2) {
      [probe] = await this.select(newestHoursSql(this.db, projectId, lowest, hi, want * 2));
    }
    if (!probe || Number(probe.n) === 0) return [];
    const newest = (BigInt(String(probe.hi)) + 3600n) * NS_PER_S;
    let lo = Number(probe.n) < want * 2 ? lowest : BigInt(String(probe.lo)) * NS_PER_S;
    if (lo < lowest) lo = lowest;
    let width = (hi ?? newest) - lo;
    if (width < HOUR_NS) width = HOUR_NS;
    const picked: Row[] = [];
    // The latest step start of the picked runs bounds the hours their summaries are merged from;
    // rows whose latest start is not known leave them unbounded.
    let lastNs: bigint | undefined;
    let unbounded = false;
    const counts: FindingCounts = new Map();
    for (;;) {
      const rest = { ...query, limit: want - picked.length - 1 };
      let rows: Row[];
      if (lo <= lowest && query.fromNs === undefined) {
        rows = await this.select(pageRunsSql(this.db, projectId, hi === undefined ? rest : { ...rest, toNs: hi }));
        if (rows.length > 0) unbounded = true;
      } else {
        const window = await this.windowRows(
          projectId,
          rest,
          { fromNs: lo, ...(hi === undefined ? {} : { toNs: hi }) },
          counts,
        );
        rows = window.rows;
        if (rows.length > 0 && window.lastNs === undefined) unbounded = true;
        if (window.lastNs !== undefined && (lastNs === undefined || window.lastNs > lastNs)) lastNs = window.lastNs;
      }
      picked.push(...rows);
      if (picked.length >= want || lo <= lowest) break;
      hi = lo;
      width *= 8n;
      lo = hi - width > lowest ? hi - width : lowest;
    }
    return this.summariesOf(
      projectId,
      picked.slice(0, want).map((r) => ({ traceId: String(r.trace_id), startNs: BigInt(String(r.start_ns)) })),
      unbounded ? undefined : lastNs,
      counts,
    );
  }

  /**
   * One probe: runs that start in the window, without those that began before it, and the latest
   * step start among those kept (undefined when none is kept).
   */
  private async windowRows(
    projectId: string,
    query: RunQuery,
    window: RunWindow,
    counts?: FindingCounts,
  ): Promise<{ rows: Row[]; lastNs?: bigint }> {
    const exclude: string[] = [];
    for (;;) {
      const rows = await this.select(pageRunsSql(this.db, projectId, query, { ...window, exclude }));
      if (rows.length === 0) return { rows };
      const ids = rows.map((r) => String(r.trace_id));
      // The rows' finding counts are read while their starts are checked (a run the check drops
      // only wastes its count).
      const [starts] = await Promise.all([
        this.select(traceStartsSql(this.db, projectId, ids)),
        counts ? this.countFindingsInto(counts, projectId, ids) : undefined,
      ]);
      const older: string[] = [];
      let lastNs: bigint | undefined;
      for (const r of starts) {
        if (BigInt(String(r.lo)) < window.fromNs) older.push(String(r.trace_id));
        else if (lastNs === undefined || BigInt(String(r.hi)) > lastNs) lastNs = BigInt(String(r.hi));
      }
      if (older.length === 0) {
        // A run `trace_starts` does not know yet (its row not merged in) leaves the merge unbounded.
        return starts.length === rows.length ? { rows, ...(lastNs === undefined ? {} : { lastNs }) } : { rows };
      }
      exclude.push(...older);
    }
  }

  /**
   * The newest day any `run_list` part holds, remembered for a few seconds: it only picks the days
   * the first probe reads, and a day it has not seen yet is read anyway (the probe reads from the day
   * before it on).
   */
  private async newestPartDay(): Promise<string> {
    const now = Date.now();
    if (this.partDay && this.partDay.at > now - PART_DAY_TTL_MS) return this.partDay.day;
    const day = String((await this.select(newestPartDaySql(this.database, this.cluster)))[0]?.day ?? '');
    this.partDay = { day, at: now };
    return day;
  }

  private partDay: { day: string; at: number } | undefined;

  /**
   * Full summaries, run names and finding counts of listed runs, in the given order: one merge of
   * their `run_list` rows from the earliest start's hour on (up to `lastNs`, the latest step start,
   * when known), and their findings rows.
   */
  private async summariesOf(
    projectId: string,
    listed: readonly { traceId: string; startNs: bigint }[],
    lastNs?: bigint,
    counts: FindingCounts = new Map(),
  ): Promise<RunSummary[]> {
    if (listed.length === 0) return [];
    let from = listed[0]?.startNs as bigint;
    for (const r of listed) if (r.startNs < from) from = r.startNs;
    const ids = listed.map((r) => r.traceId);
    const [rows] = await Promise.all([
      this.select(runSummariesSql(this.db, projectId, ids, from, lastNs)),
      this.countFindingsInto(
        counts,
        projectId,
        ids.filter((id) => !counts.has(id)),
      ),
    ]);
    const byId = new Map(rows.map((r) => [String(r.trace_id), r]));
    const out: RunSummary[] = [];
    for (const { traceId } of listed) {
      const row = byId.get(traceId);
      if (!row) continue;
      const run = rowToSummary(row);
      const c = counts.get(traceId);
      run.findingCount = c?.count ?? 0;
      run.worstSeverity = c?.worst ?? '';
      run.runName = String(row.run_name ?? '');
      out.push(run);
    }
    return out;
  }

  /** Adds the open finding counts of `traceIds` to `counts` (a run without findings counts 0). */
  private async countFindingsInto(counts: FindingCounts, projectId: string, traceIds: readonly string[]) {
    if (traceIds.length === 0) return;
    const found = await findingsSql.openCounts(this.findings, projectId, traceIds);
    for (const id of traceIds) counts.set(id, found.get(id) ?? { count: 0, worst: '' });
  }

  /**
   * Runs an approval ID names (one or two), newest first, with the query's other filters: the first
   * and last step start of those runs from `trace_starts` bound the hours read from `run_list`, and no
   * other run can have begun before the first.
   */
  private async touchedRuns(
    projectId: string,
    touch: { approvalId: string },
    query: Omit<RunQuery, 'approvalId'>,
  ): Promise<RunSummary[]> {
    const times = await this.select(touchedTraceTimesSql(this.db, projectId, touch));
    if (times.length === 0) return [];
    let first = BigInt(String(times[0]?.lo));
    let last = 0n;
    for (const t of times) {
      if (BigInt(String(t.lo)) < first) first = BigInt(String(t.lo));
      if (BigInt(String(t.hi)) > last) last = BigInt(String(t.hi));
    }
    const rows = await this.select(
      pageRunsSql(this.db, projectId, { ...query, approvalId: touch.approvalId }, { fromNs: first, lastNs: last }),
    );
    return this.summariesOf(
      projectId,
      rows.map((r) => ({ traceId: String(r.trace_id), startNs: BigInt(String(r.start_ns)) })),
      last,
    );
  }

  async getRun(projectId: string, traceId: string): Promise<Step[]> {
    return (await this.getRuns(projectId, [traceId])).get(traceId) ?? [];
  }

  /**
   * The runs' steps. Their first and last step start (`trace_starts`) bound the span read to the days
   * they live in; the read is no `FINAL` (which on 18.16 reads and merges every column of the whole
   * granule, 8,192 spans, before filtering) but PREWHERE on the trace IDs, so only the runs' rows are
   * read past the key columns, and each span's newest version is kept here (what FINAL keeps).
   */
  async getRuns(
    projectId: string,
    traceIds: readonly string[],
    options: GetRunsOptions = {},
  ): Promise<Map<string, Step[]>> {
    const steps: Step[] = [];
    const ids = [...new Set(traceIds)];
    const inTraces = (chunk: readonly string[]) =>
      `project_id = ${literal(projectId)} AND trace_id IN (${chunk.map((id) => literal(id)).join(', ')})`;
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const [range] = await this.select(
        `SELECT toString(min(lo)) AS lo, toString(max(hi)) AS hi, count() AS n FROM (SELECT minMerge(min_start) AS lo, maxMerge(max_start) AS hi FROM ${this.db}.trace_starts WHERE ${inTraces(chunk)} GROUP BY trace_id)`,
      );
      if (!range || Number(range.n) === 0) continue;
      const lo = partitionSeconds(BigInt(String(range.lo)));
      const hi = partitionSeconds(BigInt(String(range.hi)));
      const days = `start_time >= toDateTime(${uint(lo)}) AND start_time <= toDateTime(${uint(hi)})`;
      let read = chunk;
      if (options.justWritten) {
        const held = chunk.filter((id) => this.recent.held(projectId, id) !== undefined);
        if (held.length > 0) {
          const where = `PREWHERE ${inTraces(held)} WHERE ${days}`;
          const served = await this.heldRuns(projectId, held, where, steps, options.writtenNs);
          if (served.size > 0) read = chunk.filter((id) => !served.has(id));
        }
      }
      if (read.length === 0) continue;
      const { names, rows } = await this.selectCompact(
        `SELECT ${SPAN_COLUMN_NAMES.join(', ')}, toString(version) AS version FROM ${this.db}.spans PREWHERE ${inTraces(read)}
WHERE ${days}`,
      );
      await convertInTurns(newestVersions(names, rows, options.writtenNs), stepReader(names), steps);
    }
    return groupByTrace(steps, orderSteps);
  }

  /**
   * Of `traceIds` (runs `recent` holds), the runs whose stored spans are exactly the ones held: the
   * same span IDs, each at the version held (read from the key columns and `version` only). Their
   * held steps are added to `steps`; answers their trace IDs.
   */
  private async heldRuns(
    projectId: string,
    traceIds: readonly string[],
    where: string,
    steps: Step[],
    writtenNs: ReadonlyMap<string, bigint> | undefined,
  ) {
    const { rows } = await this.selectCompact(
      `SELECT trace_id, span_id, toString(max(version)) AS version FROM ${this.db}.spans ${where} GROUP BY trace_id, span_id`,
    );
    const stored = new Map<string, Map<string, bigint>>();
    for (const [traceId, spanId, version] of rows) {
      const spans = stored.get(String(traceId)) ?? new Map<string, bigint>();
      spans.set(String(spanId), BigInt(String(version)));
      stored.set(String(traceId), spans);
    }
    const served = new Set<string>();
    for (const traceId of traceIds) {
      const held = this.recent.held(projectId, traceId);
      const spans = stored.get(traceId);
      if (!held || !spans || spans.size !== held.size) continue;
      let same = true;
      let newest = 0n;
      for (const [spanId, version] of spans) {
        if (held.get(spanId)?.version !== version) {
          same = false;
          break;
        }
        if (version > newest) newest = version;
      }
      // Held and stored agree, yet the backlog names a later write: another collector's, not readable here yet.
      if (!same || newest < (writtenNs?.get(traceId) ?? 0n)) continue;
      const taken = this.recent.take(projectId, traceId);
      if (!taken) continue;
      for (const step of taken) steps.push(step);
      served.add(traceId);
      await pauseIfLong();
    }
    return served;
  }

  async overview(projectId: string, query: OverviewQuery): Promise<Overview> {
    const rows = await this.select(overviewSql(this.db, projectId, query));
    return overviewOf(query, rows.map(overviewGroupOf));
  }

  async runsTouching(projectId: string, touch: Touch, limit: number): Promise<RunSummary[]> {
    // A tool or a document is touched by many runs: probe by start time as the runs list does. An
    // approval ID names one or two runs, found straight from its lookup table.
    const runs =
      'approvalId' in touch
        ? await this.touchedRuns(projectId, touch, { limit })
        : await this.listRunsByWindows(
            projectId,
            'toolName' in touch ? { limit, toolName: touch.toolName } : { limit, documentId: touch.documentId },
          );
    return runs.slice(0, limit);
  }

  async putCredential(c: Credential): Promise<void> {
    const values = [
      literal(c.hash),
      literal(c.kind),
      `[${c.projectIds.map(literal).join(', ')}]`,
      literal(c.role),
      literal(c.name),
      uint(c.createdNs),
      c.revoked ? '1' : '0',
      uint(this.nextVersion()),
    ];
    await this.command(`INSERT INTO ${this.db}.credentials VALUES (${values.join(', ')})`);
  }

  async findCredential(hash: string): Promise<Credential | undefined> {
    const [row] = await this.select(`SELECT * FROM ${this.db}.credentials FINAL WHERE hash = ${literal(hash)}`);
    return row ? toCredential(row) : undefined;
  }

  async listCredentials(projectId?: string): Promise<Credential[]> {
    const where = projectId === undefined ? '' : ` WHERE has(project_ids, ${literal(projectId)})`;
    const rows = await this.select(`SELECT * FROM ${this.db}.credentials FINAL${where} ORDER BY created_ns, hash`);
    return rows.map(toCredential);
  }

  async putProject(project: Project): Promise<void> {
    const values = [literal(project.id), literal(project.name), uint(project.createdNs), uint(this.nextVersion())];
    await this.command(`INSERT INTO ${this.db}.projects VALUES (${values.join(', ')})`);
  }

  async listProjects(): Promise<Project[]> {
    // The version column is selected although unused: through a Distributed table, 18.16 fails a FINAL read
    // with ORDER BY and no WHERE that leaves out the version or sorting key ("Cannot find column version in
    // source stream") on the replica that holds more than one part locally.
    const rows = await this.select(`SELECT id, name, created_ns, version FROM ${this.db}.projects FINAL ORDER BY id`);
    return rows.map((r) => ({ id: String(r.id), name: String(r.name), createdNs: BigInt(String(r.created_ns)) }));
  }

  async recordAccess(entry: AccessEntry): Promise<void> {
    const values = [
      literal(entry.projectId),
      uint(entry.timeNs),
      `toDate(toDateTime(${uint(partitionSeconds(entry.timeNs))}, 'UTC'))`,
      uint(this.nextVersion()),
      literal(entry.actor),
      literal(entry.action),
      literal(entry.target),
    ];
    await this.command(`INSERT INTO ${this.db}.access_log SELECT ${values.join(', ')}`);
  }

  async listAccess(projectId: string, limit: number, filter: AccessFilter = {}): Promise<AccessEntry[]> {
    const where = [`project_id = ${literal(projectId)}`];
    if (filter.actor !== undefined) where.push(`actor = ${literal(filter.actor)}`);
    if (filter.fromNs !== undefined) where.push(`time_ns >= ${uint(filter.fromNs)}`);
    if (filter.toNs !== undefined) where.push(`time_ns < ${uint(filter.toNs)}`);
    const rows = await this.select(
      `SELECT project_id, time_ns, actor, action, target FROM ${this.db}.access_log
WHERE ${where.join(' AND ')} ORDER BY time_ns DESC, seq DESC LIMIT ${uint(limit)}`,
    );
    return rows.map((r) => ({
      projectId: String(r.project_id),
      timeNs: BigInt(String(r.time_ns)),
      actor: String(r.actor),
      action: String(r.action),
      target: String(r.target),
    }));
  }

  async purgeBefore(projectId: string, beforeNs: bigint, options: PurgeOptions = {}): Promise<void> {
    await purgeProjectBefore(this.retention, projectId, beforeNs, options.keepTraceIds);
    await findingsSql.clearOrphanFindings(this.findings, projectId);
    await alertsSql.purgeAlertsBefore(this.alerts, projectId, beforeNs);
  }

  replaceFindings(projectId: string, traceId: string, findings: readonly StoredFinding[]): Promise<void> {
    return findingsSql.replaceFindings(this.findings, projectId, traceId, findings);
  }

  replaceRunFindings(runs: readonly RunFindings[]): Promise<void> {
    return findingsSql.replaceRunFindings(this.findings, runs);
  }

  listRunFindings(projectId: string, traceIds: readonly string[]): Promise<Map<string, StoredFinding[]>> {
    return findingsSql.listRunFindings(this.findings, projectId, traceIds);
  }

  listFindings(projectId: string, query: FindingQuery): Promise<FindingPage> {
    return findingsSql.listFindings(this.findings, projectId, query);
  }

  setFindingStatus(projectId: string, id: string, status: FindingStatus): Promise<StoredFinding | undefined> {
    return findingsSql.setFindingStatus(this.findings, projectId, id, status);
  }

  getBaseline(projectId: string): Promise<string | undefined> {
    return findingsSql.getState(this.findings, projectId, 'baseline');
  }

  putBaseline(projectId: string, json: string): Promise<void> {
    return findingsSql.putState(this.findings, projectId, 'baseline', json);
  }

  getDetectionSettings(projectId: string): Promise<string | undefined> {
    return findingsSql.getState(this.findings, projectId, 'settings');
  }

  putDetectionSettings(projectId: string, json: string): Promise<void> {
    return findingsSql.putState(this.findings, projectId, 'settings', json);
  }

  recordDetectionAudit(entry: DetectionAuditEntry): Promise<void> {
    return findingsSql.recordAudit(this.findings, entry);
  }

  listDetectionAudit(projectId: string, limit: number): Promise<DetectionAuditEntry[]> {
    return findingsSql.listAudit(this.findings, projectId, limit);
  }

  metricSample(projectId: string, query: MetricSampleQuery): Promise<MetricSample> {
    return metricsSql.metricSample(this.findings, projectId, query);
  }

  metricSeries(projectId: string, query: MetricSeriesQuery): Promise<MetricPoint[]> {
    return metricsSql.metricSeries(this.findings, projectId, query);
  }

  listVersions(projectId: string, scope: { agentName?: string }, dimension: VersionDimension): Promise<VersionSeen[]> {
    return metricsSql.listVersions(this.findings, projectId, scope.agentName ?? '', dimension);
  }

  putAlertRule(rule: StoredAlertRule): Promise<void> {
    return alertsSql.putAlertRule(this.alerts, rule);
  }

  deleteAlertRule(projectId: string, id: string): Promise<boolean> {
    return alertsSql.deleteAlertRule(this.alerts, projectId, id);
  }

  listAlertRules(projectId: string): Promise<StoredAlertRule[]> {
    return alertsSql.listAlertRules(this.alerts, projectId);
  }

  putAlertState(state: StoredAlertState): Promise<void> {
    return alertsSql.putAlertState(this.alerts, state);
  }

  listAlertStates(projectId: string): Promise<StoredAlertState[]> {
    return alertsSql.listAlertStates(this.alerts, projectId);
  }

  recordAlertEvent(event: AlertEvent): Promise<void> {
    return alertsSql.recordAlertEvent(this.alerts, event);
  }

  listAlertEvents(projectId: string, query: AlertEventQuery): Promise<AlertEvent[]> {
    return alertsSql.listAlertEvents(this.alerts, projectId, query);
  }

  recordAlertDelivery(delivery: AlertDelivery): Promise<void> {
    return alertsSql.recordAlertDelivery(this.alerts, delivery);
  }

  listAlertDeliveries(projectId: string, query: AlertDeliveryQuery): Promise<AlertDelivery[]> {
    return alertsSql.listAlertDeliveries(this.alerts, projectId, query);
  }

  claimEvaluation(projectId: string, ruleId: string, windowEndNs: bigint, owner: string): Promise<boolean> {
    return alertsSql.claimEvaluation(this.alerts, projectId, ruleId, windowEndNs, owner);
  }

  appendChain(entries: readonly ChainEntry[], leaves: readonly ChainLeaf[]): Promise<void> {
    return evidenceSql.appendChain(this.evidence, entries, leaves);
  }

  listChainEntries(projectId: string, query: ChainEntryQuery): Promise<ChainEntry[]> {
    return evidenceSql.listChainEntries(this.evidence, projectId, query);
  }

  getChainEntries(projectId: string, keys: readonly ChainEntryKey[]): Promise<ChainEntry[]> {
    return evidenceSql.getChainEntries(this.evidence, projectId, keys);
  }

  chainHeads(projectId: string): Promise<ChainEntry[]> {
    return evidenceSql.chainHeads(this.evidence, projectId);
  }

  chainLeaves(projectId: string, traceIds: readonly string[]): Promise<ChainLeaf[]> {
    return evidenceSql.chainLeaves(this.evidence, projectId, traceIds);
  }

  integrityTraceIds(projectId: string, query: IntegrityTraceQuery): Promise<string[]> {
    return evidenceSql.integrityTraceIds(this.evidence, projectId, query);
  }

  async readSpans(projectId: string, traceIds: readonly string[]): Promise<Step[]> {
    if (traceIds.length === 0) return [];
    const { names, rows } = await this.selectCompact(
      evidenceSql.readSpansSql(this.db, projectId, traceIds, SPAN_COLUMN_NAMES),
    );
    return rows.map(stepReader(names));
  }

  rewriteSpans(projectId: string, steps: readonly Step[]): Promise<void> {
    return evidenceSql.rewriteSpans(
      {
        ...this.evidence,
        database: this.database,
        readSpans: (p, t) => this.readSpans(p, t),
        writeSteps: (s) => this.insertSteps(s),
        derivedTables: DAY_PARTITIONED_TABLES.filter((t) => t !== 'spans'),
        waitForMutations: (tables) => waitForMutations(this.retention, tables),
        ...(this.cluster === undefined ? {} : { cluster: this.cluster }),
      },
      projectId,
      steps,
    );
  }

  putCase(c: StoredCase): Promise<void> {
    return evidenceSql.putCase(this.evidence, c);
  }

  getCase(projectId: string, id: string): Promise<StoredCase | undefined> {
    return evidenceSql.getCase(this.evidence, projectId, id);
  }

  listCases(projectId: string): Promise<StoredCase[]> {
    return evidenceSql.listCases(this.evidence, projectId);
  }

  recordEvidenceAudit(entry: EvidenceAuditEntry): Promise<void> {
    return evidenceSql.recordEvidenceAudit(this.evidence, entry);
  }

  listEvidenceAudit(projectId: string, query: EvidenceAuditQuery): Promise<EvidenceAuditEntry[]> {
    return evidenceSql.listEvidenceAudit(this.evidence, projectId, query);
  }

  getRetentionPolicy(projectId: string): Promise<RetentionPolicy | undefined> {
    return evidenceSql.getRetentionPolicy(this.evidence, projectId);
  }

  putRetentionPolicy(policy: RetentionPolicy): Promise<void> {
    return evidenceSql.putRetentionPolicy(this.evidence, policy);
  }

  private get retention() {
    return {
      db: this.db,
      database: this.database,
      select: (sql: string) => this.select(sql),
      command: (sql: string) => this.command(sql),
      ...(this.cluster === undefined ? {} : { cluster: this.cluster }),
    };
  }

  private get evidence(): evidenceSql.EvidenceContext {
    return {
      db: this.db,
      select: (sql) => this.select(sql),
      command: (sql) => this.command(sql),
      insert: (table, rows) => this.insertRows(table, rows),
      insertJsonEachRow: (table, columns, body) => this.insertJsonEachRow(table, columns, body),
      nextVersion: () => this.nextVersion(),
    };
  }

  private get findings(): findingsSql.FindingsContext {
    return {
      db: this.db,
      select: (sql) => this.select(sql),
      insert: (table, rows) => this.insertRows(table, rows),
      nextVersion: () => this.nextVersion(),
    };
  }

  private get alerts(): alertsSql.AlertsContext {
    return {
      ...this.findings,
      database: this.database,
      command: (sql) => this.command(sql),
      ...(this.claimSettleMs === undefined ? {} : { claimSettleMs: this.claimSettleMs }),
      ...(this.cluster === undefined ? {} : { cluster: this.cluster }),
      ...(this.insertQuorum > 1
        ? {
            claimInsert: (sql: string) =>
              this.withQuorum('claiming an alert window', (settings, signal) =>
                this.client.command({
                  query: sql,
                  abort_signal: signal,
                  // The insert's own read of the key's claims must see every acknowledged claim too.
                  clickhouse_settings: { ...settings, ...SEQUENTIAL_READ },
                }),
              ),
            claimSelect: (sql: string) => this.select(sql, SEQUENTIAL_READ),
          }
        : {}),
      onClaimDeclined: () => {
        this.declinedClaims++;
      },
    };
  }

  /**
   * Alert-window claims this client gave up because the store took longer than the settle delay to
   * take them while another claim of the same window was under way (see `clickhouse-alert-claims.ts`).
   * Such a window is claimed again in its next retry slot.
   */
  declinedClaims = 0;

  private async withFindingCounts(projectId: string, runs: RunSummary[]): Promise<RunSummary[]> {
    const ids = runs.map((r) => r.traceId);
    let since: bigint | undefined;
    for (const r of runs) if (since === undefined || r.startNs < since) since = r.startNs;
    const [counts, names] = await Promise.all([
      findingsSql.openCounts(this.findings, projectId, ids),
      this.runNames(projectId, ids, since ?? 0n),
    ]);
    for (const run of runs) {
      const c = counts.get(run.traceId);
      run.findingCount = c?.count ?? 0;
      run.worstSeverity = c?.worst ?? '';
      run.runName = names.get(run.traceId) ?? '';
    }
    return runs;
  }

  /**
   * `casefile.run.name` of the listed traces, picked as `summarizeRun` does; read by primary key, not kept in `runs`.
   * Every step of a run starts at or after the run, so only partitions from the oldest listed run's day on are
   * read. No FINAL: on 18.16 it reads and merges every row of the granules the IDs touch before filtering (a
   * page of 51 runs took 20–60 s on a loaded half-million-span store); PREWHERE on the trace IDs keeps only their
   * rows, and each span's newest version is picked with argMax (a resent span is one span, as FINAL made it).
   */
  private async runNames(
    projectId: string,
    traceIds: readonly string[],
    sinceNs: bigint,
  ): Promise<Map<string, string>> {
    if (traceIds.length === 0) return new Map();
    const key = literal(RUN_NAME_ATTRIBUTE);
    const rows = await this.select(
      `SELECT trace_id, span_id, argMax(parent_span_id, version) AS parent_span_id, argMax(kind, version) AS kind,
  toString(argMax(start_ns, version)) AS start_ns,
  argMax(attributes_values[indexOf(attributes_keys, ${key})], version) AS run_name,
  argMax(has(attributes_keys, ${key}), version) AS named
FROM ${this.db}.spans
PREWHERE project_id = ${literal(projectId)} AND trace_id IN (${literalArray(traceIds).slice(1, -1)})
WHERE start_time >= toDateTime(${uint(partitionSeconds(sinceNs))})
GROUP BY trace_id, span_id HAVING named = 1`,
    );
    const byTrace = new Map<string, Parameters<typeof pickRunName>[0][number][]>();
    for (const r of rows) {
      const list = byTrace.get(String(r.trace_id)) ?? [];
      list.push({
        spanId: String(r.span_id),
        parentSpanId: String(r.parent_span_id),
        kind: String(r.kind) as Step['kind'],
        startNs: BigInt(String(r.start_ns)),
        attributes: { [RUN_NAME_ATTRIBUTE]: String(r.run_name) },
      });
      byTrace.set(String(r.trace_id), list);
    }
    return new Map([...byTrace].map(([id, steps]) => [id, pickRunName(steps)]));
  }

  private async insertRows(table: string, rows: Row[]): Promise<void> {
    const name = `${this.db}.${table}`;
    try {
      await this.guard.run((signal) =>
        this.client.insert({ table: name, values: rows, format: 'JSONEachRow', abort_signal: signal }),
      );
    } catch (error) {
      throw mapError(error, `INSERT INTO ${name} FORMAT JSONEachRow (${rows.length} rows)`);
    }
  }

  private async insertJsonEachRow(table: string, columns: readonly string[], body: string): Promise<void> {
    const name = `${this.db}.${table}`;
    const query = `INSERT INTO ${name} (${columns.map(ident).join(', ')}) FORMAT JSONEachRow`;
    const bytes = Buffer.from(body, 'utf8');
    try {
      await this.guard.run(async (signal) => {
        const result = await this.client.exec({
          query,
          values: Readable.from([bytes], { objectMode: false }),
          abort_signal: signal,
        });
        // The answer to an insert is empty; read it to the end so the socket goes back to the pool.
        result.stream.resume();
        await finished(result.stream);
      });
    } catch (error) {
      throw mapError(error, `${query} (${bytes.length} bytes)`);
    }
  }

  /** Drops the whole database. For tests and `casefile reset`; never called by the collector itself. */
  async dropDatabase(): Promise<void> {
    const on = this.cluster === undefined ? '' : ` ON CLUSTER ${ident(this.cluster)}`;
    await this.command(`DROP DATABASE IF EXISTS ${this.db}${on}`);
  }

  async close(): Promise<void> {
    this.guard.close();
    await this.client.close();
  }

  /** GET /ping on its own connection, so a pool full of hung requests cannot hold it up. */
  async ping(timeoutMs: number): Promise<void> {
    try {
      const response = await fetch(new URL('/ping', this.url), { signal: AbortSignal.timeout(timeoutMs) });
      await response.text();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      throw new StoreUnavailableError(`ClickHouse did not answer a ping within ${timeoutMs} ms`, { cause: error });
    }
  }

  async pendingDetections(query: PendingDetectionQuery): Promise<PendingDetection[]> {
    return (await this.select(pendingSql(this.db, query))).map(toPending);
  }

  async countPendingDetections(
    query: Omit<PendingDetectionQuery, 'limit'>,
  ): Promise<{ runs: number; oldestNs?: bigint }> {
    const [row] = await this.select(countPendingSql(this.db, query));
    const runs = Number(row?.runs ?? 0);
    return runs === 0 ? { runs } : { runs, oldestNs: BigInt(String(row?.oldest)) };
  }

  claimDetections(runs: readonly PendingDetection[], owner: string, leaseMs: number): Promise<PendingDetection[]> {
    return claimsSql.claimDetections(
      {
        db: this.db,
        select: (sql) => this.select(sql),
        insert: (sql) => this.command(sql),
        settleMs: this.claimSettleMs ?? DEFAULT_CLAIM_SETTLE_MS,
        held: this.heldLeases,
      },
      runs,
      owner,
      Math.max(1, Math.ceil(leaseMs / 1000)),
    );
  }

  private readonly heldLeases = new Map<string, number>();

  async markDetected(marks: readonly PendingDetection[]): Promise<void> {
    for (let i = 0; i < marks.length; i += 1000) await this.command(markSql(this.db, marks.slice(i, i + 1000)));
  }

  /** A strictly increasing version: ReplacingMergeTree keeps the row with the highest one. */
  private nextVersion(): bigint {
    const now = BigInt(Date.now()) * 1_000_000n;
    this.lastVersion = now > this.lastVersion ? now : this.lastVersion + 1n;
    return this.lastVersion;
  }

  private select(sql: string, settings?: ClickHouseSettings): Promise<Row[]> {
    return this.read(sql, async (signal) => {
      const result = await this.client.query({
        query: sql,
        format: 'JSONEachRow',
        abort_signal: signal,
        ...(settings ? { clickhouse_settings: settings } : {}),
      });
      return await result.json<Row>();
    });
  }

  /** A read whose answer may be large (span rows): rows as arrays, parsed as they stream in. */
  private selectCompact(sql: string): Promise<CompactRows> {
    return this.read(sql, async (signal) => {
      const { stream } = await this.client.exec({ query: `${sql}\nFORMAT JSONCompact`, abort_signal: signal });
      return await readCompact(stream);
    });
  }

  /** Runs a read under the deadline guard; a read is safe to send again, once, on a connection the server had closed while it idled. */
  private async read<T>(sql: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.guard.run(work);
      } catch (error) {
        if (attempt === 1 && isStaleConnection(error)) continue;
        throw mapError(error, sql);
      }
    }
  }

  private async command(sql: string): Promise<void> {
    try {
      await this.guard.run((signal) =>
        this.client.command({ query: sql, abort_signal: signal, clickhouse_settings: WHOLE_ANSWER }),
      );
    } catch (error) {
      throw mapError(error, sql);
    }
  }
}

/**
 * Session settings of a collector on a cluster. An insert into a Distributed table returns once every
 * shard has it (`insert_distributed_sync`); span inserts also wait for `insertQuorum` replicas of their
 * shard (`insert_quorum`, set per insert: 18.16 refuses concurrent quorum inserts into one table, and the
 * small tables need no such wait). A server reads and writes the shard it holds itself (18.16 writes
 * there whatever `prefer_localhost_replica` says), every other shard on its first live replica
 * (`load_balancing = in_order`), and the second replica takes over when the first is down. So a
 * collector reads its own writes at once; another collector reads them at once with a quorum of every
 * replica, or once replicated (see deploy/README.md; detection waits for that,
 * `GetRunsOptions.writtenNs`). An IN or JOIN subquery over a Distributed table reads the local table of
 * the same shard, which is right because every table such subqueries read is sharded by
 * trace ID.
 */
const CLUSTER_SETTINGS = {
  insert_distributed_sync: 1,
  load_balancing: 'in_order',
  distributed_product_mode: 'local',
  // A shard none of whose replicas answers fails the read (503); skipping it would read its runs as missing (404).
  skip_unavailable_shards: 0,
} as unknown as ClickHouseSettings;

/**
 * Every span insert: no block deduplication (`insert_deduplicate = 0`). A replicated table drops a block
 * it has seen before, and then skips the materialized views too (18.16 and later). A span insert can
 * fail after its spans are committed, when one of the views behind it fails (on a cluster with a write
 * quorum, a view's table refuses a second quorum insert while another is under way, 286); the same
 * block sent again was then acknowledged with the spans stored and no summary, time range, lookup or
 * backlog row for its runs: the run would not list, open (404) or be detected. Without deduplication the
 * resent block runs every view again; that is harmless, because span rows collapse by key and every
 * view's rows are idempotent (a resent batch counts once).
 */
const SPAN_INSERT_SETTINGS = { insert_deduplicate: 0 } as unknown as ClickHouseSettings;

/**
 * Statements whose answer is only a status: the server holds the answer until the statement ends, so an
 * error that comes after it began answering (an ON CLUSTER statement streams each server's result)
 * arrives as an error with its message, not as a connection closed halfway ("socket hang up").
 */
const WHOLE_ANSWER = { wait_end_of_query: 1 } as unknown as ClickHouseSettings;

/** A read that sees every acknowledged quorum insert, or fails on a replica that lacks one (never reads stale). */
const SEQUENTIAL_READ = { select_sequential_consistency: 1 } as unknown as ClickHouseSettings;

/** UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE: another quorum insert into the same table and shard is under way. */
const QUORUM_BUSY = '286';
/** How long a span insert waits for its quorum, and for other quorum inserts to go first; then 503. */
const DEFAULT_QUORUM_TIMEOUT_MS = 10_000;
/** TOO_FEW_LIVE_REPLICAS, UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE, UNKNOWN_STATUS_OF_INSERT (quorum timed out). */
const QUORUM_CODES = new Set(['285', '286', '319']);

/**
 * The server's error code. The client parses it only from messages of newer servers (they end in the
 * error's name); 18.16 says `Code: 286, e.displayText() = …`, which arrives as a plain Error.
 */
function errorCode(error: unknown): string {
  if (error instanceof ClickHouseError) return String(error.code);
  return error instanceof Error ? (/^Code: (\d+)[,.]/.exec(error.message)?.[1] ?? '') : '';
}

function isCode(error: unknown, code: string): boolean {
  return errorCode(error) === code;
}

const isCreate = (statement: string) =>
  /^\s*(CREATE (TABLE|MATERIALIZED VIEW) IF NOT EXISTS|INSERT INTO) /.test(statement);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** The server closed a kept-alive connection as the request went out on it ("socket hang up"). */
function isStaleConnection(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === 'ECONNRESET' || /socket hang up/i.test(e.message)) return true;
  }
  return false;
}

function isNetworkError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (/timeout|socket hang up|ECONNREFUSED/i.test(e.message)) return true;
    const nested = (e as { errors?: unknown[] }).errors; // AggregateError from dual-stack connects
    if (Array.isArray(nested) && nested.some(isNetworkError)) return true;
  }
  return false;
}

function mapError(error: unknown, sql: string): Error {
  // The deadline guard's verdict (a deadline passed, the server is hung) is already the answer.
  if (error instanceof StoreUnavailableError) return error;
  if (RETRYABLE_CODES.has(errorCode(error))) {
    return new StoreUnavailableError(`ClickHouse is overloaded (code ${errorCode(error)})`, { cause: error });
  }
  if (isNetworkError(error)) return new StoreUnavailableError('ClickHouse is unreachable', { cause: error });
  if (LINK_CODES.has(errorCode(error))) {
    return new StoreUnavailableError(`a ClickHouse server lost a connection to another (code ${errorCode(error)})`, {
      cause: error,
    });
  }
  const message = error instanceof Error ? wellFormed(error.message) : String(error);
  return new StoreQueryError(`ClickHouse statement failed: ${message}`, sql, { cause: error });
}

function toCredential(r: Row): Credential {
  return {
    hash: String(r.hash),
    kind: r.kind === 'login' ? 'login' : 'ingest',
    projectIds: (r.project_ids as string[]).map(String),
    role: r.role as Credential['role'],
    name: String(r.name),
    createdNs: BigInt(String(r.created_ns)),
    revoked: Number(r.revoked) === 1,
  };
}

/** The UTC date (YYYY-MM-DD) of a time in ns, as ClickHouse's toDate of its DateTime. */
const utcDay = (ns: bigint): string => new Date(partitionSeconds(ns) * 1000).toISOString().slice(0, 10);

/**
 * Of the rows of one span (trace and span ID), the one with the highest version, as FINAL keeps it.
 * With `writtenNs`, only the runs whose newest span is at least the write time it gives them: a run
 * below it is not yet readable at that write here.
 */
function newestVersions(
  names: readonly string[],
  rows: readonly (readonly unknown[])[],
  writtenNs?: ReadonlyMap<string, bigint>,
): (readonly unknown[])[] {
  const [trace, span, ver] = ['trace_id', 'span_id', 'version'].map((n) => names.indexOf(n)) as [
    number,
    number,
    number,
  ];
  const newest = new Map<string, { row: readonly unknown[]; version: bigint }>();
  const runNewest = new Map<string, bigint>();
  for (const row of rows) {
    const traceId = String(row[trace]);
    const key = `${traceId}\u0000${String(row[span])}`;
    const version = BigInt(String(row[ver]));
    const seen = newest.get(key);
    if (!seen || version >= seen.version) newest.set(key, { row, version });
    if (writtenNs && version > (runNewest.get(traceId) ?? 0n)) runNewest.set(traceId, version);
  }
  const kept: (readonly unknown[])[] = [];
  for (const { row } of newest.values()) {
    const traceId = String(row[trace]);
    if (!writtenNs || (runNewest.get(traceId) ?? 0n) >= (writtenNs.get(traceId) ?? 0n)) kept.push(row);
  }
  return kept;
}

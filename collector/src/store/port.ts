import { type RunSort, SEVERITIES, type Severity } from '@casefile/contract';
import { BadInputError } from '../errors/errors.js';
import type { RunSummary, Step } from '../model/step.js';
import type { EvidenceStore } from './evidence.js';
import type { DetectionAuditEntry, FindingPage, FindingQuery, FindingStatus, StoredFinding } from './findings.js';
import type { Overview, OverviewQuery } from './overview.js';
import type { TextMatch } from './text-search.js';

export type { CaseStore, ChainStore, EvidenceStore } from './evidence.js';
export type { DetectionAuditEntry, FindingPage, FindingQuery, FindingStatus, StoredFinding } from './findings.js';
export type { Overview, OverviewQuery } from './overview.js';

import type {
  AlertDelivery,
  AlertDeliveryQuery,
  AlertEvent,
  AlertEventQuery,
  StoredAlertRule,
  StoredAlertState,
} from './alerts.js';
import type {
  MetricPoint,
  MetricSample,
  MetricSampleQuery,
  MetricScope,
  MetricSeriesQuery,
  VersionDimension,
  VersionSeen,
} from './metrics.js';

/*
 * The storage contract, one role interface per part of the collector that uses the store. A consumer
 * asks for the roles it uses (the batching writer a `SpanWriter`, the alert evaluator an `AlertStore`,
 * a `MetricsReader` and a `RunReader`, …); an adapter implements all of them as `TraceStore`. Every
 * role keeps the same contract:
 *
 * - Writes are idempotent: OTLP clients resend, so the same (project, trace, span) written twice is
 *   stored once (the later write wins); the same holds for every keyed record below.
 * - A write resolves only once the data is durable (committed / acknowledged by the server).
 * - Reads of an unknown ID return empty results (`[]`, `undefined`, an empty page), never an error.
 * - All times are bigint nanoseconds since the Unix epoch.
 * - Every read and write is scoped to one project: nothing from another project is ever returned.
 * - An unreachable backend throws `StoreUnavailableError` (→ 503), a rejected statement
 *   `StoreQueryError` (keeps the SQL and the driver's error as `cause`); both live in `errors/`.
 *
 * The store battery (`store-battery.suite.ts`) holds every store to this contract.
 */

/** Opening and closing a store; the backend's name for logs. */
export interface StoreLifecycle {
  /** Human-readable backend name, e.g. "duckdb" or "clickhouse". */
  readonly backend: string;

  /** Create or upgrade the schema (versioned migrations). Safe to call on every start. */
  migrate(): Promise<void>;

  /** Resolves when the backend answers a trivial request within `timeoutMs`; throws `StoreUnavailableError` otherwise. */
  ping(timeoutMs: number): Promise<void>;

  close(): Promise<void>;
}

/** The ingest path: where acknowledged spans go. */
export interface SpanWriter {
  /** Store steps (any projects mixed). Idempotent; resolves once durable. */
  writeSteps(steps: readonly Step[]): Promise<void>;
}

export interface GetRunsOptions {
  /**
   * The runs were just written through this store (detection reads them back a second or two after
   * ingest). A store may then answer a run from the spans it wrote, once the key columns show every
   * stored span of the run is one it wrote, at the version it wrote; any other run is read in full.
   * Reads that must show what the database holds (the run page, exports, verification) leave it out.
   */
  justWritten?: boolean;
  /**
   * Per run, the write time the detection backlog gave it (`PendingDetection.writtenNs`). A run is
   * answered only if the read shows that write (a span stored at it or later); otherwise it is left out,
   * to be read again later. On a cluster a replica can hold a run's backlog row before its spans (each
   * table is fetched on its own), and a run read then would be detected short or empty. A store whose
   * reads see every acknowledged write with its backlog row (one database, one transaction) leaves out
   * only runs it does not hold.
   */
  writtenNs?: ReadonlyMap<string, bigint>;
}

/** Runs as the investigator sees them: the list, one run's steps, the runs that touched a key. */
export interface RunReader {
  /**
   * Runs, newest first or in `query.sort` over every matching run, filtered; cursor pagination
   * (opaque string); with `query.count`, `total` says how many runs match.
   */
  listRuns(projectId: string, query: RunQuery): Promise<RunPage>;

  /** Every step of one run in the order of `orderSteps` (start time; ties by ancestry, end, span ID). Unknown run → []. */
  getRun(projectId: string, traceId: string): Promise<Step[]>;

  /**
   * `getRun` for many runs of one project in one read (detection loads a page of runs at once):
   * every listed run that has steps, keyed by trace ID; unknown runs are left out.
   */
  getRuns(projectId: string, traceIds: readonly string[], options?: GetRunsOptions): Promise<Map<string, Step[]>>;

  /**
   * Runs that touched a document, tool or approval, newest first, answered from lookup
   * tables/indexes rather than a scan of all spans.
   */
  runsTouching(projectId: string, touch: Touch, limit: number): Promise<RunSummary[]>;

  /**
   * The overview of `query`'s runs (see `OverviewQuery`): per time bucket, per agent and in total, over
   * every matching run, computed in the store (one aggregate query, not pages of runs). Answers exactly
   * as `aggregateOverview` over the same runs' summaries.
   */
  overview(projectId: string, query: OverviewQuery): Promise<Overview>;
}

/** Credentials (ingest keys, login tokens), stored only as hashes. */
export interface CredentialStore {
  /** Replaces the credential with the same hash (revoking is a put with `revoked: true`). */
  putCredential(credential: Credential): Promise<void>;
  findCredential(hash: string): Promise<Credential | undefined>;
  /** Oldest first (then by hash); with a project, the credentials that may use it. */
  listCredentials(projectId?: string): Promise<Credential[]>;
}

/** The projects of this deployment; the one read that spans projects, for bootstrap and the evaluator. */
export interface ProjectStore {
  /** Replaces the project with the same ID. */
  putProject(project: Project): Promise<void>;
  /** By ID. */
  listProjects(): Promise<Project[]>;
}

/** Append-only log of who read which run, searched or exported what. */
export interface AccessLog {
  recordAccess(entry: AccessEntry): Promise<void>;
  /** Newest first; `filter` narrows to one actor and a `[fromNs, toNs)` time range. */
  listAccess(projectId: string, limit: number, filter?: AccessFilter): Promise<AccessEntry[]>;
}

/**
 * What detection still has to examine, derived from what was written: every acknowledged write
 * stamps its runs with a write time (`writtenNs`, strictly increasing per writer), and a run is
 * pending while it has no detection mark at its latest write time. A crash, a restart or an outage
 * therefore loses no work: whatever was not marked is still pending, across every project.
 */
export interface DetectionBacklog {
  /**
   * Pending runs whose latest write is in `[sinceNs, untilNs]`, oldest write first (then project,
   * trace), at most `limit`. A run whose latest write is after `untilNs` is not returned yet
   * (it is still arriving); one written before `sinceNs` only if a later write moved it up.
   */
  pendingDetections(query: PendingDetectionQuery): Promise<PendingDetection[]>;
  /**
   * How many runs are pending with a latest write in `[sinceNs, untilNs]`, and the oldest write
   * among them (undefined when none).
   */
  countPendingDetections(query: Omit<PendingDetectionQuery, 'limit'>): Promise<{ runs: number; oldestNs?: bigint }>;
  /**
   * Marks runs detected as of their write `writtenNs` (as `pendingDetections` returned it). A later
   * write makes the run pending again; marking an older write than the run's latest changes nothing
   * for that later write. Idempotent.
   */
  markDetected(marks: readonly PendingDetection[]): Promise<void>;
  /**
   * Of `runs` (as `pendingDetections` returned them), the ones `owner` may detect now: for each run,
   * of all collectors sharing the store, one holds it at a time, for up to `leaseMs` (then whoever
   * claims it next takes it over, so a collector that died leaves no run undetected). A run already
   * marked detected at its `writtenNs` is not answered. Owners must be unique per process. Stores
   * that allow one process per database answer every run.
   */
  claimDetections(runs: readonly PendingDetection[], owner: string, leaseMs: number): Promise<PendingDetection[]>;
}

export interface PendingDetectionQuery {
  sinceNs: bigint;
  untilNs: bigint;
  limit: number;
}

export interface PendingDetection {
  projectId: string;
  traceId: string;
  /** The run's latest write time (ns, the writer's clock). */
  writtenNs: bigint;
}

/** Retention. */
export interface Retention {
  /**
   * Delete everything of a project older than `beforeNs`: steps that started before it (run summaries
   * then reflect the remaining steps), access-log entries, findings of runs that no longer exist, alert
   * events and deliveries before it and claims of windows that ended before it (rules and states stay).
   * Backends that drop whole daily partitions (ClickHouse) round `beforeNs` down to a UTC day boundary
   * for steps and access-log entries, i.e. may keep up to one day more than asked, never less.
   * The chain's leaves of the removed steps go with them (entries stay: they are the tombstones).
   * `keepTraceIds` (runs under legal hold) keep all their steps and leaves, whatever their age.
   */
  purgeBefore(projectId: string, beforeNs: bigint, options?: PurgeOptions): Promise<void>;
}

export interface PurgeOptions {
  keepTraceIds?: ReadonlySet<string>;
}

/** One run's complete set of findings, as `replaceRunFindings` stores it. */
export interface RunFindings {
  projectId: string;
  traceId: string;
  findings: readonly StoredFinding[];
}

/** Findings of the detection worker, and the statuses investigators give them. */
export interface FindingsStore {
  /**
   * Store the findings of one run, replacing whatever that run had before as a whole (a re-detected
   * run can lose findings). Idempotent. Summaries (`listRuns`, `runsTouching`) then report
   * `findingCount` = the run's findings that `countsTowardRun` (open, medium or above), exactly,
   * however often it was replaced.
   */
  replaceFindings(projectId: string, traceId: string, findings: readonly StoredFinding[]): Promise<void>;

  /**
   * `replaceFindings` for many runs in one write (one transaction on DuckDB, one insert on
   * ClickHouse): detection stores a page of runs at once instead of paying a commit per run. Either
   * every run's findings are replaced or the call fails. A run listed twice keeps its last entry.
   */
  replaceRunFindings(runs: readonly RunFindings[]): Promise<void>;

  /** Every finding of each listed run of one project, in one read, keyed by trace ID (runs without findings left out). */
  listRunFindings(projectId: string, traceIds: readonly string[]): Promise<Map<string, StoredFinding[]>>;

  /** Findings, newest first (`createdNs`, then ID, descending), filtered; cursor pagination. */
  listFindings(projectId: string, query: FindingQuery): Promise<FindingPage>;

  /** Set one finding's status; returns the updated finding, or undefined for an unknown ID. */
  setFindingStatus(projectId: string, id: string, status: FindingStatus): Promise<StoredFinding | undefined>;
}

/** What detection learns and is told per project: its baseline, its settings, the log of changes. */
export interface DetectionStateStore {
  /** The project's detection baseline (JSON text), undefined before the first `putBaseline`. */
  getBaseline(projectId: string): Promise<string | undefined>;
  putBaseline(projectId: string, json: string): Promise<void>;

  /** The project's detection settings (JSON text), undefined while it has the defaults. */
  getDetectionSettings(projectId: string): Promise<string | undefined>;
  putDetectionSettings(projectId: string, json: string): Promise<void>;

  /** Append-only log of detection changes (settings, finding statuses); newest first. */
  recordDetectionAudit(entry: DetectionAuditEntry): Promise<void>;
  listDetectionAudit(projectId: string, limit: number): Promise<DetectionAuditEntry[]>;
}

/** Behaviour metrics for drift and alert rules, computed inside the backend; steps are never loaded. */
export interface MetricsReader {
  /**
   * One metric over one window for one scope (`metrics.ts` defines each metric), computed with
   * aggregate queries in the backend.
   */
  metricSample(projectId: string, query: MetricSampleQuery): Promise<MetricSample>;

  /** The same metric per time bucket, oldest first; empty buckets omitted. */
  metricSeries(projectId: string, query: MetricSeriesQuery): Promise<MetricPoint[]>;

  /** The prompt/policy/model versions an agent's runs carried ('' agent = all), oldest first by first sight. */
  listVersions(
    projectId: string,
    scope: Pick<MetricScope, 'agentName'>,
    dimension: VersionDimension,
  ): Promise<VersionSeen[]>;
}

/** Alert rules, their states and history, webhook deliveries, and the claims that share evaluation. */
export interface AlertStore {
  /** Alert rules: put replaces by (project, ID); delete removes it (and keeps its history). */
  putAlertRule(rule: StoredAlertRule): Promise<void>;
  deleteAlertRule(projectId: string, id: string): Promise<boolean>;
  listAlertRules(projectId: string): Promise<StoredAlertRule[]>;

  /** One state document per rule; the later `updatedNs` wins. */
  putAlertState(state: StoredAlertState): Promise<void>;
  listAlertStates(projectId: string): Promise<StoredAlertState[]>;

  /** Append-only history of state changes; idempotent by event ID. Newest first. */
  recordAlertEvent(event: AlertEvent): Promise<void>;
  listAlertEvents(projectId: string, query: AlertEventQuery): Promise<AlertEvent[]>;

  /** Append-only log of delivery attempts. Newest first. */
  recordAlertDelivery(delivery: AlertDelivery): Promise<void>;
  listAlertDeliveries(projectId: string, query: AlertDeliveryQuery): Promise<AlertDelivery[]>;

  /**
   * Claim the evaluation of one rule for one window: of all collectors sharing the store that call
   * this with the same (project, rule, windowEndNs), exactly one gets true (the others false), however
   * their calls interleave. The claim is permanent: a later call for the same key returns false.
   */
  claimEvaluation(projectId: string, ruleId: string, windowEndNs: bigint, owner: string): Promise<boolean>;
}

/**
 * A whole store: every role above. Adapters (DuckDB, ClickHouse) and the in-memory test store implement
 * it; only the code that opens a store (`server.ts`, `create-store.ts`) and the API routes hold one whole.
 */
export interface TraceStore
  extends StoreLifecycle,
    SpanWriter,
    RunReader,
    CredentialStore,
    ProjectStore,
    AccessLog,
    Retention,
    FindingsStore,
    DetectionStateStore,
    DetectionBacklog,
    MetricsReader,
    AlertStore,
    EvidenceStore {}

export type Touch = { documentId: string } | { toolName: string } | { approvalId: string };

export interface RunQuery {
  /** Inclusive lower bound on run start, ns. */
  fromNs?: bigint;
  /** Exclusive upper bound on run start, ns. */
  toNs?: bigint;
  agentName?: string;
  status?: 'ok' | 'error';
  toolName?: string;
  promptVersion?: string;
  policyVersion?: string;
  model?: string;
  documentId?: string;
  approvalId?: string;
  /**
   * Case-insensitive literal substring (no wildcards) over the (redacted) payloads of the run's
   * steps: names, input, messages, tool arguments and results, retrieved documents and their IDs,
   * errors, approvals, events and attribute values (`text-search.ts` lists them). Pseudonym tokens
   * such as `[email:7f3a9c12]` match as typed.
   */
  text?: string;
  /** true: only runs with `findingCount` > 0 (open findings of medium or above); false: only runs without. */
  hasFindings?: boolean;
  limit: number;
  cursor?: string;
  /**
   * Order of the whole matching set (default newest first). `duration` is end − start, `tokens`
   * input + output, `severity` the worst open finding (low included) then `findingCount`; ties are
   * broken newest first. Any order but newest first pages by offset (`encodeOffsetCursor`).
   */
  sort?: RunSort;
  /** Also count the matching runs into `RunPage.total`. */
  count?: boolean;
}

export interface RunPage {
  runs: RunSummary[];
  /** Pass back as `cursor` for the next page; absent when there is none. */
  nextCursor?: string;
  /** With `count`: how many runs match the filters, over all pages. */
  total?: number;
  /** With `text`: where each run of the page matched (its first matching step and field), in page order. */
  textMatches?: TextMatch[];
}

export type Role = 'viewer' | 'investigator' | 'admin';

export interface Credential {
  /** SHA-256 hex of the secret. The secret itself is never stored. */
  hash: string;
  kind: 'ingest' | 'login';
  /** Ingest keys belong to one project; login tokens list the projects they may read. */
  projectIds: string[];
  role: Role;
  name: string;
  createdNs: bigint;
  revoked: boolean;
}

export interface Project {
  id: string;
  name: string;
  createdNs: bigint;
}

export interface AccessFilter {
  actor?: string;
  /** Inclusive, ns. */
  fromNs?: bigint;
  /** Exclusive, ns. */
  toNs?: bigint;
}

export interface AccessEntry {
  projectId: string;
  timeNs: bigint;
  actor: string;
  action: string;
  target: string;
}

/**
 * A page from the `limit + 1` matching runs an adapter read (from `offset` on, for a sorted list):
 * the extra one only says there is more.
 */
export function runPageOf(runs: RunSummary[], limit: number, offset?: number): RunPage {
  if (runs.length <= limit) return { runs };
  const page = runs.slice(0, limit);
  const last = page[page.length - 1] as RunSummary;
  return {
    runs: page,
    nextCursor: offset === undefined ? encodeCursor(last.startNs, last.traceId) : encodeOffsetCursor(offset + limit),
  };
}

/** Whether a query asks for another order than the list's own (newest first). */
export function isSorted(query: Pick<RunQuery, 'sort'>): query is { sort: RunSort } {
  return query.sort !== undefined && (query.sort.key !== 'start' || !query.sort.descending);
}

/** Cursor of a sorted list: how many runs the earlier pages held. */
export function encodeOffsetCursor(offset: number): string {
  return Buffer.from(`o:${offset}`, 'utf8').toString('base64url');
}

/** The offset of a sorted list's cursor (0 without one); BadInputError for anything else. */
export function offsetOf(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new BadInputError('invalid cursor');
  return Number(m[1]);
}

/** Severity rank of a run for `sort=severity`: its worst open finding, 0 for none, 4 for critical. */
export function severityRank(run: Pick<RunSummary, 'worstSeverity'>): number {
  return SEVERITIES.indexOf(run.worstSeverity as Severity) + 1;
}

/** The order `query.sort` asks for, as the adapters implement it in SQL. */
export function compareRuns(sort: RunSort): (a: RunSummary, b: RunSummary) => number {
  const primary = (r: RunSummary): bigint[] => {
    switch (sort.key) {
      case 'start':
        return [r.startNs];
      case 'duration':
        return [r.endNs - r.startNs];
      case 'tokens':
        return [BigInt(r.inputTokens + r.outputTokens)];
      case 'severity':
        return [BigInt(severityRank(r)), BigInt(r.findingCount)];
    }
  };
  const cmp = (x: bigint | string, y: bigint | string) => (x < y ? -1 : x > y ? 1 : 0);
  return (a, b) => {
    const pa = primary(a);
    const pb = primary(b);
    for (let i = 0; i < pa.length; i++) {
      const c = cmp(pa[i] as bigint, pb[i] as bigint);
      if (c !== 0) return sort.descending ? -c : c;
    }
    if (sort.key === 'start' && !sort.descending) return cmp(a.traceId, b.traceId);
    return cmp(b.startNs, a.startNs) || cmp(b.traceId, a.traceId);
  };
}

/** Opaque cursor: the (start, traceId) of the last run on the previous page. */
export function encodeCursor(startNs: bigint, traceId: string): string {
  return Buffer.from(`${startNs}:${traceId}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { startNs: bigint; traceId: string } | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{1,20}):([0-9a-f]{32})$/.exec(text);
  if (!m) return undefined;
  return { startNs: BigInt(m[1] as string), traceId: m[2] as string };
}

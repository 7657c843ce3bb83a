import { createHash } from 'node:crypto';
import {
  type Finding,
  type FindingOrder,
  type FindingStatus,
  type RunSummary,
  SEVERITIES,
  type StoredFinding,
  worstSeverity,
} from '@casefile/contract';
import { BadInputError } from '../errors/errors.js';

/**
 * Stored detection results and the per-project detection state, as the storage port sees them.
 * Kept apart from `port.ts` so the findings contract can be read in one place.
 */

export { FINDING_STATUSES, type FindingStatus, type StoredFinding } from '@casefile/contract';

export interface FindingQuery {
  traceId?: string;
  ruleId?: string;
  severity?: Finding['severity'];
  /** Inclusive lower bound on `createdNs`. */
  fromNs?: bigint;
  /** Exclusive upper bound on `createdNs`. */
  toNs?: bigint;
  agentName?: string;
  toolName?: string;
  status?: FindingStatus;
  /** Only findings of this severity or worse. */
  minSeverity?: Finding['severity'];
  /** `time` (default): newest first. `severity`: worst first, then newest first; over every matching finding. */
  order?: FindingOrder;
  /** Also count the matching findings into `FindingPage.total`. */
  count?: boolean;
  limit: number;
  cursor?: string;
}

export interface FindingPage {
  /** In the query's order: newest first (`createdNs` descending, then ID descending), or worst first before that. */
  findings: StoredFinding[];
  nextCursor?: string;
  /** With `count`: how many findings match the filters, over all pages. */
  total?: number;
}

/** One entry of the append-only log of detection changes (settings, finding statuses). */
export interface DetectionAuditEntry {
  projectId: string;
  timeNs: bigint;
  actor: string;
  /** e.g. `settings.update`, `finding.status`. */
  action: string;
  /** What was changed: a finding ID, or `settings`. */
  target: string;
  /** The new value (JSON), for settings the whole new document. */
  detail: string;
}

/**
 * Whether a finding counts towards its run's `findingCount`: open, and medium or above. Low findings
 * are hygiene notes (a model alias, a first-seen version) that would otherwise mark nearly every
 * run; they are still listed with the run.
 */
export function countsTowardRun(f: Pick<StoredFinding, 'status' | 'severity'>): boolean {
  return f.status === 'open' && f.severity !== 'low';
}

/** What a run summary says about its findings: how many count towards it, the worst open severity. */
export function runFindingFacts(
  findings: readonly Pick<StoredFinding, 'status' | 'severity'>[],
): Pick<RunSummary, 'findingCount' | 'worstSeverity'> {
  return {
    findingCount: findings.filter(countsTowardRun).length,
    worstSeverity: worstSeverity(findings.filter((f) => f.status === 'open').map((f) => f.severity)),
  };
}

/** Hash of the fields that make a finding the same finding: trace, span, rule and evidence. */
export function findingId(finding: Pick<Finding, 'traceId' | 'spanId' | 'ruleId' | 'evidence'>): string {
  return createHash('sha256')
    .update(`${finding.traceId}\0${finding.spanId}\0${finding.ruleId}\0${finding.evidence}`)
    .digest('hex')
    .slice(0, 32);
}

/** 0 for low … 3 for critical: the key of `order: 'severity'` (adapters compute the same in SQL). */
export function severityRankOf(severity: Finding['severity']): number {
  return SEVERITIES.indexOf(severity);
}

export interface FindingCursor {
  createdNs: bigint;
  id: string;
  /** In a list worst first: the severity rank of the last finding of the previous page. */
  rank?: number;
}

/** Opaque cursor over findings: (createdNs, id), and in a list worst first the rank, of the last one on the previous page. */
export function encodeFindingCursor(createdNs: bigint, id: string, rank?: number): string {
  const text = rank === undefined ? `f:${createdNs}:${id}` : `s:${rank}:${createdNs}:${id}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** The cursor after `last` in a list of the given order. */
export function findingCursorAfter(last: StoredFinding, order: FindingOrder | undefined): string {
  return encodeFindingCursor(last.createdNs, last.id, order === 'severity' ? severityRankOf(last.severity) : undefined);
}

export function decodeFindingCursor(cursor: string): FindingCursor | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^f:(\d{1,20}):([0-9a-f]{1,64})$/.exec(text);
  if (m) return { createdNs: BigInt(m[1] as string), id: m[2] as string };
  const s = /^s:([0-3]):(\d{1,20}):([0-9a-f]{1,64})$/.exec(text);
  if (s) return { rank: Number(s[1]), createdNs: BigInt(s[2] as string), id: s[3] as string };
  return undefined;
}

/** Decodes a cursor of a list in `order`, or throws BadInputError (→ 400) for one that is not. */
export function parseFindingCursor(cursor: string, order?: FindingOrder): FindingCursor {
  const after = decodeFindingCursor(cursor);
  if (!after || (after.rank !== undefined) !== (order === 'severity')) throw new BadInputError('invalid cursor');
  return after;
}

/** Newest first, ties by ID descending: the one order every adapter lists findings in. */
export function compareFindings(a: StoredFinding, b: StoredFinding): number {
  if (a.createdNs !== b.createdNs) return a.createdNs > b.createdNs ? -1 : 1;
  return a.id > b.id ? -1 : a.id < b.id ? 1 : 0;
}

/** The comparator of a findings list in `order`. */
export function findingOrder(order: FindingOrder | undefined): (a: StoredFinding, b: StoredFinding) => number {
  if (order !== 'severity') return compareFindings;
  return (a, b) => severityRankOf(b.severity) - severityRankOf(a.severity) || compareFindings(a, b);
}

/** The in-process filter, used by the memory store and to check adapters in tests. */
export function matchesFindingQuery(f: StoredFinding, q: FindingQuery): boolean {
  if (q.traceId !== undefined && f.traceId !== q.traceId) return false;
  if (q.ruleId !== undefined && f.ruleId !== q.ruleId) return false;
  if (q.severity !== undefined && f.severity !== q.severity) return false;
  if (q.fromNs !== undefined && f.createdNs < q.fromNs) return false;
  if (q.toNs !== undefined && f.createdNs >= q.toNs) return false;
  if (q.agentName !== undefined && f.agentName !== q.agentName) return false;
  if (q.toolName !== undefined && f.toolName !== q.toolName) return false;
  if (q.status !== undefined && f.status !== q.status) return false;
  if (q.minSeverity !== undefined && severityRankOf(f.severity) < severityRankOf(q.minSeverity)) return false;
  if (q.cursor !== undefined) {
    const after = parseFindingCursor(q.cursor, q.order);
    const rank = severityRankOf(f.severity);
    if (after.rank !== undefined && rank !== after.rank) return rank < after.rank;
    if (f.createdNs > after.createdNs || (f.createdNs === after.createdNs && f.id >= after.id)) return false;
  }
  return true;
}

import { createHash } from 'node:crypto';
import {
  type Finding,
  type FindingStatus,
  type RunSummary,
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
  limit: number;
  cursor?: string;
}

export interface FindingPage {
  /** Newest first (`createdNs` descending, then ID descending). */
  findings: StoredFinding[];
  nextCursor?: string;
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

/** Opaque cursor over findings: (createdNs, id) of the last one on the previous page. */
export function encodeFindingCursor(createdNs: bigint, id: string): string {
  return Buffer.from(`f:${createdNs}:${id}`, 'utf8').toString('base64url');
}

export function decodeFindingCursor(cursor: string): { createdNs: bigint; id: string } | undefined {
  const m = /^f:(\d{1,20}):([0-9a-f]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) return undefined;
  return { createdNs: BigInt(m[1] as string), id: m[2] as string };
}

/** Decodes a cursor or throws BadInputError (→ 400). */
export function parseFindingCursor(cursor: string): { createdNs: bigint; id: string } {
  const after = decodeFindingCursor(cursor);
  if (!after) throw new BadInputError('invalid cursor');
  return after;
}

/** Newest first, ties by ID descending: the one order every adapter lists findings in. */
export function compareFindings(a: StoredFinding, b: StoredFinding): number {
  if (a.createdNs !== b.createdNs) return a.createdNs > b.createdNs ? -1 : 1;
  return a.id > b.id ? -1 : a.id < b.id ? 1 : 0;
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
  if (q.cursor !== undefined) {
    const after = parseFindingCursor(q.cursor);
    if (f.createdNs > after.createdNs || (f.createdNs === after.createdNs && f.id >= after.id)) return false;
  }
  return true;
}

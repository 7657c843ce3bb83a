import type { Step } from '../model/step.js';

/**
 * The evidence records as the storage port sees them: the per-project hash chain over durable
 * batches (entries and their span leaves), cases with their legal hold, the evidence audit log and
 * the retention policy of each project. The hashing itself lives in `evidence/` (features); a store
 * keeps what it is given and answers the reads verification needs. Kept apart from `port.ts` so the
 * evidence contract can be read in one place.
 */

/** What an entry of a chain records. */
export type ChainEntryKind = 'batch' | 'retention' | 'erasure';

/**
 * One run's spans of one UTC day within one entry: the Merkle root over their leaves (ordered by span
 * ID). Retention drops whole days, so a day's group can be dropped and its root still proves the rest.
 */
export interface ChainGroup {
  /** UTC day of the spans' start, as YYYYMMDD. */
  day: number;
  traceId: string;
  /** Hex SHA-256 Merkle root of the group's span leaves. */
  root: string;
  /** Spans in the group. */
  count: number;
}

/**
 * One link of a chain. A chain belongs to one project and is written by one collector process only
 * (`chainId` = collector ID + a start-up nonce), so collectors sharing a store never interleave
 * entries of one chain; entries of a chain follow each other by `seq` (0, 1, 2, …) and each names the
 * hash of the one before.
 */
export interface ChainEntry {
  projectId: string;
  chainId: string;
  seq: bigint;
  kind: ChainEntryKind;
  timeNs: bigint;
  collectorId: string;
  /** Hex hash of the previous entry of this chain (for seq 0: the chain's genesis hash). */
  prevHash: string;
  /** Hex Merkle root over the groups' leaves (ordered by day, then trace ID). */
  root: string;
  /** Spans the entry records (sum of the groups' counts). */
  spanCount: number;
  /** Ordered by day, then trace ID. */
  groups: ChainGroup[];
  /** JSON text: what a retention or erasure entry did; '' for a batch. */
  detail: string;
  /** Hex hash of this entry (`evidence/chain.ts` defines it over every field above). */
  hash: string;
  /** Hex Ed25519 signature of `hash` when the collector has a signing key; '' otherwise. */
  signature: string;
}

/** The record of one span in one entry: the hash of its canonical record as it was written. */
export interface ChainLeaf {
  projectId: string;
  traceId: string;
  spanId: string;
  chainId: string;
  seq: bigint;
  /** UTC day of the span's start, as YYYYMMDD (the group it belongs to). */
  day: number;
  /** Hex SHA-256 leaf hash of the span's canonical record. */
  leaf: string;
}

export interface ChainEntryKey {
  chainId: string;
  seq: bigint;
}

export interface ChainEntryQuery {
  chainId?: string;
  afterSeq?: bigint;
  kind?: ChainEntryKind;
  limit: number;
}

export interface IntegrityTraceQuery {
  /** Only trace IDs after this one (byte order), for paging. */
  afterTraceId?: string;
  /**
   * Inclusive lower and exclusive upper bound on a run's start: runs whose stored spans start in the
   * range, and runs the chain recorded on the range's UTC days (a run whose spans are all gone).
   */
  fromNs?: bigint;
  toNs?: bigint;
  limit: number;
}

/** A case: a named set of runs with a note, an owner, and perhaps a legal hold. */
export interface StoredCase {
  projectId: string;
  id: string;
  name: string;
  note: string;
  owner: string;
  createdNs: bigint;
  updatedNs: bigint;
  traceIds: string[];
  /** The active legal hold, if any: its runs survive retention until it is released. */
  hold: { by: string; sinceNs: bigint; reason: string } | null;
}

/** One entry of the append-only evidence audit log (cases, holds, exports, retention, erasure). */
export interface EvidenceAuditEntry {
  projectId: string;
  timeNs: bigint;
  actor: string;
  /** e.g. `case.create`, `case.hold`, `case.release`, `retention.set`, `retention.run`, `erasure`. */
  action: string;
  /** What it concerns: a case ID, `retention`, an erasure ID. */
  target: string;
  /** JSON text with the particulars. */
  detail: string;
}

export interface EvidenceAuditQuery {
  target?: string;
  action?: string;
  limit: number;
}

export interface RetentionPolicy {
  projectId: string;
  /** Days of data kept; null = the collector's default (`CASEFILE_RETENTION_DAYS`). */
  days: number | null;
  updatedNs: bigint;
  updatedBy: string;
}

/** The hash chain: written by the chain recorder, read by verification and exports. */
export interface ChainStore {
  /**
   * Store entries and the leaves they record (leaves first, so a visible entry has its leaves).
   * Idempotent: an entry or leaf written twice reads back once. Resolves once durable.
   */
  appendChain(entries: readonly ChainEntry[], leaves: readonly ChainLeaf[]): Promise<void>;

  /**
   * A project's entries ordered by chain ID then seq; with `chainId` that chain only, after `afterSeq`;
   * with `kind` only entries of that kind. Identical rows read back once; differing rows with the same
   * key (a forged or forked entry) are all returned.
   */
  listChainEntries(projectId: string, query: ChainEntryQuery): Promise<ChainEntry[]>;

  /** The entries with these keys (unknown keys are left out), ordered by chain ID then seq. */
  getChainEntries(projectId: string, keys: readonly ChainEntryKey[]): Promise<ChainEntry[]>;

  /** The last entry (highest seq) of every chain of the project, by chain ID. */
  chainHeads(projectId: string): Promise<ChainEntry[]>;

  /** Every leaf recorded for spans of these runs (any entry, any day still kept). */
  chainLeaves(projectId: string, traceIds: readonly string[]): Promise<ChainLeaf[]>;

  /**
   * Trace IDs to verify, ascending: runs with stored spans and runs named by chain leaves (see
   * `IntegrityTraceQuery` for the range), at most `limit`.
   */
  integrityTraceIds(projectId: string, query: IntegrityTraceQuery): Promise<string[]>;

  /** The stored steps of several runs at once, in no particular order. Unknown runs add nothing. */
  readSpans(projectId: string, traceIds: readonly string[]): Promise<Step[]>;

  /**
   * Replace stored steps with new content (erasure) so that the old content is gone from the store's
   * files, not only hidden, and run summaries and lookups reflect the new content. Every step must
   * exist already; a step of another run of the same batch is left as it is.
   */
  rewriteSpans(projectId: string, steps: readonly Step[]): Promise<void>;
}

/** Cases, legal holds and the evidence audit log. */
export interface CaseStore {
  /** Replaces the case with the same (project, ID). */
  putCase(c: StoredCase): Promise<void>;
  getCase(projectId: string, id: string): Promise<StoredCase | undefined>;
  /** Newest first (`createdNs`, then ID). */
  listCases(projectId: string): Promise<StoredCase[]>;

  /** Append-only; newest first. */
  recordEvidenceAudit(entry: EvidenceAuditEntry): Promise<void>;
  listEvidenceAudit(projectId: string, query: EvidenceAuditQuery): Promise<EvidenceAuditEntry[]>;

  /** The project's retention policy, undefined until one is set. */
  getRetentionPolicy(projectId: string): Promise<RetentionPolicy | undefined>;
  putRetentionPolicy(policy: RetentionPolicy): Promise<void>;
}

export type EvidenceStore = ChainStore & CaseStore;

/** The runs held by any active legal hold of the project. */
export function heldTraceIds(cases: readonly StoredCase[]): Set<string> {
  const held = new Set<string>();
  for (const c of cases) if (c.hold !== null) for (const t of c.traceIds) held.add(t);
  return held;
}

export const NS_PER_DAY = 86_400_000_000_000n;

/** YYYYMMDD (UTC) of the day that contains `ns`. */
export function utcDay(ns: bigint): number {
  const date = new Date(Number((ns / NS_PER_DAY) * 86_400_000n));
  return date.getUTCFullYear() * 10_000 + (date.getUTCMonth() + 1) * 100 + date.getUTCDate();
}

/** YYYYMMDD (UTC) of the last day an exclusive upper bound `toNs` reaches into. */
export function lastDayBefore(toNs: bigint): number {
  return utcDay(toNs > 0n ? toNs - 1n : 0n);
}

/** Nanoseconds at 00:00 UTC of a YYYYMMDD day. */
export function dayStartNs(day: number): bigint {
  const ms = Date.UTC(Math.floor(day / 10_000), (Math.floor(day / 100) % 100) - 1, day % 100);
  return BigInt(ms) * 1_000_000n;
}

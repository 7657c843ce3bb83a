import { hash } from 'node:crypto';
import type { Step } from '../model/step.js';
import type { ChainEntry, ChainEntryKind, ChainGroup, ChainLeaf } from '../store/evidence.js';
import { NS_PER_DAY, utcDay } from '../store/evidence.js';
import { canonicalJson, canonicalSpanRecord } from './canonical.js';
import { leafHash, merkleRoot, sha256Hex } from './merkle.js';

/**
 * The hash chain's definitions. An entry records a set of spans of one project as groups (one run's
 * spans of one UTC day, Merkle root over their leaves ordered by span ID); the entry's root is the
 * Merkle root over the groups' hashes ordered by (day, trace ID); the entry's hash covers its header,
 * root and previous hash. Every function here is pure and shared by recording, verification and the
 * offline check of an export.
 */

export const CHAIN_FORMAT = 'casefile.chain/v1';

/** The hash a chain's first entry names as its previous one. */
export function genesisHash(projectId: string, chainId: string): string {
  return sha256Hex(Buffer.from([4]), canonicalJson({ chainId, format: CHAIN_FORMAT, projectId }));
}

/** Where a group's hash input is put together (see `groupHash`); a longer one gets its own. */
const groupInput = Buffer.alloc(256);

/** The leaf of a group in its entry's tree: SHA-256(0x02 ‖ "day\ntrace\ncount\n" ‖ root bytes). */
export function groupHash(group: ChainGroup): string {
  const text = `${group.day}\n${group.traceId}\n${group.count}\n`;
  // One `crypto.hash` over bytes written in place costs a fraction of a `createHash` with three
  // updates. A text that might not fit (UTF-8 takes at most 3 bytes per UTF-16 unit) or a root that
  // is not 64 hex digits (a stored group is untrusted) takes the general way, the same bytes.
  if (text.length * 3 + 33 <= groupInput.length && group.root.length === 64) {
    groupInput[0] = 2;
    const end = 1 + groupInput.write(text, 1, 'utf8');
    if (groupInput.write(group.root, end, 32, 'hex') === 32)
      return hash('sha256', groupInput.subarray(0, end + 32), 'hex');
  }
  return sha256Hex(Buffer.from([2]), text, Buffer.from(group.root, 'hex'));
}

export function compareGroups(a: Pick<ChainGroup, 'day' | 'traceId'>, b: Pick<ChainGroup, 'day' | 'traceId'>): number {
  if (a.day !== b.day) return a.day - b.day;
  return a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0;
}

export function entryRoot(groups: readonly ChainGroup[]): string {
  return merkleRoot(groups.map(groupHash));
}

export type EntryHeader = Omit<ChainEntry, 'groups' | 'hash' | 'signature'>;

/** The hash of an entry: every header field, its root and the previous entry's hash. */
export function entryHash(e: EntryHeader): string {
  return sha256Hex(
    Buffer.from([3]),
    canonicalJson({
      chainId: e.chainId,
      collectorId: e.collectorId,
      detail: e.detail,
      format: CHAIN_FORMAT,
      kind: e.kind,
      prevHash: e.prevHash,
      projectId: e.projectId,
      root: e.root,
      seq: e.seq,
      spanCount: e.spanCount,
      timeNs: e.timeNs,
    }),
  );
}

export function spanLeaf(step: Step): string {
  return leafHash(canonicalSpanRecord(step));
}

/** A span leaf before it is given its entry. */
export interface PendingLeaf {
  traceId: string;
  spanId: string;
  day: number;
  leaf: string;
}

// The last day looked up and its bounds: a batch's spans mostly start on one day.
let dayFrom = 0n;
let dayTo = 0n;
let lastDay = 0;

function dayOf(ns: bigint): number {
  if (ns >= dayFrom && ns < dayTo) return lastDay;
  lastDay = utcDay(ns);
  // Division truncates toward zero, so only a day at or after 1970 is one interval [from, from + day).
  dayFrom = ns >= 0n ? (ns / NS_PER_DAY) * NS_PER_DAY : 0n;
  dayTo = ns >= 0n ? dayFrom + NS_PER_DAY : 0n;
  return lastDay;
}

export function pendingLeaf(step: Step): PendingLeaf {
  return { traceId: step.traceId, spanId: step.spanId, day: dayOf(step.startNs), leaf: spanLeaf(step) };
}

const ascending = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const bySpanId = (a: PendingLeaf, b: PendingLeaf) => ascending(a.spanId, b.spanId);

/**
 * Groups leaves by (day, trace), each group's leaves by span ID; a span twice (of any day) keeps its
 * last leaf. Leaves are bucketed by run (no composite keys, no sort of every leaf with a three-level
 * comparison, no map per run): a run's spans are sorted by ID, split by day only when they start on
 * more than one, and the groups sorted by (day, trace).
 */
export function groupLeaves(leaves: readonly PendingLeaf[]): { groups: ChainGroup[]; leaves: PendingLeaf[] } {
  return run(groupingSteps(leaves));
}

/** Work between two pauses of a `…Steps` generator: runs, groups or leaf rows. */
const STRIDE = 64;

/** Runs a generator of steps (see `entrySteps`) to its end at once. */
function run<T>(steps: Generator<void, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** `groupLeaves` in steps: yields after each `STRIDE` runs and groups, so a caller can pause between them. */
function* groupingSteps(
  leaves: readonly PendingLeaf[],
): Generator<void, { groups: ChainGroup[]; leaves: PendingLeaf[] }> {
  const runs = new Map<string, PendingLeaf[]>();
  for (const l of leaves) {
    const list = runs.get(l.traceId);
    if (list === undefined) runs.set(l.traceId, [l]);
    else list.push(l);
  }
  const found: { day: number; traceId: string; members: PendingLeaf[] }[] = [];
  let n = 0;
  for (const [traceId, list] of runs) {
    if (++n % STRIDE === 0) yield;
    // The sort is stable: of a span given twice, the later leaf comes later, and only it is kept.
    if (list.length > 1) list.sort(bySpanId);
    let kept = 0;
    let oneDay = true;
    for (let i = 0; i < list.length; i++) {
      const l = list[i] as PendingLeaf;
      if (i + 1 < list.length && (list[i + 1] as PendingLeaf).spanId === l.spanId) continue;
      if (l.day !== (list[0] as PendingLeaf).day) oneDay = false;
      list[kept++] = l;
    }
    list.length = kept;
    if (oneDay) {
      found.push({ day: (list[0] as PendingLeaf).day, traceId, members: list });
      continue;
    }
    const days = new Map<number, PendingLeaf[]>();
    for (const l of list) {
      const members = days.get(l.day);
      if (members === undefined) days.set(l.day, [l]);
      else members.push(l);
    }
    for (const [day, members] of days) found.push({ day, traceId, members });
  }
  found.sort(compareGroups);
  const groups: ChainGroup[] = [];
  const sorted: PendingLeaf[] = [];
  for (const { day, traceId, members } of found) {
    if (++n % STRIDE === 0) yield;
    for (const m of members) sorted.push(m);
    groups.push({ day, traceId, root: merkleRoot(members.map((m) => m.leaf)), count: members.length });
  }
  return { groups, leaves: sorted };
}

export interface NewEntry {
  projectId: string;
  chainId: string;
  seq: bigint;
  kind: ChainEntryKind;
  timeNs: bigint;
  collectorId: string;
  prevHash: string;
  detail: string;
  leaves: readonly PendingLeaf[];
}

/** Builds an entry and its leaf rows; `sign` (when the collector has a key) signs the entry hash. */
export function buildEntry(
  input: NewEntry,
  sign?: (hash: string) => string,
): { entry: ChainEntry; leaves: ChainLeaf[] } {
  return run(entrySteps(input, sign));
}

/**
 * `buildEntry` in steps: it yields every `STRIDE` runs, groups and 16 × `STRIDE` leaf rows, so the
 * recorder can give requests a turn while it builds an entry of tens of thousands of spans.
 */
export function* entrySteps(
  input: NewEntry,
  sign?: (hash: string) => string,
): Generator<void, { entry: ChainEntry; leaves: ChainLeaf[] }> {
  const { groups, leaves } = yield* groupingSteps(input.leaves);
  const header: EntryHeader = {
    projectId: input.projectId,
    chainId: input.chainId,
    seq: input.seq,
    kind: input.kind,
    timeNs: input.timeNs,
    collectorId: input.collectorId,
    prevHash: input.prevHash,
    root: entryRoot(groups),
    spanCount: leaves.length,
    detail: input.detail,
  };
  const hash = entryHash(header);
  const entry: ChainEntry = { ...header, groups, hash, signature: sign ? sign(hash) : '' };
  const rows: ChainLeaf[] = [];
  for (let i = 0; i < leaves.length; i++) {
    if (i > 0 && i % (16 * STRIDE) === 0) yield;
    const l = leaves[i] as PendingLeaf;
    rows.push({
      projectId: input.projectId,
      traceId: l.traceId,
      spanId: l.spanId,
      chainId: input.chainId,
      seq: input.seq,
      day: l.day,
      leaf: l.leaf,
    });
  }
  return { entry, leaves: rows };
}

import type { KeyObject } from 'node:crypto';
import type { Step } from '../model/step.js';
import {
  type ChainEntry,
  type ChainGroup,
  type ChainLeaf,
  type ChainStore,
  dayStartNs,
  lastDayBefore,
  utcDay,
} from '../store/evidence.js';
import { canonicalSpanRecord } from './canonical.js';
import { entryHash, entryRoot, genesisHash } from './chain.js';
import { leafHash, merkleRoot } from './merkle.js';
import { headMessage, verifySignature } from './signing.js';

export type ProblemKind =
  /** A stored span's content matches no leaf the chain recorded for it. */
  | 'span_altered'
  /** A stored span no chain entry records (inserted behind the collector, or its entry was lost). */
  | 'span_unrecorded'
  /** The chain records a span the store no longer has, and no retention entry explains it. */
  | 'span_missing'
  /** An entry records a run on a day, and neither its spans nor their leaves are in the store. */
  | 'run_missing'
  /** The leaves stored for a run in an entry do not add up to the entry's root for that run. */
  | 'leaves_altered'
  /** An entry's groups, root or header do not match its hash, or leaves name an entry that is gone. */
  | 'entry_altered'
  /** Entries of a chain do not follow each other (a gap, a fork, a broken previous hash). */
  | 'chain_broken'
  /** An entry's signature does not verify with the public key. */
  | 'signature_invalid';

export interface IntegrityProblem {
  kind: ProblemKind;
  message: string;
  traceId?: string;
  spanId?: string;
  chainId?: string;
  seq?: string;
}

export interface IntegrityScope {
  traceId?: string;
  fromNs?: bigint;
  toNs?: bigint;
}

export interface ChainHeadReport {
  chainId: string;
  collectorId: string;
  seq: string;
  hash: string;
  timeNs: string;
  /** true / false: checked with the public key; null: unsigned or no key to check with. */
  signatureValid: boolean | null;
  signed: boolean;
}

export interface IntegrityReport {
  project: string;
  scope: { kind: 'run' | 'range' | 'project'; traceId?: string; fromNs?: string; toNs?: string };
  ok: boolean;
  checked: { runs: number; spans: number; entries: number; chains: number };
  /** Spans whose current content an erasure entry recorded. */
  erasedSpans: number;
  /** Spans the chain recorded on days a retention entry dropped. */
  droppedSpans: number;
  heads: ChainHeadReport[];
  /** The public key signatures were checked with (its ID), if any. */
  keyId?: string;
  problems: IntegrityProblem[];
  /** Problems found beyond the ones listed. */
  moreProblems: number;
  durationMs: number;
}

export interface VerifyProgress {
  runs: number;
  spans: number;
  entries: number;
}

export interface VerifyOptions {
  publicKey?: { key: KeyObject; keyId: string } | undefined;
  onProgress?: (p: VerifyProgress) => void;
  /** Problems listed at most (the rest are counted). Default 1,000. */
  maxProblems?: number;
  /** Runs read per store round trip. Default 200. */
  pageRuns?: number;
}

type VerifyStore = Pick<
  ChainStore,
  'listChainEntries' | 'getChainEntries' | 'chainHeads' | 'chainLeaves' | 'integrityTraceIds' | 'readSpans'
>;

const keyOf = (chainId: string, seq: bigint) => `${chainId}\0${seq}`;
const groupKey = (chainId: string, seq: bigint, day: number, traceId: string) =>
  `${chainId}\0${seq}\0${day}\0${traceId}`;

interface Tombstone {
  beforeDay: number;
  kept: Set<string>;
}

/**
 * Checks the stored spans of a run, a time range or a whole project against the hash chain, and the
 * chain against itself. Names every span, run or entry that no longer matches. Reads the store in
 * pages of runs; holds the project's entries (small: one per store write) in memory.
 */
export async function verifyIntegrity(
  store: VerifyStore,
  projectId: string,
  scope: IntegrityScope,
  options: VerifyOptions = {},
): Promise<IntegrityReport> {
  const started = performance.now();
  const maxProblems = options.maxProblems ?? 1000;
  const pageRuns = options.pageRuns ?? 200;
  const problems: IntegrityProblem[] = [];
  let moreProblems = 0;
  const problem = (p: IntegrityProblem) => {
    if (problems.length < maxProblems) problems.push(p);
    else moreProblems += 1;
  };
  const kind =
    scope.traceId !== undefined ? 'run' : scope.fromNs !== undefined || scope.toNs !== undefined ? 'range' : 'project';
  const progress: VerifyProgress = { runs: 0, spans: 0, entries: 0 };
  let erasedSpans = 0;
  let droppedSpans = 0;

  // ---- the chain itself ---------------------------------------------------------------------------
  const entries = new Map<string, ChainEntry>();
  const checkedEntries = new Set<string>();
  const fullChain = kind !== 'run';
  const heads = await store.chainHeads(projectId);
  if (fullChain) {
    for (const head of heads) {
      let after: bigint | undefined;
      for (;;) {
        const page = await store.listChainEntries(projectId, {
          chainId: head.chainId,
          ...(after === undefined ? {} : { afterSeq: after }),
          limit: 5000,
        });
        for (const e of page) entries.set(keyOf(e.chainId, e.seq), e);
        if (page.length < 5000) break;
        after = (page[page.length - 1] as ChainEntry).seq;
      }
    }
    checkChains([...entries.values()], problem);
  } else {
    for (const h of heads) entries.set(keyOf(h.chainId, h.seq), h);
    for (const e of await store.listChainEntries(projectId, { kind: 'retention', limit: 100_000 })) {
      entries.set(keyOf(e.chainId, e.seq), e);
    }
  }
  const tombstones: Tombstone[] = [...entries.values()]
    .filter((e) => e.kind === 'retention')
    .map((e) => tombstoneOf(e))
    .filter((t): t is Tombstone => t !== undefined);
  const dropped = (day: number, traceId: string) => tombstones.some((t) => day < t.beforeDay && !t.kept.has(traceId));

  const checkEntry = (e: ChainEntry) => {
    const key = keyOf(e.chainId, e.seq);
    if (checkedEntries.has(key)) return;
    checkedEntries.add(key);
    progress.entries += 1;
    const where = { chainId: e.chainId, seq: e.seq.toString() };
    if (entryRoot(e.groups) !== e.root || e.groups.reduce((n, g) => n + g.count, 0) !== e.spanCount) {
      problem({
        kind: 'entry_altered',
        ...where,
        message: `entry ${e.chainId}#${e.seq}: its groups do not add up to its root`,
      });
    } else if (entryHash(e) !== e.hash) {
      problem({
        kind: 'entry_altered',
        ...where,
        message: `entry ${e.chainId}#${e.seq}: its header does not match its hash`,
      });
    }
    if (
      e.signature !== '' &&
      options.publicKey &&
      !verifySignature(options.publicKey.key, headMessage(e.hash), e.signature)
    ) {
      problem({
        kind: 'signature_invalid',
        ...where,
        message: `entry ${e.chainId}#${e.seq}: the signature does not verify with key ${options.publicKey.keyId}`,
      });
    }
  };
  if (fullChain) for (const e of entries.values()) checkEntry(e);

  // ---- the runs ---------------------------------------------------------------------------------
  const seenGroups = new Set<string>();
  const missingEntries = new Set<string>();
  const loadEntries = async (leaves: readonly ChainLeaf[]) => {
    if (fullChain) return;
    const wanted = new Map<string, { chainId: string; seq: bigint }>();
    for (const l of leaves) {
      const k = keyOf(l.chainId, l.seq);
      if (!entries.has(k) && !missingEntries.has(k)) wanted.set(k, { chainId: l.chainId, seq: l.seq });
    }
    if (wanted.size === 0) return;
    const found = await store.getChainEntries(projectId, [...wanted.values()]);
    for (const e of found) entries.set(keyOf(e.chainId, e.seq), e);
    // Each entry's successor must name it (the whole chain is walked only for a range or project).
    const next = found
      .map((e) => ({ chainId: e.chainId, seq: e.seq + 1n }))
      .filter((k) => !entries.has(keyOf(k.chainId, k.seq)));
    for (const e of await store.getChainEntries(projectId, next)) entries.set(keyOf(e.chainId, e.seq), e);
    for (const e of found) {
      checkEntry(e);
      const succ = entries.get(keyOf(e.chainId, e.seq + 1n));
      if (succ && succ.prevHash !== e.hash) {
        problem({
          kind: 'chain_broken',
          chainId: e.chainId,
          seq: succ.seq.toString(),
          message: `chain ${e.chainId}: entry #${succ.seq} does not name the hash of entry #${e.seq}`,
        });
      }
    }
    for (const k of wanted.keys()) if (!entries.has(k)) missingEntries.add(k);
  };

  const verifyRuns = async (traceIds: readonly string[]) => {
    const [steps, leaves] = await Promise.all([
      store.readSpans(projectId, traceIds),
      store.chainLeaves(projectId, traceIds),
    ]);
    await loadEntries(leaves);
    const bySpan = new Map<string, ChainLeaf[]>();
    const byGroup = new Map<string, ChainLeaf[]>();
    for (const l of leaves) {
      const sk = `${l.traceId}\0${l.spanId}`;
      const list = bySpan.get(sk);
      if (list) list.push(l);
      else bySpan.set(sk, [l]);
      const gk = groupKey(l.chainId, l.seq, l.day, l.traceId);
      const g = byGroup.get(gk);
      if (g) g.push(l);
      else byGroup.set(gk, [l]);
    }
    const stored = new Set<string>();
    for (const step of steps) checkSpan(step);
    function checkSpan(step: Step) {
      const sk = `${step.traceId}\0${step.spanId}`;
      stored.add(sk);
      progress.spans += 1;
      const recorded = bySpan.get(sk) ?? [];
      const where = { traceId: step.traceId, spanId: step.spanId };
      if (recorded.length === 0) {
        problem({
          kind: 'span_unrecorded',
          ...where,
          message: `span ${step.spanId} of run ${step.traceId} is stored but no chain entry records it`,
        });
        return;
      }
      const leaf = leafHash(canonicalSpanRecord(step));
      const match = recorded.find((l) => l.leaf === leaf);
      if (match === undefined) {
        const last = recorded[recorded.length - 1] as ChainLeaf;
        problem({
          kind: 'span_altered',
          ...where,
          chainId: last.chainId,
          seq: last.seq.toString(),
          message: `span ${step.spanId} of run ${step.traceId} does not match what the chain recorded for it (entry ${last.chainId}#${last.seq})`,
        });
        return;
      }
      if (entries.get(keyOf(match.chainId, match.seq))?.kind === 'erasure') erasedSpans += 1;
    }
    for (const [sk, recorded] of bySpan) {
      if (stored.has(sk)) continue;
      const l = recorded[0] as ChainLeaf;
      if (dropped(l.day, l.traceId)) {
        droppedSpans += 1;
        continue;
      }
      problem({
        kind: 'span_missing',
        traceId: l.traceId,
        spanId: l.spanId,
        chainId: l.chainId,
        seq: l.seq.toString(),
        message: `span ${l.spanId} of run ${l.traceId} was recorded in entry ${l.chainId}#${l.seq} but is no longer stored`,
      });
    }
    for (const [gk, members] of byGroup) {
      const first = members[0] as ChainLeaf;
      seenGroups.add(gk);
      const entryKey = keyOf(first.chainId, first.seq);
      const entry = entries.get(entryKey);
      const where = { traceId: first.traceId, chainId: first.chainId, seq: first.seq.toString() };
      if (!entry) {
        problem({
          kind: 'entry_altered',
          ...where,
          message: `leaves of run ${first.traceId} name entry ${first.chainId}#${first.seq}, which is not in the store`,
        });
        continue;
      }
      const group = findGroup(entry.groups, first.day, first.traceId);
      const unique = new Map(members.map((m) => [m.spanId, m.leaf]));
      const spanIds = [...unique.keys()].sort();
      const root = merkleRoot(spanIds.map((id) => unique.get(id) as string));
      if (!group || group.root !== root || group.count !== spanIds.length) {
        problem({
          kind: 'leaves_altered',
          ...where,
          message: `the leaves stored for run ${first.traceId} on ${first.day} do not match entry ${first.chainId}#${first.seq}`,
        });
      }
    }
    progress.runs += traceIds.length;
    options.onProgress?.({ ...progress });
  };

  if (kind === 'run') {
    await verifyRuns([scope.traceId as string]);
  } else {
    let after: string | undefined;
    for (;;) {
      const page = await store.integrityTraceIds(projectId, {
        ...(after === undefined ? {} : { afterTraceId: after }),
        ...(scope.fromNs === undefined ? {} : { fromNs: scope.fromNs }),
        ...(scope.toNs === undefined ? {} : { toNs: scope.toNs }),
        limit: pageRuns,
      });
      if (page.length > 0) await verifyRuns(page);
      if (page.length < pageRuns) break;
      after = page[page.length - 1] as string;
    }
    // Groups of the scope's days that no stored leaf answered: the run was removed whole.
    const fromDay = scope.fromNs === undefined ? 0 : utcDay(scope.fromNs);
    const toDay = scope.toNs === undefined ? Number.MAX_SAFE_INTEGER : lastDayBefore(scope.toNs);
    for (const e of entries.values()) {
      for (const g of e.groups) {
        if (g.day < fromDay || g.day > toDay || seenGroups.has(groupKey(e.chainId, e.seq, g.day, g.traceId))) continue;
        if (kind === 'range' && !inRange(g, scope)) continue;
        if (dropped(g.day, g.traceId)) {
          droppedSpans += g.count;
          continue;
        }
        problem({
          kind: 'run_missing',
          traceId: g.traceId,
          chainId: e.chainId,
          seq: e.seq.toString(),
          message: `entry ${e.chainId}#${e.seq} records ${g.count} spans of run ${g.traceId} on ${g.day}; neither they nor their leaves are stored`,
        });
      }
    }
  }

  const headReports = heads.map((h): ChainHeadReport => {
    const current = entries.get(keyOf(h.chainId, h.seq)) ?? h;
    return {
      chainId: current.chainId,
      collectorId: current.collectorId,
      seq: current.seq.toString(),
      hash: current.hash,
      timeNs: current.timeNs.toString(),
      signed: current.signature !== '',
      signatureValid:
        current.signature === '' || !options.publicKey
          ? null
          : verifySignature(options.publicKey.key, headMessage(current.hash), current.signature),
    };
  });

  return {
    project: projectId,
    scope: {
      kind,
      ...(scope.traceId === undefined ? {} : { traceId: scope.traceId }),
      ...(scope.fromNs === undefined ? {} : { fromNs: scope.fromNs.toString() }),
      ...(scope.toNs === undefined ? {} : { toNs: scope.toNs.toString() }),
    },
    ok: problems.length === 0,
    checked: { runs: progress.runs, spans: progress.spans, entries: progress.entries, chains: heads.length },
    erasedSpans,
    droppedSpans,
    heads: headReports,
    ...(options.publicKey ? { keyId: options.publicKey.keyId } : {}),
    problems,
    moreProblems,
    durationMs: Math.round(performance.now() - started),
  };
}

// A group's day lies in the range's days, but the range is on a run's start: only groups that
// could belong to a run starting in the range count (its day is not before the range's first day).
function inRange(g: ChainGroup, scope: IntegrityScope): boolean {
  return scope.fromNs === undefined || dayStartNs(g.day) + 86_400_000_000_000n > scope.fromNs;
}

function findGroup(groups: readonly ChainGroup[], day: number, traceId: string): ChainGroup | undefined {
  return groups.find((g) => g.day === day && g.traceId === traceId);
}

function tombstoneOf(e: ChainEntry): Tombstone | undefined {
  try {
    const detail = JSON.parse(e.detail) as { beforeNs?: unknown; keptTraceIds?: unknown };
    if (typeof detail.beforeNs !== 'string' || !/^\d{1,20}$/.test(detail.beforeNs)) return undefined;
    const kept = Array.isArray(detail.keptTraceIds) ? detail.keptTraceIds.filter((t) => typeof t === 'string') : [];
    return { beforeDay: utcDay(BigInt(detail.beforeNs)), kept: new Set(kept as string[]) };
  } catch {
    return undefined;
  }
}

/** Every chain of the project: seq 0, 1, 2, … without gap or fork, each naming its predecessor's hash. */
function checkChains(all: readonly ChainEntry[], problem: (p: IntegrityProblem) => void): void {
  const byChain = new Map<string, ChainEntry[]>();
  for (const e of all) {
    const list = byChain.get(e.chainId);
    if (list) list.push(e);
    else byChain.set(e.chainId, [e]);
  }
  for (const [chainId, list] of byChain) {
    list.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
    let prev: ChainEntry | undefined;
    for (const e of list) {
      const where = { chainId, seq: e.seq.toString() };
      if (prev && e.seq === prev.seq) {
        problem({ kind: 'chain_broken', ...where, message: `chain ${chainId}: two different entries #${e.seq}` });
        continue;
      }
      const expectedSeq = prev ? prev.seq + 1n : 0n;
      if (e.seq !== expectedSeq) {
        problem({
          kind: 'chain_broken',
          ...where,
          message: prev
            ? `chain ${chainId}: entries #${prev.seq + 1n}…#${e.seq - 1n} are missing`
            : `chain ${chainId}: entries #0…#${e.seq - 1n} are missing`,
        });
      } else {
        const expectedPrev = prev ? prev.hash : genesisHash(e.projectId, chainId);
        if (e.prevHash !== expectedPrev) {
          problem({
            kind: 'chain_broken',
            ...where,
            message: `chain ${chainId}: entry #${e.seq} does not name the hash of the entry before it`,
          });
        }
      }
      prev = e;
    }
  }
}

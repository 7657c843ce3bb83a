import type { StepDto } from '@casefile/contract';
import type { ChainEntry, ChainEntryKind, ChainLeaf, ChainStore } from '../store/evidence.js';
import { canonicalSpanRecord } from './canonical.js';
import { CHAIN_FORMAT, groupHash } from './chain.js';
import { inclusionPath, leafHash, merkleRoot } from './merkle.js';

/**
 * Inclusion proofs for a case file: each exported span carries its Merkle path to the root of its run's
 * group in one chain entry; each group carries its path to the entry's root; each entry carries its
 * header, hash and signature. With them an export is checked offline (`verify-case-file.ts`) without
 * the store: a span's content leads to its group root, the group to the entry root, the root to the
 * entry hash, the hash to the collector's signature.
 *
 * A group can record spans the export proves elsewhere (a resent span recorded twice, or a span an
 * erasure rewrote: the erasure entry proves its new content). Those are listed as `superseded`, with
 * their own path, so every position of every group is accounted for and a span removed from the file
 * leaves a hole the verifier names.
 */

export const PROOF_FORMAT = 'casefile.proof/v1';

/** Where a span's content is recorded: its group (entry + day) and its Merkle path to the group's root. */
export interface SpanProof {
  chainId: string;
  seq: string;
  day: number;
  /** Position of the span in its group (leaves ordered by span ID). */
  index: number;
  path: string[];
}

export interface SupersededLeaf {
  index: number;
  spanId: string;
  leaf: string;
  path: string[];
}

/** One run's group of one entry, with its path to the entry's root. */
export interface GroupProof {
  chainId: string;
  seq: string;
  day: number;
  traceId: string;
  count: number;
  root: string;
  /** Position of the group in its entry and the entry's number of groups. */
  index: number;
  size: number;
  path: string[];
  /** The span IDs at each position (informative: names a span the file no longer holds). */
  spanIds: string[];
  superseded: SupersededLeaf[];
}

/** An entry as an export carries it: the header its hash covers, the hash and the signature. */
export interface EntryRecord {
  chainId: string;
  seq: string;
  kind: ChainEntryKind;
  timeNs: string;
  collectorId: string;
  prevHash: string;
  root: string;
  spanCount: number;
  detail: string;
  hash: string;
  signature: string;
}

export interface CaseEvidence {
  format: typeof PROOF_FORMAT;
  chain: typeof CHAIN_FORMAT;
  /** The entries the proofs lead to. */
  entries: EntryRecord[];
  /** Every chain's head when the file was made, to compare with `GET /api/integrity/heads`. */
  heads: EntryRecord[];
  groups: GroupProof[];
}

export function entryRecord(e: ChainEntry): EntryRecord {
  return {
    chainId: e.chainId,
    seq: e.seq.toString(),
    kind: e.kind,
    timeNs: e.timeNs.toString(),
    collectorId: e.collectorId,
    prevHash: e.prevHash,
    root: e.root,
    spanCount: e.spanCount,
    detail: e.detail,
    hash: e.hash,
    signature: e.signature,
  };
}

const entryKey = (chainId: string, seq: bigint | string) => `${chainId}\0${seq}`;
const groupKeyOf = (chainId: string, seq: bigint | string, day: number, traceId: string) =>
  `${chainId}\0${seq}\0${day}\0${traceId}`;

type ProofStore = Pick<ChainStore, 'chainLeaves' | 'getChainEntries' | 'chainHeads'>;

export interface ProvedRuns {
  /** By `traceId\0spanId`: the span's proof, or null when no record of the chain matches its content. */
  proofs: Map<string, SpanProof | null>;
  evidence: CaseEvidence;
}

/**
 * Proofs for the given runs' steps as they are exported. A span whose content matches no leaf the chain
 * recorded (edited behind the collector, or not recorded yet) gets a null proof: the file then says so,
 * and its verification fails naming the span.
 */
export async function proveRuns(
  store: ProofStore,
  projectId: string,
  runs: readonly { traceId: string; steps: readonly StepDto[] }[],
): Promise<ProvedRuns> {
  const traceIds = runs.map((r) => r.traceId);
  const leaves = traceIds.length === 0 ? [] : await store.chainLeaves(projectId, traceIds);
  const bySpan = new Map<string, ChainLeaf[]>();
  const byGroup = new Map<string, Map<string, ChainLeaf>>();
  for (const l of leaves) {
    const sk = `${l.traceId}\0${l.spanId}`;
    bySpan.set(sk, [...(bySpan.get(sk) ?? []), l]);
    const gk = groupKeyOf(l.chainId, l.seq, l.day, l.traceId);
    const members = byGroup.get(gk) ?? new Map<string, ChainLeaf>();
    byGroup.set(gk, members);
    members.set(l.spanId, l);
  }
  const keys = new Map<string, { chainId: string; seq: bigint }>();
  for (const l of leaves) keys.set(entryKey(l.chainId, l.seq), { chainId: l.chainId, seq: l.seq });
  const entries = new Map<string, ChainEntry>();
  if (keys.size > 0) {
    for (const e of await store.getChainEntries(projectId, [...keys.values()])) {
      // Two differing rows under one key (a forged entry) prove nothing: keep none of them.
      const k = entryKey(e.chainId, e.seq);
      if (entries.has(k) && entries.get(k)?.hash !== e.hash) entries.set(k, { ...e, hash: '' });
      else entries.set(k, e);
    }
  }

  // Each span's group: the first record whose leaf matches its content and whose group adds up.
  const proofs = new Map<string, SpanProof | null>();
  const chosen = new Map<string, { leaves: ChainLeaf[]; proved: Map<number, string>; entry: ChainEntry }>();
  const groupOf = (l: ChainLeaf) => {
    const gk = groupKeyOf(l.chainId, l.seq, l.day, l.traceId);
    const hit = chosen.get(gk);
    if (hit) return hit;
    const entry = entries.get(entryKey(l.chainId, l.seq));
    if (!entry || entry.hash === '') return undefined;
    const members = [...(byGroup.get(gk)?.values() ?? [])].sort((a, b) =>
      a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0,
    );
    const group = entry.groups.find((g) => g.day === l.day && g.traceId === l.traceId);
    if (!group || group.count !== members.length || merkleRoot(members.map((m) => m.leaf)) !== group.root) {
      return undefined;
    }
    const made = { leaves: members, proved: new Map<number, string>(), entry };
    chosen.set(gk, made);
    return made;
  };
  for (const run of runs) {
    for (const step of run.steps) {
      const sk = `${step.traceId}\0${step.spanId}`;
      const leaf = leafHash(canonicalSpanRecord(step));
      const candidates = (bySpan.get(sk) ?? [])
        .filter((l) => l.leaf === leaf)
        .sort((a, b) => (a.chainId < b.chainId ? -1 : a.chainId > b.chainId ? 1 : a.seq < b.seq ? -1 : 1));
      let proof: SpanProof | null = null;
      for (const l of candidates) {
        const group = groupOf(l);
        if (!group) continue;
        const index = group.leaves.findIndex((m) => m.spanId === step.spanId);
        group.proved.set(index, step.spanId);
        proof = {
          chainId: l.chainId,
          seq: l.seq.toString(),
          day: l.day,
          index,
          path: inclusionPath(
            group.leaves.map((m) => m.leaf),
            index,
          ),
        };
        break;
      }
      proofs.set(sk, proof);
    }
  }

  const groups: GroupProof[] = [];
  const used = new Map<string, ChainEntry>();
  for (const { leaves: members, proved, entry } of chosen.values()) {
    const first = members[0] as ChainLeaf;
    const index = entry.groups.findIndex((g) => g.day === first.day && g.traceId === first.traceId);
    const group = entry.groups[index];
    if (!group) continue;
    const hashes = members.map((m) => m.leaf);
    groups.push({
      chainId: entry.chainId,
      seq: entry.seq.toString(),
      day: group.day,
      traceId: group.traceId,
      count: group.count,
      root: group.root,
      index,
      size: entry.groups.length,
      path: inclusionPath(entry.groups.map(groupHash), index),
      spanIds: members.map((m) => m.spanId),
      superseded: members
        .map((m, i) => ({ m, i }))
        .filter(({ i }) => !proved.has(i))
        .map(({ m, i }) => ({ index: i, spanId: m.spanId, leaf: m.leaf, path: inclusionPath(hashes, i) })),
    });
    used.set(entryKey(entry.chainId, entry.seq), entry);
  }
  groups.sort((a, b) => (groupKey(a) < groupKey(b) ? -1 : groupKey(a) > groupKey(b) ? 1 : 0));
  const heads = await store.chainHeads(projectId);
  return {
    proofs,
    evidence: {
      format: PROOF_FORMAT,
      chain: CHAIN_FORMAT,
      entries: [...used.values()]
        .sort((a, b) => (a.chainId < b.chainId ? -1 : a.chainId > b.chainId ? 1 : a.seq < b.seq ? -1 : 1))
        .map(entryRecord),
      heads: heads.map(entryRecord),
      groups,
    },
  };
}

function groupKey(g: GroupProof): string {
  return `${g.traceId}\0${String(g.day).padStart(8, '0')}\0${g.chainId}\0${g.seq.padStart(20, '0')}`;
}

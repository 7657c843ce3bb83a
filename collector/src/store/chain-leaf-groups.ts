import type { ChainLeaf } from './evidence.js';

/**
 * How the stores keep chain leaves: one row per group of an entry (one run's spans of one UTC day,
 * as the entry's groups are), holding the group's span IDs and their leaf hashes packed end to end,
 * instead of one row per span. An append is then a few rows per run rather than one per span, and a
 * run's leaves are still read by run and dropped by day. The port still speaks of single leaves.
 */
export interface LeafGroupRow {
  projectId: string;
  traceId: string;
  /** UTC day of the spans' start, as YYYYMMDD. */
  day: number;
  chainId: string;
  seq: bigint;
  spanIds: string[];
  /** The spans' leaf hashes in the order of `spanIds`, each 64 hex digits, concatenated. */
  leaves: string;
}

const LEAF_CHARS = 64;

const sameGroup = (g: LeafGroupRow, l: ChainLeaf) =>
  g.traceId === l.traceId &&
  g.day === l.day &&
  g.seq === l.seq &&
  g.chainId === l.chainId &&
  g.projectId === l.projectId;

/**
 * Packs leaves into group rows. Leaves of one group need not be adjacent (the recorder's are, sorted
 * by day, run and span); each group keeps its leaves in the order given.
 */
export function packLeaves(leaves: readonly ChainLeaf[]): LeafGroupRow[] {
  const rows: LeafGroupRow[] = [];
  const byKey = new Map<string, LeafGroupRow>();
  let last: LeafGroupRow | undefined;
  const parts = new Map<LeafGroupRow, string[]>();
  for (const l of leaves) {
    let group = last !== undefined && sameGroup(last, l) ? last : undefined;
    if (group === undefined) {
      const key = `${l.projectId}\0${l.chainId}\0${l.seq}\0${l.day}\0${l.traceId}`;
      group = byKey.get(key);
      if (group === undefined) {
        group = {
          projectId: l.projectId,
          traceId: l.traceId,
          day: l.day,
          chainId: l.chainId,
          seq: l.seq,
          spanIds: [],
          leaves: '',
        };
        byKey.set(key, group);
        parts.set(group, []);
        rows.push(group);
      }
    }
    group.spanIds.push(l.spanId);
    (parts.get(group) as string[]).push(l.leaf);
    last = group;
  }
  for (const [group, list] of parts) group.leaves = list.join('');
  return rows;
}

/**
 * The leaves of a stored group row. The row is read as untrusted: a leaf string cut short or too long
 * yields leaves that no longer match the entry's group root, for verification to report, never a throw.
 */
export function unpackLeaves(row: LeafGroupRow): ChainLeaf[] {
  const out: ChainLeaf[] = [];
  for (let i = 0; i < row.spanIds.length; i++) {
    const last = i === row.spanIds.length - 1;
    out.push({
      projectId: row.projectId,
      traceId: row.traceId,
      spanId: row.spanIds[i] as string,
      chainId: row.chainId,
      seq: row.seq,
      day: row.day,
      // Whatever is left over belongs to the last leaf, so that extra text makes it differ.
      leaf: row.leaves.slice(i * LEAF_CHARS, last ? undefined : (i + 1) * LEAF_CHARS),
    });
  }
  return out;
}

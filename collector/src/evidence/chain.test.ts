import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { groupHash, groupLeaves, type PendingLeaf } from './chain.js';
import { merkleRoot } from './merkle.js';

/** The grouping as chains of format v1 were first written: one sort of every leaf by (day, trace, span). */
function reference(leaves: readonly PendingLeaf[]) {
  const unique = new Map<string, PendingLeaf>();
  for (const l of leaves) unique.set(`${l.traceId}\0${l.spanId}`, l);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = [...unique.values()].sort(
    (a, b) => a.day - b.day || cmp(a.traceId, b.traceId) || cmp(a.spanId, b.spanId),
  );
  const groups: Array<{ day: number; traceId: string; root: string; count: number }> = [];
  for (let i = 0; i < sorted.length; ) {
    const first = sorted[i] as PendingLeaf;
    let j = i;
    while (j < sorted.length && sorted[j]?.day === first.day && sorted[j]?.traceId === first.traceId) j++;
    const members = sorted.slice(i, j);
    groups.push({ day: first.day, traceId: first.traceId, root: merkleRoot(members.map((m) => m.leaf)), count: j - i });
    i = j;
  }
  return { groups, leaves: sorted };
}

describe('grouping a batch into an entry', () => {
  it('gives the same groups, roots and leaf order as one sort of every leaf, a resent span keeping its last leaf', () => {
    // Awkward IDs too: case, non-ASCII and astral characters sort by UTF-16 code unit, not by locale.
    const ids = ['a', 'B', 'b', 'ä', 'Z', '😀', '\uFFFF', '10', '9', ''];
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    for (let round = 0; round < 20; round++) {
      const leaves: PendingLeaf[] = Array.from({ length: 200 }, (_, i) => ({
        day: 20261205 + next(3),
        traceId: `${ids[next(ids.length)]}${next(4)}`,
        spanId: `${ids[next(ids.length)]}${next(5)}`,
        leaf: `${round}-${i}`.padStart(64, '0'),
      }));
      expect(groupLeaves(leaves)).toEqual(reference(leaves));
    }
  });
});

describe('group hashes', () => {
  it('hash 0x02, the text header and the root bytes, whatever the trace ID and root hold', () => {
    const root = createHash('sha256').update('root').digest('hex');
    const traces = ['ab'.repeat(16), '', 'ä😀\uFFFF', 'x'.repeat(80), 'é'.repeat(81), '😀'.repeat(200)];
    const roots = [root, root.toUpperCase(), '', 'zz', `${root.slice(0, 62)}zz`, `${root}00`];
    for (const traceId of traces) {
      for (const r of roots) {
        const group = { day: 20261206, traceId, count: 10, root: r };
        const expected = createHash('sha256')
          .update(Buffer.from([2]))
          .update(`${group.day}\n${traceId}\n${group.count}\n`)
          .update(Buffer.from(r, 'hex'))
          .digest('hex');
        expect(groupHash(group)).toBe(expected);
      }
    }
  });
});

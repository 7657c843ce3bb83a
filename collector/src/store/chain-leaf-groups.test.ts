import { describe, expect, it } from 'vitest';
import { packLeaves, unpackLeaves } from './chain-leaf-groups.js';
import type { ChainLeaf } from './evidence.js';

const leaf = (over: Partial<ChainLeaf>): ChainLeaf => ({
  projectId: 'p',
  traceId: 'a'.repeat(32),
  spanId: '1'.repeat(16),
  chainId: 'c~1',
  seq: 3n,
  day: 20261205,
  leaf: '0f'.repeat(32),
  ...over,
});

describe('chain leaves packed a group to a row', () => {
  it('packs each run, day and entry into one row and reads every leaf back', () => {
    const leaves = [
      leaf({}),
      leaf({ spanId: '2'.repeat(16), leaf: '1e'.repeat(32) }),
      leaf({ traceId: 'b'.repeat(32) }),
      leaf({ day: 20261206 }),
      leaf({ seq: 4n }),
      leaf({ projectId: 'q' }),
      // Not next to its group: still packed into it.
      leaf({ spanId: '3'.repeat(16), leaf: '2d'.repeat(32) }),
    ];
    const rows = packLeaves(leaves);
    expect(rows).toHaveLength(5);
    expect(rows[0]?.spanIds).toEqual(['1'.repeat(16), '2'.repeat(16), '3'.repeat(16)]);
    const back = rows.flatMap(unpackLeaves);
    const key = (l: ChainLeaf) => JSON.stringify({ ...l, seq: String(l.seq) });
    expect(back.map(key).sort()).toEqual(leaves.map(key).sort());
  });

  it('reads a row whose leaf text was cut or lengthened as leaves that differ, without throwing', () => {
    const [row] = packLeaves([leaf({}), leaf({ spanId: '2'.repeat(16), leaf: '1e'.repeat(32) })]);
    if (!row) throw new Error('no row');
    const cut = unpackLeaves({ ...row, leaves: row.leaves.slice(0, 100) });
    expect(cut.map((l) => l.leaf)).toEqual(['0f'.repeat(32), '1e'.repeat(18)]);
    const longer = unpackLeaves({ ...row, leaves: `${row.leaves}00` });
    expect(longer[1]?.leaf).toBe(`${'1e'.repeat(32)}00`);
    expect(unpackLeaves({ ...row, spanIds: [] })).toEqual([]);
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inclusionPath, leafHash, merkleRoot, rootFromPath } from './merkle.js';

const h = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
/** The root as first written: leaves decoded to Buffers, every node over a new concatenation. */
function referenceRoot(hexLeaves: readonly string[]): string {
  if (hexLeaves.length === 0) return createHash('sha256').digest('hex');
  const bytes = hexLeaves.map((l) => Buffer.from(l, 'hex'));
  const rootOf = (lo: number, hi: number): Buffer => {
    if (hi - lo === 1) return bytes[lo] as Buffer;
    let k = 1;
    while (k * 2 < hi - lo) k *= 2;
    return h(Buffer.from([1]), rootOf(lo, lo + k), rootOf(lo + k, hi));
  };
  return rootOf(0, bytes.length).toString('hex');
}

const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(`record ${i}`));

describe('Merkle trees (RFC 6962)', () => {
  it('hashes leaves and nodes with their domain bytes and splits at the largest power of two', () => {
    const [a, b, c] = leaves(3).map((l) => Buffer.from(l, 'hex')) as [Buffer, Buffer, Buffer];
    expect(leafHash('x')).toBe(h(Buffer.from([0]), Buffer.from('x')).toString('hex'));
    const ab = h(Buffer.from([1]), a, b);
    expect(merkleRoot(leaves(3))).toBe(h(Buffer.from([1]), ab, c).toString('hex'));
    expect(merkleRoot([])).toBe(createHash('sha256').digest('hex'));
    expect(merkleRoot(leaves(1))).toBe(leaves(1)[0]);
  });

  it('gives the roots of the Buffer definition, for leaves that are not 64 hex digits too', () => {
    const odd = ['', 'ab', 'zz'.repeat(32), 'AB'.repeat(32), `${'0'.repeat(62)}zz`, 'cd'.repeat(33), 'e'.repeat(63)];
    for (let n = 1; n <= 40; n++) {
      const ls = leaves(n);
      expect(merkleRoot(ls)).toBe(referenceRoot(ls));
      // Each malformed leaf at a few places, so that it meets other nodes on either side.
      for (const bad of odd) {
        for (const at of new Set([0, n >> 1, n - 1])) {
          const mixed = ls.map((l, i) => (i === at ? bad : l));
          expect(merkleRoot(mixed)).toBe(referenceRoot(mixed));
        }
      }
    }
  });

  it('proves every leaf of trees of every size up to 33, and no proof fits another leaf or index', () => {
    for (let n = 1; n <= 33; n++) {
      const ls = leaves(n);
      const root = merkleRoot(ls);
      for (let i = 0; i < n; i++) {
        const path = inclusionPath(ls, i);
        expect(rootFromPath(ls[i] as string, i, n, path)).toBe(root);
        if (n > 1) {
          expect(rootFromPath(ls[(i + 1) % n] as string, i, n, path)).not.toBe(root);
          expect(rootFromPath(ls[i] as string, (i + 1) % n, n, path)).not.toBe(root);
        }
        expect(rootFromPath(ls[i] as string, i, n, [...path, ls[0] as string])).toBeUndefined();
      }
    }
  });

  it('refuses an index outside the tree', () => {
    expect(rootFromPath(leaves(1)[0] as string, 1, 1, [])).toBeUndefined();
    expect(rootFromPath(leaves(1)[0] as string, -1, 1, [])).toBeUndefined();
    expect(() => inclusionPath(leaves(2), 2)).toThrow(/outside/);
  });
});

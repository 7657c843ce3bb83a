import { createHash, hash } from 'node:crypto';

/**
 * Merkle trees as RFC 6962 (Certificate Transparency) defines them: a leaf is SHA-256(0x00 ‖ data),
 * an inner node SHA-256(0x01 ‖ left ‖ right), and a tree of n > 1 leaves splits at the largest power
 * of two below n. The domain bytes keep a leaf from ever being read as a node. Hashes travel as
 * lower-case hex.
 */

const NODE = Buffer.from([1]);

export function sha256Hex(...parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** The leaf hash of a canonical record. */
export function leafHash(record: string): string {
  // U+0000 is the single byte 0x00 in UTF-8: the leaf's domain byte, hashed in one call.
  return hash('sha256', `\u0000${record}`, 'hex');
}

function node(left: Buffer, right: Buffer): Buffer {
  return hash('sha256', Buffer.concat([NODE, left, right]), 'buffer');
}

/**
 * A node's input, written in place: 0x01 ‖ left ‖ right. Hashes stay hex between levels and are
 * written into this buffer as bytes, because `crypto.hash` with a hex answer costs a fraction of one
 * that returns a Buffer (which allocates a backing store per call) or of `createHash`. Hashing is
 * synchronous, so one buffer serves every call.
 */
const nodeInput = Buffer.alloc(65, 1);

/** The node over two child hashes in hex; the same bytes `node` hashes. */
function nodeHex(left: string, right: string): string {
  // Anything but 64 hex digits a side (a stored leaf is untrusted) goes the general way, which decodes
  // what it can as Buffer.from does: the buffer must never keep bytes of an earlier node.
  if (
    left.length !== 64 ||
    right.length !== 64 ||
    nodeInput.write(left, 1, 32, 'hex') !== 32 ||
    nodeInput.write(right, 33, 32, 'hex') !== 32
  ) {
    return node(Buffer.from(left, 'hex'), Buffer.from(right, 'hex')).toString('hex');
  }
  return hash('sha256', nodeInput, 'hex');
}

const EMPTY_ROOT = createHash('sha256').digest();

function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function rootOf(leaves: readonly Buffer[], lo: number, hi: number): Buffer {
  const n = hi - lo;
  if (n === 1) return leaves[lo] as Buffer;
  const k = split(n);
  return node(rootOf(leaves, lo, lo + k), rootOf(leaves, lo + k, hi));
}

function rootOfHex(leaves: readonly string[], lo: number, hi: number): string {
  const n = hi - lo;
  if (n === 1) return leaves[lo] as string;
  const k = split(n);
  return nodeHex(rootOfHex(leaves, lo, lo + k), rootOfHex(leaves, lo + k, hi));
}

/** The root over leaf hashes (hex) in the given order; SHA-256 of nothing for no leaves. */
export function merkleRoot(leaves: readonly string[]): string {
  if (leaves.length === 0) return EMPTY_ROOT.toString('hex');
  // A lone leaf is its own root, in the lower-case hex of the bytes it decodes to.
  if (leaves.length === 1) return Buffer.from(leaves[0] as string, 'hex').toString('hex');
  return rootOfHex(leaves, 0, leaves.length);
}

/** The audit path of leaf `index`: sibling hashes from the leaf up (RFC 6962 PATH). */
export function inclusionPath(leaves: readonly string[], index: number): string[] {
  if (index < 0 || index >= leaves.length) throw new Error(`leaf ${index} is outside a tree of ${leaves.length}`);
  const bytes = leaves.map((l) => Buffer.from(l, 'hex'));
  const path: string[] = [];
  const walk = (lo: number, hi: number, i: number): void => {
    const n = hi - lo;
    if (n === 1) return;
    const k = split(n);
    if (i < k) {
      walk(lo, lo + k, i);
      path.push(rootOf(bytes, lo + k, hi).toString('hex'));
    } else {
      walk(lo + k, hi, i - k);
      path.push(rootOf(bytes, lo, lo + k).toString('hex'));
    }
  };
  walk(0, leaves.length, index);
  return path;
}

/** The root a leaf and its audit path lead to (RFC 9162 §2.1.3.2), or undefined if the path does not fit the size. */
export function rootFromPath(leaf: string, index: number, size: number, path: readonly string[]): string | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return undefined;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf, 'hex');
  for (const p of path) {
    if (sn === 0) return undefined;
    const sibling = Buffer.from(p, 'hex');
    if (fn % 2 === 1 || fn === sn) {
      r = node(sibling, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = node(r, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r.toString('hex') : undefined;
}

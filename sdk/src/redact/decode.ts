import type { RawFinding } from './scanner.js';

/** Scans decoded text; returns findings in decoded coordinates. */
export type InnerScan = (decoded: string, depth: number) => RawFinding[];

const MIN_BLOB = 20;
const B64_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-') B64_CHAR[c.charCodeAt(0)] = 1;

function isB64(c: number): boolean {
  return c < 128 && B64_CHAR[c] === 1;
}

/**
 * Runs of 20+ base64 characters that mix upper and lower case. Boyer–Moore style: probe the 20th
 * character ahead; if it cannot be in a run, no run starts before it, so most prose is skipped
 * without being read. Runs without both cases (hex digests, snake_case names) are not blobs: base64
 * of 15+ bytes of text virtually always has both.
 */
function forEachBlobCandidate(text: string, visit: (start: number, end: number) => void): void {
  const n = text.length;
  let p = 0;
  while (p + MIN_BLOB <= n) {
    const probe = p + MIN_BLOB - 1;
    if (!isB64(text.charCodeAt(probe))) {
      p = probe + 1;
      continue;
    }
    let q = probe - 1;
    while (q >= p && isB64(text.charCodeAt(q))) q--;
    if (q >= p) {
      p = q + 1;
      continue;
    }
    let e = probe + 1;
    while (e < n && isB64(text.charCodeAt(e))) e++;
    const run = text.slice(p, e);
    if (/[A-Z]/.test(run) && /[a-z]/.test(run)) {
      let end = e;
      while (end < n && end - e < 2 && text.charCodeAt(end) === 61) end++;
      visit(p, end);
    }
    p = e + 1;
  }
}

const URL_CHAR = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~+!*'()@:-%")
  URL_CHAR[c.charCodeAt(0)] = 1;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** URL components holding a `%XX` escape, found from each `%` outwards (`&`, `=`, `/`, `?` end a component). */
function forEachPercentRun(text: string, visit: (start: number, end: number) => void): void {
  const urlChar = (c: number) => c < 128 && URL_CHAR[c] === 1;
  let pct = text.indexOf('%');
  while (pct !== -1) {
    if (!isHex(text.charCodeAt(pct + 1)) || !isHex(text.charCodeAt(pct + 2))) {
      pct = text.indexOf('%', pct + 1);
      continue;
    }
    let s = pct;
    while (s > 0 && urlChar(text.charCodeAt(s - 1))) s--;
    let e = pct + 3;
    while (e < text.length && urlChar(text.charCodeAt(e))) e++;
    visit(s, e);
    pct = text.indexOf('%', e);
  }
}

/**
 * Base64 of text: each 4-character group starts with the top six bits of a byte, and a printable
 * ASCII byte (0x20–0x7e) puts that in `I`–`Z`, `a`–`f`. Random identifiers (`chatcmpl-…`,
 * `call_…`) fail this within a few groups, so they are not decoded at all. UTF-8 text outside ASCII
 * and binary blobs get two misses among the first eight groups.
 */
function mayEncodeText(text: string, start: number, end: number): boolean {
  let misses = 0;
  for (let i = start, groups = 0; i < end && groups < 8; i += 4, groups++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 73 && c <= 90) || (c >= 97 && c <= 102);
    if (!ok && ++misses > 2) return false;
  }
  return true;
}

function mostlyPrintable(s: string): boolean {
  const n = Math.min(s.length, 512);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd || (c >= 127 && c < 160)) bad++;
  }
  return bad <= n * 0.03;
}

/** `found` is sorted and non-overlapping, so a binary search finds the one finding that could overlap. */
function overlaps(found: readonly RawFinding[], start: number, end: number): boolean {
  let lo = 0;
  let hi = found.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (found[mid]!.end <= start) lo = mid + 1;
    else hi = mid;
  }
  const f = found[lo];
  return f !== undefined && f.start < end;
}

/**
 * A blob whose decoded form holds a finding is redacted whole, tagged with the inner rule. Its token
 * names the encoding, the decoded size, a keyed hash of the content and the kinds inside
 * (`[base64:4.1kB sha256:… aws_key]`), not the token of one thing found in it. A percent-encoded
 * URL component that is one datum (`q=bob%40example.com`) is that datum, with the same token.
 */
function wholeBlob(
  encoding: 'base64' | 'urlencoded',
  inner: RawFinding[],
  decoded: string,
  start: number,
  end: number,
): RawFinding {
  const best = inner.reduce((a, b) => (b.priority > a.priority ? b : a));
  const single = inner.length === 1 && best.start === 0 && best.end === decoded.length;
  const base = { kind: best.kind, rule: `${encoding}:${best.rule}`, start, end, priority: best.priority };
  if (encoding === 'urlencoded' && single) return { ...base, hashValue: best.hashValue ?? decoded };
  const kinds = [...new Set([...inner].sort((a, b) => b.priority - a.priority).map((f) => f.kind))];
  return { ...base, hashValue: decoded, blob: { encoding, bytes: Buffer.byteLength(decoded), kinds } };
}

export function findEncoded(text: string, found: RawFinding[], depth: number, scanInner: InnerScan): RawFinding[] {
  const out: RawFinding[] = [];
  const blobs: RawFinding[] = [];
  forEachBlobCandidate(text, (start, end) => {
    if (overlaps(found, start, end) || !mayEncodeText(text, start, end)) return;
    const blob = text.slice(start, end);
    const decoded = Buffer.from(blob, 'base64').toString('utf8');
    if (decoded.length < 8 || !mostlyPrintable(decoded)) return;
    const inner = scanInner(decoded, depth + 1);
    if (inner.length > 0) blobs.push(wholeBlob('base64', inner, decoded, start, end));
  });
  forEachPercentRun(text, (start, end) => {
    if (overlaps(found, start, end) || overlaps(blobs, start, end)) return;
    const run = text.slice(start, end);
    let decoded: string;
    try {
      decoded = decodeURIComponent(run.replace(/\+/g, ' '));
    } catch {
      decoded = run.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    }
    const inner = scanInner(decoded, depth + 1);
    if (inner.length > 0) out.push(wholeBlob('urlencoded', inner, decoded, start, end));
  });
  return blobs.concat(out);
}

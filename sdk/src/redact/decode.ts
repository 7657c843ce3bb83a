import type { RawFinding } from './scanner.js';

/** Scans decoded text; returns findings in decoded coordinates. */
export type InnerScan = (decoded: string, depth: number) => RawFinding[];

const BASE64_CANDIDATE = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{20,}={0,2}/g;
const URL_ENCODED_CANDIDATE = /[A-Za-z0-9._~+!*'()@:-]*(?:%[0-9A-Fa-f]{2}[A-Za-z0-9._~+!*'()@:-]*)+/g;

function mostlyPrintable(s: string): boolean {
  const n = Math.min(s.length, 512);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd || (c >= 127 && c < 160)) bad++;
  }
  return bad <= n * 0.03;
}

function overlaps(found: readonly RawFinding[], start: number, end: number): boolean {
  for (const f of found) if (f.start < end && start < f.end) return true;
  return false;
}

/** A blob whose decoded form holds a finding is redacted whole, tagged with the inner rule. */
function wholeBlob(prefix: string, inner: RawFinding[], decoded: string, start: number, end: number): RawFinding {
  const best = inner.reduce((a, b) => (b.priority > a.priority ? b : a));
  const single = inner.length === 1 && best.start === 0 && best.end === decoded.length;
  return {
    kind: best.kind,
    rule: `${prefix}:${best.rule}`,
    start,
    end,
    priority: best.priority,
    // One datum, encoded: same token as the plain datum so an investigator can still follow it.
    hashValue: single ? (best.hashValue ?? decoded) : undefined,
  };
}

export function findEncoded(text: string, found: RawFinding[], depth: number, scanInner: InnerScan): RawFinding[] {
  const out: RawFinding[] = [];
  // matchAll works on a copy of the regex: this function re-enters itself through scanInner.
  for (const m of text.matchAll(BASE64_CANDIDATE)) {
    const blob = m[0];
    const start = m.index;
    const end = start + blob.length;
    if (overlaps(found, start, end)) continue;
    // Hex digests and plain identifiers decode to binary noise; the printable check rejects them cheaply.
    const decoded = Buffer.from(blob, 'base64').toString('utf8');
    if (decoded.length < 8 || !mostlyPrintable(decoded)) continue;
    const inner = scanInner(decoded, depth + 1);
    if (inner.length > 0) out.push(wholeBlob('base64', inner, decoded, start, end));
  }
  if (text.includes('%')) {
    for (const m of text.matchAll(URL_ENCODED_CANDIDATE)) {
      const start = m.index;
      const end = start + m[0].length;
      if (overlaps(found, start, end) || overlaps(out, start, end)) continue;
      let decoded: string;
      try {
        decoded = decodeURIComponent(m[0].replace(/\+/g, ' '));
      } catch {
        decoded = m[0].replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
      }
      const inner = scanInner(decoded, depth + 1);
      if (inner.length > 0) out.push(wholeBlob('urlencoded', inner, decoded, start, end));
    }
  }
  return out;
}

import { MAX_EVIDENCE_CHARS } from './finding.js';

/** A string value found inside a JSON document, with its path (`to`, `items[].email`, …). */
export interface Leaf {
  path: string;
  value: string;
}

const MAX_LEAVES = 2_000;
const MAX_DEPTH = 32;

/**
 * String (and number) leaves of a JSON text. Text that is not JSON is one leaf with path ''.
 * Walking values rather than the raw JSON keeps punctuation and key names out of the matchers,
 * and un-escapes nested JSON so that e.g. a tool-call object hidden in a string is visible.
 */
export function jsonLeaves(text: string): Leaf[] {
  if (text === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [{ path: '', value: text }];
  }
  const out: Leaf[] = [];
  const walk = (v: unknown, path: string, depth: number): void => {
    if (out.length >= MAX_LEAVES || depth > MAX_DEPTH) return;
    if (typeof v === 'string') out.push({ path, value: v });
    else if (typeof v === 'number' || typeof v === 'boolean') out.push({ path, value: String(v) });
    else if (Array.isArray(v)) for (const item of v) walk(item, `${path}[]`, depth + 1);
    else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) walk(item, path === '' ? k : `${path}.${k}`, depth + 1);
    }
  };
  walk(parsed, '', 0);
  return out;
}

/** The last key of a leaf path, lower-cased, without array markers: `message.to[]` → `to`. */
export function lastKey(path: string): string {
  const key = path.split('.').pop() ?? '';
  return key.replace(/\[\]/g, '').toLowerCase();
}

export interface Excerpt {
  evidence: string;
  evidenceStart: number;
  evidenceEnd: number;
}

/** A window of at most 200 characters around `text[start, end)`, with the offsets of that part inside it. */
export function excerpt(text: string, start: number, end: number, max = MAX_EVIDENCE_CHARS): Excerpt {
  const s = Math.max(0, Math.min(start, text.length));
  const e = Math.max(s, Math.min(end, text.length, s + max));
  const room = max - (e - s);
  let from = Math.max(0, s - Math.floor(room / 2));
  const to = Math.min(text.length, from + max);
  from = Math.max(0, Math.min(from, to - max));
  let evidence = text.slice(from, to);
  let evidenceStart = s - from;
  let evidenceEnd = e - from;
  // Never cut a surrogate pair in half: a lone surrogate is not valid text for the UI.
  if (/^[\udc00-\udfff]/.test(evidence)) {
    evidence = evidence.slice(1);
    evidenceStart = Math.max(0, evidenceStart - 1);
    evidenceEnd = Math.max(evidenceStart, evidenceEnd - 1);
  }
  if (/[\ud800-\udbff]$/.test(evidence)) evidence = evidence.slice(0, -1);
  evidenceEnd = Math.min(evidenceEnd, evidence.length);
  evidenceStart = Math.min(evidenceStart, evidenceEnd);
  return { evidence, evidenceStart, evidenceEnd };
}

/** Caps a string to `max` UTF-16 units (the engine's bound on cost per span). */
export function cap(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

/** Lower-cased, `www.`-less host of a URL-ish string, or '' when it has none. */
export function normaliseHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^www\./, '');
}

/** `*.example.com` matches sub-domains of example.com; anything else matches exactly. */
export function matchesHostPattern(host: string, pattern: string): boolean {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return host === p.slice(2) || host.endsWith(p.slice(1));
  return host === normaliseHost(p);
}

/**
 * Where a finding's evidence sits in the text the step detail displays. The detector cut its
 * evidence from the raw (redacted) field, but the UI shows the same field re-indented as JSON, as
 * decoded message text, or as an attribute value, so the match ignores whitespace and letter case
 * and also tries the JSON-escaped and -unescaped forms of the evidence. The result is a list of
 * plain-text segments; the view renders marked ones in <mark> as text nodes, never as HTML.
 */
import type { FindingDto } from '@casefile/contract';

export interface Segment {
  text: string;
  marked: boolean;
}

/** Needles with fewer non-space characters than this would mark noise all over a payload. */
const MIN_NEEDLE_CHARS = 3;
/** Longest text searched: past it, marks are skipped rather than slowing the page. */
const MAX_HAYSTACK_CHARS = 2_000_000;
const MAX_MARKS = 200;

const isSpace = (c: string) => /\s/.test(c);

/** Lower case that never changes the length (a few letters, e.g. 'İ', grow when lowered). */
function fold(c: string): string {
  const lower = c.toLowerCase();
  return lower.length === c.length ? lower : c;
}

/** The text without whitespace, folded, with the original index of every kept character. */
function squeeze(text: string): { chars: string; index: number[] } {
  let chars = '';
  const index: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (isSpace(c)) continue;
    chars += fold(c);
    index.push(i);
  }
  return { chars, index };
}

/** Every [start, end) range of `text` where a needle occurs, sorted and merged where they overlap or touch. */
export function findRanges(text: string, needles: readonly string[]): [number, number][] {
  if (text === '' || needles.length === 0 || text.length > MAX_HAYSTACK_CHARS) return [];
  const hay = squeeze(text);
  const ranges: [number, number][] = [];
  for (const needle of needles) {
    const n = squeeze(needle).chars;
    if (n.length < MIN_NEEDLE_CHARS) continue;
    for (let at = hay.chars.indexOf(n); at !== -1 && ranges.length < MAX_MARKS; at = hay.chars.indexOf(n, at + 1)) {
      ranges.push([hay.index[at]!, hay.index[at + n.length - 1]! + 1]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last !== undefined && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** `text` cut into unmarked and marked segments (in order, concatenating back to `text`). */
export function markSegments(text: string, needles: readonly string[]): Segment[] {
  const ranges = findRanges(text, needles);
  if (ranges.length === 0) return text === '' ? [] : [{ text, marked: false }];
  const out: Segment[] = [];
  let pos = 0;
  for (const [start, end] of ranges) {
    if (start > pos) out.push({ text: text.slice(pos, start), marked: false });
    out.push({ text: text.slice(start, end), marked: true });
    pos = end;
  }
  if (pos < text.length) out.push({ text: text.slice(pos), marked: false });
  return out;
}

/** The offending part of the evidence, by the detector's offsets (clamped: they come from the server). */
export function evidenceParts(f: Pick<FindingDto, 'evidence' | 'evidenceStart' | 'evidenceEnd'>): Segment[] {
  const text = f.evidence;
  if (f.evidenceStart === undefined || f.evidenceEnd === undefined) {
    return text === '' ? [] : [{ text, marked: false }];
  }
  const start = Math.max(0, Math.min(text.length, Math.trunc(f.evidenceStart)));
  const end = Math.max(start, Math.min(text.length, Math.trunc(f.evidenceEnd)));
  return [
    { text: text.slice(0, start), marked: false },
    { text: text.slice(start, end), marked: true },
    { text: text.slice(end), marked: false },
  ].filter((s) => s.text !== '');
}

/**
 * The values a rule says it counted (`details.values`, a JSON array of strings as they appear in the
 * redacted payload, e.g. every e-mail and phone token `outbound.sensitive_data` counted). Anything
 * else there (not JSON, not strings) is ignored: details come from the server.
 */
export function countedValues(f: Pick<FindingDto, 'details'>): string[] {
  const raw = f.details?.values;
  if (typeof raw !== 'string' || !raw.startsWith('[')) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string' && v.trim() !== '') : [];
  } catch {
    return [];
  }
}

/** The excerpt with the detector's range marked and every counted value inside it marked too. */
export function evidenceSegments(
  f: Pick<FindingDto, 'evidence' | 'evidenceStart' | 'evidenceEnd' | 'details'>,
): Segment[] {
  const values = countedValues(f);
  if (values.length === 0) return evidenceParts(f);
  const out: Segment[] = [];
  for (const part of evidenceParts(f)) {
    if (part.marked) out.push(part);
    else out.push(...markSegments(part.text, values));
  }
  return out;
}

function jsonEscaped(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

function jsonUnescaped(s: string): string | null {
  if (!s.includes('\\')) return null;
  try {
    // Quotes stand bare inside an excerpt of JSON text; escape them, keep existing escapes.
    const quoted = s.replace(/\\[\s\S]|"/g, (m) => (m === '"' ? '\\"' : m));
    const v: unknown = JSON.parse(`"${quoted}"`);
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

/**
 * The strings to look for in a step's fields for these findings: the marked part of each evidence,
 * every value the rule counted (`details.values`), and hash-like identifiers in the details (an
 * approval's and an action's hashes), each also
 * JSON-escaped and unescaped. An excerpt without offsets is context (e.g. the start of the
 * arguments of a call that lacked an approval), not a pointer, so it is shown in the finding only.
 */
export function evidenceNeedles(findings: readonly FindingDto[]): string[] {
  const base: string[] = [];
  for (const f of findings) {
    const marked = evidenceParts(f).find((s) => s.marked);
    if (marked !== undefined) base.push(marked.text);
    for (const v of Object.values(f.details ?? {})) {
      if (typeof v === 'string' && /^[0-9a-f]{16,128}$/i.test(v)) base.push(v);
    }
    base.push(...countedValues(f));
  }
  const out = new Set<string>();
  for (const b of base) {
    if (b.trim().length === 0) continue;
    out.add(b);
    out.add(jsonEscaped(b));
    const un = jsonUnescaped(b);
    if (un !== null) out.add(un);
  }
  return [...out];
}

import type { ScanFn } from './context.js';
import { classifyKind, findTokens } from './tokens.js';

/**
 * What sensitive material a text holds: pseudonym tokens, plus raw formats for text that never
 * went through redaction (decoded blobs, or input when a redaction scanner is injected).
 */
export interface SensitiveSummary {
  secrets: number;
  pii: number;
  /** Looks like a dump of records (JSON array of objects, repeated key/value rows, CSV). */
  records: boolean;
  kinds: string[];
}

const RAW_SECRET: [string, RegExp][] = [
  ['aws_key', /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/],
  ['github_token', /\bgh[pousr]_[A-Za-z0-9]{30,}/],
  ['gitlab_token', /\bglpat-[A-Za-z0-9_-]{20,}/],
  ['slack_token', /\bxox[abposr]-[A-Za-z0-9-]{10,}/],
  ['stripe_key', /\b[sr]k_(?:live|test|prod)_[A-Za-z0-9]{10,}/],
  ['api_key', /\bsk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/],
  ['gcp_key', /\bAIza[0-9A-Za-z_-]{35}/],
  ['private_key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['jwt', /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./],
  ['password', /\b(?:password|passwd|secret|api[_-]?key|token)\s*["']?\s*[:=]\s*["']?[^\s"']{6,}/i],
];
const RAW_EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}/g;
const CARD = /\b(?:\d[ -]?){13,19}\b/g;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function looksLikeRecords(text: string): boolean {
  const t = text.trim();
  if (/^\[\s*\{/.test(t)) {
    try {
      const v: unknown = JSON.parse(t);
      if (Array.isArray(v) && v.length >= 2 && v.every((x) => x !== null && typeof x === 'object')) return true;
    } catch {
      // Not JSON: fall through to the line heuristics.
    }
  }
  const lines = t.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length >= 3) {
    const commas = lines.map((l) => l.split(',').length);
    if (commas[0]! >= 3 && commas.every((c) => c === commas[0])) return true;
  }
  return (t.match(/"[A-Za-z_]{2,30}"\s*:/g)?.length ?? 0) >= 6;
}

export function scanSensitive(
  text: string,
  kinds: { secretKinds: readonly string[]; piiKinds: readonly string[] },
  scan?: ScanFn,
): SensitiveSummary {
  const found = new Map<string, 'secret' | 'pii' | 'other'>();
  const note = (kind: string, id: string): void => {
    found.set(id, classifyKind(kind, kinds.secretKinds, kinds.piiKinds));
  };
  const foundKinds = new Set<string>();
  for (const t of findTokens(text)) {
    note(t.kind, t.token);
    foundKinds.add(t.kind);
  }
  for (const [kind, re] of RAW_SECRET) {
    const m = re.exec(text);
    if (m) {
      found.set(`raw:${kind}:${m[0]}`, 'secret');
      foundKinds.add(kind);
    }
  }
  for (const m of text.matchAll(RAW_EMAIL)) {
    found.set(`raw:email:${m[0].toLowerCase()}`, 'pii');
    foundKinds.add('email');
  }
  for (const m of text.matchAll(CARD)) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length >= 13 && luhn(digits)) {
      found.set(`raw:card:${digits}`, 'pii');
      foundKinds.add('card');
    }
  }
  for (const m of scan?.(text) ?? []) {
    note(m.kind, `scan:${m.kind}:${text.slice(m.start, m.end)}`);
    foundKinds.add(m.kind);
  }
  let secrets = 0;
  let pii = 0;
  for (const cls of found.values()) {
    if (cls === 'secret') secrets++;
    else if (cls === 'pii') pii++;
  }
  return { secrets, pii, records: looksLikeRecords(text), kinds: [...foundKinds].sort() };
}

export interface MaskedText {
  text: string;
  /** Where each masked match now sits in `text`. */
  spans: { kind: string; original: string; start: number; end: number }[];
}

/**
 * Replaces scanner matches with `[<kind>:unredacted]` so that evidence never shows a raw value.
 * Overlapping matches keep the first one.
 */
export function maskMatches(
  value: string,
  matches: readonly { kind: string; start: number; end: number }[],
): MaskedText {
  const sorted = [...matches].filter((m) => m.end > m.start).sort((a, b) => a.start - b.start);
  let text = '';
  let at = 0;
  const spans: MaskedText['spans'] = [];
  for (const m of sorted) {
    if (m.start < at) continue;
    text += value.slice(at, m.start);
    const mask = `[${m.kind.replace(/[^a-z0-9_-]/gi, '')}:unredacted]`;
    spans.push({
      kind: m.kind,
      original: value.slice(m.start, m.end),
      start: text.length,
      end: text.length + mask.length,
    });
    text += mask;
    at = m.end;
  }
  return { text: text + value.slice(at), spans };
}

import { words } from './shingles.js';
import { findTokens, isToken } from './tokens.js';

/**
 * Values inside tool-call arguments that can be traced back to where they entered the run: pseudonym
 * tokens, URLs and hosts, e-mail addresses, identifiers (IBANs, account and file IDs), amounts, and a
 * short argument as a whole (a user name, a channel, a street). Attacks plant exactly such short
 * values, which text-overlap measures miss.
 */
export type ValueKind = 'token' | 'url' | 'email' | 'identifier' | 'number' | 'name' | 'phrase';

export interface ValueRef {
  /** As it appears in the argument (already redacted). */
  text: string;
  kind: ValueKind;
  start: number;
  end: number;
}

const URL_RE = /\b(?:[a-z][a-z0-9+.-]{1,15}:\/\/|www\.)[^\s<>"'`\])}]{2,300}/gi;
const HOST_RE = /\b(?:[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\.)+[a-z]{2,24}(?:\/[^\s<>"'`\])}]{0,200})?/gi;
const EMAIL_RE = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}/g;
// Letters and digits mixed, or long digit runs: IBANs, account numbers, order and file IDs.
const ID_RE = /\b(?=[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*\d)[A-Za-z0-9][A-Za-z0-9_-]{4,62}[A-Za-z0-9]\b/g;
const NUMBER = /^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/;
const DATE_LIKE = /^\d{4}-\d{1,2}-\d{1,2}(?:[T ][\d:.]+Z?)?$|^\d{1,2}[:/]\d{1,2}(?:[:/]\d{2,4})?$/;
const MAX_WHOLE_CHARS = 120;
const MAX_WHOLE_WORDS = 8;
const MAX_VALUES = 50;

/** A number in canonical form (`10,000.00` → `10000`), or '' when the text is not one. */
export function canonicalNumber(text: string): string {
  const t = text.trim().replace(/^[$€£¥]\s?/, '');
  if (!NUMBER.test(t)) return '';
  let n = t.replace(/,/g, '').replace(/^\+/, '');
  if (n.includes('.')) n = n.replace(/0+$/, '').replace(/\.$/, '');
  return n.replace(/^(-?)0+(?=\d)/, '$1');
}

/** A URL or host without scheme, `www.` and trailing slash: how it is compared across steps. */
export function canonicalUrl(text: string): string {
  return text
    .trim()
    .replace(/^[a-z][a-z0-9+.-]{1,15}:\/\//i, '')
    .replace(/^www\./i, '')
    .replace(/[/.,;:!?]+$/, '');
}

function kindOfWhole(t: string): ValueKind {
  if (isToken(t)) return 'token';
  if (canonicalNumber(t) !== '') return 'number';
  if (/^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i.test(t)) return 'email';
  if (/^(?:[a-z][a-z0-9+.-]{1,15}:\/\/|www\.)\S+$/i.test(t) || /^(?:[a-z0-9-]+\.)+[a-z]{2,24}(?:\/\S*)?$/i.test(t))
    return 'url';
  if (/^[A-Za-z0-9_-]+$/.test(t) && /\d.*\d/.test(t) && t.length >= 6) return 'identifier';
  return words(t).length <= 1 ? 'name' : 'phrase';
}

/** Whether a value says enough to be traced: not a date, not a tiny number, not one short word. */
export function traceable(ref: Pick<ValueRef, 'text' | 'kind'>): boolean {
  const t = ref.text.trim();
  if (DATE_LIKE.test(t)) return false;
  if (ref.kind === 'number') return canonicalNumber(t).replace(/[-.]/g, '').length >= 2;
  const letters = t.replace(/[^\p{L}\p{N}]/gu, '');
  return letters.length >= 3 && !/^(?:true|false|null|none|yes|no|me|all)$/i.test(t);
}

/** The traceable values of one argument leaf (a string or number value of the JSON arguments). */
export function argumentValues(leaf: string): ValueRef[] {
  const out: ValueRef[] = [];
  const seen = new Set<string>();
  const add = (text: string, kind: ValueKind, start: number): void => {
    const key = `${kind}\u0000${text.toLowerCase()}`;
    if (seen.has(key) || out.length >= MAX_VALUES) return;
    const ref = { text, kind, start, end: start + text.length };
    if (!traceable(ref)) return;
    seen.add(key);
    out.push(ref);
  };
  const trimmed = leaf.trim();
  if (trimmed.length <= MAX_WHOLE_CHARS && words(trimmed).length <= MAX_WHOLE_WORDS) {
    add(trimmed, kindOfWhole(trimmed), leaf.indexOf(trimmed));
  }
  // Tokens are values of their own; their hashes must not be read again as identifiers.
  let rest = leaf;
  for (const t of findTokens(leaf)) {
    add(t.token, 'token', t.start);
    rest = rest.slice(0, t.start) + ' '.repeat(t.end - t.start) + rest.slice(t.end);
  }
  for (const m of rest.matchAll(URL_RE)) {
    add(m[0].replace(/[.,;:!?]+$/, ''), 'url', m.index);
    rest = rest.slice(0, m.index) + ' '.repeat(m[0].length) + rest.slice(m.index + m[0].length);
  }
  for (const m of rest.matchAll(EMAIL_RE)) add(m[0], 'email', m.index);
  for (const m of rest.matchAll(HOST_RE))
    if (!/^\d+(?:\.\d+)+$/.test(m[0])) add(m[0].replace(/[.,;:!?]+$/, ''), 'url', m.index);
  for (const m of rest.matchAll(ID_RE)) if (!DATE_LIKE.test(m[0])) add(m[0], 'identifier', m.index);
  return out;
}

/** Kinds that address something (a party, a place, an account): injected, they redirect an action. */
export function isAddressKind(kind: ValueKind): boolean {
  return kind === 'url' || kind === 'email' || kind === 'identifier' || kind === 'token';
}

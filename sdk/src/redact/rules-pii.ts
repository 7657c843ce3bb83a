import { cardBrandValid, IBAN_LENGTHS, ibanValid, ipv4Valid, ipv6Valid, luhnValid, ssnValid } from './checks.js';
import type { Detector } from './types.js';

const FILE_EXTENSION_TLD =
  /^(?:png|jpe?g|gif|svg|webp|ico|bmp|js|mjs|cjs|ts|tsx|jsx|css|scss|map|json|html?|md|txt|py|rb|go|rs|java|lock|ya?ml|toml|xml|csv|pdf|zip|gz|tar|exe|dll|so|wasm)$/i;

function isLocalChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 46 ||
    c === 95 ||
    c === 37 ||
    c === 43 ||
    c === 45
  );
}

function isDomainChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 45;
}

const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24})$/;

/** Email addresses, found from each `@` outwards: a regex would retry its local part at every offset. */
export function findEmails(text: string, push: (start: number, end: number) => void): void {
  let at = text.indexOf('@');
  while (at !== -1) {
    let s = at;
    while (s > 0 && at - s < 64 && isLocalChar(text.charCodeAt(s - 1))) s--;
    while (s < at && text.charCodeAt(s) === 46) s++;
    let e = at + 1;
    while (e < text.length && e - at < 254 && isDomainChar(text.charCodeAt(e))) e++;
    while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--;
    const next = text.indexOf('@', at + 1);
    if (s < at && e > at + 1) {
      const local = text.slice(s, at);
      const domain = text.slice(at + 1, e);
      const m = DOMAIN.exec(domain);
      const sshRemote = local === 'git' && text.charCodeAt(e) === 58;
      // `[email:7f3a9c12@globex.example]` is a token already: its hash and domain are not an address.
      const token = text.startsWith('[email:', s - 7) && /^[0-9a-f]{8}$/.test(local) && text.charCodeAt(e) === 93;
      // `scheme://user:password@host`: the password and host, not an address (the URL rule has them).
      const userinfo =
        s > 0 &&
        text.charCodeAt(s - 1) === 58 &&
        /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/@]*$/.test(text.slice(Math.max(0, s - 300), s - 1));
      if (m && !FILE_EXTENSION_TLD.test(m[1]!) && !sshRemote && !token && !userinfo && !local.endsWith('.')) push(s, e);
    }
    at = next;
  }
}

function digitsOf(s: string): string {
  return s.replace(/\D/g, '');
}

/** Digits glued to letters, dots or dashes are part of an identifier, version or range, not a datum. */
function standalone(text: string, start: number, end: number): boolean {
  const before = start > 0 ? text.charCodeAt(start - 1) : 32;
  const after = end < text.length ? text.charCodeAt(end) : 32;
  const next = end + 1 < text.length ? text.charCodeAt(end + 1) : 32;
  const word = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  if (word(before) || before === 46 || before === 45) return false;
  if (word(after) || after === 45) return false;
  return !(after === 46 && next >= 48 && next <= 57);
}

function isHexOrColon(c: number): boolean {
  return (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** IPv6 addresses, found from each `:` outwards (a regex would start at every hex letter). */
export function findIpv6(text: string, push: (start: number, end: number) => void): void {
  // Every IPv6 address has `::` or three colon-joined hex groups; a regex led by `:` finds those fast.
  const gate = /::|:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:/g;
  let m = gate.exec(text);
  while (m !== null) {
    const colon = m.index;
    const prev = colon > 0 ? text.charCodeAt(colon - 1) : 32;
    const next = colon + 1 < text.length ? text.charCodeAt(colon + 1) : 32;
    if (!isHexOrColon(prev) && !isHexOrColon(next)) {
      m = gate.exec(text);
      continue;
    }
    let s = colon;
    while (s > 0 && colon - s < 45 && isHexOrColon(text.charCodeAt(s - 1))) s--;
    let e = colon + 1;
    while (e < text.length && e - s < 45 && (isHexOrColon(text.charCodeAt(e)) || text.charCodeAt(e) === 46)) e++;
    while (e > colon + 1 && text.charCodeAt(e - 1) === 46) e--;
    const v = text.slice(s, e);
    const before = s > 0 ? text.charCodeAt(s - 1) : 32;
    const after = e < text.length ? text.charCodeAt(e) : 32;
    const glued = (c: number) =>
      (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46;
    if (
      !glued(before) &&
      !glued(after) &&
      v !== '::' &&
      v !== '::1' &&
      /\d/.test(v) &&
      (v.match(/[0-9A-Fa-f]+/g)?.length ?? 0) >= 2 &&
      ipv6Valid(v)
    ) {
      push(s, e);
    }
    gate.lastIndex = Math.max(gate.lastIndex, e + 1);
    m = gate.exec(text);
  }
}

const VERSION_BEFORE = /(?:version|ver|release|build|v)\s*[:=]?\s*$/i;
const CARD_CONTEXT =
  /(?:card|maestro|debit|credit|visa|mastercard|pan|cc|payment|paid|pay with|kort|karte|carte|tarjeta)\b[^\n]{0,24}$/i;
const NON_PERSONAL_IPV4 = new Set(['0.0.0.0', '127.0.0.1', '255.255.255.255']);

/** Regex-shaped PII detectors; every match is confirmed by a checksum or a structural rule. */
export const PII_DETECTORS: readonly Detector[] = [
  {
    rule: 'pii-card',
    kind: 'card',
    priority: 2,
    // 12–19 digits: contiguous, in groups of four with one separator (the last group 1–4 digits), or
    // Amex/Diners 4-6-5/4-6-4. Explicit groupings so trailing numbers (an expiry) never join in.
    pattern: /\d{4}(?:([ -])\d{4}\1\d{4}(?:\1\d{1,4}){0,2}|([ -])\d{6}\2\d{4,5}|\d{8,15})/g,
    validate: (v, text, start) => {
      if (!standalone(text, start, start + v.length)) return false;
      const d = digitsOf(v);
      if (d.length < 12 || !luhnValid(d) || !cardBrandValid(d)) return false;
      // Twelve contiguous digits is also an AWS account or an order number: a short Maestro written
      // without groups needs a card word before it.
      return d.length > 12 || d.length < v.length || CARD_CONTEXT.test(text.slice(Math.max(0, start - 40), start));
    },
  },
  {
    rule: 'pii-ssn',
    kind: 'ssn',
    priority: 2,
    // Dashes only: space-separated 3-2-4 digits are as often table cells; those need the SSN label.
    pattern: /(?<![\w.-])(\d{3})-(\d{2})-(\d{4})(?![\w-]|\.\d)/g,
    validate: (v) => {
      const d = digitsOf(v);
      return ssnValid(d.slice(0, 3), d.slice(3, 5), d.slice(5));
    },
  },
  {
    rule: 'pii-ssn-labelled',
    kind: 'ssn',
    priority: 2,
    pattern: /\b(?:ssn|social security(?: number| no\.?)?)\b\W{0,6}(\d{3}[ -]?\d{2}[ -]?\d{4})\b/gi,
    group: 1,
    validate: (v) => {
      const d = digitsOf(v);
      return ssnValid(d.slice(0, 3), d.slice(3, 5), d.slice(5));
    },
  },
  {
    rule: 'pii-ipv4',
    kind: 'ip',
    priority: 1,
    pattern: /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/g,
    validate: (v, text, start) =>
      standalone(text, start, start + v.length) &&
      ipv4Valid(v) &&
      !NON_PERSONAL_IPV4.has(v) &&
      !VERSION_BEFORE.test(text.slice(Math.max(0, start - 12), start)),
  },
];

const IBAN_START = /\b(?:[A-Z]{2}|[a-z]{2})\d{2}(?= ?[A-Za-z0-9])/g;

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * IBANs, upper or lower case (not mixed), contiguous or grouped by single spaces. The country code
 * says how long the IBAN is, so exactly that many characters are read: a following word is never
 * taken for a last group, and the check digits decide.
 */
export function findIbans(text: string, push: (start: number, end: number) => void): void {
  IBAN_START.lastIndex = 0;
  for (let m = IBAN_START.exec(text); m !== null; m = IBAN_START.exec(text)) {
    const country = m[0].slice(0, 2).toUpperCase();
    const len = IBAN_LENGTHS[country];
    if (len === undefined) continue;
    const lower = m[0] !== m[0].toUpperCase();
    let compact = m[0].toUpperCase();
    let i = m.index + 4;
    let spaced = false;
    while (compact.length < len && i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 && isAlnum(text.charCodeAt(i + 1)) && (compact.length - 4) % 4 === 0) {
        spaced = true;
        i++;
        continue;
      }
      if (!isAlnum(c)) break;
      // One case throughout: `dE89…` or `DE89 abcd` is not how an IBAN is written.
      if ((c >= 65 && c <= 90 && lower) || (c >= 97 && c <= 122 && !lower)) break;
      compact += text[i]!.toUpperCase();
      i++;
    }
    if (compact.length !== len) continue;
    // Contiguous: nothing glued after it. Grouped: the next group boundary must end here.
    if (i < text.length && isAlnum(text.charCodeAt(i)) && (!spaced || text.charCodeAt(i) !== 32)) continue;
    if (ibanValid(compact)) {
      push(m.index, i);
      IBAN_START.lastIndex = i;
    }
  }
}

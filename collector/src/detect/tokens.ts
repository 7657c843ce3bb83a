/**
 * Pseudonym tokens left by redaction: `[<kind>:<hex>]`, e.g. `[email:7f3a9c1b]`. The same value
 * always becomes the same token, so tokens can be compared across steps without seeing the value.
 */
export interface TokenMatch {
  token: string;
  kind: string;
  start: number;
  end: number;
}

const TOKEN_RE = /\[([a-z][a-z0-9_-]{0,31}):([0-9a-f]{4,64})…?\]/g;

export function findTokens(text: string): TokenMatch[] {
  const out: TokenMatch[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    out.push({ token: m[0], kind: m[1]!, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

export type TokenClass = 'secret' | 'pii' | 'other';

/** Kind names are set by the redactor; unknown kinds fall back on their name. */
const SECRET_HINT = /key|token|secret|passw|pwd|jwt|credential|private|bearer|session|cookie|conn|auth|webhook/;
const PII_HINT =
  /email|phone|card|iban|ssn|passport|national|person|name|address|^ip|dob|birth|tax|licen[cs]e|employee/;

export function classifyKind(kind: string, secretKinds: readonly string[], piiKinds: readonly string[]): TokenClass {
  if (secretKinds.includes(kind)) return 'secret';
  if (piiKinds.includes(kind)) return 'pii';
  if (SECRET_HINT.test(kind)) return 'secret';
  if (PII_HINT.test(kind)) return 'pii';
  return 'other';
}

import { TOKEN_SOURCE } from '@casefile/sdk/redact';

/**
 * The one reader of pseudonym tokens in detection (every rule goes through it, so a token format
 * change is made here). Pseudonym tokens left by redaction: `[<kind>:<hex>]`, e.g. `[email:7f3a9c1b]`, with the context
 * redaction keeps (`[email:7f3a9c1b@globex.example]`, `[card:7f3a9c1b·4242 visa]`,
 * `[iban:7f3a9c1b·DE]`, `[slack_webhook:7f3a9c1b·hooks.slack.com]`) or as an encoded blob
 * (`[base64:4.1kB sha256:7f3a9c1b aws_key,email]`). The same value always becomes the same token,
 * so tokens can be compared across steps without seeing the value.
 */
export interface TokenMatch {
  token: string;
  /** The datum's kind; for a blob, the most sensitive kind found inside it (else its encoding). */
  kind: string;
  start: number;
  end: number;
  /** The keyed hash (hex). */
  hash?: string;
  /** Context kept beside the hash: an e-mail domain, a card's last four and network, an IBAN country, a host. */
  context?: string;
  /** Set for an encoded blob redacted whole. */
  blob?: { encoding: string; size: string; kinds: string[] };
}

const TOKEN_RE = new RegExp(TOKEN_SOURCE, 'g');
const WHOLE_TOKEN = new RegExp(`^${TOKEN_SOURCE}$`);
const HOST = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+$/i;
const SIZE = /^(\d+(?:\.\d+)?)([kMG]?)B$/;

export function findTokens(text: string): TokenMatch[] {
  const out: TokenMatch[] = [];
  if (!text.includes('[')) return out;
  for (const m of text.matchAll(TOKEN_RE)) {
    const [token, kind, hash, domain, context, size, blobHash, kinds] = m as unknown as (string | undefined)[];
    const base = { token: token!, start: m.index, end: m.index + token!.length };
    if (blobHash !== undefined) {
      const inner = kinds === undefined ? [] : kinds.split(',');
      out.push({
        ...base,
        kind: inner[0] ?? kind!,
        hash: blobHash,
        blob: { encoding: kind!, size: size!, kinds: inner },
      });
      continue;
    }
    const ctx = domain !== undefined ? domain : context;
    out.push({ ...base, kind: kind!, hash: hash!, ...(ctx !== undefined ? { context: ctx } : {}) });
  }
  return out;
}

/** Whether the whole text is one token. */
export function isToken(text: string): boolean {
  return WHOLE_TOKEN.test(text);
}

/** The domain or host a token kept (`[email:7f3a9c12@globex.example]` → `globex.example`), else ''. */
export function tokenDomain(t: Pick<TokenMatch, 'context' | 'blob'>): string {
  if (t.blob || t.context === undefined || !HOST.test(t.context)) return '';
  return t.context.toLowerCase();
}

/** A redacted blob's encoding and decoded size in bytes (`4.1kB` → 4100), else undefined. */
export function blobToken(t: Pick<TokenMatch, 'blob'>): { encoding: string; bytes: number } | undefined {
  const m = t.blob ? SIZE.exec(t.blob.size) : null;
  if (!t.blob || !m) return undefined;
  const unit = m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : m[2] === 'G' ? 1e9 : 1;
  return { encoding: t.blob.encoding, bytes: Math.round(Number(m[1]) * unit) };
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

import { randomBytes } from 'node:crypto';
import { createRedactor, type Redactor, TOKEN_SOURCE } from '@casefile/sdk/redact';

/** What a typed value becomes in a project's data: its kind, and its token under each key. */
export interface ValueTokens {
  kind: string;
  /** One per key: the whole token (with context) and the prefix every form of it starts with (`[email:7f3a9c12`). */
  tokens: { token: string; prefix: string }[];
}

const WHOLE_TOKEN = new RegExp(`^${TOKEN_SOURCE}$`);
const redactors = new Map<string, Redactor>();

function redactorFor(key: string): Redactor {
  let r = redactors.get(key);
  if (r === undefined) {
    r = createRedactor({ key });
    if (redactors.size > 1000) redactors.clear();
    redactors.set(key, r);
  }
  return r;
}

/**
 * The pseudonym tokens `value` becomes under `keys`, computed the way ingest computes them; undefined
 * when the value is not one datum the redactor recognises (an address with words around it, a
 * sentence, a number that is not a card or phone). Nothing is kept: the value lives only in this call.
 */
export function tokensForValue(value: string, keys: readonly string[]): ValueTokens | undefined {
  const text = value.trim();
  if (text.length === 0 || keys.length === 0) return undefined;
  let kind: string | undefined;
  const tokens: ValueTokens['tokens'] = [];
  for (const key of keys) {
    const out = redactorFor(key).redactString(text);
    const m = WHOLE_TOKEN.exec(out.text);
    // A blob (`[base64:… sha256:…]`) or anything but one token for the whole value is not one datum.
    if (m === null || m[2] === undefined || out.count !== 1) return undefined;
    kind = m[1]!;
    const prefix = `[${kind}:${m[2]}`;
    if (!tokens.some((t) => t.prefix === prefix)) tokens.push({ token: out.text, prefix });
  }
  return kind === undefined ? undefined : { kind, tokens };
}

/** Stands in for a project whose pseudonym key this collector does not know yet (per process). */
const PROCESS_KEY = randomBytes(32).toString('hex');

/**
 * Free search text as the access log keeps it: every datum the redactor recognises (an e-mail
 * address, IBAN, phone or card number, a key) becomes its pseudonym token under the project's first
 * key, so the log says that someone searched for that address and links to the runs that carried it,
 * without holding the address. Without a known key a key of this process is used: the value is still
 * hidden, but its token matches no data.
 */
export function redactSearchText(text: string, keys: readonly string[]): string {
  return redactorFor(keys[0] ?? PROCESS_KEY).redactString(text).text;
}

/** Lower-case and drop separators so `X-Api-Key`, `api_key` and `apiKey` compare equal. */
export function normalizeFieldName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

// Suffixes of normalised names: `db_password`, `x-api-key`, `clientSecret`, `set-cookie` all end in one.
// `token` but not `tokens`, so `max_tokens` and `gen_ai.usage.input_tokens` stay readable.
const SENSITIVE_SUFFIXES = [
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'token',
  'apikey',
  'accesskey',
  'secretkey',
  'privatekey',
  'signingkey',
  'encryptionkey',
  'masterkey',
  'authorization',
  'basicauth',
  'cookie',
  'cookies',
  'credential',
  'credentials',
  'sessionkey',
  'connectionstring',
  'connstr',
  'ssn',
  'socialsecuritynumber',
  'cardnumber',
  'creditcard',
  'cvv',
  'cvc',
];

// A conversation's session ID (`session.id`, `ai.telemetry.metadata.sessionId`, Langfuse, OpenInference) is
// an identifier an investigator follows across runs, so `sessionid` is no suffix here; a secret inside one is
// still found by the content scan. Web framework session cookies are bearer credentials: named exactly.
const SENSITIVE_EXACT = new Set([
  'pin',
  'pincode',
  'otp',
  'mfacode',
  'totp',
  'jsessionid',
  'phpsessid',
  'aspnetsessionid',
]);

const FIELD_KIND: [string, string][] = [
  ['secretaccesskey', 'aws_secret'],
  ['password', 'password'],
  ['passwd', 'password'],
  ['passphrase', 'password'],
  ['pwd', 'password'],
  ['authorization', 'auth_header'],
  ['cookie', 'cookie'],
  ['ssn', 'ssn'],
  ['socialsecuritynumber', 'ssn'],
  ['cardnumber', 'card'],
  ['creditcard', 'card'],
  ['connectionstring', 'connection_string'],
];

export type FieldClassifier = (name: string) => string | undefined;

/** Returns the pseudonym kind for a sensitive field name, or undefined when the name is not sensitive. */
export function createFieldClassifier(extra: readonly string[] = []): FieldClassifier {
  const extraNames = new Set(extra.map(normalizeFieldName).filter((n) => n.length > 0));
  const cache = new Map<string, string | null>();
  return (name) => {
    const hit = cache.get(name);
    if (hit !== undefined) return hit ?? undefined;
    const n = normalizeFieldName(name);
    let kind: string | undefined;
    if (extraNames.has(n)) kind = 'secret';
    else if (SENSITIVE_EXACT.has(n) || SENSITIVE_SUFFIXES.some((s) => n.endsWith(s))) {
      kind = FIELD_KIND.find(([s]) => n.endsWith(s))?.[1] ?? 'secret';
    }
    if (cache.size < 10_000) cache.set(name, kind ?? null);
    return kind;
  };
}

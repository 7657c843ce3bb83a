import { shannonEntropy } from './checks.js';

/**
 * Shape checks on a candidate secret value (the text after `name =`, or a token in prose). They
 * decide whether a value *holds* a secret or only *names* one: placeholders, template variables, code
 * references, identifiers and words are not secrets, whatever the name they are assigned to.
 */

// Whole-value placeholders: templates, env lookups, masks, documentation stand-ins.
const PLACEHOLDER =
  /^(?:null|nil|none|undefined|true|false|yes|no|on|off|string|str|number|int|integer|boolean|bool|bytes|object|any|required|optional|redacted|masked|hidden|secret|password|passwd|token|apikey|api_key|changeme|change_?it|example|sample|dummy|test|testing|placeholder|todo|tbd|n\/?a|empty|default|your[_-]?\w*|my[_-]?(?:api[_-]?)?(?:key|token|secret|password)|insert[_-]?\w*|replace[_-]?\w*|enter[_-]?\w*|<[^<>]*>|\[[^[\]]*\]|\$\{[^}]*\}|\$\{\{[^}]*\}\}|\{\{[^}]*\}\}|\{%[^%]*%\}|\{[A-Za-z_][\w.]*\}|%\(?[\w.]+\)?[sd]?|%[A-Za-z_]\w*%|\$[A-Za-z_]\w*|\$\d+|\$\([^)]*\)|@[A-Za-z_]\w*@|#\{[^}]*\}|\*+|x+|X+|\.+|-+|_+|0+|•+|…|process\.env\.\w+|os\.environ.*|os\.getenv.*|env\(.*|getenv.*|ENV\[.*|System\.getenv.*|secrets\.\w+|vars\.\w+)$/i;

// Substrings that mark documentation/test values: a real key does not say it is fake.
const PLACEHOLDER_WORD =
  /fake|dummy|example|placeholder|changeme|your[_-](?:api|secret|token|key|password)|xxxxx|\*\*\*\*|redacted|<your|insert[_-]|replace[_-]?me/gi;

/** A value that stands for a secret rather than holding one. */
export function isPlaceholder(v: string): boolean {
  if (PLACEHOLDER.test(v)) return true;
  // Written as a word (`fake`, `FAKE`, `Fake`): random mixed case can spell one by chance (`RodfaKEw`).
  PLACEHOLDER_WORD.lastIndex = 0;
  for (let m = PLACEHOLDER_WORD.exec(v); m !== null; m = PLACEHOLDER_WORD.exec(v)) {
    const w = m[0];
    if (w === w.toLowerCase() || w === w.toUpperCase() || w.slice(1) === w.slice(1).toLowerCase()) return true;
  }
  return false;
}

/** Already a pseudonym token (`[email:…]`, `[base64:4.1kB sha256:…]`): redacting it again would nest. */
export function isRedactionToken(v: string): boolean {
  return /^\[[a-z][a-z0-9_-]{0,31}:[^\]\s][^\]]{0,120}\]$/.test(v);
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** A segment of a dotted path that reads as a name (`secret_length`, `KeyPair`, `u16`), not random. */
function wordLikeSegment(s: string): boolean {
  if (!IDENT.test(s)) return false;
  // `clientctx`, `acctcfg`: a short lower-case name need not be a dictionary word.
  if (s.length <= 3 || /^[a-z]{1,12}$/.test(s)) return true;
  if (s.length > 32) return false;
  return !looksRandom(s);
}

/**
 * Code that refers to a secret: `this.apiKey`, `X25519.secret_length`, `var.db_password`,
 * `config['token']`, `fs.readFileSync(path)`, `password)`, `!1`. A dotted token whose segments are
 * random (`dp.pt.<43 chars>`, `dt0c01.<24>.<64>`) is not code.
 */
export function isCodeReference(v: string): boolean {
  // A call or an index on an identifier path: `foo(…)`, `request.json['x']`, `getSecret()`.
  const call = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\s*[([]/.exec(v);
  if (call !== null) return true;
  if (
    /^(?:this|self|cls|ctx|context|config|cfg|settings|options|opts|props|params|args|req|request|res|env|process|os|window|document|app|module|exports|var|local|data|module|each|item|input|output|secrets?)\.[A-Za-z_$]/i.test(
      v,
    )
  )
    return true;
  if (/^[!~-]?\d{0,2}$/.test(v)) return true;
  if (v.includes('.')) {
    const parts = v.split('.');
    if (parts.length >= 2 && parts.every((p) => p.length > 0 && wordLikeSegment(p))) return true;
  }
  // A bare identifier ending in an unbalanced `)`/`]`/`,`: a call argument (`password=password)`).
  return (
    /^[A-Za-z_$][\w$.]*[)\],;]+$/.test(v) &&
    wordLikeSegment(
      v
        .replace(/[)\],;.]+$/, '')
        .split('.')
        .pop()!,
    )
  );
}

/** Characters in `v` that belong to a run of 6+ consecutive ascending code points (`abcdef`, `012345`). */
function hasSequence(v: string, n = 6): boolean {
  let run = 1;
  for (let i = 1; i < v.length; i++) {
    run = v.charCodeAt(i) === v.charCodeAt(i - 1) + 1 ? run + 1 : 1;
    if (run >= n) return true;
  }
  return false;
}

/** Alphabet size a value was probably drawn from (hex, base32, alphanumeric, base64, printable). */
function alphabetSize(v: string): number {
  let lower = false;
  let upper = false;
  let digit = false;
  let hexOnly = true;
  let other = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      lower = true;
      if (c > 102) hexOnly = false;
    } else if (c >= 65 && c <= 90) {
      upper = true;
      if (c > 70) hexOnly = false;
    } else if (c >= 48 && c <= 57) digit = true;
    else {
      other++;
      hexOnly = false;
    }
  }
  if (hexOnly && !(lower && upper)) return 16;
  let k = (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0);
  if (other > 0) k += 2 + Math.min(other, 30);
  return Math.max(k, 10);
}

/**
 * A floor under the Shannon entropy of n characters drawn uniformly from k symbols, low enough that
 * about one random value in 10,000 falls below it (a 32-hex key can score 3.0 bits by chance; a
 * fixed 3.5-bit gate drops a fifth of them). The centre is log2 of the expected number of distinct
 * symbols, k·(1 − (1 − 1/k)^n); the margin, 0.35 + 2.6/√n, was fitted to simulated quantiles for
 * hex, base36 and base62 strings of 8 to 64 characters.
 */
export function randomEntropyFloor(n: number, k: number): number {
  if (n <= 1) return 0;
  const distinct = k * (1 - (1 - 1 / k) ** n);
  return Math.log2(distinct) - (0.35 + 2.6 / Math.sqrt(n));
}

/** Letters only, in the shape of words joined by case or separators (`accessTokenUrl`, `key_vault_name`). */
function wordShaped(v: string): boolean {
  if (!/^[A-Za-z][A-Za-z_.\- ]*$/.test(v)) return false;
  const words = v.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+/g) ?? [];
  if (words.length === 0) return false;
  // Random mixed case breaks into many one- and two-letter pieces; identifiers are whole words.
  const letters = words.reduce((n, w) => n + w.length, 0);
  if (words.length > 1 && letters / words.length < 3) return false;
  if (words.filter((w) => w.length === 1).length > Math.max(1, words.length / 5)) return false;
  // Words have vowels; random letter strings rarely keep a vowel in every chunk.
  return words.every((w) => w.length <= 3 || (/[aeiouyAEIOUY]/.test(w) && !/[^aeiouyAEIOUY]{5,}/.test(w)));
}

/**
 * Drawn at random rather than written by a person: entropy near what a random string of that
 * length and alphabet would have, no long ascending runs, not a word or a repeated pattern.
 */
export function looksRandom(v: string): boolean {
  const n = v.length;
  if (n < 8) return false;
  if (/^(.)\1+$/.test(v) || /^(.{1,4})\1{2,}$/.test(v)) return false;
  if (hasSequence(v, n >= 24 ? 8 : 6)) return false;
  if (wordShaped(v)) return false;
  const k = alphabetSize(v);
  return shannonEntropy(v) >= randomEntropyFloor(n, k);
}

function classes(v: string): number {
  let n = 0;
  if (/[a-z]/.test(v)) n++;
  if (/[A-Z]/.test(v)) n++;
  if (/\d/.test(v)) n++;
  if (/[^A-Za-z0-9\s]/.test(v)) n++;
  return n;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERSION_LIKE = /^v?\d+(?:\.\d+){1,3}(?:[-+.][\w.-]*)?$|^[a-z]*\d+(?:\.\d+)+[-_]\w+/i;
const FILE_LIKE =
  /^[\w./\\~-]*\.(?:json|ya?ml|pem|key|crt|cer|p12|pfx|jks|txt|env|js|ts|py|rb|go|java|xml|ini|conf|cfg|toml|properties|keystore|keytab|gpg|asc|pub|der|csv|log|sh|git|md|html?|png|jpe?g|svg|zip|tar|gz)$/i;
const PATH_LIKE = /^(?:[A-Za-z]:)?[\\/~][\w .\\/-]*$|^\.{1,2}\//;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;
const HOST_LIKE = /^(?:[a-z0-9-]+\.)+[a-z]{2,24}(?::\d+)?(?:\/\S*)?$/i;
// Maven/Gradle coordinates and package names: `org.slf4j:slf4j-api:1.7.8`, `jjwt-jackson-0.11.2`.
const ARTIFACT_LIKE = /^[a-z][\w.-]*:[a-z][\w.-]*(?::[\w.-]+)*$|^[a-z]+(?:-[a-z]+)+-?\d+(?:\.\d+)+[\w.-]*$/i;
const EMAIL_LIKE = /^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/;

/**
 * A file path, not base64 that happens to contain `/` (`/zE60/1woPlxDESNHYDugtZq3rvQ`): a path's
 * segments are names, a hash in lower case, or short; a long segment with upper and lower case and
 * digits drawn at random is encoded data.
 */
function pathLike(v: string): boolean {
  if (!PATH_LIKE.test(v)) return false;
  const longest = v.split(/[\\/~ .:-]+/).reduce((a, b) => (b.length > a.length ? b : a), '');
  return !(
    longest.length >= 12 &&
    /[a-z]/.test(longest) &&
    /[A-Z]/.test(longest) &&
    /\d/.test(longest) &&
    looksRandom(longest)
  );
}

function percentDecoded(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** How sure the name is that its value is a secret. */
export type NameStrength = 'password' | 'strong' | 'provider' | 'weak';

/**
 * Whether `value`, assigned to a name of the given strength, is a secret. A password may be any
 * person-chosen string; a token, key or secret must look machine-made unless the name is explicit.
 */
export function acceptsValue(value: string, strength: NameStrength): boolean {
  const v = value.trim();
  const n = v.length;
  if (n === 0 || v !== value) return false;
  if (isRedactionToken(v) || isPlaceholder(v) || isCodeReference(v)) return false;
  // A percent-encoded URL is still a URL (its credentials are the URL rule's to find).
  const plain = /%[0-9A-Fa-f]{2}/.test(v) ? percentDecoded(v) : v;
  if (URL_LIKE.test(plain) || EMAIL_LIKE.test(plain) || FILE_LIKE.test(v) || pathLike(v)) return false;
  if (ARTIFACT_LIKE.test(v) && !looksRandom(v.replace(/[^A-Za-z0-9]/g, ''))) return false;
  if (/^(.)\1*$/.test(v)) return false;
  if (strength === 'password') {
    if (n < 6 || n > 256) return false;
    if (/\s/.test(v) && !/^\S+(?: \S+){0,3}$/.test(v)) return false;
    if (/^\s|\s$/.test(v)) return false;
    if (VERSION_LIKE.test(v)) return false;
    // A lone lower-case word is how prose and code read ("password combination", "password = password").
    if (/^[a-z]+$/.test(v) && n < 8) return false;
    return !hasSequence(v.toLowerCase(), 10);
  }
  if (/\s/.test(v)) return false;
  if (n > 4096) return false;
  if (structuredName(v)) return false;
  if (VERSION_LIKE.test(v)) return false;
  const minLength = strength === 'weak' ? 12 : 8;
  if (n < minLength) return false;
  if (/^\d+$/.test(v)) {
    // Client IDs and secrets can be all digits (Asana 16, Discord 18); short numbers are counts and ports.
    return strength !== 'weak' ? n >= 8 && !hasSequence(v, 8) : n >= 16 && !hasSequence(v, 8);
  }
  if (UUID.test(v)) return strength !== 'weak';
  if (HOST_LIKE.test(v) && !/\d{3}/.test(v)) return false;
  if (looksRandom(v)) return true;
  if (strength === 'weak') return false;
  // Explicitly named secrets: mixed classes and no word shape are enough (`Lj2^5O%xi214`).
  return classes(v) >= 3 && !wordShaped(v) && shannonEntropy(v) >= 3;
}

/** `user:64575:profile:v4`, `orders/2024/inv-7781`: segments of words and numbers are a structured name. */
function structuredName(v: string): boolean {
  const parts = v.split(/[:/._-]+/).filter((x) => x.length > 0);
  return parts.length >= 3 && parts.every((x) => /^\d{1,10}$/.test(x) || wordShaped(x) || /^[a-z]\d{1,3}$/i.test(x));
}

/** A lone token in prose that is plainly machine-made: long enough, mixed, near-random. */
export function looksLikeCredential(v: string): boolean {
  const n = v.length;
  if (n < 16 || n > 512) return false;
  if (structuredName(v)) return false;
  if (!/^[A-Za-z0-9_\-+/=.~:!@#$%^&*]+$/.test(v)) return false;
  if (UUID.test(v) || /^[0-9a-f]+$/i.test(v) || /^\d+$/.test(v)) return false;
  if (isPlaceholder(v) || isCodeReference(v) || URL_LIKE.test(v) || EMAIL_LIKE.test(v) || FILE_LIKE.test(v))
    return false;
  if (classes(v) < 3) return false;
  return looksRandom(v);
}

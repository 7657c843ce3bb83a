import { shannonEntropy } from './checks.js';
import type { Detector } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Values that name a secret rather than hold one: placeholders, env lookups, code expressions, types.
const PLACEHOLDER =
  /^(?:null|nil|none|undefined|true|false|string|number|boolean|required|optional|redacted|changeme|example|your[_-]?\w*|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|%\(?\w+\)?s?|\*+|x+|\.+|process\.env\.\w+|os\.environ.*|env\(.*|getenv.*)$/i;
const CODE_LIKE = /[()[\]{}]|^\w+\.\w+\.\w+$|^(?:this|self|config|settings|options|opts|req|ctx|env)\./i;

function charClasses(v: string): number {
  let n = 0;
  if (/[a-z]/.test(v)) n++;
  if (/[A-Z]/.test(v)) n++;
  if (/\d/.test(v)) n++;
  if (/[^A-Za-z0-9]/.test(v)) n++;
  return n;
}

/** Keyword names a password: a short human password is still a secret, but an ordinary word is not. */
function passwordLike(value: string): boolean {
  if (value.length < 6 || PLACEHOLDER.test(value) || CODE_LIKE.test(value) || /\s/.test(value)) return false;
  if (/^(.)\1+$/.test(value)) return false;
  return charClasses(value) >= 2 && shannonEntropy(value) >= 2.3;
}

/** Keyword names a key/token/secret: require the look of a machine-generated credential. */
function tokenLike(value: string): boolean {
  if (value.length < 12 || PLACEHOLDER.test(value) || CODE_LIKE.test(value) || UUID.test(value)) return false;
  if (/\s/.test(value) || !/\d/.test(value) || !/[A-Za-z]/.test(value)) return false;
  if (/^[\w-]+\.(?:json|ya?ml|pem|key|txt|env|js|ts|py)$/i.test(value)) return false;
  return shannonEntropy(value) >= 3.5;
}

const VALUE = String.raw`(?:"([^"\r\n]{6,300})"|'([^'\r\n]{6,300})'|\x60([^\x60\r\n]{6,300})\x60|([^\s"'\x60,;&)}\]<>\x00]{6,300}))`;

/**
 * `<name containing a keyword> = value` in code, config, .env, logs and query strings. The keyword must
 * be in the name and the value must pass an entropy/shape check, which keeps UUIDs, words and code out.
 */
export const GENERIC_DETECTORS: readonly Detector[] = [
  {
    rule: 'generic-password-assignment',
    kind: 'password',
    priority: 1,
    pattern: new RegExp(
      String.raw`(?:passw(?:or)?d|passphrase|\bpwd|\bpass)(?![a-z])[\w.-]{0,20}(?:["']?\s{0,4}(?::=|=>|==|[:=])\s{0,4}|\s+(?:is\s+)?)${VALUE}`,
      'gi',
    ),
    group: -1,
    validate: passwordLike,
  },
  {
    rule: 'generic-secret-assignment',
    kind: 'generic_secret',
    priority: 1,
    pattern: new RegExp(
      String.raw`(?:key|secret|token|auth|credential|apikey|signature|sig)(?![a-z])[\w.-]{0,24}["']?\s{0,4}(?::=|=>|[:=])\s{0,4}${VALUE}`,
      'gi',
    ),
    group: -1,
    validate: tokenLike,
  },
  {
    rule: 'authorization-header',
    kind: 'auth_header',
    priority: 2,
    pattern:
      /(?:\b(?:proxy-)?authorization["']?\s{0,4}[:=]\s{0,4}["']?(?:(?:Bearer|Basic|Token|Bot|ApiKey|Digest|Negotiate|AWS4-HMAC-SHA256)\s+)?|\b(?:Bearer|Basic)\s+)([A-Za-z0-9._~+/=:,-]{8,4096})/gi,
    group: 1,
    validate: (v) => !PLACEHOLDER.test(v) && /\d/.test(v) && shannonEntropy(v) >= 3,
  },
  {
    rule: 'cookie-header',
    kind: 'cookie',
    priority: 2,
    pattern: /\b(?:set-)?cookie["']?\s{0,4}:\s{0,4}["']?([^\r\n"'\x00]{6,4096})/gi,
    group: 1,
    validate: (v) => v.includes('=') && shannonEntropy(v) >= 3,
  },
  {
    rule: 'url-credentials',
    kind: 'url_credentials',
    priority: 3,
    // Starts at the literal `://` (fast); the scheme before it is checked in validate.
    pattern: /:\/\/([^\s:@/'"<>\x00]{1,128}:[^\s@/'"<>\x00]{1,256})@[A-Za-z0-9[]/g,
    group: 1,
    validate: (v, text, start) =>
      /[A-Za-z][A-Za-z0-9+.-]{0,20}$/.test(text.slice(Math.max(0, start - 24), start - 3)) &&
      !/:(?:\*+|x+|<[^>]*>|\$\{[^}]*\}|password)$/i.test(v),
  },
  {
    rule: 'connection-string-password',
    kind: 'connection_string',
    priority: 2,
    // NUL counts as a line edge: the redactor joins short values with it for one scan.
    pattern: /(?:^|[;"'\s\x00])(?:Password|Pwd)\s{0,2}=\s{0,2}([^;"'\r\n\x00]{1,256})(?=;|$|["'\r\n\x00])/gim,
    group: 1,
    // A connection string is `;`-separated; a lone `password=x` is left to the password rule.
    validate: (v, text, start) =>
      !PLACEHOLDER.test(v.trim()) &&
      v.trim().length > 0 &&
      (text.charCodeAt(start + v.length) === 59 || text.slice(Math.max(0, start - 200), start).includes(';')),
  },
];

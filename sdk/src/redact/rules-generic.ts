import { shannonEntropy } from './checks.js';
import type { Detector } from './types.js';
import { isPlaceholder } from './value-shape.js';

/**
 * Credentials marked by a protocol: HTTP `Authorization`/`Cookie` headers, `scheme://user:pass@host`,
 * `Password=` in `;`-separated connection strings. Assignments to secret names are found by
 * `assignments.ts`, prose by `prose.ts`.
 */
export const GENERIC_DETECTORS: readonly Detector[] = [
  {
    rule: 'authorization-header',
    kind: 'auth_header',
    priority: 2,
    pattern:
      /(?:\b(?:proxy-)?authorization["']?[ \t]{0,4}[:=][ \t]{0,4}["']?(?:(?:Bearer|Basic|Token|Bot|ApiKey|Digest|Negotiate|AWS4-HMAC-SHA256)\s+)?|\b(?:Bearer|Basic)\s+)([A-Za-z0-9._~+/=:,-]{8,4096})/gi,
    group: 1,
    validate: (v) => !isPlaceholder(v) && /\d/.test(v) && shannonEntropy(v) >= 3,
  },
  {
    rule: 'cookie-header',
    kind: 'cookie',
    priority: 2,
    pattern: /\b(?:set-)?cookie["']?[ \t]{0,4}:[ \t]{0,4}["']?([^\r\n"'\x00]{6,4096})/gi,
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
      !isPlaceholder(v.trim()) &&
      v.trim().length > 0 &&
      (text.charCodeAt(start + v.length) === 59 || text.slice(Math.max(0, start - 200), start).includes(';')),
  },
];

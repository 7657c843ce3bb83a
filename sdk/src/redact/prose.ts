import { namesSomethingElse } from './secret-names.js';
import { acceptsValue, looksLikeCredential, looksRandom } from './value-shape.js';

/**
 * Secrets written in sentences and log lines, with no assignment operator: "calling upstream with
 * credential X", "invalid token X", "the new password is X", "here is the value you asked for: X".
 * A keyword may be followed by a few filler words; the first other word is the candidate, and it
 * must pass a stricter shape check than an assigned value (prose is full of ordinary words).
 */

export interface ProseHit {
  start: number;
  end: number;
  kind: string;
  rule: string;
}

const KEYWORD =
  /\b(?:(pass(?:word|phrase|code)s?|pwd)|(api[ _-]?keys?|access[ _-]?keys?|secret[ _-]?keys?|private[ _-]?keys?|tokens?|secrets?|credentials?|creds|bearer|auth(?:orization|entication)?[ _-](?:codes?|tokens?|keys?))|(keys?))\b/gi;

/** Words that may stand between a keyword and its value. */
const FILLER = new Set([
  'is',
  'was',
  'are',
  'were',
  'be',
  'been',
  'being',
  'the',
  'a',
  'an',
  'my',
  'your',
  'our',
  'his',
  'her',
  'their',
  'its',
  "it's",
  'it',
  'this',
  'that',
  'new',
  'old',
  'current',
  'same',
  'following',
  'value',
  'below',
  'here',
  'now',
  'set',
  'reset',
  'changed',
  'updated',
  'rotated',
  'to',
  'of',
  'as',
  'with',
  'you',
  'asked',
  'requested',
  'for',
  'provided',
  'given',
  'equals',
  'reads',
  'still',
  'literally',
  'just',
  'simply',
  'temporary',
  'temp',
  'one-time',
  'admin',
  'root',
  'master',
  'default',
  'initial',
  'is:',
  '=',
  ':',
  '-',
  '—',
  '->',
  '=>',
]);

const TRAILING = /[.,;:!?)"'`\]}>]+$/;
// A word of a sentence: letters only, lower case after the first.
const PLAIN_WORD = /^[A-Za-z][a-z'’]*$/;
const LEADING = /^["'`([{<]+/;

// Clauses naming what a long token is (an ID, a hash, a commit): the token is that, not a secret.
const ID_CLAUSE =
  /\b(?:ids?|identifiers?|integrity|uuids?|guids?|names?|hash(?:es)?|sha(?:1|256|512)?|digests?|checksums?|commits?|revisions?|rev|requests?|traces?|spans?|correlation|orders?|invoices?|tickets?|refs?|references?|numbers?|no|versions?|etags?|builds?|runs?|messages?|msg|files?|paths?|urls?|links?|titles?|subjects?|slugs?|handles?|usernames?|users?|accounts?|threads?|conversations?|calls?|tools?|models?|images?|blobs?|objects?|keys? ids?)\b/i;
// `call_…`, `msg_…`, `chatcmpl-…`, `req_…`, `cus_…`: service object IDs, not credentials.
const ID_PREFIX = /^[a-z]{2,12}[_-][A-Za-z0-9]/;

function classes(v: string): number {
  return (
    (/[a-z]/.test(v) ? 1 : 0) + (/[A-Z]/.test(v) ? 1 : 0) + (/\d/.test(v) ? 1 : 0) + (/[^A-Za-z0-9]/.test(v) ? 1 : 0)
  );
}

function candidateOk(v: string, family: 'password' | 'secret' | 'key'): boolean {
  if (family === 'password') {
    // A chosen password still carries a digit, a symbol or mixed case; a plain word is the sentence going on.
    // Letters only: a word is the sentence going on, random mixed-case letters are a password.
    return (
      acceptsValue(v, 'password') && !/\s/.test(v) && classes(v) >= 2 && (!/^[A-Za-z]+$/.test(v) || looksRandom(v))
    );
  }
  if (/^\d+$/.test(v)) return false;
  if (family === 'key')
    return (
      looksLikeCredential(v) ||
      (v.length >= 32 && /^[0-9a-f]+$/i.test(v) && looksRandom(v)) ||
      // Lower-case letters and digits (base36 keys), long enough that a word or name is ruled out.
      (v.length >= 20 && /^[a-z0-9]+$/i.test(v) && /\d/.test(v) && /[a-z]/i.test(v) && looksRandom(v))
    );
  return acceptsValue(v, 'strong') && (looksRandom(v) || (v.length >= 12 && classes(v) >= 3));
}

// Words that make the keyword a structural one: a cache key, a sort key, a primary key.
const STRUCTURAL_BEFORE =
  /\b(?:cache|sort|primary|foreign|partition|lookup|map|object|row|hash|index|unique|composite|idempotency|dedupe|public|dictionary|registry|translation|i18n|license|hot|shortcut|next|page|pagination|continuation|cursor|sync|csrf|xsrf)[ _-]?$/i;

/** Prose keywords (lower case): a text without one skips `findProseSecrets`. */
export const PROSE_KEYWORDS: readonly string[] = ['pass', 'pwd', 'secret', 'token', 'cred', 'bearer', 'auth', 'key'];

/** A value after a keyword in a sentence (the keyword forms); `findDisclosed` covers values with none. */
export function findProseSecrets(text: string, push: (hit: ProseHit) => void): void {
  KEYWORD.lastIndex = 0;
  for (let m = KEYWORD.exec(text); m !== null; m = KEYWORD.exec(text)) {
    const family = m[1] !== undefined ? 'password' : m[2] !== undefined ? 'secret' : 'key';
    if (STRUCTURAL_BEFORE.test(text.slice(Math.max(0, m.index - 16), m.index))) continue;
    let p = m.index + m[0].length;
    const stop = Math.min(text.length, p + 96);
    let plainWords = 0;
    for (let words = 0; words < 6 && p < stop; words++) {
      // Next word on the same line.
      let s = p;
      while (s < stop && (text.charCodeAt(s) === 32 || text.charCodeAt(s) === 9)) s++;
      if (s >= stop || s === p) break;
      let e = s;
      while (e < text.length && text.charCodeAt(e) > 32 && e - s < 512) e++;
      let raw = text.slice(s, e);
      const lead = LEADING.exec(raw)?.[0].length ?? 0;
      raw = raw.slice(lead);
      const word = raw.replace(TRAILING, '');
      p = e;
      if (FILLER.has(raw.toLowerCase()) || FILLER.has(word.toLowerCase())) continue;
      if (word.length > 0 && candidateOk(word, family)) {
        push({
          start: s + lead,
          end: s + lead + word.length,
          kind: family === 'password' ? 'password' : 'generic_secret',
          rule: family === 'password' ? 'password-in-text' : 'secret-in-text',
        });
        KEYWORD.lastIndex = Math.max(KEYWORD.lastIndex, s + lead + word.length);
        break;
      }
      // A few ordinary words may stand between keyword and value ("the bearer I pasted was X", "token
      // expired (X)"), unless one says what the value is instead (an ID, a hash, a user).
      if (plainWords < 3 && PLAIN_WORD.test(word) && !ID_CLAUSE.test(word)) {
        plainWords++;
        continue;
      }
      break;
    }
  }
}

// 16–128 characters: longer runs after a colon are data (images, archives), not something handed over.
const DISCLOSED = /(?:\S:|\bis|\bare)[ \t]+["'`]?([A-Za-z0-9_\-+/=.~!@#$%^&*]{16,128})(?![A-Za-z0-9_\-+/=.~!@#$%^&*])/g;
// Digests written with their algorithm: Subresource Integrity (`sha512-…`), `sha256:…`, `md5-…`.
const DIGEST_PREFIX = /^(?:sha-?(?:1|224|256|384|512)|sha3-\d+|md5|blake2[bs]?|xxh\d*)[-:_]/i;

/** A lone machine-made token handed over after `:` or "is" ("here is the value you asked for: X"). */
export function findDisclosed(text: string, push: (hit: ProseHit) => void): void {
  DISCLOSED.lastIndex = 0;
  for (let m = DISCLOSED.exec(text); m !== null; m = DISCLOSED.exec(text)) {
    const raw = m[1]!;
    const value = raw.replace(TRAILING, '');
    const start = m.index + m[0].length - raw.length;
    if (!looksLikeCredential(value) || ID_PREFIX.test(value) || DIGEST_PREFIX.test(value)) continue;
    const clauseStart = Math.max(
      text.lastIndexOf('\n', start - 1),
      text.lastIndexOf('. ', start - 1),
      text.lastIndexOf(', ', start - 1),
      start - 60,
    );
    const clause = text
      .slice(Math.max(0, clauseStart), start)
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .replace(/[_-]/g, ' ');
    if (ID_CLAUSE.test(clause)) continue;
    // `nonce: …`, `public_key: …`: a label that names the value as something else.
    const label = /([A-Za-z_$][\w.$-]{0,60})["']?\s*(?::|\bis|\bare)\s*["'`]?$/.exec(
      text.slice(Math.max(0, start - 80), start),
    )?.[1];
    if (label !== undefined && namesSomethingElse(label)) continue;
    push({ start, end: start + value.length, kind: 'generic_secret', rule: 'secret-in-text' });
  }
}

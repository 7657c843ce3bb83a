import { shannonEntropy } from './checks.js';
import { classifyName, type NameClass, namesSomethingElse } from './secret-names.js';
import { acceptsValue, looksRandom } from './value-shape.js';

/**
 * `<name> <operator> <value>` in the syntaxes secrets are written in: `.env`/INI/properties
 * (`KEY=v`, `key = v`), YAML (`key: v`, block scalars, `- name: K` / `value: v` pairs), JSON and
 * JS objects, Python/Ruby/PHP/Go/Java/C#/Kotlin/Swift assignments with or without a type
 * (`var xToken string = "v"`, `String x = "v";`, `x: str = "v"`), Makefile `:=`/`::=`/`?=`/`+=`,
 * PHP `.=`/`=>`, `??=`/`||=`, function-call pairs (`System.setProperty("X_TOKEN", "v")`,
 * `os.environ["K"] = "v"`), XML elements and key/value attributes (`<apiToken>v</apiToken>`,
 * `<add key="ClearTextPassword" value="v"/>`), HTTP headers (`X-Api-Key: v`), CLI flags
 * (`--password v`, `--token=v`), Dockerfile `ENV K v`, SQL `IDENTIFIED BY 'v'`, and a keyword
 * followed by a quoted value (`PASSWORD 'v'`, `apikey "v";`).
 *
 * Found from each keyword outwards: a keyword regex gates the work, then the name, operator and
 * value are read by hand at that spot only. A value never runs past the end of its line.
 */

export interface AssignmentHit {
  start: number;
  end: number;
  kind: string;
  rule: string;
}

/**
 * Every word an assignment name can be recognised by (lower case, matched ignoring case); a text
 * without one skips this detector. The name around each is then read and judged as a whole, service
 * names included (`HEROKU_KEY` is a Heroku credential, not just any `key`).
 */
export const ASSIGNMENT_KEYWORDS: readonly string[] = [
  'pass',
  'pwd',
  'pw',
  'secret',
  'token',
  'key',
  'auth',
  'cred',
  'sig',
  'cookie',
  'bearer',
  'webhook',
  'dsn',
  'otp',
  'pat',
  'login',
  'private',
  'api',
  'access',
  'conn',
  'hmac',
  'identified',
];

const KEYWORD_RE = new RegExp(ASSIGNMENT_KEYWORDS.join('|'), 'gi');

function isNameChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 95 ||
    c === 45 ||
    c === 46 ||
    c === 36
  );
}

function isQuote(c: number): boolean {
  return c === 34 || c === 39 || c === 96;
}

function lineEnd(text: string, from: number): number {
  const n = text.indexOf('\n', from);
  return n === -1 ? text.length : n;
}

// Type annotations between a name and `=`: `: str`, `: Optional[str]`, ` string` (Go), `: String` (Kotlin).
// After `:` the type is spaced from `=` or is a common type name: in `X-Db-Password: ynqBA0ysp=o7` the
// `=` is part of the value. A value must follow the `=`: in `passphrase: Xy9_=` it is padding.
const TYPE_ANNOTATION =
  /[ \t]*(?::[ \t]*[A-Za-z_][\w.<>[\]?|, ]{0,40}?[ \t]+|:[ \t]*(?:str|int|float|bool|bytes|string|number|boolean|any|String|Int|Long|Double|Boolean|Any|Optional\[\w+\])|[ \t]+[A-Za-z_*][\w.<>[\]*]{0,30}[ \t]*)(?==(?![=>])[ \t]*[^\s.,;:!?)\]}])/y;
const OPERATOR = /[ \t]*(:::=|::=|:=|\?\?=|\|\|=|\?=|\+=|\.=|=>|->|<-|==|=|:|,)[ \t]*/y;
const YAML_TAG = /!![A-Za-z]+[ \t]+/y;
const XML_PAIR_BEFORE = /(?:\bkey|\bname|\bid)["']?[ \t]*[=:][ \t]*$/i;
const XML_PAIR_VALUE = /\bvalue["']?[ \t]*[=:][ \t]*/gi;
const PAIR_NAME_ATTRIBUTE = /^(?:key|name|id)$/i;
const PAIR_VALUE_NEXT = /^\\?["']?[ \t,]*\\?["']?value\\?["']?[ \t]*[=:]/i;

interface Value {
  start: number;
  end: number;
}

/** A quoted value on the same line (escaped quotes allowed); undefined when it is not closed. */
function readQuoted(text: string, at: number, escaped: boolean): Value | undefined {
  const q = text.charCodeAt(at);
  const start = at + 1;
  const stop = Math.min(lineEnd(text, start), start + 8192);
  for (let i = start; i < stop; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) {
      // `\"` closes a value that was opened by `\"` (JSON inside a string); otherwise it escapes.
      if (escaped && text.charCodeAt(i + 1) === q) return { start, end: i };
      i++;
      continue;
    }
    if (c === q && !escaped) return { start, end: i };
  }
  return undefined;
}

/** An unquoted value: up to whitespace, a quote, `;`, `,`, `<`, or a `\n` escape; unbalanced closers trimmed. */
function readBare(text: string, at: number, stopAtAmp: boolean): Value {
  let i = at;
  const max = Math.min(text.length, at + 4096);
  while (i < max) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c === 34 || c === 39 || c === 96 || c === 59 || c === 44 || c === 60 || c === 0) break;
    // `&` ends a query parameter: after `?name=`, or when another `name=` follows.
    if (c === 38 && (stopAtAmp || /^&[\w.[\]-]{1,40}=/.test(text.slice(i, i + 44)))) break;
    if (c === 92 && /[nrt"']/.test(text[i + 1] ?? '')) break;
    i++;
  }
  let end = i;
  // `password=hunter2)` in a call, `{key: abc}`: a closer with no opener in the value is not part of it.
  for (;;) {
    const c = text[end - 1];
    if (c !== ')' && c !== ']' && c !== '}' && c !== '.' && c !== ':') break;
    const open = c === ')' ? '(' : c === ']' ? '[' : c === '}' ? '{' : '';
    const v = text.slice(at, end);
    if (open !== '' && count(v, open) >= count(v, c)) break;
    if (open === '' && end - at > 1 && c === '.' && /\d\.$/.test(v)) break;
    end--;
  }
  return { start: at, end };
}

function count(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i !== -1; i = s.indexOf(ch, i + 1)) n++;
  return n;
}

/** A YAML block scalar (`key: |` then indented lines): the block's text, first line to last. */
function readBlock(text: string, at: number, nameLineStart: number): Value | undefined {
  const first = text.indexOf('\n', at);
  if (first === -1) return undefined;
  const indentOf = (ls: number) => {
    let i = ls;
    while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
    return i - ls;
  };
  const baseIndent = indentOf(nameLineStart);
  let ls = first + 1;
  let start = -1;
  let end = -1;
  while (ls < text.length) {
    const le = lineEnd(text, ls);
    const blank = text.slice(ls, le).trim() === '';
    if (!blank && indentOf(ls) <= baseIndent) break;
    if (!blank) {
      if (start === -1) start = ls + indentOf(ls);
      end = le;
    }
    ls = le + 1;
  }
  return start === -1 ? undefined : { start, end };
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

/** The value after an operator at `p` (spaces skipped), or undefined. */
function readValue(text: string, p: number, nameStart: number, op: string): Value | undefined {
  YAML_TAG.lastIndex = p;
  if (YAML_TAG.test(text)) p = YAML_TAG.lastIndex;
  let c = text.charCodeAt(p);
  // Objective-C `@"…"`, Python `r"…"`/`b'…'`/`f"…"`.
  if ((c === 64 || c === 114 || c === 98 || c === 117 || c === 102) && isQuote(text.charCodeAt(p + 1))) {
    p++;
    c = text.charCodeAt(p);
  }
  if (c === 92 && isQuote(text.charCodeAt(p + 1))) return readQuoted(text, p + 1, true);
  if (isQuote(c)) return readQuoted(text, p, false);
  if ((c === 124 || c === 62) && op === ':' && /^[|>][-+]?[ \t]*(?:#.*)?$/.test(text.slice(p, lineEnd(text, p))))
    return readBlock(text, p, lineStart(text, nameStart));
  if (c <= 32 || c === 44 || c === 59) return undefined;
  const before = text.charCodeAt(nameStart - 1);
  return readBare(text, p, before === 63 || before === 38);
}

function emit(hits: AssignmentHit[], cls: NameClass, v: Value): void {
  hits.push({
    start: v.start,
    end: v.end,
    kind: cls.kind,
    rule: cls.kind === 'password' ? 'password-assignment' : 'secret-assignment',
  });
}

/**
 * A `key="NAME"` / `name: NAME` pair whose value sits in a sibling `value` attribute or field
 * (`<add key="ClearTextPassword" value="…"/>`, `{"name": "API_TOKEN", "value": "…"}`, Kubernetes
 * `- name: DB_PASSWORD` / `value: …`), or in the element (`<entry key="token">…</entry>`).
 */
function readPairValue(text: string, nameStart: number, afterName: number): Value | undefined {
  const before = text.slice(Math.max(0, nameStart - 24), nameStart).replace(/["'\\]+$/, '');
  if (!XML_PAIR_BEFORE.test(before)) return undefined;
  let p = afterName;
  while (isQuote(text.charCodeAt(p)) || text.charCodeAt(p) === 92) p++;
  const gt = /^[ \t]*>/.exec(text.slice(p, p + 8));
  if (gt !== null) {
    const s = p + gt[0].length;
    const e = text.indexOf('<', s);
    if (e === -1 || e - s > 4096) return undefined;
    return trimmed(text, s, e);
  }
  XML_PAIR_VALUE.lastIndex = p;
  const m = XML_PAIR_VALUE.exec(text);
  if (m === null || m.index - p > 160 || /\b(?:key|name)["']?[ \t]*[=:]/i.test(text.slice(p, m.index)))
    return undefined;
  return readValue(text, m.index + m[0].length, nameStart, '=');
}

function trimmed(text: string, s: number, e: number): Value | undefined {
  while (s < e && text.charCodeAt(s) <= 32) s++;
  while (e > s && text.charCodeAt(e - 1) <= 32) e--;
  if (e <= s) return undefined;
  // Element text with more than one line is a document, not a value.
  return text.slice(s, e).includes('\n') ? undefined : { start: s, end: e };
}

/** Finds secrets assigned to secret-looking names; see the module comment for the syntaxes. */
export function findAssignments(text: string, push: (hit: AssignmentHit) => void): void {
  const at: number[] = [];
  KEYWORD_RE.lastIndex = 0;
  for (let m = KEYWORD_RE.exec(text); m !== null; m = KEYWORD_RE.exec(text)) at.push(m.index);
  findAssignmentsAt(text, at, push);
}

/** As `findAssignments`, from keyword positions already found (sorted), e.g. by the prefilter. */
export function findAssignmentsAt(
  text: string,
  keywordAt: readonly number[],
  push: (hit: AssignmentHit) => void,
): void {
  let scannedTo = -1;
  const hits: AssignmentHit[] = [];
  for (const k of keywordAt) {
    if (k < scannedTo) continue;
    let ns = k;
    while (ns > 0 && isNameChar(text.charCodeAt(ns - 1))) ns--;
    let ne = k;
    while (ne < text.length && isNameChar(text.charCodeAt(ne))) ne++;
    scannedTo = ne;
    // Leading `$` (PHP), `-`/`--` (CLI flags), `.` and trailing `.`/`-` are not part of the name.
    let s = ns;
    while (s < ne && (text[s] === '$' || text[s] === '-' || text[s] === '.')) s++;
    let e = ne;
    while (e > s && (text[e - 1] === '.' || text[e - 1] === '-')) e--;
    const name = text.slice(s, e);
    // `git@github.com:org/repo`, `bob@mailgun.example`: a host after `@` is not a name.
    if (text.charCodeAt(ns - 1) === 64 || /\.(?:com|org|net|io|dev|co|ai|app|cloud|us|eu|uk|de)$/i.test(name)) continue;
    const cls = classifyName(name);
    if (cls === undefined) continue;
    const flag = text.charCodeAt(ns) === 45;
    const hit = readAfterName(text, ns, e, flag, cls);
    // `<add key="smtpPassword" value="…"/>`: the `key` attribute holds the name of a pair, not a value.
    if (hit !== undefined && PAIR_NAME_ATTRIBUTE.test(name) && PAIR_VALUE_NEXT.test(text.slice(hit.end, hit.end + 24)))
      continue;
    if (hit !== undefined && acceptsValue(text.slice(hit.start, hit.end), cls.strength)) {
      emit(hits, cls, hit);
      scannedTo = Math.max(scannedTo, hit.end);
    }
  }
  for (const h of hits) push(h);
}

function readAfterName(text: string, ns: number, ne: number, flag: boolean, cls: NameClass): Value | undefined {
  const before = text.charCodeAt(ns - 1);
  let p = ne;
  let quotedName = false;
  // `"name"`, `'name'`, `\"name\"`, `os.environ["NAME"]`, `ENV['NAME']`.
  if (isQuote(before) || (before === 92 && isQuote(text.charCodeAt(ns - 2)))) {
    if (text.charCodeAt(p) === 92) p++;
    if (isQuote(text.charCodeAt(p))) {
      p++;
      quotedName = true;
    }
  }
  const pair = readPairValue(text, ns, p);
  if (pair !== undefined) return pair;
  if (text.charCodeAt(p) === 93) p++;
  // `<apiToken>v</apiToken>`: the element's text (one line, possibly on its own indented line).
  if (before === 60 && text.charCodeAt(p) === 62) {
    const close = text.indexOf('</', p + 1);
    if (close === -1 || close - p > 4096) return undefined;
    return trimmed(text, p + 1, close);
  }
  TYPE_ANNOTATION.lastIndex = p;
  if (TYPE_ANNOTATION.test(text)) p = TYPE_ANNOTATION.lastIndex;
  OPERATOR.lastIndex = p;
  const op = OPERATOR.exec(text);
  if (op !== null) {
    const o = op[1]!;
    // `,` pairs a quoted name with its value only in calls and lists: `setProperty("X_TOKEN", "v")`.
    if (o === ',' && !quotedName) return undefined;
    // `key:value` with no space after `:` inside a word-ish run is a URL scheme, time or namespace.
    if (o === ':' && text.charCodeAt(p) !== 58 && text.charCodeAt(p + 1) === 47) return undefined;
    return readValue(text, OPERATOR.lastIndex, ns, o);
  }
  // Without an operator: a quoted value after a space (`PASSWORD 'v'`, `apikey "v";`, `IDENTIFIED BY 'v'`),
  // or a CLI flag's / Dockerfile ENV's next word.
  const ws = /^[ \t]+(?:BY[ \t]+)?/i.exec(text.slice(p, p + 12));
  if (ws === null) return undefined;
  const q = p + ws[0].length;
  if (isQuote(text.charCodeAt(q)) && cls.strength !== 'weak') return readQuoted(text, q, false);
  if (flag || /^[ \t]*ENV[ \t]+$/.test(text.slice(lineStart(text, ns), ns))) return readValue(text, q, ns, ' ');
  return undefined;
}

// `name = value` / `name: value` whose value is a long base64-like run, quoted or bare.
const HIGH_ENTROPY_ASSIGNMENT =
  /(?<![\w.$-])([A-Za-z_$][\w.$-]{0,60})["']?[ \t]{0,4}(?::=|=>|[:=])[ \t]{0,4}["'`]?([A-Za-z0-9+/_=-]{24,100})(?![A-Za-z0-9+/_=-])/g;
const RUN_GATE = /[A-Za-z0-9+/_=-]{24}/;
const DIGEST_PREFIX = /^(?:sha-?(?:1|224|256|384|512)|sha3-\d+|md5|blake2[bs]?)[-:_]/i;
const OBJECT_ID_PREFIX = /^[a-z]{2,12}[_-]/;

/**
 * A value drawn at random (`looksRandom`: entropy at what a random string of its length and alphabet
 * scores, not a fixed 4.5 bits, which only one random 24-character value in twenty reaches), with upper
 * and lower case and digits, assigned to any name (`mimi=gX69YO4C…`), unless the name says it
 * is something else (an ID, a hash, a nonce, image data, a public key). Hex values are not taken: hex
 * is how digests and IDs are written.
 */
export function findHighEntropyAssignments(text: string, push: (hit: AssignmentHit) => void): void {
  if (!RUN_GATE.test(text)) return;
  HIGH_ENTROPY_ASSIGNMENT.lastIndex = 0;
  for (let m = HIGH_ENTROPY_ASSIGNMENT.exec(text); m !== null; m = HIGH_ENTROPY_ASSIGNMENT.exec(text)) {
    const name = m[1]!;
    const value = m[2]!;
    if (!/[a-z]/.test(value) || !/[A-Z]/.test(value) || !/\d/.test(value)) continue;
    if (DIGEST_PREFIX.test(value) || !looksRandom(value)) continue;
    // `pi_3MtwBwLkdIwHu7ix28a3tqPa`, `thread_abc…`: a service's object ID (a lower-case word, `_` or `-`,
    // under 32 random characters) is not taken; a longer body must be near-maximally random, as keys are.
    const id = OBJECT_ID_PREFIX.exec(value);
    if (id !== null && (value.length - id[0].length < 32 || shannonEntropy(value) < 4.5)) continue;
    if (namesSomethingElse(name) || classifyName(name) !== undefined) continue;
    const start = m.index + m[0].length - value.length;
    push({ start, end: start + value.length, kind: 'generic_secret', rule: 'high-entropy-assignment' });
  }
}

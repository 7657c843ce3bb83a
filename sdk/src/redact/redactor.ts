import { cardBrand, luhnValid } from './checks.js';
import { createFieldClassifier } from './field-names.js';
import { createKeyedHash, normalizeForHash } from './pseudonym.js';
import { createScanner, type RawFinding, RedactionTimeoutError } from './scanner.js';
import { formatBlobToken, formatToken, stripTokenContext, tokenContext } from './tokens.js';
import type { RedactAttributesResult, RedactionOptions, Redactor, RedactResult } from './types.js';
import { type Holder, type Job, type JsonRedactContext, setOwn, walkInto } from './walk-json.js';

export const REDACTION_VERSION = '1';
export const REDACTION_ERROR_TOKEN = '[redaction_error]';

const DEFAULT_MAX_VALUE_LENGTH = 16 * 1024;
const DEFAULT_MAX_TIME_MS = 250;
// Text past the size limit that is still scanned, so a secret straddling the cut is seen whole.
const SCAN_MARGIN = 4096;
// JSON up to this multiple of the limit keeps its structure; each string inside gets the limit.
const JSON_SIZE_FACTOR = 64;
const MAX_JSON_DEPTH = 8;

type Acc = { kind: string; rule: string }[];

function looksLikeJson(v: string): boolean {
  let i = 0;
  while (i < v.length && v.charCodeAt(i) <= 32) i++;
  const a = v.charCodeAt(i);
  if (a !== 123 && a !== 91) return false;
  let j = v.length - 1;
  while (j > i && v.charCodeAt(j) <= 32) j--;
  const b = v.charCodeAt(j);
  return (a === 123 && b === 125) || (a === 91 && b === 93);
}

const CARD_FIELD = /(?:^|[^a-z])(?:card|pan|cc)(?:$|[^a-z]|num|number)/i;
const SHORT_CARD = /^\d{4}([ -]?)\d{4}\1\d{4}$/;

function shortCard(value: string): boolean {
  const digits = value.replace(/\D/g, '');
  return luhnValid(digits) && cardBrand(digits) !== undefined;
}

function plainName(k: string): boolean {
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if ((c >= 48 && c <= 58) || c === 64 || c === 37) return false;
  }
  return true;
}

function indentOf(v: string): number | undefined {
  const m = /\n([ ]+)\S/.exec(v);
  return m === null ? undefined : m[1]!.length;
}

function summarize(text: string, acc: Acc): RedactResult {
  if (acc.length === 0) return { text, count: 0, rules: [], redactions: acc };
  const rules = [...new Set(acc.map((r) => r.rule))].sort();
  return { text, count: acc.length, rules, redactions: acc };
}

export function createRedactor(options: RedactionOptions): Redactor {
  const hash = createKeyedHash(options.key);
  const strict = options.tokenContext === 'strict';
  const scanner = createScanner(options.customPatterns);
  const classifyField = createFieldClassifier(options.sensitiveFields);
  const maxLen = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  const maxTime = options.maxTimeMsPerValue ?? DEFAULT_MAX_TIME_MS;

  function token(kind: string, value: string): string {
    const h = hash(kind, normalizeForHash(kind, value));
    return formatToken(kind, h, strict ? '' : tokenContext(kind, value));
  }

  function tokenOf(f: RawFinding, matched: string): string {
    if (f.blob === undefined) return token(f.kind, f.hashValue ?? matched);
    return formatBlobToken(f.blob, hash('blob', f.hashValue ?? matched), strict ? 'strict' : 'keep');
  }

  function apply(text: string, findings: readonly RawFinding[], acc: Acc): string {
    if (findings.length === 0) return strict ? stripTokenContext(text) : text;
    let out = '';
    let pos = 0;
    for (const f of findings) {
      out += text.slice(pos, f.start) + tokenOf(f, text.slice(f.start, f.end));
      acc.push({ kind: f.kind, rule: f.rule });
      pos = f.end;
    }
    out += text.slice(pos);
    // A strict project keeps no context, even in tokens an SDK made before the data got here.
    return strict ? stripTokenContext(out) : out;
  }

  function redactPlain(value: string, acc: Acc, deadline: number): string {
    if (value.length <= maxLen) return apply(value, scanner.scan(value, deadline), acc);
    const window = value.slice(0, maxLen + SCAN_MARGIN);
    const findings = scanner.scan(window, deadline).filter((f) => f.start < maxLen);
    // Keep whole any finding that starts before the cut, so no prefix of a secret survives truncation.
    const keptEnd = Math.max(maxLen, ...findings.map((f) => f.end));
    acc.push({ kind: 'truncated', rule: 'size-limit' });
    const digest = hash('truncated', value);
    return `${apply(window.slice(0, keptEnd), findings, acc)}…[truncated:len=${value.length}:${digest}]`;
  }

  // Documents of one kind repeat the same keys; deciding once per name keeps the walk cheap.
  const plainKeys = new Map<string, boolean>();
  // Spans repeat the same short values (operation names, models, versions, hosts): a value found
  // clean once is clean again, whatever attribute it is under (field names are judged before this).
  const cleanValues = new Set<string>();
  const CLEAN_CACHE_MAX_LENGTH = 256;
  const CLEAN_CACHE_SIZE = 20_000;

  function newJob(): Job {
    return { acc: [], deadline: Date.now() + maxTime };
  }

  // Scans read the clock only every 16 KB; each call checks it once more at the end, so a budget
  // that ran out fails closed however short the values were.
  function checkDeadline(job: Job): void {
    if (Date.now() > job.deadline) throw new RedactionTimeoutError('redaction budget exceeded');
  }

  function sensitive(value: string, fieldKind: string, job: Job): string {
    // A recognisable datum keeps its own kind, so `{"SecretAccessKey": …}` still reads as aws_secret.
    const found = scanner.scan(value, job.deadline);
    const whole = found.length === 1 && found[0]!.start === 0 && found[0]!.end === value.length ? found[0] : undefined;
    const kind = whole?.kind ?? fieldKind;
    job.acc.push({ kind, rule: whole?.rule ?? 'sensitive-field' });
    return token(kind, whole?.hashValue ?? value);
  }

  /** Parses JSON-looking text and redacts it structurally; undefined when it is not JSON. */
  function redactJson(value: string, job: Job, depth: number): string | undefined {
    if (depth >= MAX_JSON_DEPTH || value.length > maxLen * JSON_SIZE_FACTOR || !looksLikeJson(value)) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
    const before = job.acc.length;
    const root: Holder = { doc: parsed };
    walkInto(root, 'doc', undefined, ctx, job, depth + 1, false);
    return job.acc.length === before ? value : JSON.stringify(root.doc, null, indentOf(value));
  }

  const ctx: JsonRedactContext = {
    classifyField,
    token,
    leaf(value, fieldName, job, depth) {
      const fieldKind = fieldName === undefined || value.length === 0 ? undefined : classifyField(fieldName);
      if (fieldKind !== undefined) return sensitive(value, fieldKind, job);
      if (value.length < 6) return value;
      const json = redactJson(value, job, depth);
      if (json !== undefined) return json;
      if (value.length > maxLen) return redactPlain(value, job.acc, job.deadline);
      // A short card number (12-digit Maestro) needs a card word; under a field called `card` it has one.
      if (fieldName !== undefined && CARD_FIELD.test(fieldName) && SHORT_CARD.test(value) && shortCard(value)) {
        job.acc.push({ kind: 'card', rule: 'pii-card' });
        return token('card', value);
      }
      const short = value.length <= CLEAN_CACHE_MAX_LENGTH;
      if (short && cleanValues.has(value)) return value;
      // Each value is scanned on its own, so no match can run from one value into the next: an
      // unterminated key header in one attribute cannot hide what the others hold.
      const findings = scanner.scan(value, job.deadline);
      if (findings.length > 0 || (strict && value.includes('['))) {
        const out = apply(value, findings, job.acc);
        if (out !== value) return out;
      }
      if (short) {
        if (cleanValues.size >= CLEAN_CACHE_SIZE) cleanValues.clear();
        cleanValues.add(value);
      }
      return value;
    },
    key(k, job) {
      // Names like `content` or `gen_ai.tool.name` cannot hold a datum; anything with digits, `@`, `%`, `:` can.
      if (k.length < 6) return k;
      let plain = plainKeys.get(k);
      if (plain === undefined) {
        plain = k.length <= 32 && plainName(k);
        if (plainKeys.size < 10_000) plainKeys.set(k, plain);
      }
      return plain ? k : apply(k, scanner.scan(k, job.deadline), job.acc);
    },
    scanNumber(n, job) {
      const s = String(n);
      const findings = scanner.scan(s, job.deadline);
      return findings.length === 0 ? undefined : apply(s, findings, job.acc);
    },
  };

  function redactString(value: string, fieldName?: string): RedactResult {
    const job = newJob();
    try {
      const fieldKind = fieldName === undefined || value.length === 0 ? undefined : classifyField(fieldName);
      let text: string;
      if (fieldKind !== undefined) text = sensitive(value, fieldKind, job);
      else if (value.length < 6) text = value;
      else text = redactJson(value, job, 0) ?? redactPlain(value, job.acc, job.deadline);
      checkDeadline(job);
      return summarize(text, job.acc);
    } catch {
      return summarize(REDACTION_ERROR_TOKEN, [{ kind: 'error', rule: 'redaction-error' }]);
    }
  }

  function redactEntries(entries: [string, unknown][], job: Job): Record<string, unknown> {
    const out: Holder = {};
    for (const [key, value] of entries) {
      // Most attributes are strings: redact them directly; containers are walked.
      if (typeof value === 'string') {
        setOwn(out, key, ctx.leaf(value, key, job, 0));
        continue;
      }
      setOwn(out, key, value);
      // Copy mode: the caller's arrays and objects are never modified.
      walkInto(out, key, key, ctx, job, 0, true);
    }
    checkDeadline(job);
    return out;
  }

  function redactAttributes(attrs: Record<string, unknown>): RedactAttributesResult {
    const entries = Object.entries(attrs);
    let out: Record<string, unknown>;
    let acc: Acc;
    try {
      const job = newJob();
      out = redactEntries(entries, job);
      acc = job.acc;
    } catch {
      // Find the attribute at fault: redact one at a time and drop only those that fail.
      out = {};
      acc = [];
      for (const entry of entries) {
        const job = newJob();
        let value: unknown;
        try {
          value = redactEntries([entry], job)[entry[0]];
          acc.push(...job.acc);
        } catch {
          value = REDACTION_ERROR_TOKEN;
          acc.push({ kind: 'error', rule: 'redaction-error' });
        }
        Object.defineProperty(out, entry[0], { value, enumerable: true, writable: true, configurable: true });
      }
    }
    const s = summarize('', acc);
    return { attributes: out, count: s.count, rules: s.rules };
  }

  return {
    version: REDACTION_VERSION,
    scan: (text) => scanner.scan(text).map(({ kind, rule, start, end }) => ({ kind, rule, start, end })),
    redactString,
    redactAttributes,
  };
}

import { createFieldClassifier } from './field-names.js';
import { createPseudonymizer, normalizeForHash } from './pseudonym.js';
import { createScanner, type RawFinding } from './scanner.js';
import type { RedactAttributesResult, RedactionOptions, Redactor, RedactResult } from './types.js';
import { type JsonRedactContext, walkJson, walkValue } from './walk-json.js';

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
  let j = v.length - 1;
  while (j > i && v.charCodeAt(j) <= 32) j--;
  const a = v[i];
  const b = v[j];
  return (a === '{' && b === '}') || (a === '[' && b === ']');
}

function indentOf(v: string): number | undefined {
  const m = /\n([ ]+)\S/.exec(v);
  return m === null ? undefined : m[1]!.length;
}

function summarize(text: string, acc: Acc): RedactResult {
  const rules = [...new Set(acc.map((r) => r.rule))].sort();
  return { text, count: acc.length, rules, redactions: acc };
}

export function createRedactor(options: RedactionOptions): Redactor {
  const pseudo = createPseudonymizer(options.key);
  const scanner = createScanner(options.customPatterns);
  const classifyField = createFieldClassifier(options.sensitiveFields);
  const maxLen = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  const maxTime = options.maxTimeMsPerValue ?? DEFAULT_MAX_TIME_MS;

  function token(kind: string, value: string): string {
    return pseudo(kind, normalizeForHash(kind, value));
  }

  function apply(text: string, findings: readonly RawFinding[], acc: Acc): string {
    if (findings.length === 0) return text;
    let out = '';
    let pos = 0;
    for (const f of findings) {
      out += text.slice(pos, f.start) + token(f.kind, f.hashValue ?? text.slice(f.start, f.end));
      acc.push({ kind: f.kind, rule: f.rule });
      pos = f.end;
    }
    return out + text.slice(pos);
  }

  function redactPlain(value: string, acc: Acc, deadline: number): string {
    if (value.length <= maxLen) return apply(value, scanner.scan(value, deadline), acc);
    const window = value.slice(0, maxLen + SCAN_MARGIN);
    const findings = scanner.scan(window, deadline).filter((f) => f.start < maxLen);
    // Keep whole any finding that starts before the cut, so no prefix of a secret survives truncation.
    const keptEnd = Math.max(maxLen, ...findings.map((f) => f.end));
    acc.push({ kind: 'truncated', rule: 'size-limit' });
    const digest = pseudo('truncated', value).slice(1, -1).split(':')[1];
    return `${apply(window.slice(0, keptEnd), findings, acc)}…[truncated:len=${value.length}:${digest}]`;
  }

  const ctx: JsonRedactContext = {
    classifyField,
    token,
    leaf: (value, fieldName, acc, deadline, depth) => redactValue(value, fieldName, acc, deadline, depth),
    scanNumber: (n, acc, deadline) => {
      const s = String(n);
      const findings = scanner.scan(s, deadline);
      return findings.length === 0 ? undefined : apply(s, findings, acc);
    },
  };

  function redactValue(
    value: string,
    fieldName: string | undefined,
    acc: Acc,
    deadline: number,
    depth: number,
  ): string {
    if (fieldName !== undefined && value.length > 0) {
      const kind = classifyField(fieldName);
      if (kind !== undefined) {
        acc.push({ kind, rule: 'sensitive-field' });
        return token(kind, value);
      }
    }
    if (value.length < 6) return value;
    if (depth < MAX_JSON_DEPTH && value.length <= maxLen * JSON_SIZE_FACTOR && looksLikeJson(value)) {
      let parsed: unknown;
      let ok = true;
      try {
        parsed = JSON.parse(value);
      } catch {
        ok = false;
      }
      if (ok) {
        const before = acc.length;
        const walked = walkJson(parsed, ctx, acc, deadline, depth + 1);
        return acc.length === before ? value : JSON.stringify(walked, null, indentOf(value));
      }
    }
    return redactPlain(value, acc, deadline);
  }

  function redactString(value: string, fieldName?: string): RedactResult {
    const acc: Acc = [];
    try {
      return summarize(redactValue(value, fieldName, acc, Date.now() + maxTime, 0), acc);
    } catch {
      return summarize(REDACTION_ERROR_TOKEN, [{ kind: 'error', rule: 'redaction-error' }]);
    }
  }

  function redactAttributes(attrs: Record<string, unknown>): RedactAttributesResult {
    const out: Record<string, unknown> = {};
    const all: Acc = [];
    for (const [key, value] of Object.entries(attrs)) {
      const acc: Acc = [];
      let redacted: unknown;
      try {
        redacted = walkValue(value, key, ctx, acc, Date.now() + maxTime, 0);
      } catch {
        acc.length = 0;
        acc.push({ kind: 'error', rule: 'redaction-error' });
        redacted = REDACTION_ERROR_TOKEN;
      }
      Object.defineProperty(out, key, { value: redacted, enumerable: true, writable: true, configurable: true });
      all.push(...acc);
    }
    const s = summarize('', all);
    return { attributes: out, count: s.count, rules: s.rules };
  }

  return {
    version: REDACTION_VERSION,
    scan: (text) => scanner.scan(text).map(({ kind, rule, start, end }) => ({ kind, rule, start, end })),
    redactString,
    redactAttributes,
  };
}

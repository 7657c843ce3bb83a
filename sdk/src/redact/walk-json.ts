import type { FieldClassifier } from './field-names.js';
import type { LeafBatch } from './leaf-batch.js';

/** State of one top-level redaction call. */
export interface Job {
  acc: { kind: string; rule: string }[];
  deadline: number;
  batch: LeafBatch;
}

export interface JsonRedactContext {
  classifyField: FieldClassifier;
  token(kind: string, value: string): string;
  /**
   * Redacts one string (which may itself hold JSON); `fieldName` applies the field-name rules. May
   * return the string unchanged and later call `place` with the redacted form (batched scanning).
   */
  leaf(value: string, fieldName: string | undefined, job: Job, depth: number, place: (s: string) => void): string;
  /** Object keys are data too (a map keyed by e-mail address). */
  key(key: string, job: Job): string;
  /** Long integers can be card numbers; returns the redacted text, or undefined when clean. */
  scanNumber(n: number, job: Job): string | undefined;
}

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  // A `__proto__` key from parsed JSON must stay a plain property: assignment would set the prototype.
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * Redacts one value found under `fieldName`. Sensitive names drop the whole value (objects
 * included); everything else is walked. `place` receives a late replacement for batched strings.
 */
export function walkValue(
  value: unknown,
  fieldName: string | undefined,
  ctx: JsonRedactContext,
  job: Job,
  depth: number,
  place: (v: string) => void,
): unknown {
  if (value === null || value === undefined || typeof value === 'boolean') return value;
  if (typeof value === 'string') return ctx.leaf(value, fieldName, job, depth, place);
  const sensitiveKind = fieldName === undefined ? undefined : ctx.classifyField(fieldName);
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (sensitiveKind !== undefined) {
      job.acc.push({ kind: sensitiveKind, rule: 'sensitive-field' });
      return ctx.token(sensitiveKind, String(value));
    }
    if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) >= 1e12) {
      return ctx.scanNumber(value, job) ?? value;
    }
    return value;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      out[i] = walkValue(value[i], fieldName, ctx, job, depth, (s) => {
        out[i] = s;
      });
    }
    return out;
  }
  if (typeof value === 'object') {
    if (sensitiveKind !== undefined) {
      job.acc.push({ kind: sensitiveKind, rule: 'sensitive-field' });
      return ctx.token(sensitiveKind, JSON.stringify(value) ?? '');
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const key = ctx.key(k, job);
      setOwn(
        out,
        key,
        walkValue(v, k, ctx, job, depth, (s) => setOwn(out, key, s)),
      );
    }
    return out;
  }
  // Functions, symbols: not data an exporter would send; drop rather than guess.
  return undefined;
}

import type { FieldClassifier } from './field-names.js';

type Acc = { kind: string; rule: string }[];

export interface JsonRedactContext {
  classifyField: FieldClassifier;
  token(kind: string, value: string): string;
  /** Redacts one string (which may itself hold JSON); `fieldName` applies the field-name rules. */
  leaf(value: string, fieldName: string | undefined, acc: Acc, deadline: number, depth: number): string;
  /** Long integers can be card numbers; returns the redacted text, or undefined when clean. */
  scanNumber(n: number, acc: Acc, deadline: number): string | undefined;
}

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty, not assignment: a `__proto__` key from parsed JSON must stay a plain property.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Redacts one value found under `fieldName` (undefined for array items of an unnamed parent).
 * Sensitive names drop the whole value (objects included); everything else is walked.
 */
export function walkValue(
  value: unknown,
  fieldName: string | undefined,
  ctx: JsonRedactContext,
  acc: Acc,
  deadline: number,
  depth: number,
): unknown {
  if (value === null || value === undefined || typeof value === 'boolean') return value;
  if (typeof value === 'string') return ctx.leaf(value, fieldName, acc, deadline, depth);
  const sensitiveKind = fieldName === undefined ? undefined : ctx.classifyField(fieldName);
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (sensitiveKind !== undefined) {
      acc.push({ kind: sensitiveKind, rule: 'sensitive-field' });
      return ctx.token(sensitiveKind, String(value));
    }
    if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) >= 1e12) {
      return ctx.scanNumber(value, acc, deadline) ?? value;
    }
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((item) => walkValue(item, fieldName, ctx, acc, deadline, depth));
  }
  if (typeof value === 'object') {
    if (sensitiveKind !== undefined) {
      acc.push({ kind: sensitiveKind, rule: 'sensitive-field' });
      return ctx.token(sensitiveKind, JSON.stringify(value) ?? '');
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      // Keys are data too (a map keyed by e-mail address); short keys cannot hold anything we detect.
      const key = k.length >= 6 ? ctx.leaf(k, undefined, acc, deadline, depth) : k;
      setOwn(out, key, walkValue(v, k, ctx, acc, deadline, depth));
    }
    return out;
  }
  // Functions, symbols: not data an exporter would send; drop rather than guess.
  return undefined;
}

export function walkJson(value: unknown, ctx: JsonRedactContext, acc: Acc, deadline: number, depth: number): unknown {
  return walkValue(value, undefined, ctx, acc, deadline, depth);
}

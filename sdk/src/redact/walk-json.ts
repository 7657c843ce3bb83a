import type { FieldClassifier } from './field-names.js';

/** An object or array slot: where a walked value is written back. */
export type Holder = Record<string | number, unknown>;

/** State of one top-level redaction call. */
export interface Job {
  acc: { kind: string; rule: string }[];
  deadline: number;
}

export interface JsonRedactContext {
  classifyField: FieldClassifier;
  token(kind: string, value: string): string;
  /** Redacts one string (which may itself hold JSON); `fieldName` applies the field-name rules. */
  leaf(value: string, fieldName: string | undefined, job: Job, depth: number): string;
  /** Object keys are data too (a map keyed by e-mail address). */
  key(key: string, job: Job): string;
  /** Long integers can be card numbers; returns the redacted text, or undefined when clean. */
  scanNumber(n: number, job: Job): string | undefined;
}

export function setOwn(obj: Holder, key: string | number, value: unknown): void {
  // A `__proto__` key from parsed JSON must stay a plain property: assignment would set the prototype.
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * Redacts `holder[key]`, found under `fieldName`, writing the result back. Sensitive names drop the
 * whole value (objects included); everything else is walked. With `copy`, containers are copied
 * first (a caller's attribute map); without, a freshly parsed document is redacted in place.
 */
export function walkInto(
  holder: Holder,
  key: string | number,
  fieldName: string | undefined,
  ctx: JsonRedactContext,
  job: Job,
  depth: number,
  copy: boolean,
): void {
  const value = holder[key];
  if (value === null || value === undefined || typeof value === 'boolean') return;
  if (typeof value === 'string') {
    const r = ctx.leaf(value, fieldName, job, depth);
    if (r !== value) setOwn(holder, key, r);
    return;
  }
  const sensitiveKind = fieldName === undefined ? undefined : ctx.classifyField(fieldName);
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (sensitiveKind !== undefined) {
      job.acc.push({ kind: sensitiveKind, rule: 'sensitive-field' });
      setOwn(holder, key, ctx.token(sensitiveKind, String(value)));
    } else if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) >= 1e12) {
      const r = ctx.scanNumber(value, job);
      if (r !== undefined) setOwn(holder, key, r);
    }
    return;
  }
  if (typeof value !== 'object') {
    // Functions, symbols: not data an exporter would send; drop rather than guess.
    setOwn(holder, key, undefined);
    return;
  }
  // Arrays keep their shape (OTel string[] attributes); under a sensitive name each item is dropped.
  if (Array.isArray(value)) {
    const arr = copy ? value.slice() : value;
    if (copy) setOwn(holder, key, arr);
    for (let i = 0; i < arr.length; i++) walkInto(arr as unknown as Holder, i, fieldName, ctx, job, depth, copy);
    return;
  }
  if (isSecretReference(value)) {
    // A secret passed by reference (`secretRef`) is not the secret: keep the reference readable for
    // the investigator, still scanning the ID itself like any other text.
    const ref: Holder = copy ? { $secret: value.$secret } : (value as Holder);
    if (copy) setOwn(holder, key, ref);
    walkInto(ref, '$secret', undefined, ctx, job, depth, copy);
    return;
  }
  if (sensitiveKind !== undefined) {
    job.acc.push({ kind: sensitiveKind, rule: 'sensitive-field' });
    setOwn(holder, key, ctx.token(sensitiveKind, JSON.stringify(value) ?? ''));
    return;
  }
  const src = value as Holder;
  const obj: Holder = copy ? {} : src;
  if (copy) setOwn(holder, key, obj);
  const paired = pairedName(src);
  // Only a secret's name changes how its value is judged; `{"id": "x", "value": 3}` stays as it is.
  const pairName = paired !== undefined && ctx.classifyField(paired) !== undefined ? paired : undefined;
  for (const k of Object.keys(src)) {
    const newKey = ctx.key(k, job);
    if (copy || newKey !== k) {
      const v = src[k];
      if (!copy) delete obj[k];
      setOwn(obj, newKey, v);
    }
    walkInto(obj, newKey, pairName !== undefined && VALUE_KEYS.has(k) ? pairName : k, ctx, job, depth, copy);
  }
}

const NAME_KEYS = ['name', 'key', 'Name', 'Key', 'id', 'variable', 'header'];
const VALUE_KEYS = new Set(['value', 'Value', 'val']);

/**
 * `{"name": "DB_PASSWORD", "value": "…"}` (Kubernetes env, header lists, settings tables): the value
 * is judged by the name it is paired with, as if it were `{"DB_PASSWORD": "…"}`.
 */
function pairedName(obj: Holder): string | undefined {
  let hasValue = false;
  for (const v of VALUE_KEYS) if (Object.hasOwn(obj, v)) hasValue = true;
  if (!hasValue) return undefined;
  for (const k of NAME_KEYS) {
    const n = obj[k];
    if (typeof n === 'string' && n.length > 0 && n.length <= 80) return n;
  }
  return undefined;
}

function isSecretReference(value: object): value is { $secret: string } {
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === '$secret' && typeof (value as { $secret: unknown }).$secret === 'string';
}

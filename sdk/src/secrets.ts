import { CasefileSecretError } from './errors.js';

/**
 * A placeholder for a credential inside tool arguments. Spans and the action hash only ever see
 * `{"$secret":"<id>"}`; the tool function receives the real value from the agent's resolver.
 */
export interface SecretRef {
  readonly $secret: string;
}

/** Returns the credential for a secret id; called only just before the tool runs. */
export type SecretResolver = (secretId: string) => string | Promise<string>;

export function secretRef(secretId: string): SecretRef {
  return Object.freeze({ $secret: secretId });
}

export function isSecretRef(value: unknown): value is SecretRef {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === '$secret' && typeof (value as SecretRef).$secret === 'string';
}

export function containsSecretRef(value: unknown, depth = 0): boolean {
  if (depth > 64 || typeof value !== 'object' || value === null) return false;
  if (isSecretRef(value)) return true;
  const items = Array.isArray(value) ? value : Object.values(value);
  return items.some((v) => containsSecretRef(v, depth + 1));
}

/**
 * A copy of `value` with every secret reference replaced by its resolved credential. Only plain
 * arrays and objects are walked; anything else is passed through by reference.
 */
export async function resolveSecrets<T>(value: T, resolver: SecretResolver | undefined): Promise<T> {
  if (!containsSecretRef(value)) return value;
  if (!resolver) {
    throw new CasefileSecretError(
      'Tool arguments contain secretRef(...) but no secret resolver is configured: pass `secrets` to initCasefile or toolCall',
    );
  }
  return (await walk(value, resolver, 0)) as T;
}

async function walk(value: unknown, resolver: SecretResolver, depth: number): Promise<unknown> {
  if (isSecretRef(value)) return resolver(value.$secret);
  if (depth > 64 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return Promise.all(value.map((v) => walk(v, resolver, depth + 1)));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = await walk(v, resolver, depth + 1);
  return out;
}

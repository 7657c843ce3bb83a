import { BadInputError } from '../errors/errors.js';

const _MAX_LIMIT = 500;

/** A time bound from the query string: ISO-8601, or Unix epoch milliseconds. → ns. */
export function parseTime(value: string | undefined, name: string): bigint | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d{1,15}$/.test(value)) return BigInt(value) * 1_000_000n;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new BadInputError(`${name} must be an ISO-8601 time or epoch milliseconds`);
  return BigInt(ms) * 1_000_000n;
}

export function parseTraceId(id: string): string {
  const t = id.toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(t)) throw new BadInputError('trace ID must be 32 hex characters');
  return t;
}

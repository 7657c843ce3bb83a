import { BadInputError } from '../errors/errors.js';
import type { RunQuery } from '../store/port.js';

const MAX_LIMIT = 500;

/** A time bound from the query string: ISO-8601, or Unix epoch milliseconds. → ns. */
export function parseTime(value: string | undefined, name: string): bigint | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d{1,15}$/.test(value)) return BigInt(value) * 1_000_000n;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new BadInputError(`${name} must be an ISO-8601 time or epoch milliseconds`);
  return BigInt(ms) * 1_000_000n;
}

function text(value: string | undefined, name: string, max = 512): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length > max) throw new BadInputError(`${name} is longer than ${max} characters`);
  return value;
}

export function parseRunQuery(q: Record<string, string | undefined>): RunQuery {
  const limitRaw = q.limit ?? '50';
  if (!/^\d{1,4}$/.test(limitRaw) || Number(limitRaw) < 1 || Number(limitRaw) > MAX_LIMIT) {
    throw new BadInputError(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  const status = q.status || undefined;
  if (status !== undefined && status !== 'ok' && status !== 'error') {
    throw new BadInputError('status must be "ok" or "error"');
  }
  const query: RunQuery = { limit: Number(limitRaw) };
  const fromNs = parseTime(q.from, 'from');
  const toNs = parseTime(q.to, 'to');
  if (fromNs !== undefined) query.fromNs = fromNs;
  if (toNs !== undefined) query.toNs = toNs;
  if (status) query.status = status;
  const hasFindings = q.hasFindings || undefined;
  if (hasFindings !== undefined) {
    if (hasFindings !== 'true' && hasFindings !== 'false') {
      throw new BadInputError('hasFindings must be "true" (runs with open findings) or "false" (runs without)');
    }
    query.hasFindings = hasFindings === 'true';
  }
  const fields = [
    ['agent', 'agentName'],
    ['tool', 'toolName'],
    ['promptVersion', 'promptVersion'],
    ['policyVersion', 'policyVersion'],
    ['model', 'model'],
    ['documentId', 'documentId'],
    ['approvalId', 'approvalId'],
    ['q', 'text'],
    ['cursor', 'cursor'],
  ] as const;
  for (const [param, key] of fields) {
    const v = text(q[param], param);
    if (v !== undefined) query[key] = v;
  }
  return query;
}

export function parseTraceId(id: string): string {
  const t = id.toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(t)) throw new BadInputError('trace ID must be 32 hex characters');
  return t;
}

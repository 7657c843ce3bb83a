/**
 * Webhook signatures. Header: `casefile-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<raw body>")>` (the scheme Stripe and Slack use). Signing the timestamp with the body lets a
 * receiver refuse old deliveries, so a captured request cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'casefile-signature';
export const EVENT_ID_HEADER = 'casefile-event-id';
export const DEFAULT_TOLERANCE_SECONDS = 300;

function hmacHex(secret: string, timestamp: number, rawBody: string | Uint8Array): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`, 'utf8');
  mac.update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody);
  return mac.digest('hex');
}

/** The `casefile-signature` header value for a body sent at `timestampSeconds`. */
export function signPayload(secret: string, rawBody: string | Uint8Array, timestampSeconds: number): string {
  const t = Math.floor(timestampSeconds);
  return `t=${t},v1=${hmacHex(secret, t, rawBody)}`;
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: string };

/**
 * Checks a received signature against the raw body bytes (before any JSON parsing). Fails for a
 * malformed header, a timestamp more than `toleranceSeconds` away from `nowSeconds`, or no matching
 * `v1` (several are accepted, for secret rotation). Comparison is constant-time.
 */
export function verifySignature(
  secret: string,
  header: string | null | undefined,
  rawBody: string | Uint8Array,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
  if (!header) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` };
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (timestamp === undefined) return { ok: false, reason: 'signature header has no timestamp (t=…)' };
  if (candidates.length === 0) return { ok: false, reason: 'signature header has no v1 signature' };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    return {
      ok: false,
      reason: `timestamp is ${Math.round(nowSeconds - timestamp)} s away from now (tolerance ${toleranceSeconds} s)`,
    };
  }
  const expected = Buffer.from(hmacHex(secret, timestamp, rawBody), 'hex');
  let match = false;
  for (const c of candidates) {
    // Every candidate is compared (no early exit), each in constant time.
    if (timingSafeEqual(expected, Buffer.from(c, 'hex'))) match = true;
  }
  return match ? { ok: true, timestamp } : { ok: false, reason: 'signature does not match the body' };
}

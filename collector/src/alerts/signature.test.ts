import { describe, expect, it } from 'vitest';
import { signPayload, verifySignature } from './signature.js';

const SECRET = 'whsec_test_0123456789abcdef';
const BODY = '{"hello":"world"}';
const T = 1_700_000_000;

describe('webhook signatures', () => {
  it('matches an independently computed HMAC-SHA256 (openssl dgst -sha256 -hmac)', () => {
    // printf '%s' '1700000000.{"hello":"world"}' | openssl dgst -sha256 -hmac 'whsec_test_0123456789abcdef'
    expect(signPayload(SECRET, BODY, T)).toBe(
      't=1700000000,v1=2696427d2a5a6419cb9a96e88cd24bfda2f7e6030505dfe4a27fb65cc17b43e9',
    );
  });

  it('verifies its own signature from string or bytes', () => {
    const header = signPayload(SECRET, BODY, T);
    expect(verifySignature(SECRET, header, BODY, T + 10)).toEqual({ ok: true, timestamp: T });
    expect(verifySignature(SECRET, header, Buffer.from(BODY), T - 10).ok).toBe(true);
  });

  it('rejects a tampered body, a wrong secret and a forged timestamp', () => {
    const header = signPayload(SECRET, BODY, T);
    expect(verifySignature(SECRET, header, '{"hello":"World"}', T)).toMatchObject({ ok: false });
    expect(verifySignature('another-secret-0123456789', header, BODY, T).ok).toBe(false);
    const forged = header.replace(`t=${T}`, `t=${T + 60}`);
    expect(verifySignature(SECRET, forged, BODY, T + 60)).toMatchObject({
      ok: false,
      reason: 'signature does not match the body',
    });
  });

  it('rejects stale and future timestamps (replays)', () => {
    const header = signPayload(SECRET, BODY, T);
    const stale = verifySignature(SECRET, header, BODY, T + 301);
    expect(stale.ok).toBe(false);
    if (!stale.ok) expect(stale.reason).toMatch(/tolerance 300 s/);
    expect(verifySignature(SECRET, header, BODY, T - 301).ok).toBe(false);
    expect(verifySignature(SECRET, header, BODY, T + 301, 600).ok).toBe(true);
  });

  it('accepts any of several v1 signatures (secret rotation) and refuses malformed headers', () => {
    const good = signPayload(SECRET, BODY, T).split(',')[1];
    const rotated = `t=${T},v1=${'0'.repeat(64)},${good}`;
    expect(verifySignature(SECRET, rotated, BODY, T).ok).toBe(true);
    for (const bad of [undefined, '', 'v1=abc', `t=${T}`, `t=x,${good}`, `t=${T},v1=zz`]) {
      expect(verifySignature(SECRET, bad, BODY, T).ok).toBe(false);
    }
  });
});

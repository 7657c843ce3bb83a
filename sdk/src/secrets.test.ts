import { describe, expect, it } from 'vitest';
import { isSecretRef, resolveSecrets, secretRef } from './secrets.js';

describe('secret references', () => {
  it('serialise to {"$secret":id} only', () => {
    expect(JSON.stringify({ k: secretRef('stripe-live') })).toBe('{"k":{"$secret":"stripe-live"}}');
    expect(isSecretRef({ $secret: 'x', extra: 1 })).toBe(false);
  });

  it('resolve at any depth into a copy, leaving the recorded arguments untouched', async () => {
    const args = { headers: [{ auth: secretRef('a') }], plain: 'p', when: new Date(0) };
    const resolved = await resolveSecrets(args, (id) => `value-of-${id}`);
    expect(resolved).toEqual({ headers: [{ auth: 'value-of-a' }], plain: 'p', when: new Date(0) });
    expect(args.headers[0]?.auth).toEqual({ $secret: 'a' });
  });

  it('pass arguments without references through as the same object', async () => {
    const args = { a: 1 };
    expect(await resolveSecrets(args, undefined)).toBe(args);
  });
});

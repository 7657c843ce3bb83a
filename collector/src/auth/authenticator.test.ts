import { describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../errors/errors.js';
import type { Credential, CredentialStore } from '../store/port.js';
import { createAuthenticator } from './authenticator.js';
import { hashSecret } from './secrets.js';

const KEY = 'cf_ingest_0123456789abcdef0123456789abcdef';

const ingestKey = (revoked = false): Credential => ({
  hash: hashSecret(KEY),
  kind: 'ingest',
  projectIds: ['shop'],
  role: 'viewer',
  name: 'agents',
  createdNs: 1n,
  revoked,
});

/** Credentials whose lookups answer only when the test releases them, counting the lookups. */
function slowStore(initial: Credential) {
  let stored = initial;
  const pending: Array<() => void> = [];
  let lookups = 0;
  const store: CredentialStore = {
    async putCredential(c) {
      stored = c;
    },
    findCredential(hash) {
      lookups++;
      const answer = stored.hash === hash ? stored : undefined;
      return new Promise((resolve) => pending.push(() => resolve(answer)));
    },
    async listCredentials() {
      return [stored];
    },
  };
  return {
    store,
    release: () => {
      for (const r of pending.splice(0)) r();
    },
    /** Answers the newest lookup first. */
    releaseNewestFirst: () => {
      for (const r of pending.splice(0).reverse()) r();
    },
    lookups: () => lookups,
    waiting: () => pending.length,
  };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('authenticator', () => {
  it('asks the store once for a burst of requests with one token, then answers from its cache', async () => {
    const s = slowStore(ingestKey());
    const auth = createAuthenticator(s.store);
    const burst = Array.from({ length: 20 }, () => auth.ingest(`Bearer ${KEY}`));
    await settle();
    expect(s.lookups()).toBe(1);
    s.release();
    expect(await Promise.all(burst)).toEqual(Array(20).fill('shop'));
    expect(await auth.ingest(`Bearer ${KEY}`)).toBe('shop');
    expect(s.lookups()).toBe(1);
  });

  it('asks again once the cache entry has expired', async () => {
    const s = slowStore(ingestKey());
    const auth = createAuthenticator(s.store, 20);
    const first = auth.ingest(`Bearer ${KEY}`);
    await settle();
    s.release();
    await first;
    await new Promise((r) => setTimeout(r, 30));
    const again = auth.ingest(`Bearer ${KEY}`);
    await settle();
    expect(s.lookups()).toBe(2);
    s.release();
    expect(await again).toBe('shop');
  });

  it('does not let a lookup that started before a revocation answer or be cached after it', async () => {
    const s = slowStore(ingestKey());
    const auth = createAuthenticator(s.store);
    const before = auth.ingest(`Bearer ${KEY}`);
    await settle();
    // Revoked while that lookup is still in flight (it read the key before the revocation).
    await s.store.putCredential(ingestKey(true));
    auth.invalidate();
    const after = auth.ingest(`Bearer ${KEY}`).catch((e: unknown) => e);
    await settle();
    expect(s.lookups()).toBe(2);
    // The revoked answer arrives first, the stale one last.
    s.releaseNewestFirst();
    expect(await before).toBe('shop');
    expect(await after).toEqual(new UnauthorizedError('unknown or revoked token'));
    // The stale answer was not cached either.
    const later = auth.ingest(`Bearer ${KEY}`).catch((e: unknown) => e);
    await settle();
    s.release();
    expect(await later).toBeInstanceOf(UnauthorizedError);
  });

  it('passes a failed lookup to every request that waited for it, and asks again next time', async () => {
    let calls = 0;
    const store: CredentialStore = {
      async putCredential() {},
      async findCredential() {
        calls++;
        if (calls === 1) throw new Error('store down');
        return ingestKey();
      },
      async listCredentials() {
        return [];
      },
    };
    const auth = createAuthenticator(store);
    const burst = [auth.ingest(`Bearer ${KEY}`), auth.ingest(`Bearer ${KEY}`)];
    for (const r of await Promise.allSettled(burst)) expect(r).toMatchObject({ status: 'rejected' });
    expect(calls).toBe(1);
    expect(await auth.ingest(`Bearer ${KEY}`)).toBe('shop');
  });
});

import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log/logger.js';
import { captureLogger } from '../testing/capture-logger.js';
import { createMemoryStore } from '../testing/memory-store.js';
import { createAuthenticator } from './authenticator.js';
import { bootstrap, INITIAL_CREDENTIALS_FILE } from './bootstrap.js';
import { hashSecret } from './secrets.js';

describe('bootstrap', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('on first start generates an ingest key and an admin token, prints them once and stores only hashes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'casefile-boot-'));
    const store = createMemoryStore();
    const { log, lines } = captureLogger();
    await bootstrap(store, { dataDir: dir, log });
    const file = join(dir, INITIAL_CREDENTIALS_FILE);
    const { ingestKey, adminToken } = JSON.parse(await readFile(file, 'utf8'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(lines.map((l) => l.msg).join('\n')).toContain(ingestKey);
    expect(lines[0]).toMatchObject({ level: 'info', file });
    const stored = await store.listCredentials();
    expect(stored.map((c) => c.hash).sort()).toEqual([hashSecret(ingestKey), hashSecret(adminToken)].sort());
    expect(JSON.stringify(stored, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(ingestKey);
    const auth = createAuthenticator(store);
    expect(await auth.ingest(`Bearer ${ingestKey}`)).toBe('default');
    expect((await auth.login(`Bearer ${adminToken}`)).role).toBe('admin');

    // A second start neither prints nor replaces anything.
    lines.length = 0;
    await bootstrap(store, { dataDir: dir, log });
    expect(lines).toEqual([]);
    expect(await store.listCredentials()).toHaveLength(2);
  });

  it('registers the keys given for automation and writes no file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'casefile-boot-'));
    const store = createMemoryStore();
    await bootstrap(store, {
      dataDir: dir,
      ingestKey: 'ingest-key-0123456789',
      adminToken: 'admin-token-0123456789',
      log: silentLogger,
    });
    const auth = createAuthenticator(store);
    expect(await auth.ingest('Bearer ingest-key-0123456789')).toBe('default');
    await expect(stat(join(dir, INITIAL_CREDENTIALS_FILE))).rejects.toThrow();
  });
});

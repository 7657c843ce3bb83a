import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config.js';
import { generateSigningKey } from './signing.js';
import { loadSigner } from './signing-config.js';

describe('CASEFILE_SIGNING_KEY', () => {
  it('takes the PEM itself or a file holding it; no setting, no signer', async () => {
    const key = generateSigningKey();
    expect((await loadSigner(key.privateKeyPem))?.publicKeyPem).toBe(key.publicKeyPem);
    const dir = await mkdtemp(join(tmpdir(), 'casefile-key-'));
    try {
      await writeFile(join(dir, 'key.pem'), key.privateKeyPem);
      expect((await loadSigner(join(dir, 'key.pem')))?.keyId).toMatch(/^[0-9a-f]{16}$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(await loadSigner(undefined)).toBeUndefined();
  });

  it('stops start-up with a message naming the variable when the key cannot be used', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const cases: [string, RegExp][] = [
      ['-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n', /not a PEM private key/],
      [String(rsa), /must be an Ed25519 key, not rsa/],
      ['/nonexistent/casefile-signing.pem', /cannot read \/nonexistent\/casefile-signing\.pem/],
    ];
    for (const [setting, why] of cases) {
      const error = await loadSigner(setting).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^CASEFILE_SIGNING_KEY \(--signing-key\): /);
      expect((error as Error).message).toMatch(why);
    }
  });
});

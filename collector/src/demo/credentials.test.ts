import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInitialCredentials } from './credentials.js';

describe('readInitialCredentials', () => {
  it('reads the keys the collector wrote, and returns undefined when there is no usable file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-cred-'));
    expect(await readInitialCredentials(dir)).toBeUndefined();
    await writeFile(join(dir, 'initial-credentials.json'), '{"ingestKey":"cf_ingest_1","adminToken":"adm_2"}');
    expect(await readInitialCredentials(dir)).toEqual({ ingestKey: 'cf_ingest_1', adminToken: 'adm_2' });
    await writeFile(join(dir, 'initial-credentials.json'), '{"ingestKey":42}');
    expect(await readInitialCredentials(dir)).toBeUndefined();
  });
});

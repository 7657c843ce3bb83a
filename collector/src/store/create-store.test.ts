import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStore } from './create-store.js';

describe('createStore', () => {
  it('opens the embedded DuckDB store in the data dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-create-'));
    const store = await createStore({ kind: 'duckdb', dataDir: join(dir, 'nested') });
    expect(store.backend).toBe('duckdb');
    await store.migrate();
    expect(await store.listProjects()).toEqual([]);
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('builds a ClickHouse store without connecting until first use', async () => {
    const store = await createStore({ kind: 'clickhouse', url: 'http://127.0.0.1:1', database: 'casefile' });
    expect(store.backend).toBe('clickhouse');
    await store.close();
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach } from 'vitest';
import { DuckDbTraceStore } from './duckdb-trace-store.js';

/** Runs statements on a store's file directly, with no store open on it (tests that edit or age a store). */
export async function onFile<T>(dir: string, work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(join(dir, 'casefile.duckdb'));
  const conn = await instance.connect();
  try {
    return await work(conn);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * A migrated store on a fresh file for every test of the calling `describe`, closed and deleted after
 * it; the returned function gives the current test's store and its directory.
 */
export function freshStoreEachTest(prefix: string): () => { store: DuckDbTraceStore; dir: string } {
  let current: { store: DuckDbTraceStore; dir: string } | undefined;
  beforeEach(async () => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    const store = await DuckDbTraceStore.open(dir);
    await store.migrate();
    current = { store, dir };
  });
  afterEach(async () => {
    if (!current) return;
    await current.store.close().catch(() => undefined);
    await rm(current.dir, { recursive: true, force: true });
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('no store outside a test');
    return current;
  };
}

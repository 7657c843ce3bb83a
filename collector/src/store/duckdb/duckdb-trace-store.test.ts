import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceStore } from '../port.js';
import { runStoreSuites } from '../store-battery.suite.js';
import { DuckDbTraceStore } from './duckdb-trace-store.js';

// A real database file in a fresh directory under the OS temp dir (TMPDIR) for every store.
const dirs = new WeakMap<TraceStore, string>();

runStoreSuites(
  'DuckDB store',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-duckdb-'));
    const store = await DuckDbTraceStore.open(dir);
    dirs.set(store, dir);
    return store;
  },
  async (store) => {
    await store.close();
    const dir = dirs.get(store);
    if (dir) await rm(dir, { recursive: true, force: true });
  },
);

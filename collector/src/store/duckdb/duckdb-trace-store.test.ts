import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConformanceSuite } from '../conformance.suite.js';
import type { TraceStore } from '../port.js';
import { DuckDbTraceStore } from './duckdb-trace-store.js';

const dirs = new WeakMap<TraceStore, string>();

runConformanceSuite(
  'DuckDB conformance',
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

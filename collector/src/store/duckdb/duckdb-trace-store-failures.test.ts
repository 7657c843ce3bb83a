import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreQueryError, StoreUnavailableError } from '../../errors/errors.js';
import { emptyStep } from '../../model/step.js';
import { DuckDbTraceStore } from './duckdb-trace-store.js';

// What only an embedded file store has: a data dir that may be unusable, and a file that outlives the process.
describe('DuckDB store errors and persistence', () => {
  it('reports a data dir it cannot create as StoreUnavailableError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-duckdb-'));
    await writeFile(join(dir, 'file'), '');
    await expect(DuckDbTraceStore.open(join(dir, 'file', 'data'))).rejects.toBeInstanceOf(StoreUnavailableError);
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the SQL and the cause of a failed query', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-duckdb-'));
    const store = await DuckDbTraceStore.open(dir);
    try {
      const error = await store.listRuns('p', { limit: 1 }).catch((e: unknown) => e); // not migrated yet
      expect(error).toBeInstanceOf(StoreQueryError);
      expect((error as StoreQueryError).sql).toContain('FROM runs');
      expect((error as Error).cause).toBeDefined();
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps its data across a reopen of the same file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-duckdb-'));
    const first = await DuckDbTraceStore.open(dir);
    await first.migrate();
    await first.writeSteps([{ ...emptyStep('p', 'c'.repeat(32), 'd'.repeat(16)), name: 'persisted' }]);
    await first.close();
    const second = await DuckDbTraceStore.open(dir);
    await second.migrate();
    expect((await second.getRun('p', 'c'.repeat(32))).map((s) => s.name)).toEqual(['persisted']);
    await second.close();
    await rm(dir, { recursive: true, force: true });
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import type { Step } from '../../model/step.js';
import { buildRun, DAY0 } from '../conformance.fixtures.js';
import type { TraceStore } from '../port.js';
import { runStoreSuites, type TamperTarget } from '../store-battery.suite.js';
import { freshStoreEachTest } from './duckdb-file.fixtures.js';
import { DuckDbTraceStore } from './duckdb-trace-store.js';

// A real database file in a fresh directory under the OS temp dir (TMPDIR) for every store.
const dirs = new WeakMap<TraceStore, string>();

/** Edits the file with DuckDB itself while the store is closed, as someone with the file would. */
async function tamperSpan(store: TraceStore, t: TamperTarget): Promise<TraceStore> {
  const dir = dirs.get(store) as string;
  await store.close();
  const instance = await DuckDBInstance.create(join(dir, 'casefile.duckdb'));
  const conn = await instance.connect();
  const key = [t.projectId, t.traceId, t.spanId];
  const read = await conn.runAndReadAll(
    'SELECT attributes FROM spans WHERE project_id = $1 AND trace_id = $2 AND span_id = $3',
    key,
  );
  const attributes = JSON.parse(String(read.getRowsJS()[0]?.[0] ?? '{}')) as Record<string, string>;
  attributes[t.key] = t.value;
  await conn.run('UPDATE spans SET attributes = $4 WHERE project_id = $1 AND trace_id = $2 AND span_id = $3', [
    ...key,
    JSON.stringify(attributes),
  ]);
  conn.closeSync();
  instance.closeSync();
  const reopened = await DuckDbTraceStore.open(dir);
  await reopened.migrate();
  dirs.set(reopened, dir);
  return reopened;
}

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
  { tamperSpan },
);

describe('DuckDB lookups when a write replaces stored spans', () => {
  const fresh = freshStoreEachTest('casefile-duckdb-');

  it('drops what the replaced span touched and keeps what the run still touches', async () => {
    const { store } = fresh();
    const steps = buildRun({ projectId: 'p', startNs: DAY0, toolName: 'lookup_order', documentIds: ['kb-1'] });
    await store.writeSteps(steps);
    const [, retrieval, , , tool] = steps as [Step, Step, Step, Step, Step];
    // A later write of the same spans wins: the tool became another, the retrieval found nothing.
    await store.writeSteps([
      { ...tool, toolName: 'issue_refund' },
      { ...retrieval, documentIds: [] },
    ]);
    const touching = async (touch: Parameters<TraceStore['runsTouching']>[1]) =>
      (await store.runsTouching('p', touch, 10)).map((r) => r.traceId);
    expect(await touching({ toolName: 'lookup_order' })).toEqual([]);
    expect(await touching({ documentId: 'kb-1' })).toEqual([]);
    expect(await touching({ toolName: 'issue_refund' })).toEqual([tool.traceId]);
    expect((await store.getRun('p', tool.traceId)).find((s) => s.spanId === tool.spanId)?.toolName).toBe(
      'issue_refund',
    );
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEntry, genesisHash, pendingLeaf } from '../../evidence/chain.js';
import { verifyIntegrity } from '../../evidence/verify.js';
import type { Step } from '../../model/step.js';
import { buildRun, DAY0 } from '../conformance.fixtures.js';
import { DuckDbTraceStore } from './duckdb-trace-store.js';

const P = 'proj-chain';

function entryFor(run: Step[], seq = 0n) {
  return buildEntry({
    projectId: P,
    chainId: 'c1',
    seq,
    kind: 'batch',
    timeNs: DAY0,
    collectorId: 'col',
    prevHash: genesisHash(P, 'c1'),
    detail: '',
    leaves: run.map(pendingLeaf),
  });
}

/** Rows as they are in the file (reads through the store collapse identical rows). */
async function rawCount(dir: string, table: string): Promise<number> {
  const instance = await DuckDBInstance.create(join(dir, 'casefile.duckdb'));
  const conn = await instance.connect();
  const rows = (await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${table}`)).getRowObjectsJS();
  conn.closeSync();
  instance.closeSync();
  return Number(rows[0]?.n);
}

describe('DuckDB chain appends beside span writes', () => {
  let dir: string;
  let store: DuckDbTraceStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'casefile-duckdb-chain-'));
    store = await DuckDbTraceStore.open(dir);
    await store.migrate();
  });
  afterEach(async () => {
    await store.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('commits an append that arrives while a span write waits with that write, once', async () => {
    const a = buildRun({ projectId: P, startNs: DAY0 });
    const b = buildRun({ projectId: P, startNs: DAY0 + 1n });
    await store.writeSteps(a);
    const built = entryFor(a);
    await Promise.all([store.writeSteps(b), store.appendChain([built.entry], built.leaves)]);
    const traceId = (a[0] as Step).traceId;
    expect((await verifyIntegrity(store, P, { traceId })).ok).toBe(true);
    await store.close();
    expect(await rawCount(dir, 'chain_entries')).toBe(1);
    expect(await rawCount(dir, 'chain_leaves')).toBe(a.length);
  });

  it('still stores the spans when the chain rows taken along fail, and rejects only the append', async () => {
    const a = buildRun({ projectId: P, startNs: DAY0 });
    const b = buildRun({ projectId: P, startNs: DAY0 + 1n });
    await store.writeSteps(a);
    const built = entryFor(a);
    // A sequence number no UBIGINT column takes: the append cannot be stored, in any transaction.
    const broken = built.leaves.map((l) => ({ ...l, seq: -1n }));
    const [written, appended] = await Promise.allSettled([
      store.writeSteps(b),
      store.appendChain([built.entry], broken),
    ]);
    expect(written.status).toBe('fulfilled');
    expect(appended.status).toBe('rejected');
    expect(await store.getRun(P, (b[0] as Step).traceId)).toHaveLength(b.length);
    expect(await store.listChainEntries(P, { limit: 10 })).toEqual([]);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEntry, genesisHash, pendingLeaf } from '../../evidence/chain.js';
import { verifyIntegrity } from '../../evidence/verify.js';
import type { Step } from '../../model/step.js';
import { buildRun, DAY0 } from '../conformance.fixtures.js';
import { EVIDENCE_MIGRATION, LEAF_GROUPS_MIGRATION } from './duckdb-evidence.js';
import { onFile } from './duckdb-file.fixtures.js';
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
  return onFile(dir, async (conn) => {
    const rows = (await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${table}`)).getRowObjectsJS();
    return Number(rows[0]?.n);
  });
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
    // The run's ten leaves are one row: an append writes a row per run, not per span.
    expect(await rawCount(dir, 'chain_group_leaves')).toBe(1);
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

  it('packs the leaf rows of a store made before leaves were grouped, and its chain still verifies and names a changed leaf', async () => {
    const a = buildRun({ projectId: P, startNs: DAY0 });
    const b = buildRun({ projectId: P, startNs: DAY0 + 1n });
    await store.writeSteps([...a, ...b]);
    await store.close();
    const built = entryFor([...a, ...b]);
    // Back to the schema before leaves were packed a group to a row: one row per span.
    await onFile(dir, async (conn) => {
      await conn.run('DROP TABLE chain_group_leaves');
      await conn.run(`DELETE FROM schema_migrations WHERE version = ${LEAF_GROUPS_MIGRATION.version}`);
      // The table as the evidence migration creates it.
      const legacy = EVIDENCE_MIGRATION.statements.find((sql) => sql.includes('chain_leaves'));
      await conn.run(legacy as string);
    });
    await onFile(dir, async (conn) => {
      const e = built.entry;
      await conn.run(
        'INSERT INTO chain_entries VALUES ($1, $2, 0, $3, $4::UBIGINT, $5, $6, $7, $8, $9, $10, $11, $12)',
        [
          e.projectId,
          e.chainId,
          e.kind,
          e.timeNs,
          e.collectorId,
          e.prevHash,
          e.root,
          e.spanCount,
          JSON.stringify(e.groups),
          e.detail,
          e.hash,
          e.signature,
        ],
      );
      for (const l of built.leaves) {
        // One leaf of run b as if edited in the database: its group no longer matches the entry.
        const changed = l.traceId === (b[0] as Step).traceId && l.spanId === (b[1] as Step).spanId;
        await conn.run('INSERT INTO chain_leaves VALUES ($1, $2, $3, $4, 0, $5, $6)', [
          l.projectId,
          l.traceId,
          l.spanId,
          l.chainId,
          l.day,
          changed ? `${'0'.repeat(63)}1` : l.leaf,
        ]);
      }
    });
    store = await DuckDbTraceStore.open(dir);
    await store.migrate();
    const traceA = (a[0] as Step).traceId;
    const traceB = (b[0] as Step).traceId;
    expect((await store.chainLeaves(P, [traceA])).map((l) => l.spanId).sort()).toEqual(a.map((s) => s.spanId).sort());
    expect((await verifyIntegrity(store, P, { traceId: traceA })).ok).toBe(true);
    const report = await verifyIntegrity(store, P, { traceId: traceB });
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.kind)).toContain('leaves_altered');
    expect(report.problems.every((p) => p.traceId === traceB)).toBe(true);
    await store.close();
    expect(await rawCount(dir, 'chain_group_leaves')).toBe(2);
  });
});

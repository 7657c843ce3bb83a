import { randomBytes } from 'node:crypto';
import { RUN_NAME_ATTRIBUTE } from '@casefile/contract';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import { buildEntry, genesisHash, pendingLeaf } from '../../evidence/chain.js';
import { createChainRecorder } from '../../evidence/chain-recorder.js';
import { verifyIntegrity } from '../../evidence/verify.js';
import type { Step } from '../../model/step.js';
import { buildRun, DAY0, NS_PER_DAY } from '../conformance.fixtures.js';
import type { TraceStore } from '../port.js';
import { runStoreSuites, type TamperTarget } from '../store-battery.suite.js';
import { MIGRATIONS, migrationsTableDdl } from './clickhouse-schema.js';
import { ClickHouseTraceStore } from './clickhouse-trace-store.js';
import { ident, literal } from './sql.js';
import { SINGLE_NODE } from './table-layout.js';

// A real server (CI starts one: .ci/clickhouse.sh); every store is a fresh database, dropped afterwards.
const url = process.env.CLICKHOUSE_URL;

const open = (database: string) => {
  if (!url) throw new Error('CLICKHOUSE_URL is not set');
  return ClickHouseTraceStore.open({ url, database });
};

/** Rewrites one attribute with an `ALTER TABLE … UPDATE` from a client of its own, as an operator could. */
async function tamperSpan(store: TraceStore, t: TamperTarget): Promise<TraceStore> {
  const db = (store as ClickHouseTraceStore).database;
  const client = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
  try {
    const k = literal(t.key);
    await client.command({
      query: `ALTER TABLE ${ident(db)}.spans UPDATE
  attributes_keys = arrayConcat(arrayFilter(x -> x != ${k}, attributes_keys), [${k}]),
  attributes_values = arrayConcat(arrayFilter((v, x) -> x != ${k}, attributes_values, attributes_keys), [${literal(t.value)}])
WHERE project_id = ${literal(t.projectId)} AND trace_id = ${literal(t.traceId)} AND span_id = ${literal(t.spanId)}`,
    });
    for (let i = 0; i < 300; i++) {
      const rows = await client.query({
        query: `SELECT count() AS n FROM system.mutations WHERE database = ${literal(db)} AND is_done = 0`,
        format: 'JSONEachRow',
      });
      const [row] = await rows.json<{ n: string }>();
      if (Number(row?.n) === 0) return store;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the tampering mutation did not finish');
  } finally {
    await client.close();
  }
}

runStoreSuites(
  'ClickHouse store',
  () => open(`casefile_test_${randomBytes(6).toString('hex')}`),
  async (store) => {
    await (store as ClickHouseTraceStore).dropDatabase();
    await store.close();
  },
  {
    // Claim races run between separate clients of one database, as separate collectors would.
    openPeer: (store: TraceStore) => open((store as ClickHouseTraceStore).database),
    declinedClaims: (stores) => stores.reduce((n, s) => n + (s as ClickHouseTraceStore).declinedClaims, 0),
    tamperSpan,
    skip: url
      ? []
      : [{ reason: 'CLICKHOUSE_URL is not set (bash .ci/clickhouse.sh start starts a server)', tests: ['*'] }],
  },
);

describe.skipIf(!url)(`ClickHouse schema upgrade${url ? '' : ' (skipped: CLICKHOUSE_URL is not set)'}`, () => {
  it('upgrades a database written before the run index, and lists every run it held', async () => {
    const database = `casefile_test_${randomBytes(6).toString('hex')}`;
    const old = await open(database);
    try {
      // The schema as it was before the run index: migrations 1-3 only.
      const admin = createClient({ url: url as string, log: { level: ClickHouseLogLevel.OFF } });
      try {
        await admin.command({ query: `CREATE DATABASE ${database}` });
        await admin.command({ query: migrationsTableDdl(database) });
        for (const m of MIGRATIONS.filter((m) => m.version <= 3)) {
          for (const sql of m.statements(database, SINGLE_NODE)) await admin.command({ query: sql });
          await admin.command({
            query: `INSERT INTO ${database}.schema_migrations VALUES (${m.version}, '${m.name}', now())`,
          });
        }
      } finally {
        await admin.close();
      }
      const runs = Array.from({ length: 30 }, (_, i) =>
        buildRun({ projectId: 'p', startNs: DAY0 + BigInt(i) * (NS_PER_DAY / 3n), agentName: i % 2 ? 'a' : 'b' }),
      );
      await old.writeSteps(runs.flat());
      const upgraded = await open(database);
      try {
        await upgraded.migrate();
        const listed = await upgraded.listRuns('p', { limit: 100 });
        const expected = runs.map((r) => (r[0] as Step).traceId).reverse();
        expect(listed.runs.map((r) => r.traceId)).toEqual(expected);
        expect(listed.runs.every((r) => r.stepCount === 5)).toBe(true);
        const agentB = await upgraded.listRuns('p', { limit: 5, agentName: 'b' });
        expect(agentB.runs.map((r) => r.traceId)).toEqual(expected.filter((_, i) => i % 2 === 1).slice(0, 5));
        // Writes after the upgrade reach the index through its view.
        const later = buildRun({ projectId: 'p', startNs: DAY0 + 20n * NS_PER_DAY });
        await upgraded.writeSteps(later);
        expect((await upgraded.listRuns('p', { limit: 1 })).runs[0]?.traceId).toBe((later[0] as Step).traceId);
      } finally {
        await upgraded.dropDatabase();
        await upgraded.close();
      }
    } finally {
      await old.close();
    }
  }, 120_000);

  it('upgrades a database written before the run list: every run listed with its name, lookups and filters', async () => {
    const database = `casefile_test_${randomBytes(6).toString('hex')}`;
    const admin = createClient({ url: url as string, log: { level: ClickHouseLogLevel.OFF } });
    const old = await open(database);
    try {
      await admin.command({ query: `CREATE DATABASE ${database}` });
      await admin.command({ query: migrationsTableDdl(database) });
      for (const m of MIGRATIONS.filter((m) => m.version < 12)) {
        for (const sql of m.statements(database, SINGLE_NODE)) await admin.command({ query: sql });
        await admin.command({
          query: `INSERT INTO ${database}.schema_migrations VALUES (${m.version}, '${m.name}', now())`,
        });
      }
      const runs = Array.from({ length: 12 }, (_, i) =>
        buildRun({
          projectId: 'p',
          startNs: DAY0 + BigInt(i) * (NS_PER_DAY / 2n),
          agentName: i % 3 ? 'a' : 'b',
          approvalId: `apr-${i}`,
        }),
      );
      // Half of the runs carry a run name on a child step, one of them a second one on its root (the root's wins).
      for (const [i, run] of runs.entries()) {
        if (i % 2 === 0) (run[2] as Step).attributes = { [RUN_NAME_ATTRIBUTE]: `child name ${i}` };
        if (i === 4) (run[0] as Step).attributes = { [RUN_NAME_ATTRIBUTE]: 'root name 4' };
      }
      await old.writeSteps(runs.flat());
      const upgraded = await open(database);
      try {
        await upgraded.migrate();
        const listed = await upgraded.listRuns('p', { limit: 100 });
        const expected = runs.map((r) => (r[0] as Step).traceId).reverse();
        expect(listed.runs.map((r) => r.traceId)).toEqual(expected);
        expect(listed.runs.every((r) => r.stepCount === 5)).toBe(true);
        const names = listed.runs.map((r) => r.runName).reverse();
        expect(names).toEqual(runs.map((_, i) => (i === 4 ? 'root name 4' : i % 2 === 0 ? `child name ${i}` : '')));
        const agentB = await upgraded.listRuns('p', { limit: 2, agentName: 'b' });
        expect(agentB.runs.map((r) => r.traceId)).toEqual([expected[2], expected[5]]);
        const byApproval = await upgraded.runsTouching('p', { approvalId: 'apr-3' }, 10);
        expect(byApproval.map((r) => r.traceId)).toEqual([expected[8]]);
        // Opening an old run finds its days through the backfilled trace starts.
        expect((await upgraded.getRun('p', expected[0] as string)).map((s) => s.spanId)).toEqual(
          (runs[11] as Step[]).map((s) => s.spanId),
        );
        // The overview and integrity paging read what migrations 12 and 14 copied, once 15 dropped the old tables.
        const overview = await upgraded.overview('p', {
          fromNs: DAY0,
          toNs: DAY0 + 7n * NS_PER_DAY,
          bucketMs: 86_400_000,
        });
        expect([overview.totals.runs, overview.agents.map((a) => [a.agent, a.runs])]).toEqual([
          12,
          [
            ['a', 8],
            ['b', 4],
          ],
        ]);
        expect(await upgraded.integrityTraceIds('p', { limit: 100 })).toEqual([...expected].sort());
        const left = await admin.query({
          query: `SELECT name FROM system.tables WHERE database = '${database}' AND name IN ('runs', 'runs_mv', 'run_index', 'run_index_mv', 'trace_times', 'trace_times_mv')`,
          format: 'JSONEachRow',
        });
        expect(await left.json()).toEqual([]);
        // Writes after the upgrade reach the run list through its view.
        const later = buildRun({ projectId: 'p', startNs: DAY0 + 20n * NS_PER_DAY });
        (later[0] as Step).attributes = { [RUN_NAME_ATTRIBUTE]: 'later' };
        await upgraded.writeSteps(later);
        const [newest] = (await upgraded.listRuns('p', { limit: 1 })).runs;
        expect([newest?.traceId, newest?.runName]).toEqual([(later[0] as Step).traceId, 'later']);
      } finally {
        await upgraded.dropDatabase();
        await upgraded.close();
      }
    } finally {
      await old.close();
      await admin.close();
    }
  }, 120_000);

  it('verifies a chain whose leaves were stored one row per span, retention drops them, and a changed one is named', async () => {
    const store = await open(`casefile_test_${randomBytes(6).toString('hex')}`);
    const admin = createClient({ url: url as string, log: { level: ClickHouseLogLevel.OFF } });
    try {
      await store.migrate();
      const P = 'p-legacy';
      const a = buildRun({ projectId: P, startNs: DAY0 });
      const b = buildRun({ projectId: P, startNs: DAY0 + 1n });
      await store.writeSteps([...a, ...b]);
      const built = buildEntry({
        projectId: P,
        chainId: 'old~1',
        seq: 0n,
        kind: 'batch',
        timeNs: DAY0,
        collectorId: 'old',
        prevHash: genesisHash(P, 'old~1'),
        detail: '',
        leaves: [...a, ...b].map(pendingLeaf),
      });
      await store.appendChain([built.entry], []);
      // The leaves as a collector wrote them before they were packed a group to a row; one of run b's edited.
      const changed = (b[1] as Step).spanId;
      const rows = built.leaves.map((l) => ({
        project_id: l.projectId,
        trace_id: l.traceId,
        span_id: l.spanId,
        chain_id: l.chainId,
        seq: String(l.seq),
        day: `${String(l.day).slice(0, 4)}-${String(l.day).slice(4, 6)}-${String(l.day).slice(6)}`,
        leaf: l.traceId === (b[0] as Step).traceId && l.spanId === changed ? `${'0'.repeat(63)}1` : l.leaf,
      }));
      await admin.insert({ table: `${store.database}.chain_leaves`, values: rows, format: 'JSONEachRow' });
      const traceA = (a[0] as Step).traceId;
      const traceB = (b[0] as Step).traceId;
      // A batch recorded after the upgrade, in the new layout, beside the old one.
      const c = buildRun({ projectId: P, startNs: DAY0 + 2n });
      await store.writeSteps(c);
      const recorder = createChainRecorder({ store, collectorId: 'new' });
      recorder.record(c);
      await recorder.close();
      expect((await verifyIntegrity(store, P, { traceId: traceA })).ok).toBe(true);
      expect((await verifyIntegrity(store, P, { traceId: (c[0] as Step).traceId })).ok).toBe(true);
      const report = await verifyIntegrity(store, P, {});
      expect(report.checked.spans).toBe(15);
      expect(report.problems.map((p) => p.kind).sort()).toEqual(['leaves_altered', 'span_altered']);
      expect(report.problems.every((p) => p.traceId === traceB)).toBe(true);
      expect(report.problems.find((p) => p.kind === 'span_altered')?.spanId).toBe(changed);
      // Retention drops the old layout's leaves with their day, as the new layout's.
      await store.purgeBefore(P, DAY0 + NS_PER_DAY);
      expect(await store.chainLeaves(P, [traceA, traceB, (c[0] as Step).traceId])).toEqual([]);
    } finally {
      await admin.close();
      await store.dropDatabase();
      await store.close();
    }
  }, 120_000);

  it('lists what retention leaves of a run that straddles the cutoff, from its first kept step', async () => {
    const store = await open(`casefile_test_${randomBytes(6).toString('hex')}`);
    try {
      await store.migrate();
      const cutoff = DAY0 + NS_PER_DAY;
      // Steps 1–2 start before midnight, 3–5 after it.
      const straddling = buildRun({ projectId: 'p', startNs: cutoff - 2_000_000n });
      const later = Array.from({ length: 4 }, (_, i) =>
        buildRun({ projectId: 'p', startNs: cutoff + BigInt(i + 1) * 3_600_000_000_000n }),
      );
      await store.writeSteps([...straddling, ...later.flat()]);
      await store.purgeBefore('p', cutoff);
      const id = (straddling[0] as Step).traceId;
      expect((await store.getRun('p', id)).map((s) => s.spanId)).toEqual(straddling.slice(2).map((s) => s.spanId));
      const listed = await store.listRuns('p', { limit: 10, fromNs: cutoff });
      expect(listed.runs.map((r) => [r.traceId, r.stepCount])).toEqual([
        ...later.map((r) => [(r[0] as Step).traceId, 5]).reverse(),
        [id, 3],
      ]);
    } finally {
      await store.dropDatabase();
      await store.close();
    }
  }, 120_000);
});

describe.skipIf(!url)(
  `ClickHouse read-back of just-written runs${url ? '' : ' (skipped: CLICKHOUSE_URL is not set)'}`,
  () => {
    const withStore = async (
      recentSpanBytes: number | undefined,
      fn: (store: ClickHouseTraceStore) => Promise<void>,
    ) => {
      const store = await ClickHouseTraceStore.open({
        url: url as string,
        database: `casefile_test_${randomBytes(6).toString('hex')}`,
        ...(recentSpanBytes === undefined ? {} : { recentSpanBytes }),
      });
      try {
        await store.migrate();
        await fn(store);
      } finally {
        await store.dropDatabase();
        await store.close();
      }
    };
    // An edit in place keeps the row's version, so only a read of the columns shows it.
    const editedAfterWrite = async (store: ClickHouseTraceStore) => {
      const run = buildRun({ projectId: 'p', startNs: DAY0 });
      await store.writeSteps(run);
      const span = run[2] as Step;
      await tamperSpan(store, {
        projectId: 'p',
        traceId: span.traceId,
        spanId: span.spanId,
        key: 'k',
        value: 'edited',
      });
      const recent = await store.getRuns('p', [span.traceId], { justWritten: true });
      const plain = await store.getRun('p', span.traceId);
      const at = (steps: readonly Step[] | undefined) => steps?.find((s) => s.spanId === span.spanId)?.attributes.k;
      return { recent: at(recent.get(span.traceId)), plain: at(plain) };
    };

    it('answers them from the spans it wrote once the span IDs and versions match, without reading their columns', async () => {
      await withStore(undefined, async (store) => {
        expect(await editedAfterWrite(store)).toEqual({ recent: undefined, plain: 'edited' });
      });
    }, 60_000);

    it('leaves out a run whose spans it reads are older than the write the backlog names, held or read from the server', async () => {
      for (const budget of [undefined, 0]) {
        await withStore(budget, async (store) => {
          const run = buildRun({ projectId: 'p', startNs: DAY0 });
          const other = buildRun({ projectId: 'p', startNs: DAY0 + 5n });
          await store.writeSteps([...run, ...other]);
          const [a, b] = [run[0]?.traceId as string, other[0]?.traceId as string];
          const pending = new Map(
            (await store.pendingDetections({ sinceNs: 0n, untilNs: 2n ** 63n, limit: 10 })).map((p) => [
              p.traceId,
              p.writtenNs,
            ]),
          );
          // A write the read does not show yet, as on a replica that has the backlog row before the spans.
          const ahead = new Map([
            [a, (pending.get(a) as bigint) + 1n],
            [b, pending.get(b) as bigint],
          ]);
          for (const justWritten of [true, false]) {
            const runs = await store.getRuns('p', [a, b], { justWritten, writtenNs: ahead });
            expect([...runs.keys()], `budget ${budget}, just written ${justWritten}`).toEqual([b]);
          }
        });
      }
    }, 60_000);

    it('reads every run from the server when it holds no spans (budget 0) or the run was let go (budget exceeded)', async () => {
      for (const budget of [0, 1]) {
        await withStore(budget, async (store) => {
          expect(await editedAfterWrite(store)).toEqual({ recent: 'edited', plain: 'edited' });
        });
      }
    }, 60_000);
  },
);

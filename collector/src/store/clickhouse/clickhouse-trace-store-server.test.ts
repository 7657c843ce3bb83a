import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StoreQueryError, StoreUnavailableError } from '../../errors/errors.js';
import { emptyStep } from '../../model/step.js';
import { ClickHouseTraceStore } from './clickhouse-trace-store.js';

// What only a networked store has: server errors, its version, the claim settle delay, no server at all.
const url = process.env.CLICKHOUSE_URL ?? '';
const skipped = url ? '' : ' [skipped: CLICKHOUSE_URL is not set]';

describe.skipIf(!url)(`ClickHouse store on a real server${skipped}`, () => {
  const fresh = () => ClickHouseTraceStore.open({ url, database: `casefile_test_${randomBytes(6).toString('hex')}` });

  it('runs against a server of the supported range (18.16 or newer) and says which', async () => {
    const store = await ClickHouseTraceStore.open({ url, database: 'default' });
    try {
      const version = await store.serverVersion();
      const [major, minor] = version.split('.').map(Number) as [number, number];
      expect(major * 1000 + minor).toBeGreaterThanOrEqual(18_016);
      console.log(`conformance: clickhouse ran against ${version} at ${url}`);
    } finally {
      await store.close();
    }
  });

  it('keeps the SQL and the cause of a rejected statement', async () => {
    const store = await ClickHouseTraceStore.open({
      url,
      database: `casefile_missing_${randomBytes(4).toString('hex')}`,
    });
    try {
      const error = await store.listRuns('p', { limit: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreQueryError);
      // The runs list first sizes its window from the run index.
      expect((error as StoreQueryError).sql).toMatch(
        /^SELECT count\(\) AS n[\s\S]*FROM `casefile_missing_\w+`\.run_list/,
      );
      expect((error as Error).message).toMatch(/doesn't exist/);
      expect((error as Error).cause).toBeDefined();
    } finally {
      await store.close();
    }
  });

  it('answers a statement that outlives its deadline with StoreUnavailableError (→ 503), not a query error', async () => {
    const store = await ClickHouseTraceStore.open({ url, database: 'default', timeoutMs: 50 });
    try {
      // A statement that takes a second on any server: the 50 ms deadline passes first.
      const error = await (store as unknown as { select(sql: string): Promise<unknown> })
        .select('SELECT sleep(1) AS s')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/did not answer within 50 ms/);
    } finally {
      await store.close();
    }
  });

  it('waits the configured settle delay before granting a claim, and refuses a claimed key at once', async () => {
    const store = await fresh();
    const slow = await ClickHouseTraceStore.open({ url, database: store.database, claimSettleMs: 2_500 });
    try {
      await store.migrate();
      let started = Date.now();
      expect(await slow.claimEvaluation('p', 'r', 1n, 'slow')).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
      started = Date.now();
      expect(await store.claimEvaluation('p', 'r', 1n, 'default')).toBe(false);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await slow.close();
      await store.dropDatabase();
      await store.close();
    }
  });
});

describe.skipIf(!url)(`ClickHouse retention of the detection backlog${skipped}`, () => {
  it('drops backlog writes, marks and claims older than the retention period, keeping held runs and newer days', async () => {
    const store = await ClickHouseTraceStore.open({
      url,
      database: `casefile_test_${randomBytes(6).toString('hex')}`,
    });
    const run = async (sql: string) => {
      const res = await fetch(`${url}/?query=${encodeURIComponent(sql)}`, { method: 'POST' });
      if (!res.ok) throw new Error(await res.text());
      return (await res.text()).trim();
    };
    try {
      await store.migrate();
      const db = store.database;
      const old = "toDate('2020-01-02')";
      const ns = (date: string) => `toUInt64(toUnixTimestamp(toDateTime('${date} 00:00:00', 'UTC'))) * 1000000000`;
      for (const [project, trace] of [
        ['p', 'old-run'],
        ['p', 'held-run'],
        ['q', 'other-project'],
      ]) {
        await run(`INSERT INTO ${db}.run_writes SELECT '${project}', '${trace}', ${ns('2020-01-02')}, ${old}`);
        await run(
          `INSERT INTO ${db}.detection_marks (project_id, trace_id, written_ns) SELECT '${project}', '${trace}', ${ns('2020-01-02')}`,
        );
      }
      await run(`INSERT INTO ${db}.run_writes SELECT 'p', 'new-run', ${ns('2099-01-02')}, toDate('2099-01-02')`);
      await run(
        `INSERT INTO ${db}.detection_claims (project_id, trace_id, claimed_at, owner, nonce) VALUES ('p', 'old-run', toDateTime('2020-01-02 00:00:00'), 'c1', 'n1')`,
      );
      await run(
        `INSERT INTO ${db}.detection_claims (project_id, trace_id, claimed_at, owner, nonce) VALUES ('p', 'new-run', now(), 'c1', 'n2')`,
      );

      await store.purgeBefore('p', BigInt(Date.UTC(2021, 0, 1)) * 1_000_000n, { keepTraceIds: new Set(['held-run']) });

      const left = async (table: string) =>
        (await run(`SELECT project_id, trace_id FROM ${db}.${table} ORDER BY project_id, trace_id FORMAT CSV`))
          .split('\n')
          .filter(Boolean);
      expect(await left('run_writes')).toEqual(['"p","held-run"', '"p","new-run"', '"q","other-project"']);
      expect(await left('detection_marks')).toEqual(['"p","held-run"', '"q","other-project"']);
      expect(await left('detection_claims')).toEqual(['"p","new-run"']);
    } finally {
      await store.dropDatabase();
      await store.close();
    }
  });
});

describe('ClickHouse store without a server', () => {
  it('reports an unreachable server as StoreUnavailableError (→ 503)', async () => {
    const store = await ClickHouseTraceStore.open({ url: 'http://127.0.0.1:1', database: 'casefile' });
    const step = emptyStep('p', 'a'.repeat(32), 'b'.repeat(16));
    await expect(store.writeSteps([step])).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.getRun('p', step.traceId)).rejects.toBeInstanceOf(StoreUnavailableError);
    await store.close();
  });

  it('refuses a database name that is not a plain identifier', async () => {
    await expect(ClickHouseTraceStore.open({ url: 'http://127.0.0.1:1', database: 'x; DROP' })).rejects.toThrow(
      /database name/,
    );
  });
});

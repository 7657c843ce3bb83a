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
        /^SELECT count\(\) AS n[\s\S]*FROM `casefile_missing_\w+`\.run_index/,
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

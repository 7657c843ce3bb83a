import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StoreQueryError, StoreUnavailableError } from '../../errors/errors.js';
import { emptyStep } from '../../model/step.js';
import { runAlertsConformanceSuite } from '../alerts-conformance.suite.js';
import { runConformanceSuite } from '../conformance.suite.js';
import { runFindingsConformanceSuite } from '../findings-conformance.suite.js';
import { runMetricsConformanceSuite } from '../metrics-conformance.suite.js';
import type { TraceStore } from '../port.js';
import { runSearchConformanceSuite } from '../run-search-conformance.suite.js';
import { ClickHouseTraceStore } from './clickhouse-trace-store.js';

const url = process.env.CLICKHOUSE_URL;

if (url) {
  const makeStore = () =>
    ClickHouseTraceStore.open({ url, database: `casefile_test_${randomBytes(6).toString('hex')}` });
  const removeStore = async (store: TraceStore) => {
    await (store as ClickHouseTraceStore).dropDatabase();
    await store.close();
  };
  runConformanceSuite('ClickHouse conformance', makeStore, removeStore);
  runFindingsConformanceSuite('ClickHouse findings conformance', makeStore, removeStore);
  runSearchConformanceSuite('ClickHouse search conformance', makeStore, removeStore);
  // Series quantiles are reservoir-sampled above 8,192 values per bucket; the fixture stays below.
  runMetricsConformanceSuite('ClickHouse metrics conformance', makeStore, removeStore);
  // Claim races run between separate clients of one database, as separate collectors would.
  runAlertsConformanceSuite('ClickHouse alerts conformance', makeStore, removeStore, {
    openPeer: (store) => ClickHouseTraceStore.open({ url, database: (store as ClickHouseTraceStore).database }),
  });
  describe('ClickHouse server', () => {
    it('keeps the SQL and the cause of a rejected statement', async () => {
      const store = await ClickHouseTraceStore.open({
        url,
        database: `casefile_missing_${randomBytes(4).toString('hex')}`,
      });
      const error = await store.listRuns('p', { limit: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreQueryError);
      expect((error as StoreQueryError).sql).toMatch(/^SELECT trace_id,[\s\S]*minMerge\(start_s\)/);
      expect((error as Error).message).toMatch(/doesn't exist/);
      expect((error as Error).cause).toBeDefined();
      await store.close();
    });

    it('waits the configured settle delay before granting a claim, and refuses a claimed key at once', async () => {
      const store = await makeStore();
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
        await removeStore(store);
      }
    });

    it('reports the version it ran against', async () => {
      const store = await ClickHouseTraceStore.open({ url, database: 'default' });
      console.log(`conformance: clickhouse ran against ${await store.serverVersion()} at ${url}`);
      await store.close();
    });
  });
} else {
  describe.skip('ClickHouse conformance (skipped: CLICKHOUSE_URL not set)', () => {
    it('runs the shared suite against a real server', () => {});
  });
}

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

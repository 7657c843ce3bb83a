import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';
import { runConformanceSuite } from '../conformance.suite.js';
import { ClickHouseTraceStore } from './clickhouse-trace-store.js';

const url = process.env.CLICKHOUSE_URL;

if (url) {
  runConformanceSuite(
    'ClickHouse conformance',
    async () => {
      const store = await ClickHouseTraceStore.open({
        url,
        database: `casefile_test_${randomBytes(6).toString('hex')}`,
      });
      return store;
    },
    async (store) => {
      await (store as ClickHouseTraceStore).dropDatabase();
      await store.close();
    },
  );
  describe('ClickHouse server', () => {
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

import { randomBytes } from 'node:crypto';
import type { TraceStore } from '../port.js';
import { runStoreSuites } from '../store-battery.suite.js';
import { ClickHouseTraceStore } from './clickhouse-trace-store.js';

// A real server (CI starts one: .ci/clickhouse.sh); every store is a fresh database, dropped afterwards.
const url = process.env.CLICKHOUSE_URL;

const open = (database: string) => {
  if (!url) throw new Error('CLICKHOUSE_URL is not set');
  return ClickHouseTraceStore.open({ url, database });
};

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
    skip: url
      ? []
      : [{ reason: 'CLICKHOUSE_URL is not set (bash .ci/clickhouse.sh start starts a server)', tests: ['*'] }],
  },
);

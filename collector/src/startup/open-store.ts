import type { Config } from '../config/config.js';
import { createStore } from '../store/create-store.js';
import type { TraceStore } from '../store/port.js';
import { checkDataDir, describeClickHouseError, describeDuckDbOpenError } from './startup-error.js';

/**
 * The configured store, opened and migrated; every failure a StartupError naming the cause (a
 * DuckDB file another process holds, a ClickHouse server that does not answer). Used by `serve` and
 * by the commands that read a store directly (`casefile verify`).
 */
export async function openStore(config: Config, dataDir: string): Promise<TraceStore> {
  if (config.store === 'clickhouse') {
    const url = config.clickhouseUrl as string;
    let store: TraceStore | undefined;
    try {
      store = await createStore({
        kind: 'clickhouse',
        url,
        database: config.clickhouseDatabase,
        username: config.clickhouseUser,
        password: config.clickhousePassword,
        claimSettleMs: config.alertClaimSettleMs,
        timeoutMs: config.storeTimeoutMs,
        cluster: config.clickhouseCluster,
        insertQuorum: config.clickhouseInsertQuorum,
        insertQuorumTimeoutMs: config.clickhouseInsertQuorumTimeoutMs,
        recentSpanBytes: config.clickhouseRecentSpansMb * 1024 * 1024,
      });
      await store.migrate();
      return store;
    } catch (error) {
      await store?.close().catch(() => {});
      throw describeClickHouseError(url, error);
    }
  }
  await checkDataDir(dataDir);
  let store: TraceStore;
  try {
    store = await createStore({ kind: 'duckdb', dataDir, memoryLimit: config.duckdbMemoryLimit });
  } catch (error) {
    throw await describeDuckDbOpenError(dataDir, error);
  }
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  return store;
}

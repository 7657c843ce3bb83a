import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceStore } from '@casefile/collector';
import { createStore } from '@casefile/collector/store';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';

export interface BenchStore {
  name: 'duckdb' | 'clickhouse';
  store: TraceStore;
  /** Closes the store and removes its data (the DuckDB directory, the ClickHouse database). */
  dispose(): Promise<void>;
}

/**
 * The real stores the drift benches load: a DuckDB file in a fresh directory, and a database of its
 * own on the ClickHouse server when a URL is given (never a shared one, and dropped afterwards).
 */
export async function openBenchStores(
  prefix: string,
  clickhouseUrl: string | undefined,
  log: (line: string) => void,
  kinds: ReadonlyArray<'duckdb' | 'clickhouse'> = ['duckdb', 'clickhouse'],
): Promise<BenchStore[]> {
  const out: BenchStore[] = [];
  if (kinds.includes('duckdb')) {
    const dataDir = await mkdtemp(join(tmpdir(), `casefile-${prefix}-`));
    const duck = await createStore({ kind: 'duckdb', dataDir });
    await duck.migrate();
    out.push({
      name: 'duckdb',
      store: duck,
      dispose: async () => {
        await duck.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    });
  }
  if (!kinds.includes('clickhouse')) return out;
  if (!clickhouseUrl) {
    log(`${prefix}: ClickHouse skipped (set CLICKHOUSE_URL to include it)`);
    return out;
  }
  const database = `casefile_${prefix.replaceAll('-', '_')}_${randomBytes(4).toString('hex')}`;
  // A bench on a loaded machine waits for a slow server instead of calling it hung mid-run.
  const ch = await createStore({
    kind: 'clickhouse',
    url: clickhouseUrl,
    database,
    timeoutMs: 300_000,
    // The SDK recording blocks this process's event loop for seconds at a time: a ping's timer would
    // fire before its answer is read. Only a statement outstanding for minutes is worth a ping here.
    stallMs: 120_000,
    pingTimeoutMs: 30_000,
  });
  await ch.migrate();
  out.push({
    name: 'clickhouse',
    store: ch,
    dispose: async () => {
      await ch.close();
      // Best effort: a busy server may take a while to drop the views and tables.
      const client = createClient({
        url: clickhouseUrl,
        request_timeout: 300_000,
        log: { level: ClickHouseLogLevel.OFF },
      });
      await client
        .command({ query: `DROP DATABASE IF EXISTS ${database}` })
        .catch((err: Error) => log(`${prefix}: could not drop ${database}: ${err.message}`));
      await client.close();
    },
  });
  return out;
}

export async function disposeAll(stores: readonly BenchStore[]): Promise<void> {
  for (const s of stores) await s.dispose();
}

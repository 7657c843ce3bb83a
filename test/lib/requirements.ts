import { CHROMIUM, hasChromium } from './browser.js';

/**
 * What a test needs from the machine and why it skips without it. A skipped test carries its reason in
 * its title (`skipTitle`), and the skip reporter lists every skip with that reason after the run.
 */

/** Why the browser tests skip, or undefined when Chromium is there. */
export const chromiumMissing: string | undefined = hasChromium
  ? undefined
  : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CASEFILE_CHROMIUM)`;

/** The ClickHouse server the tests may use; CI starts one with .ci/clickhouse.sh. */
export const clickhouseUrl: string | undefined = process.env.CLICKHOUSE_URL || undefined;

/** Why the ClickHouse tests skip, or undefined when CLICKHOUSE_URL is set. */
export const clickhouseMissing: string | undefined = clickhouseUrl
  ? undefined
  : 'CLICKHOUSE_URL is not set (bash .ci/clickhouse.sh start starts a server)';

/** The first reason among `reasons`, or undefined when nothing is missing. */
export function firstMissing(...reasons: (string | undefined)[]): string | undefined {
  return reasons.find((r) => r !== undefined);
}

/** `title`, with ` (skipped: reason)` when the test cannot run here. */
export function skipTitle(title: string, reason: string | undefined): string {
  return reason === undefined ? title : `${title} (skipped: ${reason})`;
}

export type E2eStore = 'duckdb' | 'clickhouse';

/** The stores an end-to-end file runs on, each with why it cannot run here (DuckDB always can). */
export const E2E_STORES: readonly { store: E2eStore; missing: string | undefined }[] = [
  { store: 'duckdb', missing: undefined },
  { store: 'clickhouse', missing: clickhouseMissing },
];

/** Collector environment for `store`: on ClickHouse, its own database on CLICKHOUSE_URL. */
export function storeEnv(store: E2eStore, database: string): Record<string, string> {
  if (store === 'duckdb') return {};
  if (!clickhouseUrl) throw new Error('CLICKHOUSE_URL is not set');
  return { CASEFILE_CLICKHOUSE_URL: clickhouseUrl, CASEFILE_CLICKHOUSE_DATABASE: database };
}

/** Drops what `storeEnv` created (nothing on DuckDB: the collector's data dir goes with it). */
export async function dropStore(store: E2eStore, database: string): Promise<void> {
  if (store !== 'clickhouse' || !clickhouseUrl) return;
  await fetch(`${clickhouseUrl}/?query=${encodeURIComponent(`DROP DATABASE IF EXISTS ${database}`)}`, {
    method: 'POST',
  });
}

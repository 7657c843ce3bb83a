import type { TraceStore } from './port.js';

export type StoreConfig =
  | {
      kind: 'duckdb';
      dataDir: string;
      /** DuckDB's `memory_limit` (e.g. `1GB`); unset: DuckDB's default, 80 % of RAM. */
      memoryLimit?: string | undefined;
    }
  | {
      kind: 'clickhouse';
      url: string;
      database: string;
      username?: string;
      password?: string;
      /** Settle delay of evaluation claims, ms (default 1,500; see store/README.md). */
      claimSettleMs?: number;
      /** Longest one statement may take before it fails with StoreUnavailableError, ms (default 30,000). */
      timeoutMs?: number;
      /** A ping unanswered this long marks the server hung, ms (default 3,000). */
      pingTimeoutMs?: number;
      /** A statement outstanding this long makes the store ping the server, ms (default 1,000). */
      stallMs?: number;
      /** A cluster name: the schema ON CLUSTER, replicated tables behind Distributed ones. */
      cluster?: string;
      /** On a cluster: replicas of a shard that must hold a span insert before it is acknowledged. */
      insertQuorum?: number;
      /** With a quorum above 1: how long a span insert waits for it before failing with 503, ms (default 10,000). */
      insertQuorumTimeoutMs?: number;
      /** Bytes of just-written span rows held for detection's read-back (default 32 MiB; 0: none). */
      recentSpanBytes?: number;
    };

/**
 * Builds the configured adapter. Each adapter is loaded with a dynamic `import()` so that a
 * ClickHouse deployment never loads DuckDB's native module (and the reverse). Does not migrate:
 * the caller runs `migrate()` once at start.
 */
export async function createStore(config: StoreConfig): Promise<TraceStore> {
  switch (config.kind) {
    case 'duckdb': {
      const { DuckDbTraceStore } = await import('./duckdb/duckdb-trace-store.js');
      return DuckDbTraceStore.open(config.dataDir, { memoryLimit: config.memoryLimit });
    }
    case 'clickhouse': {
      const { ClickHouseTraceStore } = await import('./clickhouse/clickhouse-trace-store.js');
      return ClickHouseTraceStore.open(config);
    }
  }
}

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type RunningCollector, startCollector } from '@casefile/collector';
import { clusterMissing, startClickHouseCluster } from '../lib/clickhouse-cluster.js';
import { startClickHouseServer } from '../lib/clickhouse-server.js';
import { fmt, median, table } from './stats.js';
import { buildRequests, SPANS_PER_RUN, sendAll } from './workload.js';

export interface ClusterBenchOptions {
  reps: number;
  requests: number;
  runsPerRequest: number;
  log: (line: string) => void;
}

const INGEST_KEY = `cf_ingest_${randomBytes(16).toString('hex')}`;
const ADMIN = `cf_login_${randomBytes(16).toString('hex')}`;

/**
 * Ingest through two collectors into a 2 × 2 ClickHouse cluster (ZooKeeper and four servers on this
 * machine) against one collector into one server, in the same run, taking turns; and the latency of
 * opening a run (GET /api/runs/:id) on each. The cluster is measured twice, with the default write
 * quorum (1: acknowledged once on one replica) and with quorum 2 (acknowledged once on both replicas of
 * the shard; what `deploy/` sets), each in a database of its own. On one machine this measures the
 * cluster's overhead (replication, Distributed inserts and reads, ZooKeeper), not a speed-up.
 */
export async function runClusterBench(opts: ClusterBenchOptions): Promise<Record<string, number>> {
  const missing = clusterMissing();
  if (missing) {
    opts.log(`cluster: skipped (${missing})`);
    return {};
  }
  const server = await startClickHouseServer();
  // A cluster that does not start must not leave the single server running.
  const cluster = await startClickHouseCluster().catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  const collectors: RunningCollector[] = [];
  const dirs: string[] = [];
  const start = async (url: string, extra: string[]) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'casefile-bench-cluster-'));
    dirs.push(dataDir);
    const args = ['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--clickhouse-url', url, ...extra];
    const config = loadConfig(
      { CASEFILE_BOOTSTRAP_INGEST_KEY: INGEST_KEY, CASEFILE_BOOTSTRAP_ADMIN_TOKEN: ADMIN, CASEFILE_UI_DIR: dataDir },
      args,
    );
    const collector = await startCollector({ ...config, logLevel: 'silent' });
    collectors.push(collector);
    return collector;
  };
  try {
    const single = await start(server.url, ['--clickhouse-database', 'casefile_bench']);
    const onCluster = (database: string, quorum: number) => [
      '--clickhouse-database',
      database,
      '--clickhouse-cluster',
      cluster.cluster,
      '--clickhouse-insert-quorum',
      String(quorum),
    ];
    const pair = async (database: string, quorum: number) =>
      [
        await start(cluster.nodes[0]?.url as string, onCluster(database, quorum)),
        await start(cluster.nodes[2]?.url as string, onCluster(database, quorum)),
      ] as [RunningCollector, RunningCollector];
    const [a, b] = await pair('casefile_bench', 1);
    const [c, d] = await pair('casefile_bench_q2', 2);
    const spans = opts.requests * opts.runsPerRequest * SPANS_PER_RUN;
    opts.log(`cluster: ${opts.reps} repetitions of ${fmt(spans)} spans each way; 4 requests in flight in total`);

    const ingestSingle = async () => {
      const ms = await sendAll(single.url, INGEST_KEY, buildRequests(opts.requests, opts.runsPerRequest), 4);
      return spans / (ms / 1000);
    };
    const ingestCluster = (x: RunningCollector, y: RunningCollector) => async () => {
      const half = Math.floor(opts.requests / 2);
      const started = performance.now();
      await Promise.all([
        sendAll(x.url, INGEST_KEY, buildRequests(half, opts.runsPerRequest), 2),
        sendAll(y.url, INGEST_KEY, buildRequests(opts.requests - half, opts.runsPerRequest), 2),
      ]);
      return spans / ((performance.now() - started) / 1000);
    };
    const sides = [ingestSingle, ingestCluster(a, b), ingestCluster(c, d)];
    for (const side of sides) await side(); // warm-up: JIT, first parts
    const rates: number[][] = [[], [], []];
    for (let i = 0; i < opts.reps; i++) {
      // Take turns going first, so a drift in the machine's load does not favour one side.
      for (let k = 0; k < sides.length; k++) {
        const side = (i + k) % sides.length;
        rates[side]?.push(await (sides[side] as () => Promise<number>)());
      }
      opts.log(
        `  run ${i + 1}/${opts.reps}: one node ${fmt(rates[0]?.[i] as number)} spans/s, cluster ${fmt(rates[1]?.[i] as number)} spans/s, cluster with quorum 2 ${fmt(rates[2]?.[i] as number)} spans/s`,
      );
    }
    const [singleRates, clusterRates, quorumRates] = rates as [number[], number[], number[]];

    const openLatency = async (url: string) => {
      const headers = { authorization: `Bearer ${ADMIN}` };
      const page = (await (await fetch(`${url}/api/runs?limit=40`, { headers })).json()) as {
        runs: { traceId: string }[];
      };
      const times: number[] = [];
      for (const run of page.runs) {
        const started = performance.now();
        const res = await fetch(`${url}/api/runs/${run.traceId}`, { headers });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`run open answered ${res.status}`);
        times.push(performance.now() - started);
      }
      return median(times);
    };
    const results = {
      singleSpansPerS: median(singleRates),
      clusterSpansPerS: median(clusterRates),
      quorumSpansPerS: median(quorumRates),
      ratio: median(clusterRates.map((r, i) => r / (singleRates[i] as number))),
      quorumRatio: median(quorumRates.map((r, i) => r / (singleRates[i] as number))),
      singleOpenMs: await openLatency(single.url),
      clusterOpenMs: await openLatency(b.url),
      quorumOpenMs: await openLatency(d.url),
    };
    opts.log(
      table([
        ['path', 'ingest spans/s (median)', 'run open ms (median)'],
        ['1 collector → 1 ClickHouse', fmt(results.singleSpansPerS), fmt(results.singleOpenMs, 1)],
        ['2 collectors → 2×2 cluster', fmt(results.clusterSpansPerS), fmt(results.clusterOpenMs, 1)],
        ['2 collectors → 2×2 cluster, quorum 2', fmt(results.quorumSpansPerS), fmt(results.quorumOpenMs, 1)],
        ['cluster / one node', fmt(results.ratio, 2), fmt(results.clusterOpenMs / results.singleOpenMs, 2)],
        [
          'cluster quorum 2 / one node',
          fmt(results.quorumRatio, 2),
          fmt(results.quorumOpenMs / results.singleOpenMs, 2),
        ],
      ]),
    );
    return results;
  } finally {
    for (const collector of collectors) await collector.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    await cluster.stop();
    await server.stop();
  }
}

import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BENCH_SIZE, TEST_SIZE } from '../fixtures/drift/scenarios.js';
import { startClickHouseServer } from '../lib/clickhouse-server.js';
import { runAgentDojoBench } from './agentdojo-bench.js';
import { runChainIngestBench } from './chain-ingest-bench.js';
import { runClusterBench } from './cluster-bench.js';
import { runDetectionBench } from './detection-bench.js';
import { runDriftBench } from './drift-bench.js';
import { runDriftScaleBench } from './drift-scale-bench.js';
import { logChainJsAlone, runEvidenceBench } from './evidence-bench.js';
import { runIngestBench } from './ingest-bench.js';
import { runLagBench } from './lag-bench.js';
import { runRedactionBench } from './redaction-bench.js';
import { runReplayBench } from './replay-bench.js';
import { runScaleIngestBench } from './scale-ingest-bench.js';
import { runScaleQueryBench } from './scale-query-bench.js';
import { scaleParamsFor } from './scale-store.js';
import { runScaleUiBench } from './scale-ui-bench.js';
import { runSdkOverheadBench } from './sdk-overhead-bench.js';
import { runViewCostBench } from './view-cost-bench.js';

/**
 * `npm run bench`: every benchmark, each reporting medians over repetitions and ratios to a baseline
 * measured in the same run (these machines are noisy; absolute numbers mean little).
 *   --only ingest,redaction   run a subset
 *   --only evidence           hash chain cost on ingest, one append alone, verify vs plain read, offline export check
 *   --evidence-reps=N         interleaved with/without pairs per store (default 9; one warm-up pair before them)
 *   --evidence-side-spans=N   evidence-ingest: spans per side, a multiple of 500 (default 10,000)
 *   --evidence-stores=a,b     duckdb, clickhouse (default both; ClickHouse needs CLICKHOUSE_URL)
 *   --only evidence-ingest    the chain's cost on the whole ingest path: a collector with it and one without,
 *                             same OTLP workload in alternating pairs (also part of --only evidence)
 *   --only evidence-js        the chain's own JavaScript per span, no store (also part of --only evidence)
 *   --evidence-js-passes=N    passes of 10,000 spans it times (default 15, after 5 uncounted)
 *   --only cluster            2 collectors into a 2 × 2 ClickHouse cluster vs 1 into one server (needs zookeeper)
 *   --only drift              the drift suite and the drift scale bench (drift-suite, drift-scale: one of them)
 *   --drift-spans=N           spans the drift scale bench stores (default 1,000,000)
 *   --drift-size=bench|small  the drift suite's size: 300 runs an hour (default), or the test's ~40
 *   --drift-stores=duckdb,clickhouse  stores the drift suite judges (default both; ClickHouse needs CLICKHOUSE_URL)
 *   --only scale              ingest ratios, collector memory, queries and UI pages on the kept 10M-span store
 *                             (scale-profile, scale-ingest, scale-rss, scale-views, scale-queries, scale-ui: one of them)
 *   --only scale-views        what each ClickHouse materialized view adds to an insert into spans
 *   --only scale-ui           the runs page and run page in Chromium on the kept store: time to first row
 *   --scale-no-build          query the kept store as far as it is built (it is resumable); absent, an error
 *   --scale-stores=a,b        duckdb, clickhouse (default both)
 *   --scale-reps=N            calls per query in the scale query bench, loads per page after the first in
 *                             the UI bench (default 20)
 *   --scale-spans=N           use the smaller kept store `scale-store.js <kind> N` built (default 10,000,000)
 *   --scale-cells=4x50,16x500 the ingest cells (requests in flight × spans per request; default all six)
 *   --scale-ingest-reps=N     repetitions per ingest cell (default 5)
 *   --scale-ingest-spans=N    spans per repetition of an ingest cell (default 5,000)
 *   --scale-rss-minutes=N     length of the steady ingest the collector's memory is sampled over (default 10)
 *   --scale-ack=stored,logged acknowledge ingest when stored (group commit) and/or when logged (default both)
 *   --only lag                detection and ingest lag under a steady load and a 2-minute overload, per store
 *   --lag-steady-ms=N, --lag-overload-ms=N   how long each phase runs (default 60,000 and 120,000)
 *   --lag-stores=a,b          duckdb, clickhouse (default both)
 *   --lag-catch-up-ms=N       longest wait for detection to catch up after a phase (default 600,000)
 */
const log = (line: string) => process.stdout.write(`${line}\n`);

/** `--scale-rss-minutes`: a positive number of minutes, as ms. */
function minutes(flag: string): number {
  const n = Number(flag);
  if (!Number.isFinite(n) || n <= 0) throw new Error('--scale-rss-minutes must be a positive number');
  return n * 60_000;
}

async function main(argv: string[]): Promise<void> {
  const { values: flags } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      'drift-spans': { type: 'string' },
      'drift-size': { type: 'string' },
      'drift-stores': { type: 'string' },
      'evidence-reps': { type: 'string' },
      'evidence-side-spans': { type: 'string' },
      'evidence-stores': { type: 'string' },
      'evidence-js-passes': { type: 'string' },
      'scale-stores': { type: 'string' },
      'scale-no-build': { type: 'boolean' },
      'scale-reps': { type: 'string' },
      'scale-spans': { type: 'string' },
      'scale-cells': { type: 'string' },
      'scale-ack': { type: 'string' },
      'scale-ingest-reps': { type: 'string' },
      'scale-ingest-spans': { type: 'string' },
      'scale-rss-minutes': { type: 'string' },
      'lag-steady-ms': { type: 'string' },
      'lag-overload-ms': { type: 'string' },
      'lag-stores': { type: 'string' },
      'lag-catch-up-ms': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const only = flags.only ? new Set(flags.only.split(',')) : undefined;
  const spans = flags['drift-spans'] === undefined ? 1_000_000 : Number(flags['drift-spans']);
  if (!Number.isInteger(spans) || spans <= 0) throw new Error('--drift-spans must be a positive integer');
  const wants = (name: string) => !only || only.has(name);

  let clickhouseUrl = process.env.CLICKHOUSE_URL;
  let stopClickHouse: (() => Promise<void>) | undefined;
  if (
    !clickhouseUrl &&
    (wants('ingest') ||
      wants('lag') ||
      wants('scale') ||
      wants('scale-ingest') ||
      wants('scale-profile') ||
      wants('scale-views')) &&
    ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'].some(existsSync)
  ) {
    const server = await startClickHouseServer();
    log(`bench: started a throwaway ClickHouse on ${server.url}`);
    clickhouseUrl = server.url;
    stopClickHouse = () => server.stop();
  }
  try {
    if (wants('ingest')) {
      log('\n== Ingest throughput ==');
      await runIngestBench({ clickhouseUrl, reps: 5, requests: 20, runsPerRequest: 50, concurrency: 4, log });
    }
    if (only?.has('evidence-js') && !only.has('evidence')) {
      log("\n== Evidence: the chain recorder's own JavaScript, no store ==");
      const passes = flags['evidence-js-passes'] === undefined ? 15 : Number(flags['evidence-js-passes']);
      if (!Number.isInteger(passes) || passes <= 0) throw new Error('--evidence-js-passes must be a positive integer');
      await logChainJsAlone(log, passes);
    }
    if (wants('evidence') || only?.has('evidence-ingest')) {
      const reps = flags['evidence-reps'] === undefined ? 9 : Number(flags['evidence-reps']);
      if (!Number.isInteger(reps) || reps <= 0) throw new Error('--evidence-reps must be a positive integer');
      const evidenceStores = (flags['evidence-stores'] ?? 'duckdb,clickhouse').split(',');
      for (const k of evidenceStores)
        if (k !== 'duckdb' && k !== 'clickhouse') throw new Error(`--evidence-stores: unknown store "${k}"`);
      const stores = evidenceStores as Array<'duckdb' | 'clickhouse'>;
      if (wants('evidence')) {
        log('\n== Evidence: hash chain on ingest, verification vs a plain read, offline export check ==');
        await runEvidenceBench({ clickhouseUrl, log, reps, stores });
      }
      log('\n== Evidence: the chain on the whole ingest path (collector with and without it) ==');
      const sideSpans = flags['evidence-side-spans'] === undefined ? 10_000 : Number(flags['evidence-side-spans']);
      if (!Number.isInteger(sideSpans) || sideSpans < 500 || sideSpans % 500 !== 0) {
        throw new Error('--evidence-side-spans must be a positive multiple of 500');
      }
      await runChainIngestBench({ clickhouseUrl, log, pairs: reps, requests: sideSpans / 500, stores });
    }
    if (wants('redaction')) {
      log('\n== Redaction: detection quality and speed ==');
      await runRedactionBench();
    }
    if (wants('sdk')) {
      log('\n== SDK per-span overhead ==');
      await runSdkOverheadBench(log);
    }
    if (wants('detection')) {
      log('\n== Detection: scenario precision/recall and ingest cost ==');
      await runDetectionBench(log);
    }
    if (wants('agentdojo')) {
      log('\n== Detection on recorded AgentDojo agent runs ==');
      await runAgentDojoBench(log);
    }
    if (wants('drift') || wants('drift-suite')) {
      log('\n== Drift: detection delay and false alarms on the synthetic suite ==');
      const size = flags['drift-size'] ?? 'bench';
      if (size !== 'bench' && size !== 'small') throw new Error('--drift-size must be bench or small');
      const driftStores = (flags['drift-stores'] ?? 'duckdb,clickhouse').split(',');
      for (const k of driftStores)
        if (k !== 'duckdb' && k !== 'clickhouse') throw new Error(`--drift-stores: unknown store "${k}"`);
      await runDriftBench({
        clickhouseUrl,
        log,
        size: size === 'small' ? TEST_SIZE : BENCH_SIZE,
        stores: driftStores as Array<'duckdb' | 'clickhouse'>,
      });
    }
    if (wants('drift') || wants('drift-scale')) {
      log(`\n== Drift: 100 rules over ${spans.toLocaleString('en-US')} stored spans ==`);
      await runDriftScaleBench({ clickhouseUrl, log, spans });
    }
    const scaleStores = (flags['scale-stores'] ?? 'duckdb,clickhouse').split(',').map((k) => {
      if (k !== 'duckdb' && k !== 'clickhouse')
        throw new Error(`--scale-stores: unknown store "${k}" (duckdb, clickhouse)`);
      return k;
    });
    const ingestReps = flags['scale-ingest-reps'] === undefined ? 5 : Number(flags['scale-ingest-reps']);
    if (!Number.isInteger(ingestReps) || ingestReps <= 0) {
      throw new Error('--scale-ingest-reps must be a positive integer');
    }
    const spansPerRep = flags['scale-ingest-spans'] === undefined ? 5_000 : Number(flags['scale-ingest-spans']);
    if (!Number.isInteger(spansPerRep) || spansPerRep < 500) {
      throw new Error('--scale-ingest-spans must be an integer of at least 500');
    }
    const cells = flags['scale-cells']?.split(',').map((cell) => {
      const m = /^(\d+)x(\d+)$/.exec(cell);
      if (!m) throw new Error(`--scale-cells: "${cell}" is not <in flight>x<spans per request>, e.g. 4x50`);
      const [inFlight, perRequest] = [Number(m[1]), Number(m[2])];
      if (inFlight < 1 || perRequest < 10 || perRequest % 10 !== 0) {
        throw new Error(`--scale-cells: "${cell}" needs 1+ in flight and a multiple of 10 spans per request`);
      }
      return { inFlight, perRequest };
    });
    const ack = (flags['scale-ack'] ?? 'stored,logged').split(',').map((a) => {
      if (a !== 'stored' && a !== 'logged') throw new Error(`--scale-ack: unknown "${a}" (stored, logged)`);
      return a;
    });
    if (wants('scale') || wants('scale-ingest') || wants('scale-rss') || wants('scale-profile')) {
      log("\n== Scale: ingest through the collector vs the store's own bulk insert ==");
      await runScaleIngestBench({
        clickhouseUrl,
        stores: scaleStores,
        reps: ingestReps,
        spansPerRep,
        ...(cells ? { cells } : {}),
        ack,
        ingest: wants('scale') || wants('scale-ingest'),
        rss: wants('scale') || wants('scale-rss'),
        ...(flags['scale-rss-minutes'] === undefined ? {} : { soakMs: minutes(flags['scale-rss-minutes']) }),
        profile: wants('scale') || wants('scale-profile'),
        log,
      });
    }
    if (wants('scale') || wants('scale-views')) {
      log('\n== Scale: what each materialized view adds to an insert into spans (ClickHouse) ==');
      if (clickhouseUrl) await runViewCostBench({ clickhouseUrl, log });
      else log('skipped: no CLICKHOUSE_URL and no clickhouse-server installed');
    }
    const scaleReps = flags['scale-reps'] === undefined ? 20 : Number(flags['scale-reps']);
    if (!Number.isInteger(scaleReps) || scaleReps <= 0) throw new Error('--scale-reps must be a positive integer');
    const scaleSpans = flags['scale-spans'] === undefined ? undefined : Number(flags['scale-spans']);
    if (scaleSpans !== undefined && (!Number.isInteger(scaleSpans) || scaleSpans <= 0)) {
      throw new Error('--scale-spans must be a positive integer');
    }
    const scaleParams = scaleSpans === undefined ? {} : { params: scaleParamsFor(scaleSpans) };
    if (wants('scale') || wants('scale-queries')) {
      log('\n== Scale: every page on the kept 10M-span store ==');
      await runScaleQueryBench({
        clickhouseUrl,
        stores: scaleStores,
        noBuild: flags['scale-no-build'] === true,
        reps: scaleReps,
        ...scaleParams,
        log,
      });
    }
    if (wants('scale') || wants('scale-ui')) {
      log('\n== Scale: the runs page and run page in Chromium on the kept store, time to first row ==');
      await runScaleUiBench({
        clickhouseUrl,
        stores: scaleStores,
        noBuild: flags['scale-no-build'] === true,
        reps: scaleReps,
        ...scaleParams,
        log,
      });
    }
    if (wants('cluster')) {
      log('\n== Cluster: 2 collectors into 2 shards × 2 replicas vs 1 collector into one server ==');
      await runClusterBench({ reps: 5, requests: 10, runsPerRequest: 20, log });
    }
    if (wants('lag')) {
      log('\n== Lag: detection and ingest under a steady load and an overload ==');
      const steadyMs = Number(flags['lag-steady-ms'] ?? 60_000);
      const overloadMs = Number(flags['lag-overload-ms'] ?? 120_000);
      if (!(steadyMs > 0) || !(overloadMs > 0)) throw new Error('--lag-steady-ms and --lag-overload-ms must be > 0');
      const stores = (flags['lag-stores'] ?? 'duckdb,clickhouse').split(',').map((k) => {
        if (k !== 'duckdb' && k !== 'clickhouse')
          throw new Error(`--lag-stores: unknown store "${k}" (duckdb, clickhouse)`);
        return k;
      });
      const catchUpMs = Number(flags['lag-catch-up-ms'] ?? 600_000);
      if (!(catchUpMs > 0)) throw new Error('--lag-catch-up-ms must be > 0');
      await runLagBench({ clickhouseUrl, stores, steadyMs, overloadMs, catchUpMs, log });
    }
    if (wants('replay')) {
      log('\n== Replay page: time to first render ==');
      await runReplayBench(log);
    }
  } finally {
    await stopClickHouse?.();
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  if (err instanceof Error && err.cause)
    process.stderr.write(`cause: ${String((err.cause as Error).stack ?? err.cause)}\n`);
  process.exitCode = 1;
});

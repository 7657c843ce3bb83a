import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Exposition } from '@casefile/collector';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { type CollectorProcess, startCollectorProcess } from '../lib/collector-process.js';
import { scrape } from '../lib/fault-load.js';
import { clickHouseCpu } from './evidence-bench.js';
import { cpuMs, machineCpuMs, mainThreadCpuMs } from './proc-cpu.js';
import { fmt, median, medianInterval } from './stats.js';
import { buildRequests, SPANS_PER_RUN, sendAll } from './workload.js';

/** The collector started with `recordChain: false` (same flags and environment as `casefile serve`). */
const WITHOUT_CHAIN = fileURLToPath(new URL('./collector-without-chain.js', import.meta.url));

/** Spans per side: by default 20 OTLP/protobuf requests of 500 spans, 4 in flight. */
const REQUESTS = 20;
const RUNS_PER_REQUEST = 50;
const IN_FLIGHT = 4;
/** After detection has caught up, how long a side waits so the chain's last append (≤ 1 s) is in it. */
const CHAIN_SETTLE_MS = 1_500;

interface Side {
  name: 'chain' | 'no chain';
  collector: CollectorProcess;
  metricsToken: string;
}

interface Measured {
  sendMs: number;
  /** The collector process's CPU (every thread; DuckDB's too), ms. */
  collectorMs: number;
  /** Of which its JavaScript (main) thread's, ms; the rest is V8's helper threads (garbage collection, compilers), libuv's and the store's. */
  jsMs: number;
  /** ClickHouse: the server's query-thread CPU over the side (`system.events`), ms. */
  serverMs: number | undefined;
  /** The whole machine's busy CPU over the side, ms (every process: the store server's merges too). */
  machineMs: number | undefined;
}

/**
 * What keeping the hash chain costs on the whole ingest path: two real collector processes on the same
 * store kind, one as shipped and one whose durable batches are not recorded in the chain, each sent the
 * same workload (OTLP/protobuf, redaction and detection on, acknowledged when stored) in alternating
 * pairs. A side is 10,000 spans sent 4 × 500 at a time, then waiting until detection has caught up and
 * the chain's last append is in (the same wait on both sides), after one unmeasured pair. Per pair: CPU with the chain ÷ without,
 * for the collector process, the collector plus the ClickHouse server's queries, and the machine;
 * median of the pairs with a 95 % interval. The chain side's spans are then verified (every one
 * recorded, no problem), so the ratio is of a chain that was kept.
 */
export async function runChainIngestBench(opts: {
  clickhouseUrl: string | undefined;
  stores: ReadonlyArray<'duckdb' | 'clickhouse'>;
  pairs: number;
  /** 500-span requests per side (default 20: 10,000 spans). */
  requests?: number;
  log: (line: string) => void;
}): Promise<Record<string, number>> {
  const results: Record<string, number> = {};
  for (const kind of opts.stores) {
    if (kind === 'clickhouse' && !opts.clickhouseUrl) {
      opts.log('evidence-ingest: ClickHouse skipped (set CLICKHOUSE_URL)');
      continue;
    }
    Object.assign(results, await storeRun(kind, opts));
  }
  return results;
}

async function startSide(
  name: Side['name'],
  kind: 'duckdb' | 'clickhouse',
  clickhouseUrl: string | undefined,
): Promise<Side & { database?: string }> {
  const metricsToken = randomBytes(16).toString('hex');
  const database = kind === 'clickhouse' ? `casefile_chain_${randomBytes(4).toString('hex')}` : undefined;
  const collector = await startCollectorProcess(
    {
      CASEFILE_ALERT_TICK_MS: '0',
      CASEFILE_METRICS_TOKEN: metricsToken,
      ...(database ? { CASEFILE_CLICKHOUSE_URL: clickhouseUrl as string, CASEFILE_CLICKHOUSE_DATABASE: database } : {}),
    },
    { startTimeoutMs: 180_000, ...(name === 'no chain' ? { entry: WITHOUT_CHAIN } : {}) },
  );
  return { name, collector, metricsToken, ...(database ? { database } : {}) };
}

/** Runs the collector has detected since it started, as one scrape of `/metrics` says. */
const detectedRuns = (m: Exposition) => m.value('casefile_detection_runs_total', { outcome: 'detected' }) ?? 0;

/**
 * Waits until the collector has detected `runs` more runs than `before` and its detection backlog is
 * empty, then `CHAIN_SETTLE_MS` more. The backlog alone can read 0 too early (the collector reuses its
 * count for a second), which would leave a side's detection to be counted in the side's next turn.
 */
async function settle(side: Side, before: number, runs: number): Promise<void> {
  for (const until = Date.now() + 300_000; ; ) {
    const m = await scrape(side.collector.url, side.metricsToken);
    if (detectedRuns(m) - before >= runs && m.value('casefile_detection_backlog_runs') === 0) break;
    if (Date.now() > until) throw new Error(`${side.name}: detection did not catch up within 5 minutes`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, CHAIN_SETTLE_MS));
}

async function measure(side: Side, serverCpu: () => Promise<number | undefined>, requests: number): Promise<Measured> {
  const bodies = buildRequests(requests, RUNS_PER_REQUEST);
  const detected = detectedRuns(await scrape(side.collector.url, side.metricsToken));
  const server0 = await serverCpu();
  const machine0 = machineCpuMs();
  const cpu0 = cpuMs(side.collector.pid);
  const js0 = mainThreadCpuMs(side.collector.pid);
  const sendMs = await sendAll(side.collector.url, side.collector.ingestKey, bodies, IN_FLIGHT);
  await settle(side, detected, requests * RUNS_PER_REQUEST);
  const cpu1 = cpuMs(side.collector.pid);
  const js1 = mainThreadCpuMs(side.collector.pid);
  const machine1 = machineCpuMs();
  const server1 = await serverCpu();
  if (cpu0 === undefined || cpu1 === undefined || js0 === undefined || js1 === undefined) {
    throw new Error('evidence-ingest needs Linux /proc');
  }
  return {
    sendMs,
    collectorMs: cpu1 - cpu0,
    jsMs: js1 - js0,
    serverMs: server0 === undefined || server1 === undefined ? undefined : (server1 - server0) / 1000,
    machineMs: machine0 && machine1 ? machine1.busy - machine0.busy : undefined,
  };
}

async function storeRun(
  kind: 'duckdb' | 'clickhouse',
  opts: { clickhouseUrl: string | undefined; pairs: number; requests?: number; log: (line: string) => void },
): Promise<Record<string, number>> {
  const requests = opts.requests ?? REQUESTS;
  const spans = requests * RUNS_PER_REQUEST * SPANS_PER_RUN;
  opts.log(
    `evidence-ingest ${kind}: ${opts.pairs} pairs of ${fmt(spans)} spans (${requests} requests of ` +
      `${fmt(RUNS_PER_REQUEST * SPANS_PER_RUN)}, ${IN_FLIGHT} in flight) into a collector with the chain and one without`,
  );
  const server =
    kind === 'clickhouse' && opts.clickhouseUrl
      ? clickHouseCpu(opts.clickhouseUrl)
      : { read: async () => undefined, close: async () => undefined };
  const sides: Array<Side & { database?: string }> = [];
  try {
    sides.push(await startSide('chain', kind, opts.clickhouseUrl));
    sides.push(await startSide('no chain', kind, opts.clickhouseUrl));
    const [chain, plain] = sides as [Side, Side];
    // Warm-up, one unmeasured pair: JIT, schema, first parts, detection's first passes.
    for (const side of sides) await measure(side, server.read, requests);
    const ratios = { collector: [] as number[], server: [] as number[], machine: [] as number[], send: [] as number[] };
    const perSide = { chain: [] as Measured[], plain: [] as Measured[] };
    for (let p = 0; p < opts.pairs; p++) {
      const order = p % 2 === 0 ? [chain, plain] : [plain, chain];
      const got = new Map<Side, Measured>();
      for (const side of order) got.set(side, await measure(side, server.read, requests));
      const a = got.get(chain) as Measured;
      const b = got.get(plain) as Measured;
      perSide.chain.push(a);
      perSide.plain.push(b);
      ratios.collector.push(a.collectorMs / b.collectorMs);
      ratios.send.push(a.sendMs / b.sendMs);
      if (a.serverMs !== undefined && b.serverMs !== undefined) {
        ratios.server.push((a.collectorMs + a.serverMs) / (b.collectorMs + b.serverMs));
      }
      if (a.machineMs !== undefined && b.machineMs !== undefined) ratios.machine.push(a.machineMs / b.machineMs);
      opts.log(
        `  pair ${p + 1}: collector CPU ${fmt(a.collectorMs)} / ${fmt(b.collectorMs)} ms ` +
          `(JavaScript thread ${fmt(a.jsMs)} / ${fmt(b.jsMs)})` +
          (a.serverMs !== undefined && b.serverMs !== undefined
            ? `, server queries ${fmt(a.serverMs)} / ${fmt(b.serverMs)} ms`
            : '') +
          (a.machineMs !== undefined && b.machineMs !== undefined
            ? `, machine ${fmt(a.machineMs)} / ${fmt(b.machineMs)} ms`
            : '') +
          `, send ${fmt(a.sendMs)} / ${fmt(b.sendMs)} ms (chain / no chain)`,
      );
    }
    const line = (label: string, values: number[]) => {
      if (values.length === 0) return;
      const [lo, hi] = medianInterval(values);
      opts.log(`  ${label}: ${fmt(median(values), 3)} [${fmt(lo, 3)}–${fmt(hi, 3)}]`);
    };
    opts.log(`evidence-ingest ${kind}: with the chain ÷ without, median of ${opts.pairs} pairs [95 % interval]`);
    line('collector process CPU', ratios.collector);
    line('collector + ClickHouse server queries CPU', ratios.server);
    line("whole machine's busy CPU (store server's merges and the bench's client too)", ratios.machine);
    line(`time to acknowledge the ${fmt(spans)} spans`, ratios.send);
    // Where the difference is, per span: each pair's difference, median with its interval.
    const perSpan = (of: (m: Measured) => number | undefined) => {
      const with_ = perSide.chain.map(of);
      const without = perSide.plain.map(of);
      if (with_.some((v) => v === undefined) || without.some((v) => v === undefined)) return undefined;
      const us = (ms: number) => (ms * 1000) / spans;
      const diffs = with_.map((v, i) => us((v as number) - (without[i] as number)));
      const [lo, hi] = medianInterval(diffs);
      return (
        `${fmt(us(median(with_ as number[])), 1)} / ${fmt(us(median(without as number[])), 1)} µs, ` +
        `the chain's share ${fmt(median(diffs), 1)} [${fmt(lo, 1)}–${fmt(hi, 1)}]`
      );
    };
    opts.log(
      "  per span, median of the pairs (with / without; the chain's share: the pairs' differences [95 % interval]):",
    );
    const split: Array<[string, (m: Measured) => number | undefined]> = [
      ['collector process', (m) => m.collectorMs],
      ['  its JavaScript thread', (m) => m.jsMs],
      ['  its other threads', (m) => m.collectorMs - m.jsMs],
      ['ClickHouse server queries', (m) => m.serverMs],
    ];
    for (const [label, of] of split) {
      const text = perSpan(of);
      if (text !== undefined) opts.log(`    ${label}: ${text}`);
    }
    const report = await verifyChainSide(chain);
    opts.log(
      `  the chain side verifies: ${report.ok ? 'ok' : 'NOT OK'}, ${fmt(report.checked.spans)} spans in ` +
        `${fmt(report.checked.entries)} entries, ${report.problems.length + report.moreProblems} problems`,
    );
    if (!report.ok) throw new Error(`evidence-ingest ${kind}: the chain side does not verify`);
    // The baseline really kept no chain: its spans are reported unrecorded.
    const unchained = await verifyChainSide(plain);
    opts.log(
      `  the side without the chain: ${unchained.ok ? 'verifies (NOT expected)' : 'does not verify, as expected'} ` +
        `(${fmt(unchained.problems.length + unchained.moreProblems)} problems)`,
    );
    if (unchained.ok) throw new Error(`evidence-ingest ${kind}: the side without the chain recorded one`);
    return {
      [`${kind}ChainIngestCpu`]: median(ratios.collector),
      ...(ratios.server.length > 0 ? { [`${kind}ChainIngestCpuWithServer`]: median(ratios.server) } : {}),
    };
  } finally {
    await server.close();
    for (const side of sides) await side.collector.stop().catch(() => {});
    if (kind === 'clickhouse' && opts.clickhouseUrl) {
      const client = createClient({ url: opts.clickhouseUrl, log: { level: ClickHouseLogLevel.OFF } });
      for (const side of sides) {
        if (side.database) await client.command({ query: `DROP DATABASE IF EXISTS ${side.database}` }).catch(() => {});
      }
      await client.close();
    }
  }
}

interface IntegrityReport {
  ok: boolean;
  checked: { spans: number; entries: number };
  problems: unknown[];
  moreProblems: number;
}

async function verifyChainSide(side: Side): Promise<IntegrityReport> {
  const res = await fetch(`${side.collector.url}/api/integrity`, {
    headers: { authorization: `Bearer ${side.collector.adminToken}` },
  });
  if (!res.ok) throw new Error(`GET /api/integrity → ${res.status}: ${await res.text()}`);
  return (await res.json()) as IntegrityReport;
}

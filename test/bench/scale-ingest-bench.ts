import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Step } from '@casefile/collector';
import { createStore } from '@casefile/collector/store';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { type CollectorProcess, startCollectorProcess } from '../lib/collector-process.js';
import { scrape } from '../lib/fault-load.js';
import { splitProfile } from './cpu-profile-split.js';
import { cpuSince, cpuSnapshot } from './proc-cpu.js';
import { fmt, median, percentile, table } from './stats.js';
import { buildRequests, SPANS_PER_RUN, sendAll } from './workload.js';

export interface ScaleIngestOptions {
  clickhouseUrl: string | undefined;
  stores: Array<'duckdb' | 'clickhouse'>;
  reps: number;
  ingest: boolean;
  rss: boolean;
  /** A CPU profile of the collector under 4 × 500-span requests in flight, split by part of the path. */
  profile?: boolean;
  /** Which acknowledgement to measure: when stored (group commit), when logged (ingest log), or both (default). */
  ack?: Array<'stored' | 'logged'>;
  /** The cells to measure (default every combination of 1, 4, 16 in flight and 50, 500 spans). */
  cells?: Array<{ inFlight: number; perRequest: number }>;
  /** Spans per repetition (default 5,000). */
  spansPerRep?: number;
  /** Length of the memory soak (default 10 minutes). */
  soakMs?: number;
  log: (line: string) => void;
}

const CONCURRENCY = [1, 4, 16];
const SPANS_PER_REQUEST = [50, 500];
const BULK_BATCH = 5_000;
/** The project the with-views bulk insert writes under, apart from the collector's spans. */
const BULK_PROJECT = 'bench-bulk-with-views';

/**
 * Durable ingest through a real collector process (OTLP/protobuf → decode → normalise → redaction
 * pass → group commit → store; detection on), against the store's own bulk insert of the same rows in
 * 5,000-row batches, measured alternately in the same run: ClickHouse a plain `INSERT` into a copy of
 * `spans` without views, DuckDB the adapter's `writeSteps` (its own bulk path). 1, 4 and 16 requests
 * in flight, 50- and 500-span requests. Every acknowledged span must be stored (checked per store).
 */
export async function runScaleIngestBench(opts: ScaleIngestOptions): Promise<void> {
  for (const kind of opts.stores) {
    if (kind === 'clickhouse' && !opts.clickhouseUrl) {
      opts.log('scale-ingest: ClickHouse skipped (set CLICKHOUSE_URL)');
      continue;
    }
    if (opts.profile) await profileRun(kind, opts);
    if (opts.ingest) for (const ack of opts.ack ?? ['stored', 'logged']) await ingestRatios(kind, opts, ack);
    if (opts.rss) await memorySoak(kind, opts);
  }
}

interface Target {
  collector: CollectorProcess;
  /** The collector's `/metrics` token. */
  metricsToken: string;
  /** The newest `spans` rows the collector stored, as the store holds them: the bulk insert's input. */
  sample(spans: number): Promise<unknown[]>;
  /** The store's bulk insert of these rows (fresh trace IDs each call); resolves to ms. */
  bulk(rows: unknown[]): Promise<number>;
  /**
   * ClickHouse only: the same bulk insert into the collector's own `spans`, so every materialized view
   * runs too (under a project of its own, left out of the count); resolves to ms.
   */
  bulkWithViews?(rows: unknown[]): Promise<number>;
  /** Spans stored for the collector (distinct project/trace/span). */
  storedSpans(): Promise<number>;
  close(): Promise<void>;
}

async function openTarget(
  kind: 'duckdb' | 'clickhouse',
  opts: ScaleIngestOptions,
  profileDir?: string,
  ack: 'stored' | 'logged' = 'stored',
): Promise<Target> {
  const database = `casefile_ingest_${randomBytes(4).toString('hex')}`;
  const metricsToken = randomBytes(16).toString('hex');
  const env: Record<string, string> =
    kind === 'clickhouse'
      ? { CASEFILE_CLICKHOUSE_URL: opts.clickhouseUrl as string, CASEFILE_CLICKHOUSE_DATABASE: database }
      : {};
  const collector = await startCollectorProcess(
    {
      CASEFILE_ALERT_TICK_MS: '0',
      CASEFILE_INGEST_LOG: String(ack === 'logged'),
      CASEFILE_METRICS_TOKEN: metricsToken,
      ...env,
    },
    {
      startTimeoutMs: 180_000,
      nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    },
  );
  if (kind === 'clickhouse') {
    const client = createClient({
      url: opts.clickhouseUrl as string,
      request_timeout: 300_000,
      // No idle sockets to be closed under a loaded server between repetitions (EPIPE on reuse).
      keep_alive: { enabled: false },
      log: { level: ClickHouseLogLevel.OFF },
    });
    await client.command({ query: `CREATE TABLE ${database}.spans_raw AS ${database}.spans` });
    const bulkInsert = async (table: string, rows: unknown[], projectId?: string) => {
      const tag = randomBytes(4).toString('hex');
      const values = (rows as Array<Record<string, unknown>>).map((r) => ({
        ...r,
        trace_id: tag + String(r.trace_id).slice(8),
        ...(projectId === undefined ? {} : { project_id: projectId }),
      }));
      const t = performance.now();
      for (let k = 0; k < values.length; k += BULK_BATCH) {
        await client.insert({ table, values: values.slice(k, k + BULK_BATCH), format: 'JSONEachRow' });
      }
      return performance.now() - t;
    };
    return {
      collector,
      metricsToken,
      async sample(spans) {
        const r = await client.query({
          query: `SELECT * FROM ${database}.spans ORDER BY start_ns DESC LIMIT ${Math.trunc(spans)}`,
          format: 'JSONEachRow',
        });
        return (await r.json()) as unknown[];
      },
      bulk: (rows) => bulkInsert(`${database}.spans_raw`, rows),
      bulkWithViews: (rows) => bulkInsert(`${database}.spans`, rows, BULK_PROJECT),
      async storedSpans() {
        const r = await client.query({
          query: `SELECT uniqExact(project_id, trace_id, span_id) AS n FROM ${database}.spans WHERE project_id != '${BULK_PROJECT}'`,
          format: 'JSONEachRow',
        });
        const [row] = (await r.json()) as Array<{ n: string }>;
        return Number(row?.n ?? 0);
      },
      async close() {
        await collector.stop();
        await client.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => {});
        await client.close();
      },
    };
  }
  const bulkStore = await createStore({ kind: 'duckdb', dataDir: `${collector.dataDir}-bulk` });
  await bulkStore.migrate();
  return {
    collector,
    metricsToken,
    sample: (spans) => sampleSteps(collector, spans),
    async bulk(rows) {
      const tag = randomBytes(4).toString('hex');
      const steps = (rows as Step[]).map((s) => ({ ...s, traceId: tag + s.traceId.slice(8) }));
      const t = performance.now();
      for (let k = 0; k < steps.length; k += BULK_BATCH) await bulkStore.writeSteps(steps.slice(k, k + BULK_BATCH));
      return performance.now() - t;
    },
    async storedSpans() {
      // The collector owns its DuckDB file: count through its API (every run's step count).
      let cursor: string | undefined;
      let n = 0;
      do {
        const res = await fetch(
          `${collector.url}/api/runs?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          { headers: { authorization: `Bearer ${collector.adminToken}` } },
        );
        const page = (await res.json()) as { runs: Array<{ stepCount: number }>; nextCursor?: string };
        for (const r of page.runs) n += r.stepCount;
        cursor = page.nextCursor;
      } while (cursor);
      return n;
    },
    async close() {
      await collector.stop();
      await bulkStore.close();
    },
  };
}

/** The API's JSON step back into a Step (times are decimal strings there). */
function fromJson(s: Record<string, unknown>): Step {
  const ns = (v: unknown) => BigInt(String(v));
  return {
    ...(s as unknown as Step),
    projectId: 'default',
    startNs: ns(s.startNs),
    endNs: ns(s.endNs),
    events: ((s.events as Array<Record<string, unknown>>) ?? []).map((e) => ({
      ...(e as object),
      timeNs: ns(e.timeNs),
    })) as Step['events'],
  };
}

async function ingestRatios(
  kind: 'duckdb' | 'clickhouse',
  opts: ScaleIngestOptions,
  ack: 'stored' | 'logged',
): Promise<void> {
  const spansPerRep = opts.spansPerRep ?? 5_000;
  const target = await openTarget(kind, opts, undefined, ack);
  const results: (string | number)[][] = [
    [
      'requests in flight',
      'spans/request',
      'acknowledged spans/s',
      'stored spans/s',
      'bulk rows/s',
      'bulk with views rows/s',
      'ratio (median of reps)',
      'ratio to bulk with views',
      'collector cores (JS thread)',
      'machine busy',
      'ack latency p50 / p99 ms',
    ],
  ];
  let acknowledged = 0;
  try {
    opts.log(
      `scale-ingest ${kind}, acknowledged when ${ack === 'logged' ? 'logged (CASEFILE_INGEST_LOG)' : 'stored (group commit)'}: ` +
        `${fmt(spansPerRep)} spans per repetition, ${opts.reps} repetitions per cell, collector and bulk insert alternating`,
    );
    // Warm-up: JIT, schema, first parts.
    const warm = buildRequests(4, 5);
    await sendAll(target.collector.url, target.collector.ingestKey, warm, 2);
    acknowledged += 4 * 5 * SPANS_PER_RUN;
    const cells =
      opts.cells ??
      SPANS_PER_REQUEST.flatMap((perRequest) => CONCURRENCY.map((inFlight) => ({ inFlight, perRequest })));
    const samples = new Map<number, unknown[]>();
    for (const { inFlight: concurrency, perRequest } of cells) {
      const runsPerRequest = perRequest / SPANS_PER_RUN;
      const requests = Math.max(1, Math.round(spansPerRep / perRequest));
      const rates: number[] = [];
      const ackRates: number[] = [];
      const bulkRates: number[] = [];
      const viewRates: number[] = [];
      const ratios: number[] = [];
      const viewRatios: number[] = [];
      const cores: number[] = [];
      const jsCores: number[] = [];
      const busy: number[] = [];
      const latencies: number[] = [];
      for (let rep = 0; rep < opts.reps; rep++) {
        const bodies = buildRequests(requests, runsPerRequest);
        const cpuFrom = cpuSnapshot(target.collector.pid);
        const started = performance.now();
        const ackMs = await sendAll(target.collector.url, target.collector.ingestKey, bodies, concurrency, latencies);
        // Logged: the repetition ends when the log has drained into the store (its sustained rate), and
        // the bulk insert after it does not share the machine with that drain.
        if (ack === 'logged') await drained(target);
        const ms = ack === 'logged' ? performance.now() - started : ackMs;
        // Who was busy while the collector took (and, logged, stored) the repetition: is it the
        // JavaScript thread, the store, or neither (waiting)?
        const cpu = cpuSince(cpuFrom, cpuSnapshot(target.collector.pid));
        if (cpu.process !== undefined) cores.push(cpu.process);
        if (cpu.main !== undefined) jsCores.push(cpu.main);
        if (cpu.machineBusy !== undefined) busy.push(cpu.machineBusy);
        acknowledged += requests * perRequest;
        ackRates.push((requests * perRequest) / (ackMs / 1000));
        let sample = samples.get(requests * perRequest);
        if (!sample) {
          sample = await target.sample(requests * perRequest);
          samples.set(requests * perRequest, sample);
        }
        const bulkMs = await target.bulk(sample);
        const rate = (requests * perRequest) / (ms / 1000);
        const bulkRate = sample.length / (bulkMs / 1000);
        rates.push(rate);
        bulkRates.push(bulkRate);
        ratios.push(rate / bulkRate);
        if (target.bulkWithViews) {
          const viewRate = sample.length / ((await target.bulkWithViews(sample)) / 1000);
          viewRates.push(viewRate);
          viewRatios.push(rate / viewRate);
        }
      }
      const withViews = viewRates.length > 0;
      const row = [
        concurrency,
        perRequest,
        fmt(median(ackRates)),
        fmt(median(rates)),
        fmt(median(bulkRates)),
        withViews ? fmt(median(viewRates)) : '—',
        fmt(median(ratios), 2),
        withViews ? fmt(median(viewRatios), 2) : '—',
        cores.length > 0 ? `${fmt(median(cores), 2)} (${fmt(median(jsCores), 2)})` : '—',
        busy.length > 0 ? `${fmt(median(busy) * 100)} %` : '—',
        `${fmt(percentile(latencies, 0.5), 1)} / ${fmt(percentile(latencies, 0.99), 1)}`,
      ];
      opts.log(`  ${kind} (${ack}): ${row.join(' | ')}`);
      results.push(row);
    }
    // Every acknowledged span is stored (count while the collector runs; a logged span is stored soon after).
    let stored = 0;
    for (const until = Date.now() + 120_000; Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 2_000));
      stored = await target.storedSpans();
      if (stored >= acknowledged) break;
    }
    opts.log(table(results));
    opts.log(
      `scale-ingest ${kind} (${ack}): acknowledged ${fmt(acknowledged)} spans, stored ${fmt(stored)} ` +
        `${stored === acknowledged ? '(every acknowledged span landed)' : '(MISMATCH)'}`,
    );
  } catch (error) {
    opts.log(`scale-ingest ${kind}: failed; collector output:\n${target.collector.output().slice(-3000)}`);
    throw error;
  } finally {
    await target.close();
  }
}

/**
 * Waits until the collector holds no acknowledged row the store has not taken (`casefile_ingest_queue_rows`).
 * Every scrape also asks the store for the detection backlog, so it polls every 100 ms, not faster: a
 * repetition is measured up to 100 ms long, and the store answers ~10 backlog counts a second meanwhile.
 */
async function drained(target: Target): Promise<void> {
  for (const until = Date.now() + 300_000; Date.now() < until; ) {
    const m = await scrape(target.collector.url, target.metricsToken);
    if ((m.value('casefile_ingest_queue_rows') ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the ingest log did not drain into the store within 5 minutes');
}

/** The steps of the newest runs, read back through the collector's API (it owns its DuckDB file). */
async function sampleSteps(collector: CollectorProcess, spans: number): Promise<Step[]> {
  const auth = { authorization: `Bearer ${collector.adminToken}` };
  const out: Step[] = [];
  let cursor: string | undefined;
  do {
    const limit = Math.min(500, Math.ceil((spans - out.length) / SPANS_PER_RUN));
    const res = await fetch(
      `${collector.url}/api/runs?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { headers: auth },
    );
    const page = (await res.json()) as { runs: Array<{ traceId: string }>; nextCursor?: string };
    for (const { traceId } of page.runs) {
      const run = await fetch(`${collector.url}/api/runs/${traceId}`, { headers: auth });
      const body = (await run.json()) as { steps: Array<Record<string, unknown>> };
      out.push(...body.steps.map(fromJson));
    }
    cursor = page.nextCursor;
  } while (cursor && out.length < spans);
  return out;
}

/**
 * A steady ingest for `soakMs` with the collector's RSS sampled every 10 s (from /proc), and beside it
 * the V8 heap in use and the memory of native objects bound to JavaScript (from `/metrics`): what RSS
 * holds beyond those is native (DuckDB's buffer cache on DuckDB, bounded by `CASEFILE_DUCKDB_MEMORY_LIMIT`).
 */
async function memorySoak(kind: 'duckdb' | 'clickhouse', opts: ScaleIngestOptions): Promise<void> {
  const soakMs = opts.soakMs ?? 600_000;
  const target = await openTarget(kind, opts);
  try {
    const samples: Array<{ t: number; rss: number; heapTotal: number; heap: number; external: number }> = [];
    const started = Date.now();
    const sample = async () => {
      const status = await readFile(`/proc/${target.collector.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const m = await scrape(target.collector.url, target.metricsToken).catch(() => undefined);
      const mib = (name: string) => (m?.value(name) ?? Number.NaN) / 2 ** 20;
      samples.push({
        t: Math.round((Date.now() - started) / 1000),
        rss: kb / 1024,
        heapTotal: mib('nodejs_heap_size_total_bytes'),
        heap: mib('nodejs_heap_size_used_bytes'),
        external: mib('nodejs_external_memory_bytes'),
      });
    };
    await sample();
    const timer = setInterval(() => void sample(), 10_000);
    let sent = 0;
    try {
      while (Date.now() - started < soakMs) {
        const bodies = buildRequests(8, 50);
        await sendAll(target.collector.url, target.collector.ingestKey, bodies, 4);
        sent += 8 * 500;
      }
    } finally {
      clearInterval(timer);
    }
    await sample();
    opts.log(
      `scale-rss ${kind}: ${fmt(sent)} spans in ${fmt(soakMs / 60_000, 1)} min (${fmt(sent / (soakMs / 1000))} spans/s); ` +
        `MiB every 10 s (RSS/V8 heap reserved/used/external): ${samples.map((x) => `${x.t}s=${fmt(x.rss)}/${fmt(x.heapTotal)}/${fmt(x.heap)}/${fmt(x.external)}`).join(' ')}`,
    );
    const halves = (pick: (x: (typeof samples)[number]) => number) => {
      const values = samples.slice(1).map(pick);
      const mid = Math.ceil(values.length / 2);
      return `${fmt(median(values.slice(0, mid)))} → ${fmt(median(values.slice(mid)))} (max ${fmt(Math.max(...values))})`;
    };
    opts.log(
      `scale-rss ${kind}: median MiB, first half → second half: RSS ${halves((x) => x.rss)}, ` +
        `V8 heap reserved ${halves((x) => x.heapTotal)}, used ${halves((x) => x.heap)}, external ${halves((x) => x.external)}`,
    );
  } finally {
    await target.close();
  }
}

/**
 * `node --cpu-prof` of the collector while requests are in flight (the first of `--scale-cells`, 4 × 500
 * spans by default; acknowledged as the first of `--scale-ack`), split by part.
 */
async function profileRun(kind: 'duckdb' | 'clickhouse', opts: ScaleIngestOptions): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'casefile-prof-'));
  const cell = opts.cells?.[0] ?? { inFlight: 4, perRequest: 500 };
  const ack = opts.ack?.[0] ?? 'stored';
  const target = await openTarget(kind, opts, dir, ack);
  // 30,000 spans in requests of the cell's size (a run is 10 spans).
  const requests = Math.ceil(30_000 / cell.perRequest);
  let ms = 0;
  opts.log(
    `scale-profile ${kind}: ${cell.inFlight} × ${cell.perRequest}-span requests in flight, acknowledged when ${ack}`,
  );
  try {
    await sendAll(target.collector.url, target.collector.ingestKey, buildRequests(4, 5), 2);
    ms = await sendAll(
      target.collector.url,
      target.collector.ingestKey,
      buildRequests(requests, cell.perRequest / 10),
      cell.inFlight,
    );
    // Let detection of the last runs happen inside the profile, as it would under steady load.
    await new Promise((r) => setTimeout(r, 3_000));
  } finally {
    await target.close();
  }
  const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
  if (!file) {
    opts.log(`scale-profile ${kind}: no profile was written`);
    return;
  }
  const split = await splitProfile(join(dir, file));
  const spans = requests * cell.perRequest;
  const busy = split.parts.filter((p) => !p.part.startsWith('idle')).reduce((n, p) => n + p.ms, 0);
  opts.log(
    `scale-profile ${kind}: ${fmt(spans)} spans in ${fmt(ms / 1000, 1)} s (${fmt(spans / (ms / 1000))} spans/s), ` +
      `profile ${fmt(split.totalMs / 1000, 1)} s, busy ${fmt(busy)} ms = ${fmt((busy * 1000) / spans)} µs CPU per span (profile kept at ${join(dir, file)})`,
  );
  const chain = split.parts.find((p) => p.part.startsWith('hash chain'))?.ms ?? 0;
  opts.log(
    `scale-profile ${kind}: the hash chain took ${fmt((chain / busy) * 100, 1)} % of the collector's busy CPU ` +
      `(${fmt((chain * 1000) / spans, 1)} µs a span; its garbage and the store's work on its rows not included)`,
  );
  opts.log(
    table([
      ['part', 'ms', 'share', 'µs per span'],
      ...split.parts.map((p) => [p.part, fmt(p.ms), `${fmt(p.share * 100, 1)}%`, fmt((p.ms * 1000) / spans, 1)]),
    ]),
  );
}

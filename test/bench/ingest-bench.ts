import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startCollector } from '@casefile/collector';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { fmt, median, repeat, table } from './stats.js';
import { buildRequests, SPANS_PER_RUN, sendAll } from './workload.js';

export interface IngestBenchOptions {
  clickhouseUrl: string | undefined;
  reps: number;
  requests: number;
  runsPerRequest: number;
  concurrency: number;
  log: (line: string) => void;
}

const INGEST_KEY = `cf_ingest_${randomBytes(16).toString('hex')}`;
const ADMIN = `cf_login_${randomBytes(16).toString('hex')}`;

/**
 * Durable ingest throughput through the real collector (OTLP/protobuf over HTTP → decode → normalise
 * → redact → batch → store; a request counts only once acknowledged, i.e. durable), per store, and the
 * same span rows inserted straight into ClickHouse with the official client in 5,000-row batches.
 */
export async function runIngestBench(opts: IngestBenchOptions): Promise<Record<string, number>> {
  const spansPerRep = opts.requests * opts.runsPerRequest * SPANS_PER_RUN;
  opts.log(`ingest: ${opts.reps} repetitions of ${fmt(spansPerRep)} spans, ${opts.concurrency} requests in flight`);
  const results: Record<string, number> = {};

  results.duckdb = await throughCollector('duckdb', opts, spansPerRep);
  if (!opts.clickhouseUrl) {
    opts.log('ingest: ClickHouse skipped (no CLICKHOUSE_URL and no clickhouse-server binary)');
  } else {
    const database = `casefile_bench_${randomBytes(4).toString('hex')}`;
    try {
      results.clickhouse = await throughCollector('clickhouse', opts, spansPerRep, database);
      results.clickhouseRaw = await rawInsert(opts.clickhouseUrl, database, spansPerRep, opts);
    } finally {
      // Best effort: a busy server may take a while to drop the views and tables.
      const client = createClient({
        url: opts.clickhouseUrl,
        request_timeout: 300_000,
        log: { level: ClickHouseLogLevel.OFF },
      });
      await client
        .command({ query: `DROP DATABASE IF EXISTS ${database}` })
        .catch((err: Error) => opts.log(`ingest: could not drop ${database}: ${err.message}`));
      await client.close();
    }
  }

  const rows: (string | number)[][] = [['path', 'spans/s (median)', 'ratio to raw ClickHouse insert']];
  const raw = results.clickhouseRaw;
  for (const [name, label] of [
    ['duckdb', 'collector → DuckDB'],
    ['clickhouse', 'collector → ClickHouse'],
    ['clickhouseRaw', 'raw ClickHouse insert (baseline)'],
  ] as const) {
    const v = results[name];
    if (v === undefined) continue;
    rows.push([label, fmt(v), raw ? fmt(v / raw, 2) : 'n/a']);
  }
  opts.log(table(rows));
  return results;
}

async function throughCollector(
  kind: 'duckdb' | 'clickhouse',
  opts: IngestBenchOptions,
  spansPerRep: number,
  database = 'casefile_bench',
): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), 'casefile-bench-'));
  const args = ['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir];
  if (kind === 'clickhouse')
    args.push('--clickhouse-url', opts.clickhouseUrl as string, '--clickhouse-database', database);
  const config = loadConfig(
    { CASEFILE_BOOTSTRAP_INGEST_KEY: INGEST_KEY, CASEFILE_BOOTSTRAP_ADMIN_TOKEN: ADMIN, CASEFILE_UI_DIR: dataDir },
    args,
  );
  const collector = await startCollector({ ...config, logLevel: 'silent' });
  try {
    // Warm-up: JIT, schema, first parts.
    await sendAll(collector.url, INGEST_KEY, buildRequests(2, opts.runsPerRequest), opts.concurrency);
    const rates = await repeat(opts.reps, async (i) => {
      const bodies = buildRequests(opts.requests, opts.runsPerRequest);
      const ms = await sendAll(collector.url, INGEST_KEY, bodies, opts.concurrency);
      const rate = spansPerRep / (ms / 1000);
      opts.log(`  ${kind} run ${i + 1}/${opts.reps}: ${fmt(rate)} spans/s`);
      return rate;
    });
    return median(rates);
  } finally {
    await collector.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The rows the collector wrote, read back and inserted again straight into a copy of the table. */
async function rawInsert(
  url: string,
  database: string,
  spansPerRep: number,
  opts: IngestBenchOptions,
): Promise<number> {
  const client = createClient({ url, request_timeout: 120_000, log: { level: ClickHouseLogLevel.OFF } });
  try {
    const result = await client.query({
      query: `SELECT * FROM ${database}.spans LIMIT ${spansPerRep}`,
      format: 'JSONEachRow',
    });
    const rows = (await result.json()) as Record<string, unknown>[];
    await client.command({ query: `CREATE TABLE ${database}.spans_raw AS ${database}.spans` });
    const rates = await repeat(opts.reps, async (i) => {
      const started = performance.now();
      for (let k = 0; k < rows.length; k += 5000) {
        await client.insert({ table: `${database}.spans_raw`, values: rows.slice(k, k + 5000), format: 'JSONEachRow' });
      }
      const rate = rows.length / ((performance.now() - started) / 1000);
      opts.log(`  raw ClickHouse insert run ${i + 1}/${opts.reps}: ${fmt(rate)} rows/s`);
      return rate;
    });
    return median(rates);
  } finally {
    await client.close();
  }
}

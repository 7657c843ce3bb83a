import { randomBytes } from 'node:crypto';
import { type CollectorProcess, logTroubles, startCollectorProcess } from '../lib/collector-process.js';
import {
  type MetricSample,
  quantile,
  sampleMetrics,
  startLoad,
  statusCounts,
  waitDetected,
} from '../lib/fault-load.js';
import { fmt, table } from './stats.js';

export interface LagBenchOptions {
  clickhouseUrl: string | undefined;
  stores: ('duckdb' | 'clickhouse')[];
  /** How long the steady load runs (default 60 s). */
  steadyMs: number;
  /** How long the overload runs (default 120 s). */
  overloadMs: number;
  /** How long to wait for detection to catch up after each phase (default 600 s); what is left is reported. */
  catchUpMs: number;
  log: (line: string) => void;
}

interface PhaseResult {
  store: string;
  phase: string;
  seconds: number;
  acknowledgedRuns: number;
  answers: Record<string, number>;
  ingestP50: number;
  ingestP95: number;
  lagP50: number;
  lagP95: number;
  lagMax: number;
  rssMax: number;
  catchUpS: number;
  missing: number;
  undetected: number;
  twice: number;
  curve: MetricSample[];
}

/**
 * Detection and ingest lag under load, through a collector process per store and phase: a steady load
 * (4 senders of 10-run requests, each sending again when answered) and an overload (16 senders of
 * 100-run requests against a 3,000-row write queue, more than the store takes). Reported per phase:
 * ingest latency (p50/p95 of acknowledged requests), detection lag (age of the oldest undetected write
 * from `/metrics`, sampled every second: p50/p95/max), peak RSS, answers by status, and how long
 * detection took to catch up after the load stopped, with the count of acknowledged runs missing,
 * undetected or detected twice (all 0 when nothing was skipped). The overload's lag curve is printed.
 */
export async function runLagBench(opts: LagBenchOptions): Promise<PhaseResult[]> {
  const results: PhaseResult[] = [];
  for (const store of opts.stores) {
    if (store === 'clickhouse' && !opts.clickhouseUrl) {
      opts.log('lag: ClickHouse skipped (no CLICKHOUSE_URL and no clickhouse-server binary)');
      continue;
    }
    results.push(await phase(store, 'steady', opts, opts.steadyMs, { lanes: 4, runsPerRequest: 10 }));
    results.push(await phase(store, 'overload', opts, opts.overloadMs, { lanes: 16, runsPerRequest: 100 }));
  }
  const rows: (string | number)[][] = [
    [
      'store',
      'phase',
      's',
      'runs acked',
      'answers',
      'ingest p50/p95 ms',
      'detection lag p50/p95/max s',
      'RSS max MB',
      'catch-up s (* = not within the limit)',
      'missing/undetected/twice',
    ],
  ];
  for (const r of results) {
    rows.push([
      r.store,
      r.phase,
      r.seconds,
      fmt(r.acknowledgedRuns),
      Object.entries(r.answers)
        .map(([s, n]) => `${s}×${n}`)
        .join(' '),
      `${fmt(r.ingestP50)}/${fmt(r.ingestP95)}`,
      `${fmt(r.lagP50, 1)}/${fmt(r.lagP95, 1)}/${fmt(r.lagMax, 1)}`,
      r.rssMax,
      `${fmt(r.catchUpS, 1)}${r.undetected > 0 ? '*' : ''}`,
      `${r.missing}/${r.undetected}/${r.twice}`,
    ]);
  }
  opts.log(table(rows));
  for (const r of results.filter((x) => x.phase === 'overload')) {
    opts.log(
      `\nlag curve, ${r.store} overload (t s: backlog runs, oldest undetected write s, RSS MB, 200s, 429+503s):`,
    );
    for (const s of r.curve.filter((_, i) => i % 10 === 0)) {
      opts.log(
        `  ${String(s.t).padStart(6)}: ${String(s.backlogRuns ?? '?').padStart(6)} runs  ${fmt(s.backlogAgeS ?? 0, 1).padStart(6)} s  ${String(s.rssMb).padStart(5)} MB  ${s.ok}  ${s.shed}`,
      );
    }
  }
  return results;
}

async function phase(
  store: 'duckdb' | 'clickhouse',
  name: string,
  opts: LagBenchOptions,
  ms: number,
  load: { lanes: number; runsPerRequest: number },
): Promise<PhaseResult> {
  const database = `casefile_lag_${randomBytes(4).toString('hex')}`;
  opts.log(`lag: ${store}, ${name}: ${load.lanes} senders × ${load.runsPerRequest} runs for ${ms / 1000} s`);
  let collector: CollectorProcess | undefined;
  try {
    collector = await startCollectorProcess({
      ...(store === 'clickhouse'
        ? { CASEFILE_CLICKHOUSE_URL: opts.clickhouseUrl as string, CASEFILE_CLICKHOUSE_DATABASE: database }
        : {}),
      CASEFILE_DETECT_DELAY_MS: '500',
      CASEFILE_BATCH_ROWS: '1000',
      CASEFILE_MAX_QUEUED_ROWS: '3000',
    });
    const c = collector;
    const sampler = sampleMetrics(c.url, c.adminToken, 1_000);
    const sending = startLoad({ url: c.url, ingestKey: c.ingestKey, ...load, pauseMs: 20 });
    await new Promise((r) => setTimeout(r, ms));
    await sending.stop();
    const stoppedAt = Date.now();
    const result = await waitDetected(c.url, c.adminToken, sending.acknowledged, opts.catchUpMs);
    const catchUpS = ((result.clearedAt ?? Date.now()) - stoppedAt) / 1000;
    const curve = await sampler.stop();
    for (const line of logTroubles(c.output())) opts.log(`lag: ${store}, ${name}: collector log: ${line}`);
    const during = curve.filter((s) => s.t * 1000 <= ms);
    // A scrape whose backlog read timed out has no lag figure: left out, not counted as 0.
    const lags = during.flatMap((s) => (s.backlogAgeS === undefined ? [] : [s.backlogAgeS]));
    const okMs = sending.answers.filter((a) => a.status === 200).map((a) => a.ms);
    return {
      store,
      phase: name,
      seconds: ms / 1000,
      acknowledgedRuns: sending.acknowledged.size,
      answers: statusCounts(sending.answers),
      ingestP50: quantile(okMs, 0.5),
      ingestP95: quantile(okMs, 0.95),
      lagP50: quantile(lags, 0.5),
      lagP95: quantile(lags, 0.95),
      lagMax: Math.max(0, ...lags),
      rssMax: Math.max(0, ...curve.map((s) => s.rssMb)),
      catchUpS,
      missing: result.missing.length,
      undetected: result.undetected.length,
      twice: result.twice.length,
      curve,
    };
  } finally {
    await collector?.stop();
    if (store === 'clickhouse' && opts.clickhouseUrl) {
      await fetch(`${opts.clickhouseUrl}/?query=${encodeURIComponent(`DROP DATABASE IF EXISTS ${database}`)}`, {
        method: 'POST',
      }).catch(() => {});
    }
  }
}

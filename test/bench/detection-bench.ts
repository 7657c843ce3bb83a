import { waitForSettledFindings } from '../fixtures/scenarios/collect-findings.js';
import { buildScenarioSet } from '../fixtures/scenarios/scenario-set.js';
import { scoreDetection } from '../fixtures/scenarios/score.js';
import { sendScenarios } from '../fixtures/scenarios/send-scenarios.js';
import { startCollectorProcess } from '../lib/collector-process.js';
import { scrape } from '../lib/fault-load.js';
import { cpuMs } from './proc-cpu.js';
import { fmt, median, repeat, table } from './stats.js';
import { buildRequests, SPANS_PER_RUN, sendAll } from './workload.js';

const REPS = 3;
const REQUESTS = 10;
const RUNS_PER_REQUEST = 50;

/**
 * Detection quality on the labelled scenario set (per rule precision/recall) and the ingest cost of
 * detection. The collector has no switch to turn detection off, so "deferred" sets the quiet delay to
 * an hour: no run is detected while the workload is measured, which is ingest without detection.
 */
export async function runDetectionBench(log: (line: string) => void): Promise<void> {
  const collector = await startCollectorProcess({ CASEFILE_DETECT_DELAY_MS: '100' });
  try {
    const sent = await sendScenarios(buildScenarioSet(), {
      endpoint: collector.url,
      apiKey: collector.ingestKey,
      afterWarmup: () => new Promise((r) => setTimeout(r, 2_500)),
    });
    const attacks = sent.filter((s) => s.phase === 'attack').length;
    const findings = await waitForSettledFindings(collector.url, collector.adminToken, {
      minTraces: Math.floor(attacks * 0.9),
    });
    const score = scoreDetection(sent, findings);
    log(`detection: ${sent.length} scenario runs (${attacks} attacks), overall precision ${fmt(score.precision, 3)}`);
    const rows: (string | number)[][] = [['rule', 'TP', 'FP (benign, medium+)', 'FN', 'precision', 'recall']];
    for (const [id, r] of Object.entries(score.rules).sort()) {
      const p = r.tp + r.fp ? fmt(r.tp / (r.tp + r.fp), 2) : 'n/a';
      const rc = r.tp + r.fn ? fmt(r.tp / (r.tp + r.fn), 2) : 'n/a';
      rows.push([id, r.tp, r.fp, r.fn, p, rc]);
    }
    log(table(rows));
    const fam: (string | number)[][] = [['attack family', 'found / runs']];
    for (const [f, r] of Object.entries(score.recall).sort()) fam.push([f, `${r.hit}/${r.runs}`]);
    log(table(fam));
    if (score.falsePositives.length) log(`false positives: ${score.falsePositives.join('; ')}`);
  } finally {
    await collector.stop();
  }

  const spans = REQUESTS * RUNS_PER_REQUEST * SPANS_PER_RUN;
  const runs = REPS * REQUESTS * RUNS_PER_REQUEST;
  const rate: Record<string, number> = {};
  const cpu: Record<string, { sends: number; detected?: number; waitedS?: number }> = {};
  for (const [mode, delay] of [
    ['detection on (delay 50 ms)', '50'],
    ['detection deferred (delay 1 h)', '3600000'],
  ] as const) {
    const c = await startCollectorProcess({ CASEFILE_DETECT_DELAY_MS: delay });
    try {
      const cpu0 = cpuMs(c.pid);
      const times = await repeat(REPS, () => sendAll(c.url, c.ingestKey, buildRequests(REQUESTS, RUNS_PER_REQUEST), 4));
      rate[mode] = spans / (median(times) / 1000);
      const sends = cpuMs(c.pid);
      cpu[mode] = { sends: sends === undefined || cpu0 === undefined ? Number.NaN : sends - cpu0 };
      if (delay === '50') {
        // Detection catches up after the sends: the collector's CPU until every run is detected.
        const started = Date.now();
        while (Date.now() - started < 600_000) {
          const m = await scrape(c.url, c.adminToken).catch(() => undefined);
          if (m && (m.value('casefile_detection_backlog_runs') ?? 1) === 0) break;
          await new Promise((r) => setTimeout(r, 500));
        }
        const done = cpuMs(c.pid);
        cpu[mode] = {
          ...cpu[mode],
          detected: done === undefined || cpu0 === undefined ? Number.NaN : done - cpu0,
          waitedS: (Date.now() - started) / 1000,
        };
      }
    } finally {
      await c.stop();
    }
  }
  const off = rate['detection deferred (delay 1 h)'] ?? 0;
  const costRows: (string | number)[][] = [
    ['ingest (DuckDB)', 'spans/s (median of 3)', 'ratio to deferred', 'CPU ms/run, sends', 'CPU ms/run, all detected'],
  ];
  for (const [mode, v] of Object.entries(rate)) {
    const c = cpu[mode];
    costRows.push([
      mode,
      fmt(v),
      off ? fmt(v / off, 2) : 'n/a',
      c ? fmt(c.sends / runs, 1) : 'n/a',
      c?.detected !== undefined ? `${fmt(c.detected / runs, 1)} (${fmt(c.waitedS ?? 0, 0)} s after the sends)` : '–',
    ]);
  }
  log(
    `detection cost: ${fmt(spans)} spans per repetition (${REQUESTS} requests × ${RUNS_PER_REQUEST} runs), 4 in flight; CPU = the collector process's user + system time (Linux), per run sent`,
  );
  log(table(costRows));
}

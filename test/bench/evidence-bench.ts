import type { Step, TraceStore } from '@casefile/collector';
import {
  createChainRecorder,
  proveRuns,
  sealCaseFile,
  verifyCaseFile,
  verifyIntegrity,
} from '@casefile/collector/evidence';
import { emptyStep, stepToDto } from '@casefile/contract';
import { disposeAll, openBenchStores } from './drift-stores.js';
import { fmt, median, table } from './stats.js';

const RUNS = 1_000;
const STEPS = 10;
const BATCH_RUNS = 50;
const EXPORT_RUNS = 50;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** One run of ten steps (~0.5 kB of payload each), as the collector stores them. */
function benchRun(project: string, rep: number, index: number, startNs: bigint): Step[] {
  const traceId = `${hex(0xe71d, 8)}${hex(rep, 8)}${hex(index, 16)}`;
  return Array.from({ length: STEPS }, (_, i) => {
    const s = emptyStep(project, traceId, hex(index * 100 + i + 1, 16));
    s.parentSpanId = i === 0 ? '' : hex(index * 100 + 1, 16);
    s.kind = i === 0 ? 'agent' : i % 2 === 1 ? 'llm' : 'tool';
    s.name = i === 0 ? 'invoke_agent support' : i % 2 === 1 ? 'chat model-x' : `execute_tool tool_${i % 4}`;
    s.startNs = startNs + BigInt(i) * 1_000_000n;
    s.endNs = s.startNs + 900_000n;
    s.status = 'ok';
    s.serviceName = 'evidence-bench';
    s.agentName = 'support';
    if (i === 0)
      s.runInput = `Customer ${index} asks where order #${index * 7} is, and whether it can still be changed.`;
    if (s.kind === 'tool') {
      s.toolName = `tool_${i % 4}`;
      s.toolArguments = JSON.stringify({ order_id: `A-${index}`, note: 'x'.repeat(200), step: i });
      s.toolResult = JSON.stringify({ status: 'shipped', eta_days: i, carrier: 'ups', detail: 'y'.repeat(150) });
    } else if (s.kind === 'llm') {
      s.requestModel = 'model-x';
      s.inputTokens = 400 + i;
      s.outputTokens = 40 + i;
      s.outputMessages = JSON.stringify([{ role: 'assistant', content: 'z'.repeat(250) }]);
    }
    s.attributes = { 'casefile.step.seq': String(i), 'gen_ai.operation.name': s.kind };
    return s;
  });
}

function batches(project: string, rep: number): Step[][] {
  const start = BigInt(Date.now() - 3_600_000) * 1_000_000n;
  const runs = Array.from({ length: RUNS }, (_, i) => benchRun(project, rep, i, start + BigInt(i) * 20_000_000n));
  const out: Step[][] = [];
  for (let i = 0; i < runs.length; i += BATCH_RUNS) out.push(runs.slice(i, i + BATCH_RUNS).flat());
  return out;
}

/** Wall time and this process's CPU time (all threads, the embedded store's too) of one side. */
async function ingest(
  store: TraceStore,
  project: string,
  rep: number,
  chained: boolean,
): Promise<{ ms: number; cpuMs: number }> {
  const work = batches(project, rep);
  const recorder = chained ? createChainRecorder({ store, collectorId: 'bench' }) : undefined;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const b of work) {
    await store.writeSteps(b);
    recorder?.record(b);
  }
  await recorder?.close();
  const cpu = process.cpuUsage(cpu0);
  return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** The same pages of runs verification reads, read and nothing else. */
async function plainRead(store: TraceStore, project: string): Promise<{ ms: number; spans: number }> {
  const t0 = performance.now();
  let spans = 0;
  let after: string | undefined;
  for (;;) {
    const page = await store.integrityTraceIds(project, {
      ...(after === undefined ? {} : { afterTraceId: after }),
      limit: 200,
    });
    if (page.length > 0) spans += (await store.readSpans(project, page)).length;
    if (page.length < 200) break;
    after = page[page.length - 1];
  }
  return { ms: performance.now() - t0, spans };
}

/**
 * Evidence costs against a baseline of the same work without them, per store: ingest with the hash
 * chain kept (record + entries and leaves appended) vs the same writes alone; verification of every
 * stored span against the chain vs a plain read of the same spans in the same pages; and the offline
 * check of a 50-run case file vs parsing it. Medians of `reps` (default 3); every ratio is taken within
 * one repetition. One unmeasured pair of ingests warms each store (and the JIT) first: the first
 * writes into a fresh store are slower, and would otherwise count against whichever side went first.
 */
export async function runEvidenceBench(opts: {
  clickhouseUrl: string | undefined;
  log: (line: string) => void;
  reps?: number;
  stores?: ReadonlyArray<'duckdb' | 'clickhouse'>;
}): Promise<Record<string, number>> {
  const { log } = opts;
  const reps = opts.reps ?? 3;
  const results: Record<string, number> = {};
  const stores = await openBenchStores('evidence-bench', opts.clickhouseUrl, log, opts.stores);
  try {
    for (const { name, store } of stores) {
      await ingest(store, 'ev-warm-plain', reps, false);
      await ingest(store, 'ev-warm-chain', reps + 1, true);
      const ingestRatios: number[] = [];
      const cpuRatios: number[] = [];
      const plainMs: number[] = [];
      const chainMs: number[] = [];
      const verifyRatios: number[] = [];
      const verifyRates: number[] = [];
      const readRates: number[] = [];
      let problems = 0;
      for (let rep = 0; rep < reps; rep++) {
        // Alternate which goes first, so a neighbour's burst does not always land on the same side.
        const plainFirst = rep % 2 === 0;
        const run = (chained: boolean) => ingest(store, `ev-${chained ? 'chain' : 'plain'}-${rep}`, rep, chained);
        const a = await run(!plainFirst);
        const b = await run(plainFirst);
        const plain = plainFirst ? a : b;
        const chain = plainFirst ? b : a;
        plainMs.push(plain.ms);
        chainMs.push(chain.ms);
        ingestRatios.push(chain.ms / plain.ms);
        cpuRatios.push(chain.cpuMs / plain.cpuMs);

        const project = `ev-chain-${rep}`;
        const read = await plainRead(store, project);
        const t0 = performance.now();
        const report = await verifyIntegrity(store, project, {});
        const verifyMs = performance.now() - t0;
        problems += report.problems.length;
        verifyRatios.push(verifyMs / read.ms);
        verifyRates.push(report.checked.spans / (verifyMs / 1000));
        readRates.push(read.spans / (read.ms / 1000));
      }
      const spans = RUNS * STEPS;
      log(
        table([
          [`${name}: ${fmt(spans)} spans in ${RUNS / BATCH_RUNS} writes`, 'median', 'reps'],
          ['ingest, writes only (ms)', fmt(median(plainMs)), plainMs.map((v) => fmt(v)).join(' / ')],
          ['ingest, writes + chain (ms)', fmt(median(chainMs)), chainMs.map((v) => fmt(v)).join(' / ')],
          [
            'chain cost on ingest (ratio)',
            fmt(median(ingestRatios), 3),
            ingestRatios.map((v) => fmt(v, 3)).join(' / '),
          ],
          [
            'chain cost on ingest, CPU time (ratio)',
            fmt(median(cpuRatios), 3),
            cpuRatios.map((v) => fmt(v, 3)).join(' / '),
          ],
          ['plain read (spans/s)', fmt(median(readRates)), readRates.map((v) => fmt(v)).join(' / ')],
          ['verify (spans/s)', fmt(median(verifyRates)), verifyRates.map((v) => fmt(v)).join(' / ')],
          [
            'verify ÷ plain read (time ratio)',
            fmt(median(verifyRatios), 2),
            verifyRatios.map((v) => fmt(v, 2)).join(' / '),
          ],
          ['problems found (must be 0)', String(problems), ''],
        ]),
      );
      results[`${name}.ingestChainRatio`] = median(ingestRatios);
      results[`${name}.ingestChainCpuRatio`] = median(cpuRatios);
      results[`${name}.verifySpansPerSec`] = median(verifyRates);
      results[`${name}.verifyReadRatio`] = median(verifyRatios);
      if (problems > 0) throw new Error(`${name}: verification found ${problems} problems in an untouched store`);
    }

    // Offline check of an export: proofs built from the DuckDB store, the file verified without it.
    const duck = stores.find((s) => s.name === 'duckdb')?.store;
    if (duck) {
      const project = 'ev-chain-0';
      const traceIds = (await duck.integrityTraceIds(project, { limit: EXPORT_RUNS })).slice(0, EXPORT_RUNS);
      const runs = [];
      for (const traceId of traceIds) {
        const steps = (await duck.getRun(project, traceId)).map(stepToDto);
        runs.push({ traceId, steps });
      }
      const proved = await proveRuns(duck, project, runs);
      const file = {
        format: 'casefile.case/v2' as const,
        generatedAt: new Date().toISOString(),
        generatedBy: 'bench',
        project,
        runs: runs.map((r) => ({ run: { traceId: r.traceId }, steps: r.steps, findings: [] })),
      };
      const text = sealCaseFile(file, proved);
      const parseMs: number[] = [];
      const checkMs: number[] = [];
      for (let rep = 0; rep < 5; rep++) {
        let t0 = performance.now();
        JSON.parse(text);
        parseMs.push(performance.now() - t0);
        t0 = performance.now();
        const report = verifyCaseFile(text);
        checkMs.push(performance.now() - t0);
        if (!report.ok) throw new Error(`the bench export does not verify: ${report.problems[0]?.message}`);
      }
      const spans = runs.reduce((n, r) => n + r.steps.length, 0);
      log(
        table([
          [`export: ${EXPORT_RUNS} runs, ${fmt(spans)} spans, ${fmt(text.length / 1024)} kB`, 'median (ms)', 'spans/s'],
          ['JSON.parse', fmt(median(parseMs), 1), fmt(spans / (median(parseMs) / 1000))],
          ['casefile verify (offline)', fmt(median(checkMs), 1), fmt(spans / (median(checkMs) / 1000))],
          ['verify ÷ parse (time ratio)', fmt(median(checkMs) / median(parseMs), 1), ''],
        ]),
      );
      results['export.verifySpansPerSec'] = spans / (median(checkMs) / 1000);
    }
  } finally {
    await disposeAll(stores);
  }
  return results;
}

import { readFileSync } from 'node:fs';
import type { Step, TraceStore } from '@casefile/collector';
import {
  createChainRecorder,
  proveRuns,
  sealCaseFile,
  verifyCaseFile,
  verifyIntegrity,
} from '@casefile/collector/evidence';
import { emptyStep, stepToDto } from '@casefile/contract';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { disposeAll, openBenchStores } from './drift-stores.js';
import { fmt, median, medianInterval, table } from './stats.js';

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

export function batches(project: string, rep: number): Step[][] {
  const start = BigInt(Date.now() - 3_600_000) * 1_000_000n;
  const runs = Array.from({ length: RUNS }, (_, i) => benchRun(project, rep, i, start + BigInt(i) * 20_000_000n));
  const out: Step[][] = [];
  for (let i = 0; i < runs.length; i += BATCH_RUNS) out.push(runs.slice(i, i + BATCH_RUNS).flat());
  return out;
}

/**
 * CPU time of this thread (the JavaScript one) in ms: `process.threadCpuUsage` where Node has it,
 * else Linux's scheduler run time of the thread (`/proc/thread-self/schedstat`, nanoseconds), else its
 * tick counters (10 ms ticks); undefined elsewhere.
 */
export function threadCpuMs(): number | undefined {
  const own = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;
  if (own) {
    const u = own.call(process);
    return (u.user + u.system) / 1000;
  }
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    // not on Linux, or a kernel without scheduler statistics
  }
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** CPU time of the ClickHouse server's queries so far (µs), from its own counters; undefined if unreadable. */
type ServerCpu = () => Promise<number | undefined>;

/**
 * Wall time and CPU time of one side: this process's (all threads, the embedded store's too) and,
 * for ClickHouse, the server's query threads as well. The timed side ends with the chain durable.
 */
async function ingest(
  store: TraceStore,
  project: string,
  rep: number,
  chained: boolean,
  serverCpu: ServerCpu,
): Promise<{ ms: number; cpuMs: number; jsMs: number | undefined; serverMs: number | undefined }> {
  const work = batches(project, rep);
  const recorder = chained ? createChainRecorder({ store, collectorId: 'bench' }) : undefined;
  const server0 = await serverCpu();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const js0 = threadCpuMs();
  for (const b of work) {
    await store.writeSteps(b);
    recorder?.record(b);
  }
  await recorder?.close();
  const cpu = process.cpuUsage(cpu0);
  const js1 = threadCpuMs();
  const ms = performance.now() - t0;
  const server1 = await serverCpu();
  return {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    jsMs: js0 === undefined || js1 === undefined ? undefined : js1 - js0,
    serverMs: server0 === undefined || server1 === undefined ? undefined : (server1 - server0) / 1000,
  };
}

export function clickHouseCpu(url: string): { read: ServerCpu; close: () => Promise<void> } {
  const client = createClient({ url, request_timeout: 300_000, log: { level: ClickHouseLogLevel.OFF } });
  return {
    read: async () => {
      try {
        const result = await client.query({
          query: `SELECT sum(value) AS us FROM system.events WHERE event IN ('UserTimeMicroseconds', 'SystemTimeMicroseconds')`,
          format: 'JSONEachRow',
        });
        const rows = (await result.json()) as Array<{ us: string | number }>;
        return Number(rows[0]?.us ?? Number.NaN);
      } catch {
        return undefined;
      }
    },
    close: () => client.close(),
  };
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

const VERIFY_PAIRS = 3;
const APPEND_ROUNDS = 9;

type AppendArgs = Parameters<TraceStore['appendChain']>;

/**
 * The store's own work for one chain append of the bench's 10,000 spans (1,000 runs), apart from the
 * hashing: the entry and leaves a recorder built (captured, not stored) are appended as they are, taking
 * turns with the entry row alone; CPU of this process and of the server's queries, median of each.
 * Appending the same rows again costs the store what the first time did (reads collapse the copies).
 */
async function appendAlone(
  store: TraceStore,
  serverCpu: ServerCpu,
): Promise<{ full: number[]; fullOffThread: number[]; entryOnly: number[]; leaves: number }> {
  const captured: { entries: AppendArgs[0][number][]; leaves: AppendArgs[1][number][] } = { entries: [], leaves: [] };
  const recorder = createChainRecorder({
    store: {
      appendChain: async (entries, leaves) => {
        captured.entries.push(...entries);
        captured.leaves.push(...leaves);
      },
    },
    collectorId: 'bench-append',
    appendDelayMs: 600_000,
    appendSpans: 1_000_000,
  });
  for (const b of batches('ev-append', 0)) recorder.record(b);
  await recorder.close();
  const full: number[] = [];
  /** The same appends less their JavaScript-thread CPU: what the store's own threads (or server) did. */
  const fullOffThread: number[] = [];
  const entryOnly: number[] = [];
  for (let round = 0; round < APPEND_ROUNDS * 2 + 1; round++) {
    const withLeaves = round % 2 === 0;
    const server0 = await serverCpu();
    const cpu0 = process.cpuUsage();
    const js0 = threadCpuMs();
    await store.appendChain(captured.entries, withLeaves ? captured.leaves : []);
    const js1 = threadCpuMs();
    const cpu = process.cpuUsage(cpu0);
    const server1 = await serverCpu();
    // The first append (a fresh table, cold code) is not counted.
    if (round === 0) continue;
    const ms =
      (cpu.user + cpu.system) / 1000 +
      (server0 === undefined || server1 === undefined ? 0 : (server1 - server0) / 1000);
    (withLeaves ? full : entryOnly).push(ms);
    if (withLeaves && js0 !== undefined && js1 !== undefined) fullOffThread.push(ms - (js1 - js0));
  }
  return { full, fullOffThread, entryOnly, leaves: captured.leaves.length };
}

/**
 * The chain's own JavaScript per span, with no store: a recorder (its defaults) records the bench's
 * 10,000 spans in their 20 batches and is closed, its store dropping the entry and leaf rows; CPU of
 * the JavaScript thread per pass (and of the whole process, which adds V8's helper threads), in µs per
 * span, after `warm` uncounted passes. The same batches every pass: the recorder never changes a step.
 */
export async function chainJsAlone(
  passes: number,
  warm = 5,
): Promise<{ threadUs: number[]; processUs: number[]; spans: number }> {
  const work = batches('ev-js', 0);
  const spans = work.reduce((n, b) => n + b.length, 0);
  const threadUs: number[] = [];
  const processUs: number[] = [];
  for (let pass = 0; pass < warm + passes; pass++) {
    const recorder = createChainRecorder({ store: { appendChain: async () => {} }, collectorId: 'bench-js' });
    const cpu0 = process.cpuUsage();
    const js0 = threadCpuMs();
    for (const b of work) recorder.record(b);
    await recorder.close();
    const js1 = threadCpuMs();
    const cpu = process.cpuUsage(cpu0);
    if (pass < warm) continue;
    if (js0 !== undefined && js1 !== undefined) threadUs.push(((js1 - js0) * 1000) / spans);
    processUs.push((cpu.user + cpu.system) / spans);
  }
  return { threadUs, processUs, spans };
}

/** Logs `chainJsAlone`'s figures as a table. */
export async function logChainJsAlone(log: (line: string) => void, passes = 15): Promise<Record<string, number>> {
  const r = await chainJsAlone(passes);
  log(
    table([
      [
        `chain JavaScript alone: ${fmt(r.spans)} spans, rows dropped, ${passes} passes`,
        'median [95 % interval]',
        'passes',
      ],
      ...(r.threadUs.length > 0
        ? [
            [
              'JavaScript thread CPU (µs per span)',
              withInterval(r.threadUs),
              r.threadUs.map((v) => fmt(v, 2)).join(' / '),
            ],
          ]
        : []),
      ['process CPU (µs per span)', withInterval(r.processUs), r.processUs.map((v) => fmt(v, 2)).join(' / ')],
    ]),
  );
  return r.threadUs.length > 0 ? { 'chainJs.threadUsPerSpan': median(r.threadUs) } : {};
}

/** `median [low–high of its 95 % interval]`, three decimals. */
function withInterval(values: number[]): string {
  const [lo, hi] = medianInterval(values);
  return `${fmt(median(values), 3)} [${fmt(lo, 3)}–${fmt(hi, 3)}]`;
}

/**
 * Evidence costs against a baseline of the same work without them, per store: ingest with the hash
 * chain kept (record + entries and leaves appended, durable at the end of the timed side) vs the same
 * writes alone, in `reps` interleaved pairs (default 9; the order inside a pair alternates, so a
 * neighbour's burst does not always land on one side), each ratio taken within its pair and the
 * median of those ratios reported with a distribution-free 95 % interval; verification of every
 * stored span against the chain vs a plain read of the same spans in the same pages (first three
 * pairs); and the offline check of a 50-run case file vs parsing it. One unmeasured pair of ingests
 * warms each store (and the JIT) first: the first writes into a fresh store are slower, and would
 * otherwise count against whichever side went first.
 */
export async function runEvidenceBench(opts: {
  clickhouseUrl: string | undefined;
  log: (line: string) => void;
  reps?: number;
  stores?: ReadonlyArray<'duckdb' | 'clickhouse'>;
}): Promise<Record<string, number>> {
  const { log } = opts;
  const pairs = opts.reps ?? 9;
  const results: Record<string, number> = {};
  Object.assign(results, await logChainJsAlone(log));
  const stores = await openBenchStores('evidence-bench', opts.clickhouseUrl, log, opts.stores);
  try {
    for (const { name, store } of stores) {
      const server =
        name === 'clickhouse' && opts.clickhouseUrl
          ? clickHouseCpu(opts.clickhouseUrl)
          : { read: async () => undefined, close: async () => undefined };
      try {
        await ingest(store, 'ev-warm-plain', pairs, false, server.read);
        await ingest(store, 'ev-warm-chain', pairs + 1, true, server.read);
        const wallRatios: number[] = [];
        const cpuRatios: number[] = [];
        const allCpuRatios: number[] = [];
        const jsPlain: number[] = [];
        const jsChain: number[] = [];
        const plainMs: number[] = [];
        const chainMs: number[] = [];
        const plainCpu: number[] = [];
        /** The writes' CPU: this process, plus (ClickHouse) the server's queries. */
        const plainAllCpu: number[] = [];
        const chainCpu: number[] = [];
        const verifyRatios: number[] = [];
        const verifyRates: number[] = [];
        const readRates: number[] = [];
        let problems = 0;
        for (let pair = 0; pair < pairs; pair++) {
          const plainFirst = pair % 2 === 0;
          const run = (chained: boolean) =>
            ingest(store, `ev-${chained ? 'chain' : 'plain'}-${pair}`, pair, chained, server.read);
          const a = await run(!plainFirst);
          const b = await run(plainFirst);
          const plain = plainFirst ? a : b;
          const chain = plainFirst ? b : a;
          plainMs.push(plain.ms);
          chainMs.push(chain.ms);
          plainCpu.push(plain.cpuMs);
          chainCpu.push(chain.cpuMs);
          wallRatios.push(chain.ms / plain.ms);
          cpuRatios.push(chain.cpuMs / plain.cpuMs);
          if (plain.jsMs !== undefined && chain.jsMs !== undefined) {
            jsPlain.push(plain.jsMs);
            jsChain.push(chain.jsMs);
          }
          plainAllCpu.push(plain.cpuMs + (plain.serverMs ?? 0));
          if (plain.serverMs !== undefined && chain.serverMs !== undefined)
            allCpuRatios.push((chain.cpuMs + chain.serverMs) / (plain.cpuMs + plain.serverMs));
          log(
            `  ${name} pair ${pair + 1}/${pairs}: wall ${fmt(chain.ms / plain.ms, 3)}, CPU ${fmt(chain.cpuMs / plain.cpuMs, 3)}`,
          );
          if (pair >= VERIFY_PAIRS) continue;
          const project = `ev-chain-${pair}`;
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
        const cpuLabel =
          name === 'clickhouse'
            ? 'chain cost on ingest, CPU (ratio; client only)'
            : 'chain cost on ingest, CPU (ratio)';
        log(
          table([
            [
              `${name}: ${fmt(spans)} spans in ${RUNS / BATCH_RUNS} writes, ${pairs} pairs`,
              'median [95 % interval]',
              'pairs',
            ],
            ['ingest, writes only (ms)', fmt(median(plainMs)), plainMs.map((v) => fmt(v)).join(' / ')],
            ['ingest, writes + chain (ms)', fmt(median(chainMs)), chainMs.map((v) => fmt(v)).join(' / ')],
            ['ingest, writes only (CPU ms)', fmt(median(plainCpu)), plainCpu.map((v) => fmt(v)).join(' / ')],
            ['ingest, writes + chain (CPU ms)', fmt(median(chainCpu)), chainCpu.map((v) => fmt(v)).join(' / ')],
            [
              'chain cost on ingest, wall (ratio)',
              withInterval(wallRatios),
              wallRatios.map((v) => fmt(v, 3)).join(' / '),
            ],
            [cpuLabel, withInterval(cpuRatios), cpuRatios.map((v) => fmt(v, 3)).join(' / ')],
            ...(jsPlain.length === pairs
              ? [
                  [
                    'JavaScript thread CPU, writes only (ms)',
                    fmt(median(jsPlain)),
                    jsPlain.map((v) => fmt(v)).join(' / '),
                  ],
                  [
                    'JavaScript thread CPU, writes + chain (ms)',
                    fmt(median(jsChain)),
                    jsChain.map((v) => fmt(v)).join(' / '),
                  ],
                  [
                    '1 + chain JS-thread CPU ÷ writes process CPU (lower bound)',
                    withInterval(jsChain.map((v, i) => 1 + (v - (jsPlain[i] as number)) / (plainCpu[i] as number))),
                    '',
                  ],
                ]
              : []),
            ...(allCpuRatios.length === pairs
              ? [
                  [
                    'chain cost on ingest, CPU (ratio; client + server queries)',
                    withInterval(allCpuRatios),
                    allCpuRatios.map((v) => fmt(v, 3)).join(' / '),
                  ],
                ]
              : []),
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
        const alone = await appendAlone(store, server.read);
        const cpuOf = name === 'clickhouse' ? 'client + server CPU ms' : 'process CPU ms';
        log(
          table([
            [`${name}: one chain append of ${fmt(alone.leaves)} spans, store work alone`, 'median', 'rounds'],
            [`entry + leaves (${cpuOf})`, fmt(median(alone.full), 1), alone.full.map((v) => fmt(v, 1)).join(' / ')],
            [
              `entry row alone (${cpuOf})`,
              fmt(median(alone.entryOnly), 1),
              alone.entryOnly.map((v) => fmt(v, 1)).join(' / '),
            ],
          ]),
        );
        if (jsPlain.length === pairs && alone.fullOffThread.length > 0) {
          // The chain's cost from its parts, each measured: the JavaScript thread's extra CPU on the side
          // with the chain (same pair; it holds the append's JavaScript too) plus what one append of the
          // chain rows costs off that thread (the store's threads, the server's queries; median of the
          // rounds above), over the writes' CPU (process; ClickHouse adds the server's queries).
          const offThread = median(alone.fullOffThread);
          const composed = jsChain.map(
            (v, i) => 1 + (v - (jsPlain[i] as number) + offThread) / (plainAllCpu[i] as number),
          );
          log(
            table([
              [`${name}: chain cost from its measured parts`, 'median [95 % interval]', 'pairs'],
              [`one append off the JavaScript thread (${cpuOf})`, fmt(offThread, 1), ''],
              [
                `1 + (chain JS-thread CPU + that) ÷ writes' ${name === 'clickhouse' ? 'client + server' : 'process'} CPU`,
                withInterval(composed),
                composed.map((v) => fmt(v, 3)).join(' / '),
              ],
            ]),
          );
          results[`${name}.ingestChainComposedRatio`] = median(composed);
        }
        results[`${name}.appendStoreMs`] = median(alone.full);
        results[`${name}.ingestChainRatio`] = median(wallRatios);
        results[`${name}.ingestChainCpuRatio`] = median(cpuRatios);
        if (allCpuRatios.length === pairs) results[`${name}.ingestChainAllCpuRatio`] = median(allCpuRatios);
        results[`${name}.verifySpansPerSec`] = median(verifyRates);
        results[`${name}.verifyReadRatio`] = median(verifyRatios);
        if (problems > 0) throw new Error(`${name}: verification found ${problems} problems in an untouched store`);
      } finally {
        await server.close();
      }
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

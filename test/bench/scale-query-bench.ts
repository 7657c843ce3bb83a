import type { RunQuery, RunSummary, TraceStore } from '@casefile/collector';
import { openScaleStore, type ScaleStore, scaleStoreKinds } from './scale-store.js';
import {
  DEFAULT_SCALE,
  LONG_RUN_STEPS,
  longRunChunks,
  longRunTraceId,
  SCALE_PROJECT,
  type ScaleParams,
  scaleAgents,
  scaleStartMs,
} from './scale-workload.js';
import { fmt, percentile, table } from './stats.js';

export interface ScaleQueryOptions {
  clickhouseUrl: string | undefined;
  stores: Array<'duckdb' | 'clickhouse'>;
  /** Use the store as far as it is built instead of finishing the build first. */
  noBuild: boolean;
  reps: number;
  params?: ScaleParams;
  log: (line: string) => void;
}

const HOUR_NS = 3_600_000_000_000n;

/**
 * p50 / p95 of every page's store query on the kept scale store (see scale-store.ts), one query at
 * a time after one warm-up call, each repeated `reps` times with varying arguments (agent, hour,
 * tool …) so caches do not answer the same question twice.
 */
export async function runScaleQueryBench(opts: ScaleQueryOptions): Promise<void> {
  const params = opts.params ?? DEFAULT_SCALE;
  for (const kind of scaleStoreKinds(opts.stores, opts.clickhouseUrl, 'scale', opts.log)) {
    const s = await openScaleStore(kind, opts.clickhouseUrl, opts.log, params, { build: !opts.noBuild });
    try {
      await benchStore(s, opts);
    } finally {
      await s.store.close();
    }
  }
}

/** What the scale benches ask for, read from the kept store itself. */
export interface ScaleSample {
  /** The newest 200 runs (the runs list's first pages). */
  recent: RunSummary[];
  agents: string[];
  /** The 200- and 2,000-step runs of the chunks built so far. */
  longRuns: Array<{ steps: number; id: string }>;
}

/** The store's newest runs, agents and long runs; undefined (and said) when the store is empty. */
export async function sampleScaleStore(s: ScaleStore, log: (line: string) => void): Promise<ScaleSample | undefined> {
  const recent = (await s.store.listRuns(SCALE_PROJECT, { limit: 200 })).runs;
  if (recent.length === 0) {
    log(`scale: ${s.kind} store is empty`);
    return undefined;
  }
  // The long runs live in chunks of their own; a store used as far as it is built may not hold them yet.
  const longRuns = longRunChunks(s.params)
    .filter((chunk) => chunk < s.chunksDone)
    .flatMap((chunk) => LONG_RUN_STEPS.map((steps) => ({ steps, id: longRunTraceId(steps, chunk) })));
  return { recent, agents: scaleAgents(s.params), longRuns };
}

/** Said instead of the long runs' figures when their chunks are not built yet. */
export function longRunsNotBuilt(params: ScaleParams): string {
  const chunks = longRunChunks(params).map((c) => c + 1);
  return `  open a ${LONG_RUN_STEPS.map((n) => fmt(n)).join('- / ')}-step run: not measured, their chunks (${chunks.join(', ')}) are not built yet`;
}

async function benchStore(s: ScaleStore, opts: ScaleQueryOptions): Promise<void> {
  const store = s.store;
  const P = SCALE_PROJECT;
  const found = await sampleScaleStore(s, opts.log);
  if (!found) return;
  const { recent: sample, agents, longRuns } = found;
  const newest = sample[0] as RunSummary;
  const endNs = newest.startNs;
  const startNs = BigInt(scaleStartMs(s.params)) * 1_000_000n;
  const spanNs = endNs - startNs;
  opts.log(
    `\nscale queries on ${s.kind} (${s.where}): ${fmt(s.spans)} spans, ${fmt(s.runs)} runs, ` +
      `${(Number(spanNs) / 86_400e9 || 0).toFixed(1)} days stored; ${opts.reps} calls each`,
  );
  if (longRuns.length === 0) opts.log(longRunsNotBuilt(s.params));
  // Values to ask for, read from the store itself.
  const tools = [...new Set(sample.flatMap((r) => r.toolNames))].filter(Boolean);
  const detail = await store.getRun(P, (sample[0] as { traceId: string }).traceId);
  const docs = new Set<string>();
  const approvals: string[] = [];
  for (const r of sample.slice(0, 40)) {
    for (const step of await store.getRun(P, r.traceId)) {
      for (const d of step.documentIds) docs.add(d);
      if (step.approvalId) approvals.push(step.approvalId);
    }
  }
  const docList = [...docs];
  const words = ['refund', 'order', 'invoice', 'shipping', 'password', 'weather', 'translate', 'warranty'];
  void detail;
  const pick = <T>(list: readonly T[], i: number) => list[i % list.length] as T;
  const hourAt = (i: number) =>
    endNs - BigInt(((i * 37) % Math.max(1, Math.floor(Number(spanNs / HOUR_NS)))) + 1) * HOUR_NS;

  const list = (q: Partial<RunQuery>) => async () => {
    await store.listRuns(P, { limit: 50, ...q });
  };
  const cases: Array<[string, (i: number) => () => Promise<unknown>]> = [
    ['runs list, newest 50', () => list({})],
    [
      'runs list, next page (cursor)',
      () => async () => {
        const first = await store.listRuns(P, { limit: 50 });
        if (first.nextCursor) await store.listRuns(P, { limit: 50, cursor: first.nextCursor });
      },
    ],
    ['runs list, one hour', (i) => list({ fromNs: hourAt(i), toNs: hourAt(i) + HOUR_NS })],
    ['runs list, one agent', (i) => list({ agentName: pick(agents, i) })],
    ['runs list, one tool', (i) => list({ toolName: pick(tools, i) })],
    ['runs list, status error', () => list({ status: 'error' })],
    ['runs list, has findings', () => list({ hasFindings: true })],
    [
      'runs list, agent + error, 24 h',
      (i) => list({ agentName: pick(agents, i), status: 'error', fromNs: endNs - 24n * HOUR_NS }),
    ],
    ...(longRuns.length === 0 ? [] : LONG_RUN_STEPS).map(
      (steps) =>
        [
          `open a ${fmt(steps)}-step run`,
          (i: number) => async () => {
            const runs = longRuns.filter((r) => r.steps === steps);
            await store.getRun(P, pick(runs, i).id);
          },
        ] as [string, (i: number) => () => Promise<unknown>],
    ),
    [
      'open a run from the newest page',
      (i) => async () => {
        await store.getRun(P, pick(sample, i).traceId);
      },
    ],
    [
      'lookup by document',
      (i) => async () => {
        await store.runsTouching(P, { documentId: pick(docList, i) }, 50);
      },
    ],
    [
      'lookup by tool',
      (i) => async () => {
        await store.runsTouching(P, { toolName: pick(tools, i) }, 50);
      },
    ],
    [
      'lookup by approval',
      (i) => async () => {
        await store.runsTouching(P, { approvalId: pick(approvals, i) }, 50);
      },
    ],
    ['free text, last 24 h', (i) => list({ text: pick(words, i), fromNs: endNs - 24n * HOUR_NS })],
    [
      'findings list, newest 50',
      () => async () => {
        await store.listFindings(P, { limit: 50 });
      },
    ],
    [
      'findings list, high, 7 days',
      () => async () => {
        await store.listFindings(P, { limit: 50, severity: 'high', fromNs: endNs - 168n * HOUR_NS });
      },
    ],
    [
      'overview, 24 h (hourly buckets, per agent)',
      (i) => async () => {
        const to = endNs - BigInt(i % 3) * HOUR_NS;
        await store.overview(P, { fromNs: to - 24n * HOUR_NS, toNs: to, bucketMs: 3_600_000 });
      },
    ],
    [
      'drift series, tool mix, 7 days hourly',
      (i) => async () => {
        await store.metricSeries(P, {
          metric: 'tool_mix',
          agentName: pick(agents, i),
          fromNs: endNs - 168n * HOUR_NS,
          toNs: endNs,
          bucketNs: HOUR_NS,
        });
      },
    ],
  ];

  const rows: (string | number)[][] = [['query', 'p50 ms', 'p95 ms', 'max ms']];
  for (const [name, make] of cases) {
    const times: number[] = [];
    try {
      await make(opts.reps)(); // warm-up
      for (let i = 0; i < opts.reps; i++) {
        const call = make(i);
        const t = performance.now();
        await call();
        times.push(performance.now() - t);
      }
      rows.push([name, fmt(percentile(times, 0.5)), fmt(percentile(times, 0.95)), fmt(Math.max(...times))]);
    } catch (error) {
      rows.push([name, 'failed', (error as Error).message.slice(0, 80), '']);
    }
    opts.log(`  ${name}: p50 ${fmt(percentile(times, 0.5))} ms, p95 ${fmt(percentile(times, 0.95))} ms`);
  }
  opts.log(table(rows));
}

export type { TraceStore };

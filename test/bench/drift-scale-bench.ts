import { createLogger } from '@casefile/collector';
import {
  type AlertRule,
  createAlertEvaluator,
  createNotifier,
  evaluateRule,
  toStoredRule,
} from '@casefile/collector/alerts';
import { type AlertRuleInput, alertRuleInputSchema } from '@casefile/contract';
import { COMBINED_METRICS } from '../fixtures/drift/rules.js';
import {
  recordTemplates,
  SCALE_AGENTS,
  SCALE_END_MS,
  SCALE_START_MS,
  writeScaleSteps,
} from './drift-scale-workload.js';
import { type BenchStore, disposeAll, openBenchStores } from './drift-stores.js';
import { fmt, median, table } from './stats.js';

export interface DriftScaleOptions {
  clickhouseUrl: string | undefined;
  /** Spans to store (default 1,000,000). */
  spans?: number;
  /** Ticks to take the median of (default 3). */
  reps?: number;
  log: (line: string) => void;
}

const PROJECT = 'drift-scale';
/** The evaluation interval every rule has: a tick must finish well inside it. */
const INTERVAL_MS = 60_000;
const HOUR = 3_600_000;
const BATCH = 50_000;

const quantile = (values: number[], q: number) => {
  const v = [...values].sort((a, b) => a - b);
  return v.length ? (v[Math.min(v.length - 1, Math.floor(q * v.length))] as number) : 0;
};

/** Ten rules per agent, as a team watching ten agents might set them: drift and thresholds, 1 h to 1 day. */
function ruleInputs(agent: string): Array<[string, AlertRuleInput]> {
  const base = { agentName: agent, windowMs: HOUR, intervalMs: INTERVAL_MS } as const;
  const baseline = { type: 'baseline', fromMs: SCALE_START_MS, toMs: SCALE_START_MS + 24 * HOUR } as const;
  const prevWindow = { type: 'previous-window' } as const;
  const drift = (name: string, metrics: string[], rest: object) =>
    ({ kind: 'drift', name, ...base, metrics, threshold: 0.002, ...rest }) as AlertRuleInput;
  const threshold = (name: string, rest: object) => ({ kind: 'threshold', name, ...base, ...rest }) as AlertRuleInput;
  return [
    ['tool-mix-prev', drift('tool mix vs previous hour', ['tool_mix'], { test: 'chi2', reference: prevWindow })],
    ['length-base', drift('output length vs first day', ['output_length'], { test: 'ks', reference: baseline })],
    ['refusal-base', drift('refusals vs first day', ['refusal_rate'], { test: 'ztest', reference: baseline })],
    [
      'latency-day',
      drift('latency vs previous day', ['latency_ms'], {
        test: 'ks',
        reference: { type: 'previous-window', windowMs: 24 * HOUR },
      }),
    ],
    ['combined-base', drift('behaviour vs first day (BH)', [...COMBINED_METRICS], { reference: baseline })],
    [
      'tool-mix-version',
      drift('tool mix vs previous prompt', ['tool_mix'], {
        test: 'chi2',
        reference: { type: 'previous-version', dimension: 'prompt' },
      }),
    ],
    [
      'tokens-6h',
      drift('tokens per run, 6 h vs previous 6 h', ['tokens_per_run'], {
        test: 'ks',
        reference: prevWindow,
        windowMs: 6 * HOUR,
      }),
    ],
    [
      'errors',
      threshold('error rate above 5%', { metric: 'error_rate', aggregate: 'rate', operator: '>', value: 0.05 }),
    ],
    [
      'latency-p95',
      threshold('p95 latency above 20 s', { metric: 'latency_ms', aggregate: 'p95', operator: '>', value: 20_000 }),
    ],
    [
      'volume',
      threshold('fewer than 20 runs an hour', { metric: 'run_count', aggregate: 'count', operator: '<', value: 20 }),
    ],
  ];
}

function buildRules(): AlertRule[] {
  const created = String(BigInt(SCALE_START_MS) * 1_000_000n);
  return SCALE_AGENTS.flatMap((agent) =>
    ruleInputs(agent).map(
      ([id, input]) =>
        ({
          ...alertRuleInputSchema.parse(input),
          id: `${agent}-${id}`,
          createdNs: created,
          updatedNs: created,
        }) as AlertRule,
    ),
  );
}

/**
 * Evaluating 100 rules over 1M stored spans: the spans are copies of SDK-recorded template runs written
 * straight through `writeSteps` in 50,000-step batches (ten agents, one week); the 100 rules are stored
 * and one evaluator tick evaluates all of them for a fresh window end. Reports the tick time against
 * the 60 s evaluation interval (median of `reps` ticks, each for the next window end) and each rule's
 * own `evaluateRule` time (one pass, rules one at a time: median and p95 across the 100 rules).
 */
export async function runDriftScaleBench(opts: DriftScaleOptions): Promise<void> {
  const total = opts.spans ?? 1_000_000;
  const reps = opts.reps ?? 3;
  const templates = await recordTemplates(600);
  const stores = await openBenchStores('drift-scale', opts.clickhouseUrl, opts.log);
  try {
    const rows: (string | number)[][] = [
      [
        'store',
        'spans',
        'write s',
        'first tick s',
        'tick s (median)',
        'ticks',
        'of interval',
        'rule median ms',
        'rule p95 ms',
        'slowest rule',
      ],
    ];
    for (const b of stores) {
      // Two ticks on ClickHouse (a first one, where rules leave their initial state and record
      // events, and a steady one): each takes a while there.
      const row = await measure(b, templates, total, b.name === 'clickhouse' ? 2 : reps, opts.log);
      // Each store's figures as soon as they exist (a ClickHouse pass can take minutes), then the table.
      opts.log(`[${b.name}] ${row.map((c, i) => `${rows[0]?.[i]}: ${c}`).join(', ')}`);
      rows.push(row);
    }
    opts.log(
      `drift at scale: ${fmt(total)} spans (copies of ${templates.length} SDK-recorded runs; ${SCALE_AGENTS.length} agents, one week), 100 rules (70 drift, 30 threshold), evaluation interval ${INTERVAL_MS / 1000} s`,
    );
    opts.log(table(rows));
  } finally {
    await disposeAll(stores);
  }
}

async function measure(
  b: BenchStore,
  templates: Awaited<ReturnType<typeof recordTemplates>>,
  total: number,
  reps: number,
  log: (line: string) => void,
): Promise<(string | number)[]> {
  const { store } = b;
  const t0 = performance.now();
  const written = await writeScaleSteps(templates, PROJECT, total, BATCH, (batch) => store.writeSteps(batch));
  const writeS = (performance.now() - t0) / 1000;
  log(`[${b.name}] wrote ${fmt(written.spans)} spans (${fmt(written.runs)} runs) in ${fmt(writeS, 1)} s`);

  const rules = buildRules();
  await store.putProject({ id: PROJECT, name: PROJECT, createdNs: BigInt(SCALE_START_MS) * 1_000_000n });
  for (const r of rules) await store.putAlertRule(toStoredRule(PROJECT, r));

  // Each tick evaluates a fresh window end (claims are permanent), the last one at the end of the data.
  const tickS: number[] = [];
  let evaluated = 0;
  let failed = 0;
  // One evaluator for all ticks, as in a running collector (it keeps settled reference samples).
  let at = SCALE_END_MS - (reps - 1) * INTERVAL_MS;
  const evaluator = createAlertEvaluator({
    store,
    owner: 'bench',
    tickMs: 0,
    notifier: createNotifier({ store }),
    // Failed evaluations are counted below; their details go to stderr as the collector would log them.
    log: createLogger({ level: 'warn', destination: process.stderr }).child({ bench: 'drift-scale', store: b.name }),
    now: () => at,
  });
  for (let i = 0; i < reps; i++) {
    at = SCALE_END_MS - (reps - 1 - i) * INTERVAL_MS;
    const t = performance.now();
    const report = await evaluator.tick();
    tickS.push((performance.now() - t) / 1000);
    evaluated = report.evaluated;
    failed += report.failed;
  }
  await evaluator.close();
  if (failed > 0) log(`[${b.name}] ${failed} rule evaluations failed`);

  // One rule at a time, so each time is that rule's alone (the tick runs four side by side).
  const endNs = BigInt(SCALE_END_MS) * 1_000_000n;
  const medians: Array<readonly [string, number]> = [];
  for (const r of rules) {
    const t = performance.now();
    await evaluateRule(store, PROJECT, r, endNs);
    medians.push([r.id, performance.now() - t]);
  }
  medians.sort((a, b) => b[1] - a[1]);
  // The first tick moves every rule out of its initial state (events, example runs); later ticks are
  // the steady state the interval has to hold.
  const tick = median(tickS.length > 1 ? tickS.slice(1) : tickS);
  return [
    b.name,
    fmt(written.spans),
    fmt(writeS, 1),
    fmt(tickS[0] ?? 0, 2),
    fmt(tick, 2),
    `${evaluated} rules × ${reps}`,
    `${fmt((100 * tick * 1000) / INTERVAL_MS, 1)}%`,
    fmt(median(medians.map((m) => m[1])), 1),
    fmt(
      quantile(
        medians.map((m) => m[1]),
        0.95,
      ),
      1,
    ),
    `${medians[0]?.[0]} ${fmt(medians[0]?.[1] ?? 0, 0)} ms`,
  ];
}

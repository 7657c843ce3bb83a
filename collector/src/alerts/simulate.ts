/**
 * Simulates a drift rule over synthetic windows with the evaluator's own decision path: the samples
 * go through `evaluateDriftRule` (the rule's test, threshold, minimum sizes, Benjamini–Hochberg),
 * `driftSignal` and the state machine (persistence, immediate firing, hysteresis), exactly as a live
 * rule would see them. Only the store is replaced, by generated windows. Pure and seeded: the same
 * seed gives the same counts.
 *
 * Used to choose the default thresholds and persistence (`false-alarm-simulation.test.ts`) and by the
 * drift bench to state them.
 */
import { createRandom, type Random } from '../drift/index.js';
import type { MetricSample, MetricSampleQuery } from '../store/metrics.js';
import { driftSignal } from './alarm-policy.js';
import { evaluateDriftRule } from './evaluate-drift.js';
import type { DriftRule } from './rule-model.js';
import { INITIAL_STATE, nextState, type RuleStateDoc, statePolicy } from './state-machine.js';
import { MS, pooledSpans, type WindowPair } from './windows.js';

/** Draws the observations of one window: `changed` once the simulated change has happened. */
export type WindowGenerator = (random: Random, runs: number, changed: boolean) => MetricSample;

export interface SimulationOptions {
  rule: DriftRule;
  /** Draws each window (one of `generate` and `streamWindows`). */
  generate?: WindowGenerator;
  /**
   * Instead of `generate`: stream s's windows as given, in order (at least `windows` of them) — e.g. a
   * test suite's traffic reproduced from its seeds, judged by the same decision path.
   */
  streamWindows?: (stream: number) => readonly MetricSample[];
  /** Mean runs per window (each window draws a Poisson count around it; unused with `streamWindows`). */
  runsPerWindow: number;
  /** Windows per stream; the first `baselineWindows` are the reference of a baseline rule. */
  windows: number;
  baselineWindows: number;
  streams: number;
  seed: number;
  /** Window index at which the change starts (absent: stationary). */
  changeAt?: number;
}

export interface SimulationResult {
  /** Evaluations that reached a verdict (insufficient data is not counted). */
  evaluations: number;
  insufficient: number;
  /** Windows that crossed the threshold. */
  breaches: number;
  /** Evaluations at which the persistence (or a strong window) said fire. */
  fires: number;
  /** Transitions into firing: the notifications a person would get. */
  firings: number;
  /** Evaluations spent in the firing state. */
  firingEvaluations: number;
  /** Change streams: transitions into firing after the change (1 per stream when nothing flaps). */
  changedFirings: number;
  /** Change streams: windows from the change to the first firing (1 = the first changed window), per stream; undefined = never. */
  delays: Array<number | undefined>;
}

const HOUR_MS = 3_600_000;

/** Poisson by inversion (Knuth) for small means, normal approximation for large ones. */
export function poisson(random: Random, mean: number): number {
  if (mean > 60) return Math.max(0, Math.round(random.normal(mean, Math.sqrt(mean))));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random.next();
  while (p > limit) {
    k++;
    p *= random.next();
  }
  return k;
}

function merge(samples: readonly MetricSample[]): MetricSample {
  const first = samples[0];
  if (!first || first.kind === 'numeric') {
    const values = samples.flatMap((s) => (s.kind === 'numeric' ? s.values : []));
    return { kind: 'numeric', values, total: values.length };
  }
  if (first.kind === 'rate') {
    let successes = 0;
    let trials = 0;
    for (const s of samples) {
      if (s.kind !== 'rate') continue;
      successes += s.successes;
      trials += s.trials;
    }
    return { kind: 'rate', successes, trials };
  }
  if (first.kind === 'categorical') {
    const counts = new Map<string, number>();
    let runs: number | undefined = 0;
    for (const s of samples) {
      if (s.kind !== 'categorical') continue;
      for (const [l, c] of s.counts) counts.set(l, (counts.get(l) ?? 0) + c);
      // `tool_mix` says how many runs its counts come from; a merged window does too.
      runs = runs === undefined || s.runs === undefined ? undefined : runs + s.runs;
    }
    return { kind: 'categorical', counts: [...counts], ...(runs !== undefined ? { runs } : {}) };
  }
  return { kind: 'count', count: samples.reduce((n, s) => n + (s.kind === 'count' ? s.count : 0), 0) };
}

/**
 * Windows of one stream as a store would answer for them: window i is [i h, (i+1) h); a query over a
 * longer span (the baseline) merges its windows.
 */
function streamStore(windows: readonly MetricSample[]) {
  const merged = new Map<string, MetricSample>();
  return {
    async metricSample(_project: string, q: MetricSampleQuery): Promise<MetricSample> {
      const from = Math.max(0, Number(q.fromNs / (BigInt(HOUR_MS) * MS)));
      const to = Math.max(0, Number(q.toNs / (BigInt(HOUR_MS) * MS)));
      if (to - from === 1) return windows[from] ?? merge([]);
      const key = `${from}-${to}`;
      const known = merged.get(key);
      if (known) return known;
      const sample = merge(windows.slice(from, to));
      merged.set(key, sample);
      return sample;
    },
  };
}

export async function simulateRule(options: SimulationOptions): Promise<SimulationResult> {
  const { rule, generate } = options;
  if (rule.windowMs !== HOUR_MS || rule.intervalMs !== HOUR_MS)
    throw new Error('simulate a 1 h window evaluated hourly');
  if ((generate === undefined) === (options.streamWindows === undefined))
    throw new Error('give one of generate and streamWindows');
  const result: SimulationResult = {
    evaluations: 0,
    insufficient: 0,
    breaches: 0,
    fires: 0,
    firings: 0,
    firingEvaluations: 0,
    changedFirings: 0,
    delays: [],
  };
  const policy = statePolicy(rule);
  const hour = BigInt(HOUR_MS) * MS;
  for (let s = 0; s < options.streams; s++) {
    const random = createRandom(options.seed + s * 7919);
    const windows =
      options.streamWindows?.(s) ??
      Array.from({ length: options.windows }, (_, i) =>
        (generate as WindowGenerator)(
          random,
          poisson(random, options.runsPerWindow),
          options.changeAt !== undefined && i >= options.changeAt,
        ),
      );
    if (windows.length < options.windows)
      throw new Error(`stream ${s} has ${windows.length} windows, not ${options.windows}`);
    const store = streamStore(windows);
    let state: RuleStateDoc = INITIAL_STATE;
    let delay: number | undefined;
    for (let i = options.baselineWindows; i < options.windows; i++) {
      const end = BigInt(i + 1) * hour;
      const current = { fromNs: end - hour, toNs: end, label: 'current' };
      const reference =
        rule.reference.type === 'baseline'
          ? { fromNs: 0n, toNs: BigInt(options.baselineWindows) * hour, label: 'baseline' }
          : { fromNs: end - 2n * hour, toNs: end - hour, label: 'previous' };
      const pair: WindowPair = { ok: true, current, reference, pooled: pooledSpans(rule, current, reference) };
      const d = await evaluateDriftRule(store, 'sim', rule, pair);
      const signal = driftSignal(rule, d.results);
      const t = nextState(state, signal, end, end, policy);
      state = { ...state, state: t.to, breachEnds: t.breachEnds, recentBreaches: t.recentBreaches };
      if (signal === 'none') {
        result.insufficient++;
        continue;
      }
      const changed = options.changeAt !== undefined && i >= options.changeAt;
      if (changed) {
        if (delay === undefined && t.to === 'firing') delay = i - (options.changeAt as number) + 1;
        if (t.to === 'firing' && t.from !== 'firing') result.changedFirings++;
        continue;
      }
      result.evaluations++;
      if (signal === 'strong' || signal === 'breach') result.breaches++;
      if (t.fires) result.fires++;
      if (t.to === 'firing' && t.from !== 'firing') result.firings++;
      if (t.to === 'firing') result.firingEvaluations++;
    }
    if (options.changeAt !== undefined) result.delays.push(delay);
  }
  return result;
}

/** Share of change streams detected within `windows` windows. */
export function detectedWithin(result: SimulationResult, windows: number): number {
  if (result.delays.length === 0) return 0;
  return result.delays.filter((d) => d !== undefined && d <= windows).length / result.delays.length;
}

// Generators for the metric kinds of an agent at the sizes the defaults are chosen for.

const TOOLS = ['lookup_order', 'search_kb', 'update_ticket', 'send_email', 'issue_refund'] as const;
const TOOL_WEIGHTS = [0.34, 0.22, 0.18, 0.16, 0.1];
/** Tool calls per run: 1, 2, 3 or 4. */
const CALLS_PER_RUN = [0.3, 0.35, 0.25, 0.1];

/** Final-answer length (code points): log-normal around 700, σ of the log 0.45; 40% longer after a change. */
export const answerLengths: WindowGenerator = (random, runs, changed) => {
  const median = 700 * (changed ? 1.4 : 1);
  const values = Array.from({ length: runs }, () => Math.round(median * Math.exp(0.45 * random.normal())));
  return { kind: 'numeric', values: values.sort((a, b) => a - b), total: values.length };
};

/** Runs whose final answer is a refusal: `before` of them, `after` once changed. */
export function refusals(before: number, after: number): WindowGenerator {
  return (random, runs, changed) => {
    const p = changed ? after : before;
    let successes = 0;
    for (let i = 0; i < runs; i++) if (random.next() < p) successes++;
    return { kind: 'rate', successes, trials: runs };
  };
}

/**
 * The tools runs call: per call (every call's tool) or per run (each tool a run used, once). A change
 * adds `translate_text` to 25% of runs.
 */
export function toolMix(unit: 'call' | 'run'): WindowGenerator {
  return (random, runs, changed) => {
    const counts = new Map<string, number>();
    const add = (tool: string) => counts.set(tool, (counts.get(tool) ?? 0) + 1);
    for (let r = 0; r < runs; r++) {
      const n = 1 + random.categoricalIndex(CALLS_PER_RUN);
      const calls = Array.from({ length: n }, () => TOOLS[random.categoricalIndex(TOOL_WEIGHTS)] as string);
      if (changed && random.next() < 0.25) calls.push('translate_text');
      for (const tool of unit === 'run' ? new Set(calls) : calls) add(tool);
    }
    return { kind: 'categorical', counts: [...counts] };
  };
}

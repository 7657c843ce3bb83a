import { describe, expect, it } from 'vitest';
import { type DriftRule, parseRuleInput } from './rule-model.js';
import {
  answerLengths,
  detectedWithin,
  refusals,
  type SimulationResult,
  simulateRule,
  toolMix,
  type WindowGenerator,
} from './simulate.js';

/**
 * The default drift rule on stationary synthetic traffic, through the evaluator's own decision path
 * (test, threshold, minimum sizes, persistence, immediate firing, hysteresis): how often it fires
 * when nothing changed, and how fast it fires when something did. Seeded, so the counts are exact for
 * this code. The defaults (p < 0.02 per window; fire on 2 of the last 3 windows or one at p < 0.002;
 * resolve at p ≥ 0.2) were chosen from this simulation; see src/alerts/README.md for the trade-off.
 */
const HOUR = 3_600_000;
const BASELINE_WINDOWS = 24;

function defaultRule(metric: string, reference: 'baseline' | 'previous-window', extra = {}): DriftRule {
  const spec = parseRuleInput({
    kind: 'drift',
    name: `default ${metric}`,
    windowMs: HOUR,
    intervalMs: HOUR,
    metrics: [metric],
    reference:
      reference === 'baseline'
        ? { type: 'baseline', fromMs: 0, toMs: BASELINE_WINDOWS * HOUR }
        : { type: 'previous-window' },
    ...extra,
  });
  return { ...(spec as DriftRule), id: 'sim', createdNs: '0', updatedNs: '0' };
}

interface Case {
  name: string;
  metric: string;
  generate: WindowGenerator;
  reference: 'baseline' | 'previous-window';
  runsPerWindow: number;
  streams: number;
}

/**
 * One metric of each kind, at a small agent's traffic (~40 runs an hour) against a day's baseline, and
 * at ~150 runs an hour against the previous hour (smaller windows stay under the default minimum of
 * 100 reference observations and get no verdict at all).
 */
const CASES: Case[] = [
  { name: 'final-answer length (numeric, ks)', metric: 'output_length', generate: answerLengths },
  { name: 'refusals at 3% of runs (rate, ztest)', metric: 'refusal_rate', generate: refusals(0.03, 0.12) },
  { name: 'errors at 0.5% of runs (rate, ztest)', metric: 'error_rate', generate: refusals(0.005, 0.02) },
  { name: 'tools per run (categorical, chi2)', metric: 'tool_mix', generate: toolMix('run') },
  { name: 'tools per call (categorical, chi2)', metric: 'tool_call_mix', generate: toolMix('call') },
].flatMap((c) => [
  { ...c, reference: 'baseline' as const, runsPerWindow: 40, streams: 16 },
  { ...c, reference: 'previous-window' as const, runsPerWindow: 150, streams: 12 },
]);

const WINDOWS = BASELINE_WINDOWS + 100;

async function stationary(c: Case): Promise<SimulationResult> {
  return simulateRule({
    rule: defaultRule(c.metric, c.reference),
    generate: c.generate,
    runsPerWindow: c.runsPerWindow,
    windows: WINDOWS,
    baselineWindows: BASELINE_WINDOWS,
    streams: c.streams,
    seed: 20_261_205,
  });
}

describe('default drift rule on stationary traffic', () => {
  const results = new Map<string, SimulationResult>();
  const run = async (c: Case) => {
    const key = `${c.name} ${c.reference} ${c.runsPerWindow}`;
    const known = results.get(key);
    if (known) return known;
    const r = await stationary(c);
    results.set(key, r);
    return r;
  };

  it.each(CASES)(
    '$name vs $reference at $runsPerWindow runs per window: fires on at most 1% of evaluations',
    async (c) => {
      const r = await run(c);
      // Windows below the minimum sizes get no verdict: a Poisson(40) window is under 30 runs ~4% of the time.
      expect(r.evaluations).toBeGreaterThanOrEqual(c.streams * 100 * 0.9);
      // A single window crosses p < 0.02 about 2% of the time (the tests are calibrated, ties and small
      // counts included) — and the persistence keeps almost all of those from firing.
      expect(r.breaches / r.evaluations).toBeLessThanOrEqual(0.03);
      expect(r.fires / r.evaluations).toBeLessThanOrEqual(0.01);
      expect(r.firings).toBeLessThanOrEqual(r.fires);
    },
    // Seconds on an idle machine; a loaded one takes several times longer.
    120_000,
  );

  it('over every case: more than 13,000 evaluations, fewer than 0.5 false alarms per 100', async () => {
    let evaluations = 0;
    let fires = 0;
    let breaches = 0;
    for (const c of CASES) {
      const r = await run(c);
      evaluations += r.evaluations;
      fires += r.fires;
      breaches += r.breaches;
    }
    expect(evaluations).toBeGreaterThan(13_000);
    expect(fires / evaluations).toBeLessThan(0.005);
    // Without the persistence every breaching window would have fired: about 2 per 100.
    expect(breaches / evaluations).toBeGreaterThan(0.01);
    expect(breaches).toBeGreaterThan(4 * fires);
  });
});

describe('default drift rule when behaviour changes (40 runs per window, vs a day of baseline)', () => {
  const changed = (metric: string, generate: WindowGenerator) =>
    simulateRule({
      rule: defaultRule(metric, 'baseline'),
      generate,
      runsPerWindow: 40,
      windows: BASELINE_WINDOWS + 4,
      baselineWindows: BASELINE_WINDOWS,
      streams: 120,
      seed: 7,
      changeAt: BASELINE_WINDOWS,
    });

  it('a new tool in 25% of runs fires in the first changed window', async () => {
    const r = await changed('tool_mix', toolMix('run'));
    expect(detectedWithin(r, 1)).toBeGreaterThanOrEqual(0.97);
  });

  it('answers 40% longer fire within 2 windows', async () => {
    const r = await changed('output_length', answerLengths);
    expect(detectedWithin(r, 1)).toBeGreaterThanOrEqual(0.7);
    expect(detectedWithin(r, 2)).toBeGreaterThanOrEqual(0.95);
  });

  it('refusals 3% → 12% of runs fire within 2 windows in most streams, within 4 in nearly all', async () => {
    // 40 runs at 12% hold about 5 refusals: at this traffic the evidence for a rate change is thin,
    // and no threshold inside the false-alarm budget catches it within 2 windows every time (two
    // windows hold ~10 refusals where ~2.4 are expected; a test that keeps false alarms under 1 in 200
    // needs 8–9 of them, which 80 runs at 12% reach about 70% of the time even with the rate known).
    const r = await changed('refusal_rate', refusals(0.03, 0.12));
    expect(detectedWithin(r, 2)).toBeGreaterThanOrEqual(0.6);
    expect(detectedWithin(r, 4)).toBeGreaterThanOrEqual(0.93);
  });

  it('windows tested together catch a small rise sooner than windows judged one by one', async () => {
    // Two windows of 4 refusals each: neither crosses p < 0.02 alone, the 8 of 80 together do.
    const alone = await simulateRule({
      rule: defaultRule('refusal_rate', 'baseline', { pooledWindows: 1 }),
      generate: refusals(0.03, 0.12),
      runsPerWindow: 40,
      windows: BASELINE_WINDOWS + 4,
      baselineWindows: BASELINE_WINDOWS,
      streams: 120,
      seed: 7,
      changeAt: BASELINE_WINDOWS,
    });
    const together = await changed('refusal_rate', refusals(0.03, 0.12));
    expect(detectedWithin(together, 2)).toBeGreaterThan(detectedWithin(alone, 2) + 0.04);
    expect(detectedWithin(together, 4)).toBeGreaterThan(detectedWithin(alone, 4) + 0.03);
  });
});

describe('default drift rule on a busy agent whose behaviour wobbles from hour to hour', () => {
  // 300 runs an hour against 16 hours: each hour's median answer wanders ±2% (log-σ 0.02), as real
  // traffic does. KS at these sizes sees the wobble itself; the effect-size floor (D ≥ 0.1) does not.
  const wobbling: WindowGenerator = (random, runs, changed) => {
    const median = 700 * (changed ? 1.4 : 1) * Math.exp(0.02 * random.normal());
    const values = Array.from({ length: runs }, () => Math.round(median * Math.exp(0.45 * random.normal())));
    return { kind: 'numeric', values: values.sort((a, b) => a - b), total: values.length };
  };
  const busy = (extra: Record<string, unknown>) =>
    simulateRule({
      rule: {
        ...defaultRule('output_length', 'baseline', extra),
        reference: { type: 'baseline', fromMs: 0, toMs: 16 * HOUR },
      },
      generate: wobbling,
      runsPerWindow: 300,
      windows: 16 + 100,
      baselineWindows: 16,
      streams: 4,
      seed: 99,
    });

  it('fires on at most 1% of evaluations with the floor, and more often without it', async () => {
    const [floor, none] = [await busy({}), await busy({ minEffect: 0 })];
    expect(floor.evaluations).toBeGreaterThanOrEqual(395);
    expect(floor.fires / floor.evaluations).toBeLessThanOrEqual(0.01);
    expect(none.fires).toBeGreaterThan(2 * floor.fires);
  }, 120_000);
});

describe('hysteresis', () => {
  /** Refusals rose from 3% to 6% of runs: windows hover around the threshold for as long as it lasts. */
  const flaps = async (extra: Record<string, unknown>) =>
    simulateRule({
      rule: defaultRule('refusal_rate', 'baseline', extra),
      generate: refusals(0.03, 0.06),
      runsPerWindow: 300,
      windows: BASELINE_WINDOWS + 100,
      baselineWindows: BASELINE_WINDOWS,
      streams: 4,
      seed: 11,
      changeAt: BASELINE_WINDOWS,
    });

  it('a rule on a metric hovering at the threshold stays one incident instead of flapping', async () => {
    const withHysteresis = await flaps({});
    // Every breach fires, any window that does not breach resolves (the behaviour before hysteresis):
    const without = await flaps({ persistence: { breaches: 1, of: 1 }, resolveThreshold: 0.0201, pooledWindows: 1 });
    expect(withHysteresis.delays.every((d) => d !== undefined)).toBe(true);
    // 4 streams × 100 changed windows: dozens of fire/resolve cycles without, a handful with.
    expect(without.changedFirings).toBeGreaterThan(40);
    expect(withHysteresis.changedFirings).toBeLessThan(without.changedFirings / 4);
  });
});

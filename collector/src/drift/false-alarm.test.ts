import { describe, expect, it } from 'vitest';
import { createRandom, type Random } from '../random/random.js';
import { anyDrift } from './multiple-comparisons.js';
import { evaluateDrift } from './verdict.js';

/**
 * No-change windows: both sides of every pair come from the same process, so every "drift" is a false
 * alarm. Metrics mimic an agent: log-normal latency, integer token counts (ties), a skewed tool-call mix
 * and a 5% error rate. The seed is fixed, so the rates below are exact for this code, not flaky.
 */
const PAIRS = 500;
const TOOLS = ['search', 'fetch', 'read_file', 'write_file', 'shell', 'email'];
const TOOL_WEIGHTS = [30, 25, 20, 12, 8, 5];

function window(rng: Random, n: number) {
  return {
    latency: Array.from({ length: n }, () => rng.lognormal(6, 0.7)),
    tokens: Array.from({ length: n }, () => Math.round(rng.normal(400, 60))),
    tools: Array.from({ length: n }, () => rng.categorical(TOOLS, TOOL_WEIGHTS)),
    errors: Array.from({ length: n }, () => rng.bernoulli(0.05)),
  };
}

function simulate() {
  const rng = createRandom(20_240_601);
  const alarms = { latency: 0, tokens: 0, tools: 0, errors: 0, anyUncorrected: 0, bonferroni: 0 };
  for (let pair = 0; pair < PAIRS; pair++) {
    // Sizes vary around 200 so the exact KS path is exercised on unequal samples too.
    const ref = window(rng, 180 + rng.int(0, 40));
    const cur = window(rng, 180 + rng.int(0, 40));
    // The conventional α = 0.05 per test (the defaults are stricter; see alerts/false-alarm-simulation.test.ts).
    const threshold = 0.05;
    const verdicts = {
      latency: evaluateDrift({ kind: 'numeric', test: 'ks', reference: ref.latency, current: cur.latency, threshold }),
      tokens: evaluateDrift({ kind: 'numeric', test: 'ks', reference: ref.tokens, current: cur.tokens, threshold }),
      tools: evaluateDrift({ kind: 'categorical', test: 'chi2', reference: ref.tools, current: cur.tools, threshold }),
      errors: evaluateDrift({ kind: 'rate', test: 'ztest', reference: ref.errors, current: cur.errors, threshold }),
    };
    for (const [metric, v] of Object.entries(verdicts)) {
      expect(v.state).not.toBe('insufficient_data');
      if (v.state === 'drift') alarms[metric as keyof typeof verdicts]++;
    }
    const pValues = Object.values(verdicts).map((v) => v.pValue!);
    if (Object.values(verdicts).some((v) => v.state === 'drift')) alarms.anyUncorrected++;
    if (anyDrift(pValues, 'bonferroni')) alarms.bonferroni++;
  }
  return Object.fromEntries(Object.entries(alarms).map(([k, v]) => [k, v / PAIRS]));
}

describe('false alarms on no-change windows (500 pairs, n ≈ 200 per side)', () => {
  const rates = simulate();

  it.each(['latency', 'tokens', 'tools', 'errors'])('%s alone stays at or below about 5 percent', (metric) => {
    // 5% plus about one binomial standard error at 500 pairs (√(0.05·0.95/500) ≈ 1%).
    expect(rates[metric]).toBeLessThanOrEqual(0.06);
  });

  it('testing four metrics uncorrected alarms far more often than any one of them', () => {
    expect(rates.anyUncorrected!).toBeGreaterThan(Math.max(rates.latency!, rates.tokens!, rates.tools!, rates.errors!));
  });

  it('the Bonferroni-corrected four-metric decision (family α = 0.01) stays at about 1% or below', () => {
    // Bonferroni guarantees ≤ 1% in expectation; 500 pairs estimate it to ±0.45% (one standard error).
    expect(rates.bonferroni).toBeLessThanOrEqual(0.015);
    expect(rates.bonferroni!).toBeLessThan(rates.anyUncorrected! / 5);
  });
});

import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../testing/memory-store.js';
import { driftSignal } from './alarm-policy.js';
import { backtestRule } from './backtest.js';
import { evaluateRule } from './evaluate-rule.js';
import { type AlertRule, type DriftRule, parseRuleInput } from './rule-model.js';
import { spread } from './runs.fixtures.js';

const P = 'proj-test';
const HOUR = 3_600_000;
const MS = 1_000_000n;
const START = 1_000 * HOUR;

/**
 * 36 hours of ~40 runs an hour: 1 in 20 failing for the first 24, then 1 in 8 — a change too small
 * for one window at p < 0.002 most hours, which the last windows tested together show.
 */
async function history() {
  const store = createMemoryStore();
  for (let h = 0; h < 36; h++) {
    const every = h >= 24 ? 6 : 20;
    await store.writeSteps(
      spread(40, START + h * HOUR, START + (h + 1) * HOUR, (i) => ({ error: (i + h) % every === 0 })),
    );
  }
  return store;
}

function errorsVsBaseline(): AlertRule {
  const spec = parseRuleInput({
    kind: 'drift',
    name: 'Errors vs the first half day',
    metrics: ['error_rate'],
    windowMs: HOUR,
    intervalMs: HOUR,
    minReference: 100,
    minCurrent: 20,
    reference: { type: 'baseline', fromMs: START, toMs: START + 12 * HOUR },
  });
  return { ...spec, id: 'r1', createdNs: '0', updatedNs: '0' };
}

describe('backtestRule', () => {
  it('carries the windows tested together, as the live evaluator does, so a window that fires on them says so', async () => {
    const store = await history();
    const rule = errorsVsBaseline();
    const result = await backtestRule(store, P, rule, {
      fromNs: BigInt(START + 12 * HOUR) * MS,
      toNs: BigInt(START + 36 * HOUR) * MS,
      now: () => START + 40 * HOUR,
      timeBudgetMs: 120_000,
    });
    expect(result.complete).toBe(true);
    let pooledSeen = 0;
    for (const w of result.windows) {
      const live = await evaluateRule(store, P, rule, w.windowEndNs, { examples: 'lazy' });
      // Each window's results are the live evaluator's, the pooled span included.
      expect(
        w.results.map((r) => r.pooled),
        `window ending ${w.windowEndNs}`,
      ).toEqual(live.results.map((r) => r.pooled));
      expect(w.signal).toBe(driftSignal(rule as DriftRule, w.results));
      if (w.results.some((r) => r.pooled)) pooledSeen++;
    }
    expect(pooledSeen).toBeGreaterThan(0);
    // The rule fires once, in the second changed window. That window alone is past the threshold but
    // not the immediate one (p < 0.002); the two changed windows together are, which makes its signal
    // strong. Without `pooled` the answer would show a strong window at p ≈ 0.01 with no reason.
    expect(result.firings).toBe(1);
    const fired = result.windows.find((w) => w.fired);
    expect(Number(BigInt(fired?.windowEndNs ?? 0n) / MS - BigInt(START)) / HOUR).toBe(26);
    const [r] = fired?.results ?? [];
    expect(fired?.signal).toBe('strong');
    expect(r?.pValue).toBeGreaterThan(0.002);
    expect(r?.pooled).toMatchObject({ windows: 2, n: 80 });
    expect(r?.pooled?.pValue).toBeLessThan(0.002);
    expect(fired?.summary).toMatch(/over the last 2 windows together; this window alone p=/);
  });
});

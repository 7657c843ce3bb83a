import { alertEventSchema } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import { findingId } from '../store/findings.js';
import type { StoredFinding } from '../store/port.js';
import { createMemoryStore } from '../testing/memory-store.js';
import { toEventDto } from './alert-event.js';
import { evaluateRule } from './evaluate-rule.js';
import { type AlertRule, parseRuleInput } from './rule-model.js';
import { spread } from './runs.fixtures.js';

const P = 'proj-test';
const HOUR = 3_600_000;
const END_MS = 500 * HOUR;
const END = BigInt(END_MS) * 1_000_000n;
const CUR: [number, number] = [END_MS - HOUR, END_MS];
const PREV: [number, number] = [END_MS - 2 * HOUR, END_MS - HOUR];

function rule(input: Record<string, unknown>): AlertRule {
  const spec = parseRuleInput({
    name: 'test rule',
    windowMs: HOUR,
    intervalMs: HOUR,
    ...(input.kind === 'threshold' ? {} : { kind: 'drift', reference: { type: 'previous-window' } }),
    ...input,
  });
  return { ...spec, id: 'rule1', createdNs: '0', updatedNs: '0' };
}

async function storeWith(...batches: ReturnType<typeof spread>[]) {
  const store = createMemoryStore();
  for (const b of batches) await store.writeSteps(b);
  return store;
}

const steady = (i: number) => ({ tools: [i % 4 === 0 ? 'lookup_order' : 'search_kb'], latencyMs: 800 + (i % 40) * 10 });

describe('evaluateRule: drift', () => {
  it('detects a new tool in the mix and says which, with runs that called it as examples', async () => {
    const store = await storeWith(
      spread(200, ...PREV, steady),
      spread(200, ...CUR, (i) => ({ tools: i % 5 === 0 ? ['search_kb', 'send_email'] : steady(i).tools })),
    );
    const e = await evaluateRule(store, P, rule({ metrics: ['tool_mix'] }), END);
    expect(e.outcome).toBe('breach');
    expect(e.results[0]).toMatchObject({ metric: 'tool_mix', test: 'chi2', state: 'drift' });
    expect(e.results[0]?.pValue).toBeLessThan(1e-6);
    expect(e.summary).toMatch(/^tool_mix drifted: send_email 0% → 20% of runs \(chi2 p=\de-\d+\) vs previous 1h$/);
    expect(e.exampleRuns.current).toHaveLength(3);
    for (const id of e.exampleRuns.current) {
      expect((await store.getRun(P, id)).some((s) => s.toolName === 'send_email')).toBe(true);
    }
    expect(e.exampleRuns.reference).toHaveLength(3);
    expect(alertEventSchema.safeParse(toEventDto(e, 'ok', 'firing', END)).success).toBe(true);
  });

  it('finds no drift when both windows behave the same', async () => {
    const store = await storeWith(spread(200, ...PREV, steady), spread(200, ...CUR, steady));
    const e = await evaluateRule(store, P, rule({ metrics: ['tool_mix', 'latency_ms', 'error_rate'] }), END);
    expect(e.outcome).toBe('ok');
    expect(e.results.map((r) => r.state)).toEqual(['ok', 'ok', 'ok']);
    expect(e.summary).toBe('no drift in tool_mix, latency_ms, error_rate vs previous 1h');
  });

  it('gives no verdict below the minimum sizes, and says how much data there was', async () => {
    const store = await storeWith(
      spread(200, ...PREV, steady),
      spread(12, ...CUR, () => ({ latencyMs: 9_000 })),
    );
    const e = await evaluateRule(store, P, rule({ metrics: ['latency_ms'] }), END);
    expect(e.outcome).toBe('insufficient_data');
    expect(e.results[0]?.reason).toMatch(/need at least 100 reference and 30 current observations, have 200 and 12/);
    expect(e.summary).toMatch(/^not enough data: /);
    const lower = await evaluateRule(store, P, rule({ metrics: ['latency_ms'], minCurrent: 10 }), END);
    expect(lower.outcome).toBe('breach');
  });

  it('describes a numeric shift by its median ("answers 40% longer")', async () => {
    const store = await storeWith(
      spread(150, ...PREV, (i) => ({ outputChars: 700 + (i % 50) * 4 })),
      spread(150, ...CUR, (i) => ({ outputChars: Math.round((700 + (i % 50) * 4) * 1.4) })),
    );
    const e = await evaluateRule(store, P, rule({ metrics: ['output_length'] }), END);
    expect(e.outcome).toBe('breach');
    expect(e.summary).toMatch(/^output_length drifted: answers 40% longer \(median 798 → 1,117 chars, p95/);
  });

  it('compares with a fixed baseline period', async () => {
    const base: [number, number] = [END_MS - 48 * HOUR, END_MS - 24 * HOUR];
    const store = await storeWith(
      spread(300, ...base, () => ({ latencyMs: 1_000 })),
      spread(300, ...PREV, (i) => ({ latencyMs: 3_000 + i })), // ignored: not the baseline
      spread(100, ...CUR, () => ({ latencyMs: 1_000 })),
    );
    // The hour before is not the reference; windows tested together (the default) would see it as part of the last 2 h.
    const r = rule({
      metrics: ['latency_ms'],
      reference: { type: 'baseline', fromMs: base[0], toMs: base[1] },
      pooledWindows: 1,
    });
    const e = await evaluateRule(store, P, r, END);
    expect(e.reference).toMatchObject({ fromNs: BigInt(base[0]) * 1_000_000n, toNs: BigInt(base[1]) * 1_000_000n });
    expect(e.results[0]?.referenceSummary).toMatchObject({ n: 300, p50: 1_000 });
    expect(e.outcome).toBe('ok');
  });

  it('compares the latest prompt version with the one before it', async () => {
    const store = await storeWith(
      spread(300, END_MS - 30 * HOUR, END_MS - 3 * HOUR, (i) => ({ prompt: 'v12', error: i % 20 === 0 })),
      spread(100, END_MS - 2 * HOUR, END_MS, (i) => ({ prompt: 'v13', error: i % 4 === 0 })),
    );
    const r = rule({ metrics: ['error_rate'], reference: { type: 'previous-version', dimension: 'prompt' } });
    const e = await evaluateRule(store, P, r, END);
    expect(e.outcome).toBe('breach');
    expect(e.current.label).toBe('prompt v13, last 1h');
    expect(e.reference.label).toBe('prompt v12 (previous version)');
    expect(e.results[0]?.referenceSummary).toMatchObject({ n: 300, successes: 15 });
    expect(e.results[0]?.currentSummary).toMatchObject({ n: 50 });
    // Both hours of v13 together are the stronger evidence, and the change is described over them.
    expect(e.results[0]?.pooled).toMatchObject({ windows: 2, n: 100 });
    expect(e.summary).toMatch(
      /^error_rate drifted: 5% → 25% of runs failed \(15\/300 → 25\/100\) \(ztest p=\de-\d+ over the last 2 windows together; this window alone p=\de-\d+\) vs prompt v12 \(previous version\)$/,
    );
    for (const id of e.exampleRuns.current) {
      const steps = await store.getRun(P, id);
      expect(steps[0]?.promptVersion).toBe('v13');
      expect(steps[0]?.status).toBe('error');
    }
  });

  it('reports insufficient data while only one version has been seen', async () => {
    const store = await storeWith(spread(200, ...CUR, steady));
    const r = rule({ metrics: ['error_rate'], reference: { type: 'previous-version', dimension: 'prompt' } });
    const e = await evaluateRule(store, P, r, END);
    expect(e.outcome).toBe('insufficient_data');
    expect(e.summary).toMatch(/only one prompt version \(v1\)/);
  });

  it('decides several metrics together (Benjamini–Hochberg): a lone p≈0.01 no longer breaches among three', async () => {
    // Error rate 5% → 12% on 200 runs each: z-test p ≈ 0.01; latency and tools identical (p = 1).
    const store = await storeWith(
      spread(200, ...PREV, (i) => ({ ...steady(i), error: i < 10 })),
      spread(200, ...CUR, (i) => ({ ...steady(i), error: i < 24 })),
    );
    const alone = await evaluateRule(store, P, rule({ metrics: ['error_rate'] }), END);
    const p = alone.results[0]?.pValue as number;
    expect(p).toBeGreaterThan(0.007);
    expect(p).toBeLessThan(0.02);
    expect(alone.outcome).toBe('breach');
    expect(alone.results[0]?.adjustedPValue).toBeUndefined();

    const together = await evaluateRule(store, P, rule({ metrics: ['error_rate', 'latency_ms', 'tool_mix'] }), END);
    expect(together.outcome).toBe('ok');
    const [err, lat, mix] = together.results;
    // Hand BH with k = 3: the smallest p ranks first → p·3/1; the others stay at 1.
    expect(err?.adjustedPValue).toBeCloseTo(Math.min(1, p * 3), 12);
    expect(lat?.adjustedPValue).toBe(1);
    expect(mix?.adjustedPValue).toBe(1);
  });
});

function findingOf(traceId: string): StoredFinding {
  const base = {
    projectId: P,
    traceId,
    spanId: `${traceId.slice(0, 15)}2`,
    ruleId: 'outbound.sensitive_data',
    severity: 'high' as const,
    reason: 'an e-mail address left in a tool call',
    evidence: '[email:7f3a9c12@globex.example]',
    agentName: 'support-bot',
    toolName: 'send_email',
    status: 'open' as const,
    createdNs: END,
  };
  return { ...base, id: findingId(base) };
}

describe('evaluateRule: evidence across consecutive windows', () => {
  // A day of baseline with 3% failed runs, then two windows of 40 runs with 5 failures each (12.5%).
  const baseline = { type: 'baseline', fromMs: END_MS - 26 * HOUR, toMs: END_MS - 2 * HOUR };
  const build = async () =>
    storeWith(
      spread(960, END_MS - 26 * HOUR, END_MS - 2 * HOUR, (i) => ({ error: i % 33 === 0 })),
      spread(40, ...PREV, (i) => ({ error: i % 8 === 0 })),
      spread(40, ...CUR, (i) => ({ error: i % 8 === 0 })),
    );

  it('fires on the last two windows together when neither is strong enough alone', async () => {
    const store = await build();
    const alone = await evaluateRule(
      store,
      P,
      rule({ metrics: ['error_rate'], reference: baseline, pooledWindows: 1 }),
      END,
    );
    expect(alone.signal).toBe('breach'); // one breaching window: 1 of the 2 of 3 the persistence needs
    expect(alone.results[0]?.pValue).toBeGreaterThan(0.002);

    const e = await evaluateRule(store, P, rule({ metrics: ['error_rate'], reference: baseline }), END);
    expect(e.signal).toBe('strong');
    expect(e.outcome).toBe('breach');
    expect(e.results[0]?.pooled).toMatchObject({ windows: 2, n: 80 });
    expect(e.results[0]?.pooled?.pValue).toBeLessThan(0.002);
    expect(e.summary).toMatch(/error_rate drifted: .*over the last 2 windows together; this window alone p=/);
    expect(alertEventSchema.safeParse(toEventDto(e, 'ok', 'firing', END)).success).toBe(true);
  });

  it('never pools windows that overlap the baseline, nor against a previous-window reference', async () => {
    const store = await build();
    const early = await evaluateRule(
      store,
      P,
      rule({ metrics: ['error_rate'], reference: { ...baseline, toMs: END_MS - HOUR } }),
      END,
    );
    expect(early.results[0]?.pooled).toBeUndefined();
    const previous = await evaluateRule(store, P, rule({ metrics: ['error_rate'] }), END);
    expect(previous.results[0]?.pooled).toBeUndefined();
  });
});

describe('evaluateRule: thresholds', () => {
  it('fires when the error rate crosses the limit and shows failed runs', async () => {
    const store = await storeWith(spread(50, ...CUR, (i) => ({ error: i % 10 === 0 })));
    const e = await evaluateRule(
      store,
      P,
      rule({ kind: 'threshold', metric: 'error_rate', aggregate: 'rate', operator: '>', value: 0.05 }),
      END,
    );
    expect(e.outcome).toBe('breach');
    expect(e.observed).toBeCloseTo(0.1, 12);
    expect(e.summary).toBe('error_rate rate 10% > 5% over the last 1h (50 trials)');
    expect(e.exampleRuns.current.length).toBeGreaterThan(0);
    for (const id of e.exampleRuns.current) expect((await store.getRun(P, id))[0]?.status).toBe('error');
  });

  it('needs minCount observations, except for counts (no runs at all is a finding)', async () => {
    const store = await storeWith(spread(5, ...CUR, () => ({ latencyMs: 9_000 })));
    const p95 = rule({
      kind: 'threshold',
      metric: 'latency_ms',
      aggregate: 'p95',
      operator: '>',
      value: 2_000,
      minCount: 10,
    });
    const e = await evaluateRule(store, P, p95, END);
    expect(e.outcome).toBe('insufficient_data');
    expect(e.summary).toMatch(/5 observation\(s\) of latency_ms over the last 1h, need at least 10/);
    const quiet = rule({ kind: 'threshold', metric: 'run_count', aggregate: 'count', operator: '<', value: 10 });
    const empty = await evaluateRule(createMemoryStore(), P, quiet, END);
    expect(empty.outcome).toBe('breach');
    expect(empty.observed).toBe(0);
  });

  it('shows only runs with findings as examples of a finding-rate breach, never clean runs of the window', async () => {
    const steps = spread(40, ...CUR, () => ({ tools: ['send_email'] }));
    const store = await storeWith(steps);
    const roots = steps.filter((s) => s.parentSpanId === '');
    const flagged = roots.filter((_, i) => i % 8 === 0).map((s) => s.traceId);
    for (const traceId of flagged) await store.replaceFindings(P, traceId, [findingOf(traceId)]);
    const r = rule({ kind: 'threshold', metric: 'finding_rate', aggregate: 'rate', operator: '>', value: 0.05 });
    const e = await evaluateRule(store, P, r, END);
    expect(e.outcome).toBe('breach');
    expect(e.exampleRuns.current.length).toBeGreaterThan(0);
    for (const id of e.exampleRuns.current) expect(flagged).toContain(id);
  });

  it('shows runs with findings as the current examples when the finding rate drifted up', async () => {
    const before = spread(150, ...PREV, () => ({ tools: ['send_email'] }));
    const now = spread(150, ...CUR, () => ({ tools: ['send_email'] }));
    const store = await storeWith(before, now);
    const flagged = now
      .filter((s) => s.parentSpanId === '')
      .filter((_, i) => i % 3 === 0)
      .map((s) => s.traceId);
    for (const traceId of flagged) await store.replaceFindings(P, traceId, [findingOf(traceId)]);
    const e = await evaluateRule(store, P, rule({ metrics: ['finding_rate'] }), END);
    expect(e.outcome).toBe('breach');
    expect(e.exampleRuns.current.length).toBeGreaterThan(0);
    for (const id of e.exampleRuns.current) expect(flagged).toContain(id);
  });

  it('stays ok below the limit', async () => {
    const store = await storeWith(spread(40, ...CUR, () => ({ latencyMs: 1_500 })));
    const r = rule({ kind: 'threshold', metric: 'latency_ms', aggregate: 'p95', operator: '>=', value: 2_000 });
    const e = await evaluateRule(store, P, r, END);
    expect(e.outcome).toBe('ok');
    expect(e.observed).toBe(1_500);
  });
});

import { afterAll, beforeAll, expect } from 'vitest';
import { emptyStep, type Step } from '../model/step.js';
import { createMemoryStore } from '../testing/memory-store.js';
import {
  EVIL_AGENT,
  EVIL_MODEL,
  EVIL_PROMPT,
  EVIL_TOOL,
  finalAnswerFixture,
  HOSTILE,
  HOUR,
  hostileRun,
  MP,
  MQ,
  metricsFixture,
  SEC,
  T0,
  WINDOW,
  wellFormedText,
} from './metrics.fixtures.js';
import { METRIC_NAMES, type MetricPoint, type MetricSample, type MetricSampleQuery } from './metrics.js';
import { categorical, count, EXPECTED, numeric, type Query, rate } from './metrics-expected.fixtures.js';
import type { TraceStore } from './port.js';
import type { StoreSuite } from './suite-harness.suite.js';

// A comparison with the reference makes a few hundred queries: 10–25 s on ClickHouse alone, far more on a busy machine.
const REFERENCE_TIMEOUT_MS = 180_000;

const full = (q: Query): MetricSampleQuery => ({ ...WINDOW, ...q });

export function expectSample(actual: MetricSample, expected: MetricSample): void {
  if (actual.kind === 'numeric' && expected.kind === 'numeric') {
    expect(actual.total).toBe(expected.total);
    const got = [...actual.values].sort((a, b) => a - b);
    expect(got).toHaveLength(expected.values.length);
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(expected.values[i] as number, 9);
    });
  } else {
    expect(actual).toEqual(expected);
  }
}

function expectPoints(actual: MetricPoint[], expected: MetricPoint[]): void {
  expect(actual.map((p) => [p.startNs, p.count, p.successes, p.top, p.runs])).toEqual(
    expected.map((p) => [p.startNs, p.count, p.successes, p.top, p.runs]),
  );
  actual.forEach((p, i) => {
    const e = expected[i] as MetricPoint;
    expect(p.value).toBeCloseTo(e.value, 9);
    for (const q of ['p50', 'p95'] as const) {
      if (e[q] === undefined) expect(p[q]).toBeUndefined();
      else expect(Math.abs((p[q] as number) - (e[q] as number))).toBeLessThanOrEqual(1e-9);
    }
  });
}

/**
 * Behaviour metrics: every adapter gives the hand-worked values on the fixture, and the same answers as
 * the in-memory reference for every metric under every kind of scope.
 */
export const metricsSuite: StoreSuite = {
  name: 'metrics',
  register({ makeStore, purge, test }) {
    let store: TraceStore;
    const reference = createMemoryStore();

    beforeAll(async () => {
      store = await makeStore();
      await store.migrate();
      const { steps, findings } = metricsFixture();
      await store.writeSteps(steps);
      await reference.writeSteps(steps);
      for (const [traceId, list] of findings) {
        await store.replaceFindings(MP, traceId, list);
        await reference.replaceFindings(MP, traceId, list);
      }
    });
    afterAll(async () => {
      if (store) await purge(store);
    });

    for (const [title, query, expected] of EXPECTED) {
      test(`sample: ${title}`, async () => {
        expectSample(await store.metricSample(MP, full(query)), expected);
      });
    }

    test(
      'agrees with the in-memory reference on every metric, scope and version',
      async () => {
        const scopes: Query[] = [];
        for (const metric of METRIC_NAMES) {
          for (const agentName of ['', 'support', 'billing', EVIL_AGENT]) scopes.push({ metric, agentName });
          for (const toolName of ['search', '__proto__', EVIL_TOOL, 'absent']) scopes.push({ metric, toolName });
          for (const [dimension, value] of [
            ['prompt', 'p1'],
            ['prompt', 'p2'],
            ['policy', 'pol1'],
            ['model', 'gpt-a'],
            ['model', 'gpt-b-2024'],
            ['model', EVIL_MODEL],
          ] as const) {
            scopes.push({ metric, version: { dimension, value } });
          }
        }
        for (const q of scopes) {
          const label = JSON.stringify(q);
          const [got, want] = [await store.metricSample(MP, full(q)), await reference.metricSample(MP, full(q))];
          try {
            expectSample(got, want);
          } catch (error) {
            throw new Error(`sample differs for ${label}`, { cause: error });
          }
        }
      },
      REFERENCE_TIMEOUT_MS,
    );

    test('keeps other projects out and answers empty for an unknown one', async () => {
      expect(await store.metricSample(MQ, full({ metric: 'error_rate', toolName: 'search' }))).toEqual(rate(1, 1));
      expect(await store.metricSample('nobody', full({ metric: 'run_count' }))).toEqual(count(0));
      expect(await store.metricSample('nobody', full({ metric: 'latency_ms' }))).toEqual(numeric([]));
      expect(await store.metricSample('nobody', full({ metric: 'tool_mix' }))).toEqual(categorical([], 0));
      expect(await store.metricSample('nobody', full({ metric: 'tool_call_mix' }))).toEqual(categorical([]));
      expect(await store.metricSample('nobody', full({ metric: 'refusal_rate' }))).toEqual(rate(0, 0));
      expect(await store.metricSeries('nobody', { ...full({ metric: 'tool_mix' }), bucketNs: HOUR })).toEqual([]);
    });

    test('samples numeric values deterministically above maxValues and reports the real total', async () => {
      const all = await store.metricSample(MP, full({ metric: 'latency_ms' }));
      const q = full({ metric: 'latency_ms', maxValues: 2 });
      const [a, b] = [await store.metricSample(MP, q), await store.metricSample(MP, q)];
      expect(a).toEqual(b);
      if (a.kind !== 'numeric' || all.kind !== 'numeric') throw new Error('numeric expected');
      expect(a.total).toBe(6);
      expect(a.values).toHaveLength(2);
      for (const v of a.values) expect(all.values).toContain(v);
      expect(await store.metricSample(MP, full({ metric: 'latency_ms', maxValues: 0 }))).toEqual({
        kind: 'numeric',
        values: [],
        total: 6,
      });
    });

    test('series: hour buckets aligned to the epoch, empty ones left out, per-kind aggregates', async () => {
      const series = (q: Query, bucketNs = HOUR) => store.metricSeries(MP, { ...full(q), bucketNs });
      // Runs at T0+0, +10, +20, +30, +40 min and +70 min; nothing in the third hour.
      expectPoints(await series({ metric: 'run_count' }), [
        { startNs: T0, count: 5, value: 5 },
        { startNs: T0 + HOUR, count: 1, value: 1 },
      ]);
      // A window that starts mid-bucket still buckets at multiples of the width.
      expectPoints(await series({ metric: 'run_count', fromNs: T0 + 300n * SEC }), [
        { startNs: T0, count: 4, value: 4 },
        { startNs: T0 + HOUR, count: 1, value: 1 },
      ]);
      expectPoints(await series({ metric: 'steps_per_run' }), [
        { startNs: T0, count: 5, value: 3.6, p50: 4, p95: 5 },
        { startNs: T0 + HOUR, count: 1, value: 5, p50: 5, p95: 5 },
      ]);
      expectPoints(await series({ metric: 'latency_ms' }), [
        { startNs: T0, count: 5, value: 7600, p50: 5000, p95: 18_000 },
        { startNs: T0 + HOUR, count: 1, value: 30_000, p50: 30_000, p95: 30_000 },
      ]);
      expectPoints(await series({ metric: 'tool_call_mix' }), [
        {
          startNs: T0,
          count: 6,
          value: 0.5,
          top: [
            ['search', 3],
            ['charge', 1],
            ['send_mail', 1],
            [EVIL_TOOL, 1],
          ],
        },
        {
          startNs: T0 + HOUR,
          count: 2,
          value: 0.5,
          top: [
            ['__proto__', 1],
            ['search', 1],
          ],
        },
      ]);
      expectPoints(await series({ metric: 'error_rate' }), [
        { startNs: T0, count: 5, value: 0.4, successes: 2 },
        { startNs: T0 + HOUR, count: 1, value: 0, successes: 0 },
      ]);
      // Half-hour buckets: 3 + 2 runs in the first hour, the one at +70 min in the third bucket.
      expect((await series({ metric: 'run_count' }, HOUR / 2n)).map((p) => [p.startNs, p.count])).toEqual([
        [T0, 3],
        [T0 + HOUR / 2n, 2],
        [T0 + HOUR, 1],
      ]);
    });

    test(
      'series agree with the in-memory reference',
      async () => {
        for (const metric of METRIC_NAMES) {
          for (const q of [{ metric }, { metric, agentName: 'support' }, { metric, toolName: 'search' }] as Query[]) {
            for (const bucketNs of [HOUR, 7n * 60n * SEC]) {
              const sq = { ...full(q), bucketNs };
              try {
                expectPoints(await store.metricSeries(MP, sq), await reference.metricSeries(MP, sq));
              } catch (error) {
                throw new Error(`series differ for ${JSON.stringify(q)} / ${bucketNs}`, { cause: error });
              }
            }
          }
        }
      },
      REFERENCE_TIMEOUT_MS,
    );

    test('lists versions by first sight, per agent, hostile values intact', async () => {
      expect(await store.listVersions(MP, {}, 'prompt')).toEqual([
        { value: 'p1', firstNs: T0 - 10n * SEC, lastNs: T0 + 600n * SEC, runs: 3 },
        { value: 'b1', firstNs: T0 + 1_200n * SEC, lastNs: T0 + 1_800n * SEC, runs: 2 },
        { value: EVIL_PROMPT, firstNs: T0 + 2_400n * SEC, lastNs: T0 + 2_400n * SEC, runs: 1 },
        { value: 'p2', firstNs: T0 + 4_200n * SEC, lastNs: T0 + 3n * HOUR, runs: 2 },
      ]);
      expect(await store.listVersions(MP, { agentName: 'support' }, 'model')).toEqual([
        { value: 'gpt-a', firstNs: T0, lastNs: T0 + 3n * HOUR, runs: 3 },
        { value: 'gpt-b', firstNs: T0 + 4_200n * SEC, lastNs: T0 + 4_200n * SEC, runs: 1 },
        { value: 'gpt-b-2024', firstNs: T0 + 4_200n * SEC, lastNs: T0 + 4_200n * SEC, runs: 1 },
      ]);
      expect(await store.listVersions(MP, { agentName: '' }, 'policy')).toEqual([
        { value: 'pol1', firstNs: T0, lastNs: T0 + 4_200n * SEC, runs: 3 },
      ]);
      expect(await store.listVersions(MP, { agentName: 'billing' }, 'policy')).toEqual([]);
      expect(await store.listVersions(MP, { agentName: EVIL_AGENT }, 'model')).toEqual([
        { value: EVIL_MODEL, firstNs: T0 + 2_400n * SEC, lastNs: T0 + 2_400n * SEC, runs: 1 },
      ]);
      for (const dimension of ['prompt', 'policy', 'model'] as const) {
        expect(await store.listVersions(MP, {}, dimension)).toEqual(await reference.listVersions(MP, {}, dimension));
      }
    });

    test('filters by hostile agent, tool, version and model names exactly and returns them intact', async () => {
      const H = 'metrics-hostile';
      const steps = HOSTILE.flatMap((name, i) => hostileRun(H, i, name));
      await store.writeSteps(steps);
      const at = { fromNs: T0, toNs: T0 + HOUR };
      for (const name of HOSTILE) {
        const label = JSON.stringify(name.slice(0, 40));
        const shown = wellFormedText(name);
        try {
          expect(await store.metricSample(H, { ...at, metric: 'run_count', agentName: name })).toEqual(count(1));
          const mix = await store.metricSample(H, { ...at, metric: 'tool_mix', agentName: name });
          expect(mix.kind === 'categorical' && mix.counts.map(([l, c]) => [wellFormedText(l), c])).toEqual([
            [shown, 1],
          ]);
          expect(await store.metricSample(H, { ...at, metric: 'error_rate', toolName: name })).toEqual(rate(1, 1));
          for (const dimension of ['prompt', 'policy', 'model'] as const) {
            expect(
              await store.metricSample(H, { ...at, metric: 'run_count', version: { dimension, value: name } }),
            ).toEqual(count(1));
            const versions = await store.listVersions(H, { agentName: name }, dimension);
            expect(versions.map((v) => [wellFormedText(v.value), v.runs])).toEqual([[shown, 1]]);
          }
        } catch (error) {
          throw new Error(`hostile name ${label}`, { cause: error });
        }
      }
      expect(await store.metricSample(H, { ...at, metric: 'run_count' })).toEqual(count(HOSTILE.length));
    });

    test('matches refusal phrases and denials with ASCII case folding only, on every backend alike', async () => {
      const F = 'metrics-fold';
      const outputs = [
        "I CAN'T HELP WITH it",
        "\u0130 CAN'T HELP WITH it",
        'I CAN\u2019T HELP WITH it',
        'I MUST DECLINE',
      ];
      const decisions = ['DENIED', 'Den\u0130ed', 'REJECTED', 'approved'];
      const [root, , llm] = hostileRun(F, 0, 'fold') as [Step, Step, Step];
      const steps: Step[] = [
        root,
        ...outputs.map((text, i) => ({ ...llm, spanId: `f${i.toString(16).padStart(15, '0')}`, outputMessages: text })),
        ...decisions.map((decision, i) => ({
          ...llm,
          spanId: `d${i.toString(16).padStart(15, '0')}`,
          kind: 'approval' as const,
          approvalDecision: decision,
        })),
      ];
      await store.writeSteps(steps);
      const at = { fromNs: T0, toNs: T0 + HOUR };
      expect(await store.metricSample(F, { ...at, metric: 'llm_refusal_rate' })).toEqual(rate(2, 4));
      // One run: its final answer is the call with the greatest span ID (same start, same end).
      expect(await store.metricSample(F, { ...at, metric: 'refusal_rate' })).toEqual(rate(1, 1));
      expect(await store.metricSample(F, { ...at, metric: 'approval_denial_rate' })).toEqual(rate(2, 4));
    });

    test('judges each run by its final answer, and counts each tool once per run', async () => {
      const X = 'metrics-final';
      await store.writeSteps(finalAnswerFixture(X));
      await reference.writeSteps(finalAnswerFixture(X));
      const at = { fromNs: T0, toNs: T0 + HOUR };
      // Runs F1–F5 and F7 started in the window; F5 has no answer. F1's plan refused but its answer
      // did not; F2's answer refused; F3 (by end) and F4 (by span ID) end on a refusal; so does F7.
      expect(await store.metricSample(X, { ...at, metric: 'refusal_rate' })).toEqual(rate(4, 5));
      // Per call, by the call's start: F6's refusal (its run began before the window) counts too.
      expect(await store.metricSample(X, { ...at, metric: 'llm_refusal_rate' })).toEqual(rate(7, 11));
      expectSample(await store.metricSample(X, { ...at, metric: 'output_length' }), numeric([7, 11, 14, 14, 14]));
      expect(await store.metricSample(X, { ...at, metric: 'tool_mix' })).toEqual(
        categorical(
          [
            ['search', 3],
            ['mail', 1],
          ],
          3,
        ),
      );
      expect(await store.metricSample(X, { ...at, metric: 'tool_call_mix' })).toEqual(
        categorical([
          ['search', 4],
          ['mail', 1],
        ]),
      );
      // A model version keeps the runs whose final answer came from it, not every run that used it.
      const big = { dimension: 'model', value: 'big' } as const;
      const small = { dimension: 'model', value: 'small' } as const;
      expect(await store.metricSample(X, { ...at, metric: 'refusal_rate', version: big })).toEqual(rate(1, 1));
      expect(await store.metricSample(X, { ...at, metric: 'refusal_rate', version: small })).toEqual(rate(0, 0));
      expect(await store.metricSample(X, { ...at, metric: 'llm_refusal_rate', version: small })).toEqual(rate(1, 1));
      for (const metric of ['refusal_rate', 'output_length', 'tool_mix', 'llm_refusal_rate'] as const) {
        for (const q of [{ metric }, { metric, version: big }, { metric, agentName: 'final' }]) {
          expectSample(await store.metricSample(X, { ...at, ...q }), await reference.metricSample(X, { ...at, ...q }));
          const series = { ...at, ...q, bucketNs: HOUR / 4n };
          expectPoints(await store.metricSeries(X, series), await reference.metricSeries(X, series));
        }
      }
    });

    test('counts the runs of a tool_mix sample in the same rows as its labels while writes land', async () => {
      // Every run calls `search` and one of `mail` / `order`, as one write of 40 runs: whatever part of
      // the writes a sample sees, `search` and `mail` + `order` each count every run it counts.
      const L = 'metrics-landing';
      const at = { fromNs: T0, toNs: T0 + HOUR, metric: 'tool_mix' } as const;
      const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
      const landingRun = (n: number, tool: string): Step[] => {
        const traceId = `1a${hex(n, 30)}`;
        const rootId = hex(n, 16);
        const startNs = T0 + BigInt(n) * SEC;
        const step = (i: number, over: Partial<Step>): Step => ({
          ...emptyStep(L, traceId, i === 0 ? rootId : `${hex(n, 12)}${hex(i, 4)}`),
          status: 'ok',
          startNs: startNs + BigInt(i) * 1_000_000n,
          endNs: startNs + BigInt(i) * 1_000_000n + 500_000n,
          ...over,
        });
        return [
          step(0, { kind: 'agent', agentName: 'landing' }),
          step(1, { parentSpanId: rootId, kind: 'tool', toolName: 'search' }),
          step(2, { parentSpanId: rootId, kind: 'tool', toolName: tool }),
        ];
      };
      for (let batch = 0; batch < 20; batch++) {
        const steps = Array.from({ length: 40 }, (_, i) => landingRun(batch * 40 + i, i % 8 === 0 ? 'order' : 'mail'));
        let landed = false;
        const writing = store.writeSteps(steps.flat()).finally(() => {
          landed = true;
        });
        const seen: MetricSample[] = [];
        const points: MetricPoint[] = [];
        const sample = async () => {
          do seen.push(await store.metricSample(L, at));
          while (!landed);
        };
        // The drift chart's series, likewise: a bucket's total, runs and labels from the same rows.
        const chart = async () => {
          do points.push(...(await store.metricSeries(L, { ...at, bucketNs: HOUR })));
          while (!landed);
        };
        await Promise.all([writing, sample(), chart()]);
        for (const s of seen) {
          if (s.kind !== 'categorical') throw new Error(`categorical expected, got ${s.kind}`);
          const c = new Map(s.counts);
          const both = [c.get('search') ?? 0, (c.get('mail') ?? 0) + (c.get('order') ?? 0)];
          expect({ batch, counts: both }).toEqual({ batch, counts: [s.runs, s.runs] });
        }
        for (const p of points) {
          const c = new Map(p.top);
          const both = [c.get('search') ?? 0, (c.get('mail') ?? 0) + (c.get('order') ?? 0), p.count];
          expect({ batch, point: both }).toEqual({ batch, point: [p.runs, p.runs, 2 * (p.runs ?? 0)] });
        }
      }
      expect(await store.metricSample(L, { ...at, agentName: 'landing' })).toEqual(
        categorical(
          [
            ['search', 800],
            ['mail', 700],
            ['order', 100],
          ],
          800,
        ),
      );
    });

    test('counts a resent batch once', async () => {
      const { steps } = metricsFixture();
      await store.writeSteps(steps);
      await store.writeSteps(steps.slice(0, 7));
      for (const [title, query, expected] of EXPECTED) {
        try {
          expectSample(await store.metricSample(MP, full(query)), expected);
        } catch (error) {
          throw new Error(`after a resend: ${title}`, { cause: error });
        }
      }
    });

    test('rejects a bucket width of zero', async () => {
      await expect(store.metricSeries(MP, { ...full({ metric: 'run_count' }), bucketNs: 0n })).rejects.toThrow(
        /bucketNs/,
      );
    });
  },
};

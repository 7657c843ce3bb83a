import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyStep, type Step } from '../model/step.js';
import { createMemoryStore } from '../testing/memory-store.js';
import { METRIC_NAMES, type MetricPoint, type MetricSample, type MetricSampleQuery } from './metrics.js';
import {
  EVIL_AGENT,
  EVIL_DOC,
  EVIL_MODEL,
  EVIL_PROMPT,
  EVIL_TOOL,
  HOUR,
  MP,
  MQ,
  metricsFixture,
  SEC,
  T0,
  WINDOW,
} from './metrics-fixtures.js';
import type { TraceStore } from './port.js';

type Query = Omit<MetricSampleQuery, 'fromNs' | 'toNs'> & Partial<Pick<MetricSampleQuery, 'fromNs' | 'toNs'>>;

/** What each metric gives on `metricsFixture()` over `WINDOW`, worked out by hand from the fixture. */
const EXPECTED: Array<[string, Query, MetricSample]> = [
  ['runs started', { metric: 'run_count' }, { kind: 'count', count: 6 }],
  ['steps per run', { metric: 'steps_per_run' }, numeric([1, 3, 4, 5, 5, 5])],
  ['run latency', { metric: 'latency_ms' }, numeric([1000, 2000, 5000, 10_000, 20_000, 30_000])],
  ['tokens, runs without any left out', { metric: 'tokens_per_run' }, numeric([2, 10, 55, 120])],
  ['cost: first valid attribute per step', { metric: 'cost_per_run' }, numeric([0.002, 0.01, 0.5, 1.25])],
  ['run error rate', { metric: 'error_rate' }, { kind: 'rate', successes: 2, trials: 6 }],
  ['runs with counted findings', { metric: 'finding_rate' }, { kind: 'rate', successes: 2, trials: 6 }],
  [
    'tool mix by step start (a call of a run begun earlier counts)',
    { metric: 'tool_mix' },
    categorical([
      ['search', 4],
      ['__proto__', 1],
      ['charge', 1],
      ['send_mail', 1],
      [EVIL_TOOL, 1],
    ]),
  ],
  [
    'document mix',
    { metric: 'document_mix' },
    categorical([
      ['d1', 2],
      [EVIL_DOC, 1],
      ['d2', 1],
    ]),
  ],
  ['LLM output length in code points', { metric: 'output_length' }, numeric([0, 4, 84, 91, 91])],
  ['search result length', { metric: 'output_length', toolName: 'search' }, numeric([0, 2, 3, 5])],
  ['`__proto__` result length', { metric: 'output_length', toolName: '__proto__' }, numeric([12])],
  ['search call latency', { metric: 'latency_ms', toolName: 'search' }, numeric([500, 500, 750, 2000])],
  ['hostile tool latency', { metric: 'latency_ms', toolName: EVIL_TOOL }, numeric([500])],
  ['search failures', { metric: 'error_rate', toolName: 'search' }, { kind: 'rate', successes: 1, trials: 4 }],
  ['argument conformance', { metric: 'schema_conformance_rate' }, { kind: 'rate', successes: 5, trials: 8 }],
  [
    'argument conformance of search',
    { metric: 'schema_conformance_rate', toolName: 'search' },
    { kind: 'rate', successes: 4, trials: 4 },
  ],
  ['refusals', { metric: 'refusal_rate' }, { kind: 'rate', successes: 3, trials: 5 }],
  ['denials', { metric: 'approval_denial_rate' }, { kind: 'rate', successes: 2, trials: 3 }],
  ['a tool on a metric without tool scope is ignored', { metric: 'run_count', toolName: 'search' }, count(6)],
  ['agent billing: runs', { metric: 'run_count', agentName: 'billing' }, count(2)],
  ['agent billing: steps', { metric: 'steps_per_run', agentName: 'billing' }, numeric([1, 4])],
  ['agent billing: errors', { metric: 'error_rate', agentName: 'billing' }, rate(1, 2)],
  ['agent billing: findings', { metric: 'finding_rate', agentName: 'billing' }, rate(1, 2)],
  ['agent billing: tools', { metric: 'tool_mix', agentName: 'billing' }, categorical([['charge', 1]])],
  ['agent billing: refusals', { metric: 'refusal_rate', agentName: 'billing' }, rate(1, 1)],
  ['hostile agent: runs', { metric: 'run_count', agentName: EVIL_AGENT }, count(1)],
  ['hostile agent: tools', { metric: 'tool_mix', agentName: EVIL_AGENT }, categorical([[EVIL_TOOL, 1]])],
  ['hostile agent: cost', { metric: 'cost_per_run', agentName: EVIL_AGENT }, numeric([1.25])],
  ['unknown agent', { metric: 'steps_per_run', agentName: 'nobody' }, numeric([])],
  ['prompt p1: runs', { metric: 'run_count', version: { dimension: 'prompt', value: 'p1' } }, count(2)],
  [
    'prompt p1: tools of its runs, by step start',
    { metric: 'tool_mix', version: { dimension: 'prompt', value: 'p1' } },
    categorical([
      ['search', 3],
      ['send_mail', 1],
    ]),
  ],
  ['hostile prompt', { metric: 'run_count', version: { dimension: 'prompt', value: EVIL_PROMPT } }, count(1)],
  ['policy pol1', { metric: 'steps_per_run', version: { dimension: 'policy', value: 'pol1' } }, numeric([5, 5, 5])],
  ['model gpt-a: runs', { metric: 'run_count', version: { dimension: 'model', value: 'gpt-a' } }, count(3)],
  [
    'model gpt-a: its LLM steps',
    { metric: 'refusal_rate', version: { dimension: 'model', value: 'gpt-a' } },
    rate(2, 3),
  ],
  ['request model gpt-b', { metric: 'refusal_rate', version: { dimension: 'model', value: 'gpt-b' } }, rate(1, 1)],
  [
    'response model gpt-b-2024',
    { metric: 'output_length', version: { dimension: 'model', value: 'gpt-b-2024' } },
    numeric([0]),
  ],
  [
    'model gpt-a: tool calls of its runs',
    { metric: 'tool_mix', version: { dimension: 'model', value: 'gpt-a' } },
    categorical([
      ['search', 2],
      ['charge', 1],
      ['send_mail', 1],
    ]),
  ],
  ['hostile model', { metric: 'tokens_per_run', version: { dimension: 'model', value: EVIL_MODEL } }, numeric([2])],
  ['window start is inclusive', { metric: 'run_count', fromNs: T0 + 600n * SEC, toNs: T0 + 601n * SEC }, count(1)],
  ['window end is exclusive', { metric: 'run_count', fromNs: T0 + 1n, toNs: T0 + 600n * SEC }, count(0)],
];

/** Names an attacker controls, each one run's agent, tool, prompt, policy and model. */
const HOSTILE = [
  "'",
  '\\',
  "\\'",
  "''",
  '"',
  '`',
  '\0',
  'a\0b',
  '%',
  '_',
  '__proto__',
  'constructor',
  '😀 ünïcødé',
  '\n\r\t',
  "') OR 1=1 --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder is the hostile input here
  '${x}',
  '$1',
  '?',
  'lone \uD800 surrogate',
  'x'.repeat(5_000),
];

function hostileRun(projectId: string, i: number, name: string): Step[] {
  const traceId = `${'h'.charCodeAt(0).toString(16)}${i.toString(16).padStart(30, '0')}`;
  const base = (n: number): Step => ({
    ...emptyStep(projectId, traceId, `${i.toString(16).padStart(8, '0')}${n.toString(16).padStart(8, '0')}`),
    parentSpanId: n === 0 ? '' : `${i.toString(16).padStart(8, '0')}${'0'.repeat(8)}`,
    agentName: name,
    startNs: T0 + BigInt(i) * SEC + BigInt(n),
    endNs: T0 + BigInt(i) * SEC + 1_000n,
  });
  return [
    { ...base(0), kind: 'agent', promptVersion: name, policyVersion: name },
    { ...base(1), kind: 'tool', toolName: name, status: 'error' },
    { ...base(2), kind: 'llm', requestModel: name },
  ];
}

/** A JS string as a backend stores it: lone surrogates have no UTF-8 form and become U+FFFD. */
function wellFormedText(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function numeric(values: number[]): MetricSample {
  return { kind: 'numeric', values, total: values.length };
}
function categorical(counts: Array<[string, number]>): MetricSample {
  return { kind: 'categorical', counts };
}
function rate(successes: number, trials: number): MetricSample {
  return { kind: 'rate', successes, trials };
}
function count(n: number): MetricSample {
  return { kind: 'count', count: n };
}

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

function expectPoints(actual: MetricPoint[], expected: MetricPoint[], quantileTolerance = 0): void {
  expect(actual.map((p) => [p.startNs, p.count, p.successes, p.top])).toEqual(
    expected.map((p) => [p.startNs, p.count, p.successes, p.top]),
  );
  actual.forEach((p, i) => {
    const e = expected[i] as MetricPoint;
    expect(p.value).toBeCloseTo(e.value, 9);
    for (const q of ['p50', 'p95'] as const) {
      if (e[q] === undefined) expect(p[q]).toBeUndefined();
      else expect(Math.abs((p[q] as number) - (e[q] as number))).toBeLessThanOrEqual(quantileTolerance + 1e-9);
    }
  });
}

/**
 * Behaviour metrics: every adapter gives the hand-worked values on the fixture, and the same answers as
 * the in-memory reference for every metric under every kind of scope.
 */
export function runMetricsConformanceSuite(
  name: string,
  makeStore: () => Promise<TraceStore>,
  purge: (store: TraceStore) => Promise<void>,
  options: { quantileTolerance?: number } = {},
): void {
  describe(name, () => {
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
      it(`sample: ${title}`, async () => {
        expectSample(await store.metricSample(MP, full(query)), expected);
      });
    }

    it('agrees with the in-memory reference on every metric, scope and version', async () => {
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
    });

    it('keeps other projects out and answers empty for an unknown one', async () => {
      expect(await store.metricSample(MQ, full({ metric: 'error_rate', toolName: 'search' }))).toEqual(rate(1, 1));
      expect(await store.metricSample('nobody', full({ metric: 'run_count' }))).toEqual(count(0));
      expect(await store.metricSample('nobody', full({ metric: 'latency_ms' }))).toEqual(numeric([]));
      expect(await store.metricSample('nobody', full({ metric: 'tool_mix' }))).toEqual(categorical([]));
      expect(await store.metricSample('nobody', full({ metric: 'refusal_rate' }))).toEqual(rate(0, 0));
      expect(await store.metricSeries('nobody', { ...full({ metric: 'tool_mix' }), bucketNs: HOUR })).toEqual([]);
    });

    it('samples numeric values deterministically above maxValues and reports the real total', async () => {
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

    it('series: hour buckets aligned to the epoch, empty ones left out, per-kind aggregates', async () => {
      const series = (q: Query, bucketNs = HOUR) => store.metricSeries(MP, { ...full(q), bucketNs });
      const tolerance = options.quantileTolerance ?? 0;
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
      expectPoints(
        await series({ metric: 'steps_per_run' }),
        [
          { startNs: T0, count: 5, value: 3.6, p50: 4, p95: 5 },
          { startNs: T0 + HOUR, count: 1, value: 5, p50: 5, p95: 5 },
        ],
        tolerance,
      );
      expectPoints(
        await series({ metric: 'latency_ms' }),
        [
          { startNs: T0, count: 5, value: 7600, p50: 5000, p95: 18_000 },
          { startNs: T0 + HOUR, count: 1, value: 30_000, p50: 30_000, p95: 30_000 },
        ],
        tolerance * 10_000,
      );
      expectPoints(await series({ metric: 'tool_mix' }), [
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

    it('series agree with the in-memory reference', async () => {
      for (const metric of METRIC_NAMES) {
        for (const q of [{ metric }, { metric, agentName: 'support' }, { metric, toolName: 'search' }] as Query[]) {
          for (const bucketNs of [HOUR, 7n * 60n * SEC]) {
            const sq = { ...full(q), bucketNs };
            try {
              expectPoints(
                await store.metricSeries(MP, sq),
                await reference.metricSeries(MP, sq),
                (options.quantileTolerance ?? 0) * 30_000,
              );
            } catch (error) {
              throw new Error(`series differ for ${JSON.stringify(q)} / ${bucketNs}`, { cause: error });
            }
          }
        }
      }
    });

    it('lists versions by first sight, per agent, hostile values intact', async () => {
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

    it('filters by hostile agent, tool, version and model names exactly and returns them intact', async () => {
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

    it('rejects a bucket width of zero', async () => {
      await expect(store.metricSeries(MP, { ...full({ metric: 'run_count' }), bucketNs: 0n })).rejects.toThrow(
        /bucketNs/,
      );
    });
  });
}

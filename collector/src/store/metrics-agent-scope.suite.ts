import { afterAll, beforeAll, expect } from 'vitest';
import { createMemoryStore } from '../testing/memory-store.js';
import { METRIC_NAMES, type MetricSample, type MetricSampleQuery, TOOL_SCOPED_METRICS } from './metrics.js';
import { AGENT_OUTPUTS, AGENT_WINDOW, agentScopeFixture, FIXTURE_AGENTS, MA } from './metrics-agent.fixtures.js';
import { categorical, count, numeric, type Query, rate } from './metrics-expected.fixtures.js';
import type { TraceStore } from './port.js';
import type { StoreSuite } from './suite-harness.suite.js';

// A comparison with the reference makes a few hundred queries: 10–25 s on ClickHouse alone, far more on a busy machine.
const REFERENCE_TIMEOUT_MS = 180_000;

const full = (q: Query): MetricSampleQuery => ({ ...AGENT_WINDOW, ...q });
const len = (text: string) => [...text].length;

/** The agent scope of step metrics on `agentScopeFixture()`, worked out by hand. */
const EXPECTED: Array<[string, Query, MetricSample]> = [
  ['root-only agent: tools', { metric: 'tool_call_mix', agentName: 'otel' }, categorical([['lookup', 3]])],
  [
    'root-only agent: documents',
    { metric: 'document_mix', agentName: 'otel' },
    categorical([
      ['kb-1', 1],
      ['kb-2', 1],
    ]),
  ],
  [
    'root-only agent: LLM output',
    { metric: 'llm_output_length', agentName: 'otel' },
    numeric([len(AGENT_OUTPUTS.otel)]),
  ],
  [
    'root-only agent: tool results',
    { metric: 'output_length', agentName: 'otel', toolName: 'lookup' },
    numeric([0, 3, 5]),
  ],
  [
    'root-only agent: tool latency',
    { metric: 'latency_ms', agentName: 'otel', toolName: 'lookup' },
    numeric([100, 300, 700]),
  ],
  ['root-only agent: tool errors', { metric: 'error_rate', agentName: 'otel', toolName: 'lookup' }, rate(1, 3)],
  ['root-only agent: conformance', { metric: 'schema_conformance_rate', agentName: 'otel' }, rate(2, 3)],
  ['root-only agent: refusals', { metric: 'llm_refusal_rate', agentName: 'otel' }, rate(1, 1)],
  ['root-only agent: denials', { metric: 'approval_denial_rate', agentName: 'otel' }, rate(1, 1)],
  ['root-only agent: runs (one began before the window)', { metric: 'run_count', agentName: 'otel' }, count(1)],
  ['planner: its unnamed steps only', { metric: 'tool_call_mix', agentName: 'planner' }, categorical([['plan', 1]])],
  [
    'planner: its LLM step',
    { metric: 'llm_output_length', agentName: 'planner' },
    numeric([len(AGENT_OUTPUTS.planner)]),
  ],
  ['planner: the run', { metric: 'run_count', agentName: 'planner' }, count(1)],
  ['coder: its named steps', { metric: 'tool_call_mix', agentName: 'coder' }, categorical([['run_code', 1]])],
  ['coder: its call failed', { metric: 'error_rate', agentName: 'coder', toolName: 'run_code' }, rate(1, 1)],
  ['coder: no run of its own', { metric: 'run_count', agentName: 'coder' }, count(0)],
  ['agent named on an LLM step', { metric: 'tool_call_mix', agentName: 'lonely' }, categorical([['lookup', 1]])],
  [
    'every agent',
    { metric: 'tool_call_mix' },
    categorical([
      ['lookup', 5],
      ['plan', 1],
      ['run_code', 1],
    ]),
  ],
];

/**
 * Step metrics count a step for its own agent, else its run's agent: the hand-worked values on
 * `agentScopeFixture()`, and the same answers as the in-memory reference for every metric and agent.
 */
export const agentScopeSuite: StoreSuite = {
  name: 'metrics agent scope',
  register({ makeStore, purge, test }) {
    let store: TraceStore;
    const reference = createMemoryStore();

    beforeAll(async () => {
      store = await makeStore();
      await store.migrate();
      await store.writeSteps(agentScopeFixture());
      await reference.writeSteps(agentScopeFixture());
    });
    afterAll(async () => {
      if (store) await purge(store);
    });

    for (const [title, query, expected] of EXPECTED) {
      test(title, async () => {
        expect(await store.metricSample(MA, full(query))).toEqual(expected);
      });
    }

    test(
      'agrees with the in-memory reference on every metric, sample and series',
      async () => {
        for (const metric of METRIC_NAMES) {
          for (const agentName of FIXTURE_AGENTS) {
            const tools = TOOL_SCOPED_METRICS.has(metric) ? ['', 'lookup'] : [''];
            for (const q of tools.map((toolName): Query => ({ metric, agentName, toolName }))) {
              const label = JSON.stringify(q);
              try {
                const [got, want] = [await store.metricSample(MA, full(q)), await reference.metricSample(MA, full(q))];
                expect(numericSorted(got)).toEqual(numericSorted(want));
                const sq = { ...full(q), bucketNs: 600n * 1_000_000_000n };
                const points = (s: TraceStore) =>
                  s.metricSeries(MA, sq).then((list) => list.map((p) => [p.startNs, p.count, p.successes, p.top]));
                expect(await points(store)).toEqual(await points(reference));
              } catch (error) {
                throw new Error(`agent scope differs for ${label}`, { cause: error });
              }
            }
          }
        }
      },
      REFERENCE_TIMEOUT_MS,
    );
  },
};

/** Numeric samples compared as sorted values (the order values come back in is not part of the port). */
function numericSorted(sample: MetricSample): MetricSample {
  return sample.kind === 'numeric' ? { ...sample, values: [...sample.values].sort((a, b) => a - b) } : sample;
}

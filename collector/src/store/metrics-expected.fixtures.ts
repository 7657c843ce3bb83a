import { EVIL_AGENT, EVIL_DOC, EVIL_MODEL, EVIL_PROMPT, EVIL_TOOL, SEC, T0 } from './metrics.fixtures.js';
import type { MetricSample, MetricSampleQuery } from './metrics.js';

/** The values each metric must give on `metricsFixture()`, for `metrics-conformance.suite.ts`. */

export type Query = Omit<MetricSampleQuery, 'fromNs' | 'toNs'> & Partial<Pick<MetricSampleQuery, 'fromNs' | 'toNs'>>;

/** What each metric gives on `metricsFixture()` over `WINDOW`, worked out by hand from the fixture. */
export const EXPECTED: Array<[string, Query, MetricSample]> = [
  ['runs started', { metric: 'run_count' }, { kind: 'count', count: 6 }],
  ['steps per run', { metric: 'steps_per_run' }, numeric([1, 3, 4, 5, 5, 5])],
  ['run latency', { metric: 'latency_ms' }, numeric([1000, 2000, 5000, 10_000, 20_000, 30_000])],
  ['tokens, runs without any left out', { metric: 'tokens_per_run' }, numeric([2, 10, 55, 120])],
  ['cost: first valid attribute per step', { metric: 'cost_per_run' }, numeric([0.002, 0.01, 0.5, 1.25])],
  ['run error rate', { metric: 'error_rate' }, { kind: 'rate', successes: 2, trials: 6 }],
  ['runs with counted findings', { metric: 'finding_rate' }, { kind: 'rate', successes: 2, trials: 6 }],
  [
    'tool calls by step start (a call of a run begun earlier counts)',
    { metric: 'tool_call_mix' },
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
  ['LLM output length in code points', { metric: 'llm_output_length' }, numeric([0, 4, 84, 91, 91])],
  ['final-answer length, per run started in the window', { metric: 'output_length' }, numeric([0, 4, 84, 91, 91])],
  [
    'tools per run: each tool a run used, once, out of the 5 runs that called one',
    { metric: 'tool_mix' },
    categorical(
      [
        ['search', 3],
        ['__proto__', 1],
        ['charge', 1],
        ['send_mail', 1],
        [EVIL_TOOL, 1],
      ],
      5,
    ),
  ],
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
  ['refusals per LLM call', { metric: 'llm_refusal_rate' }, { kind: 'rate', successes: 3, trials: 5 }],
  ['runs whose final answer refused', { metric: 'refusal_rate' }, { kind: 'rate', successes: 3, trials: 5 }],
  ['denials', { metric: 'approval_denial_rate' }, { kind: 'rate', successes: 2, trials: 3 }],
  ['a tool on a metric without tool scope is ignored', { metric: 'run_count', toolName: 'search' }, count(6)],
  ['agent billing: runs', { metric: 'run_count', agentName: 'billing' }, count(2)],
  ['agent billing: steps', { metric: 'steps_per_run', agentName: 'billing' }, numeric([1, 4])],
  ['agent billing: errors', { metric: 'error_rate', agentName: 'billing' }, rate(1, 2)],
  ['agent billing: findings', { metric: 'finding_rate', agentName: 'billing' }, rate(1, 2)],
  ['agent billing: tools', { metric: 'tool_call_mix', agentName: 'billing' }, categorical([['charge', 1]])],
  ['agent billing: tools per run', { metric: 'tool_mix', agentName: 'billing' }, categorical([['charge', 1]], 1)],
  ['agent billing: refusals', { metric: 'llm_refusal_rate', agentName: 'billing' }, rate(1, 1)],
  [
    'agent billing: refused runs (the run without an LLM step has no answer)',
    { metric: 'refusal_rate', agentName: 'billing' },
    rate(1, 1),
  ],
  ['hostile agent: runs', { metric: 'run_count', agentName: EVIL_AGENT }, count(1)],
  ['hostile agent: tools', { metric: 'tool_call_mix', agentName: EVIL_AGENT }, categorical([[EVIL_TOOL, 1]])],
  ['hostile agent: cost', { metric: 'cost_per_run', agentName: EVIL_AGENT }, numeric([1.25])],
  ['unknown agent', { metric: 'steps_per_run', agentName: 'nobody' }, numeric([])],
  ['prompt p1: runs', { metric: 'run_count', version: { dimension: 'prompt', value: 'p1' } }, count(2)],
  [
    'prompt p1: tools of its runs, by step start',
    { metric: 'tool_call_mix', version: { dimension: 'prompt', value: 'p1' } },
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
    { metric: 'llm_refusal_rate', version: { dimension: 'model', value: 'gpt-a' } },
    rate(2, 3),
  ],
  ['request model gpt-b', { metric: 'llm_refusal_rate', version: { dimension: 'model', value: 'gpt-b' } }, rate(1, 1)],
  [
    'final answers of request model gpt-b',
    { metric: 'refusal_rate', version: { dimension: 'model', value: 'gpt-b' } },
    rate(1, 1),
  ],
  [
    'response model gpt-b-2024',
    { metric: 'llm_output_length', version: { dimension: 'model', value: 'gpt-b-2024' } },
    numeric([0]),
  ],
  [
    'model gpt-a: tool calls of its runs',
    { metric: 'tool_call_mix', version: { dimension: 'model', value: 'gpt-a' } },
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

export function numeric(values: number[]): MetricSample {
  return { kind: 'numeric', values, total: values.length };
}
export function categorical(counts: Array<[string, number]>, runs?: number): MetricSample {
  return runs === undefined ? { kind: 'categorical', counts } : { kind: 'categorical', counts, runs };
}
export function rate(successes: number, trials: number): MetricSample {
  return { kind: 'rate', successes, trials };
}
export function count(n: number): MetricSample {
  return { kind: 'count', count: n };
}

import { emptyStep, type Step } from '../model/step.js';
import { SEC, T0 } from './metrics.fixtures.js';

/**
 * Runs for the agent scope of step metrics (`MetricScope.agentName`): agents named only on the root
 * span, as plain OpenTelemetry / OpenInference instrumentations send them, a sub-agent naming its own
 * steps, an agent named on an LLM step only, a root that started the day before the window, and a run
 * with no agent at all. Window: [T0, T0 + 1 h).
 */

export const MA = 'metrics-agents';
export const AGENT_WINDOW = { fromNs: T0, toNs: T0 + 3_600n * SEC };

const msg = (content: string) => JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content }] }]);
export const AGENT_OUTPUTS = { otel: msg("I can't help with that."), planner: msg('summary'), coder: msg('done') };

interface Spec extends Partial<Step> {
  at: number; // seconds after the run's start
  ms: number;
  /** Index of the parent step in the run; the root when absent. */
  parent?: number;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const spanOf = (run: number, i: number) => `${hex(run, 8)}${hex(i + 1, 8)}`;

/** Every step unnamed unless the spec names it: the root carries the run's agent. */
function run(n: number, startNs: bigint, specs: Spec[]): Step[] {
  const traceId = `${hex(0xa6e7, 8)}${hex(n, 24)}`;
  return specs.map(({ at, ms, parent, ...over }, i) => {
    const start = startNs + BigInt(Math.round(at * 1000)) * 1_000_000n;
    return {
      ...emptyStep(MA, traceId, spanOf(n, i)),
      parentSpanId: i === 0 ? '' : spanOf(n, parent ?? 0),
      name: `step ${i}`,
      status: 'ok' as const,
      startNs: start,
      endNs: start + BigInt(ms) * 1_000_000n,
      ...over,
    };
  });
}

export function agentScopeFixture(): Step[] {
  return [
    // A plain OTel agent: only the root span names it.
    ...run(11, T0 + 100n * SEC, [
      { at: 0, ms: 10_000, kind: 'agent', agentName: 'otel' },
      { at: 1, ms: 1_000, kind: 'llm', requestModel: 'gpt-o', outputMessages: AGENT_OUTPUTS.otel },
      { at: 2, ms: 300, kind: 'tool', toolName: 'lookup', toolArguments: '{"id":1}', toolResult: 'found' },
      { at: 3, ms: 700, kind: 'tool', toolName: 'lookup', toolArguments: 'id=2', status: 'error' },
      { at: 4, ms: 100, kind: 'retrieval', documentIds: ['kb-1', 'kb-2'] },
      { at: 5, ms: 100, kind: 'approval', approvalDecision: 'Denied' },
    ]),
    // Two agents: the planner's unnamed steps are the planner's, the coder's named ones the coder's.
    ...run(12, T0 + 200n * SEC, [
      { at: 0, ms: 20_000, kind: 'agent', agentName: 'planner' },
      { at: 1, ms: 100, kind: 'tool', toolName: 'plan', toolArguments: '{}', toolResult: 'p' },
      { at: 2, ms: 10_000, kind: 'agent', agentName: 'coder' },
      {
        at: 3,
        ms: 400,
        parent: 2,
        kind: 'tool',
        agentName: 'coder',
        toolName: 'run_code',
        toolArguments: '{"c":1}',
        toolResult: 'ok!',
        status: 'error',
      },
      { at: 4, ms: 500, parent: 2, kind: 'llm', agentName: 'coder', outputMessages: AGENT_OUTPUTS.coder },
      { at: 15, ms: 200, kind: 'llm', outputMessages: AGENT_OUTPUTS.planner },
    ]),
    // The agent named on its LLM step only: that is the run's agent, its unnamed tool call counts for it.
    ...run(13, T0 + 300n * SEC, [
      { at: 0, ms: 5_000, kind: 'other' },
      { at: 1, ms: 100, kind: 'llm', agentName: 'lonely', outputMessages: AGENT_OUTPUTS.coder },
      { at: 2, ms: 200, kind: 'tool', toolName: 'lookup', toolArguments: '{}', toolResult: 'x' },
    ]),
    // Root the day before the window; its unnamed call inside the window is still the agent's.
    ...run(14, T0 - 30n * SEC, [
      { at: 0, ms: 60_000, kind: 'agent', agentName: 'otel' },
      { at: 35, ms: 100, kind: 'tool', toolName: 'lookup', toolArguments: '{}', toolResult: 'yes' },
    ]),
    // No agent anywhere: counted for all agents only.
    ...run(15, T0 + 400n * SEC, [
      { at: 0, ms: 1_000, kind: 'agent' },
      { at: 0.5, ms: 100, kind: 'tool', toolName: 'lookup', toolArguments: '{}', toolResult: 'zz' },
    ]),
  ];
}

/** Agents named in the fixture, plus every agent ('') and one that never ran. */
export const FIXTURE_AGENTS = ['', 'otel', 'planner', 'coder', 'lonely', 'nobody'];

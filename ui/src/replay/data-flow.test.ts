import { describe, expect, it } from 'vitest';
import { makeStep } from '../lib/step-fixture';
import { dataFlow } from './data-flow';

describe('dataFlow', () => {
  const steps = [
    makeStep({ spanId: 'agent', kind: 'agent', runInput: 'refund order 42', startNs: 0n, endNs: 100n }),
    makeStep({ spanId: 'ret', kind: 'retrieval', documentIds: ['kb-7731'], startNs: 10n, endNs: 20n }),
    makeStep({
      spanId: 'read',
      kind: 'tool',
      toolName: 'get_order',
      toolRisk: 'read',
      toolResult: '{}',
      startNs: 21n,
      endNs: 30n,
    }),
    makeStep({ spanId: 'web', kind: 'other', contentTrust: 'untrusted', startNs: 31n, endNs: 35n }),
    makeStep({ spanId: 'send', kind: 'tool', toolName: 'send_email', toolRisk: 'external', startNs: 40n, endNs: 50n }),
    // Still running when send_email started: its output cannot have reached it.
    makeStep({
      spanId: 'late',
      kind: 'tool',
      toolName: 'lookup',
      toolRisk: 'read',
      toolResult: 'x',
      startNs: 36n,
      endNs: 60n,
    }),
  ];

  it('lists the untrusted inputs seen before each high-risk call, in order', () => {
    const flows = dataFlow(steps);
    expect(flows.map((f) => f.step.spanId)).toEqual(['send']);
    expect(flows[0]!.inputs).toEqual([
      { kind: 'user-input', spanId: 'agent', text: 'refund order 42' },
      { kind: 'documents', spanId: 'ret', documentIds: ['kb-7731'], dataSourceId: '' },
      { kind: 'tool-output', spanId: 'read', toolName: 'get_order' },
      { kind: 'untrusted-content', spanId: 'web', name: 'web' },
    ]);
  });

  it('ignores read-only tools and treats an unknown risk as not high', () => {
    const flows = dataFlow([makeStep({ spanId: 'x', toolName: 'get', toolRisk: '' }), ...steps.slice(0, 3)]);
    expect(flows).toEqual([]);
  });

  it('counts the run input once even when every step repeats it', () => {
    const flows = dataFlow([
      makeStep({ spanId: 'a', runInput: 'hi', startNs: 0n, endNs: 1n }),
      makeStep({ spanId: 'b', runInput: 'hi', startNs: 1n, endNs: 2n }),
      makeStep({ spanId: 'c', toolName: 'pay', toolRisk: 'IRREVERSIBLE', runInput: 'hi', startNs: 3n, endNs: 4n }),
    ]);
    expect(flows[0]!.inputs).toEqual([{ kind: 'user-input', spanId: 'a', text: 'hi' }]);
  });
});

import { describe, expect, it } from 'vitest';
import { makeStep } from '../lib/step-fixture';
import { atEnd, jump, stepBy, timeOrder, usualVersions, versionDeviations } from './player';

const steps = [
  makeStep({ spanId: 'd', kind: 'approval', approvalId: 'ap-1', startNs: 30n }),
  makeStep({ spanId: 'a', kind: 'agent', startNs: 0n }),
  makeStep({ spanId: 'c', kind: 'tool', toolName: 'get', startNs: 20n, status: 'error' }),
  makeStep({ spanId: 'b', kind: 'llm', startNs: 10n }),
  makeStep({ spanId: 'e', kind: 'tool', toolName: 'send_email', startNs: 40n }),
];
const order = timeOrder(steps);

describe('player', () => {
  it('walks steps in time order, clamped at the ends', () => {
    expect(order.map((s) => s.spanId)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(stepBy(order, 'b', 1)).toBe('c');
    expect(stepBy(order, 'a', -1)).toBe('a');
    expect(stepBy(order, 'e', 1)).toBe('e');
    expect(stepBy(order, null, 1)).toBe('a');
    expect(atEnd(order, 'e')).toBe(true);
    expect(atEnd(order, 'd')).toBe(false);
  });

  it('jumps to the next tool call, approval, error and finding', () => {
    expect(jump(order, 'a', 'tool', new Set())).toBe('c');
    expect(jump(order, 'c', 'tool', new Set())).toBe('e');
    expect(jump(order, 'e', 'tool', new Set())).toBeNull();
    expect(jump(order, 'e', 'tool', new Set(), -1)).toBe('c');
    expect(jump(order, 'a', 'approval', new Set())).toBe('d');
    expect(jump(order, null, 'error', new Set())).toBe('c');
    expect(jump(order, 'a', 'finding', new Set(['e']))).toBe('e');
  });
});

describe('usual versions', () => {
  const run = (promptVersion: string, policyVersion = 'pol-1', agentVersion = '1.0') => ({
    promptVersion,
    policyVersion,
    agentVersion,
  });

  it('takes the most frequent value and flags a run that differs', () => {
    const usual = usualVersions([run('p1'), run('p1'), run('p2'), run('p1', 'pol-2')]);
    expect(usual).toEqual({ promptVersion: 'p1', policyVersion: 'pol-1', agentVersion: '1.0', sample: 4 });
    expect(versionDeviations(run('p2', 'pol-1', '1.0'), usual)).toEqual([
      { field: 'promptVersion', value: 'p2', usual: 'p1' },
    ]);
    expect(versionDeviations(run('p1'), usual)).toEqual([]);
  });

  it('does not flag a field with no known usual value', () => {
    expect(versionDeviations(run('p9'), usualVersions([]))).toEqual([]);
  });
});

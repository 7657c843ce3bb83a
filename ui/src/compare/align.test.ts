import { describe, expect, it } from 'vitest';
import { makeStep } from '../lib/step-fixture';
import { alignSteps, jsonDiff, pairDifferences } from './align';

const s = (spanId: string, kind: 'llm' | 'tool' | 'retrieval', toolName = '', toolArguments = '') =>
  makeStep({ spanId, kind, toolName, toolArguments });

describe('alignSteps', () => {
  it('shows an extra tool call as a gap instead of shifting every later step', () => {
    const a = [s('a1', 'llm'), s('a2', 'tool', 'get_order'), s('a3', 'llm')];
    const b = [s('b1', 'llm'), s('b2', 'tool', 'get_order'), s('b3', 'tool', 'send_email'), s('b4', 'llm')];
    const pairs = alignSteps(a, b).map((p) => [p.a?.spanId ?? '-', p.b?.spanId ?? '-']);
    expect(pairs).toEqual([
      ['a1', 'b1'],
      ['a2', 'b2'],
      ['-', 'b3'],
      ['a3', 'b4'],
    ]);
  });

  it('does not pair different tools', () => {
    const pairs = alignSteps([s('a', 'tool', 'refund')], [s('b', 'tool', 'send_email')]);
    expect(pairs.every((p) => p.a === undefined || p.b === undefined)).toBe(true);
    expect(pairs).toHaveLength(2);
  });

  it('keeps every step of very long runs (greedy path)', () => {
    const a = Array.from({ length: 2500 }, (_, i) => s(`a${i}`, i % 3 === 0 ? 'tool' : 'llm', 'x'));
    const b = Array.from({ length: 2600 }, (_, i) => s(`b${i}`, i % 3 === 0 ? 'tool' : 'llm', 'x'));
    const pairs = alignSteps(a, b);
    expect(pairs.filter((p) => p.a).length).toBe(2500);
    expect(pairs.filter((p) => p.b).length).toBe(2600);
  });
});

describe('jsonDiff', () => {
  it('names changed, added and removed keys', () => {
    expect(jsonDiff('{"amount":"20.00","to":"x","n":[1]}', '{"amount":"2000.00","to":"x","cc":"y"}')).toEqual([
      { path: '$.amount', a: '"20.00"', b: '"2000.00"' },
      { path: '$.n[0]', a: '1', b: undefined },
      { path: '$.cc', a: undefined, b: '"y"' },
    ]);
    expect(jsonDiff('{"a":1,"b":2}', '{"b":2,"a":1}')).toEqual([]);
  });

  it('compares non-JSON text whole', () => {
    expect(jsonDiff('abc', 'abd')).toEqual([{ path: '$', a: 'abc', b: 'abd' }]);
  });

  it('flags the argument difference of an aligned pair', () => {
    const pair = { a: s('a', 'tool', 'refund', '{"amount":20}'), b: s('b', 'tool', 'refund', '{"amount":2000}') };
    expect(pairDifferences(pair)).toContain('arguments');
    expect(pairDifferences({ a: pair.a, b: pair.a })).toEqual([]);
  });
});

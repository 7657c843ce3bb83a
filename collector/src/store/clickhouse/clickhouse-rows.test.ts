import { describe, expect, it } from 'vitest';
import { awkwardStep, buildRun, DAY0 } from '../conformance.fixtures.js';
import { stepsToJsonEachRow, stepToRow } from './clickhouse-rows.js';

describe('span insert body', () => {
  it('holds, line by line, the rows stepToRow gives (awkward text, surrogates, maps, events, nulls)', () => {
    const steps = [
      ...buildRun({ projectId: 'p', startNs: DAY0, steps: 4 } as Parameters<typeof buildRun>[0]),
      awkwardStep('p', 'a'.repeat(32)),
      {
        ...awkwardStep('p', 'b'.repeat(32)),
        name: 'lone \uD800 surrogate, pair \uD83D\uDE00, quote " backslash \\ nul \u0000',
        attributes: { 'k\uDC00': 'v\n\t', '': '' },
        inputTokens: null,
        spanKind: Number.NaN,
      },
    ];
    const body = stepsToJsonEachRow(steps, 1_234_567_890_123_456_789n).toString('utf8');
    expect(body.endsWith('\n')).toBe(true);
    const lines = body.slice(0, -1).split('\n');
    expect(lines).toHaveLength(steps.length);
    lines.forEach((line, i) => {
      expect(JSON.parse(line)).toEqual(
        JSON.parse(JSON.stringify(stepToRow(steps[i] as never, 1_234_567_890_123_456_789n))),
      );
    });
    expect(body).not.toMatch(/\\ud8|\\udc/i);
  });
});

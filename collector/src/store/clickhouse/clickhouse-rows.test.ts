import { describe, expect, it } from 'vitest';
import { awkwardStep, buildRun, DAY0 } from '../conformance.fixtures.js';
import { stepReader, stepsToJsonEachRow, stepToRow } from './clickhouse-rows.js';
import { SPAN_COLUMN_NAMES } from './clickhouse-schema.js';
import { wellFormed } from './sql.js';

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
    // Spans of one resource share its map object (written once per object).
    const resource = { 'service.name': 'svc \uD800', 'host.name': 'h' };
    for (const spanId of ['1111111111111111', '2222222222222222'])
      steps.push({ ...awkwardStep('p', 'c'.repeat(32)), spanId, resourceAttributes: resource });
    steps.push({ ...awkwardStep('p', 'c'.repeat(32)), spanId: '3333333333333333', resourceAttributes: {} });
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

describe('span rows read as arrays', () => {
  it('give back the step that was written, attribute keys such as __proto__ included', () => {
    const step = {
      ...awkwardStep('p', 'c'.repeat(32)),
      attributes: Object.fromEntries([
        ['__proto__', 'plain key'],
        ['constructor', 'c'],
        ['gen_ai.tool.name', 'refund'],
      ]) as Record<string, string>,
      inputTokens: null,
    };
    const row = stepToRow(step, 7n);
    // What a `SELECT <span columns>, version … FORMAT JSONCompact` answer holds, in another column order.
    const names = [...SPAN_COLUMN_NAMES].reverse();
    const back = stepReader(names)(names.map((n) => row[n]));
    expect(Object.getOwnPropertyDescriptor(back.attributes, '__proto__')?.value).toBe('plain key');
    expect(Object.getPrototypeOf(back.attributes)).toBe(Object.prototype);
    expect(back).toEqual({ ...step, name: wellFormed(step.name) });
    expect(() => stepReader(names.slice(1))).toThrow(/lack the column/);
  });
});

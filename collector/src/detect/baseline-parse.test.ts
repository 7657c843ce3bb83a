import { describe, expect, it } from 'vitest';
import { emptyBaseline, updateBaseline } from './baseline.js';
import { parseBaseline } from './baseline-parse.js';
import { resolveDetectionConfig } from './config.js';
import { detectRun } from './detect-run.js';
import { makeRun, toolStep, trainBaseline } from './steps.fixtures.js';

describe('parseBaseline', () => {
  it('reads back what updateBaseline stored, so detection gives the same answer', () => {
    const b = trainBaseline(25, () =>
      makeRun([toolStep('send_email', 'external', { to: 'ops@acme.example', body: 'hi' })]),
    );
    const stored = JSON.parse(JSON.stringify(b));
    expect(parseBaseline(stored)).toEqual(b);
    const run = makeRun([toolStep('send_email', 'external', { to: 'x@rival.example', body: 'hi' })]);
    const config = resolveDetectionConfig();
    expect(detectRun(run, parseBaseline(stored), config)).toEqual(detectRun(run, b, config));
  });

  it('repairs missing and malformed parts instead of failing', () => {
    const parsed = parseBaseline({
      schemaVersion: 1,
      runs: 'many',
      tools: { t: { runs: 3, destinations: ['a', 7], args: { x: { types: ['string', 'weird'], lengths: [1, 'n'] } } } },
      agents: null,
      approvals: [{ id: 'apr-1', traceId: 't1' }, { id: 5 }],
    });
    expect(parsed.runs).toBe(0);
    expect(parsed.tools.t).toEqual({
      runs: 3,
      calls: 0,
      destinations: ['a'],
      args: { x: { count: 0, types: ['string'], lengths: [1] } },
      sawImage: false,
      encodedPaths: [],
    });
    expect(parsed.approvals).toEqual([{ id: 'apr-1', traceId: 't1' }]);
    expect(parseBaseline('garbage')).toEqual(emptyBaseline());
    expect(() => updateBaseline(parsed, makeRun([toolStep('t', 'write', { x: 'y' })]))).not.toThrow();
  });
});

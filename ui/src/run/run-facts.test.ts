import { describe, expect, it } from 'vitest';
import type { UiRunSummary } from '../lib/model';
import { makeStep } from '../lib/step-fixture';
import { runModels, sortedEntries, spanKindName } from './run-facts';

const run = { models: ['gpt-4.1-2025-04-14', ''] } as UiRunSummary;

describe('runModels', () => {
  it('lists the pinned model a step answered with, falling back to the requested one', () => {
    const steps = [
      makeStep({ spanId: 'a', requestModel: 'gpt-4.1', responseModel: 'gpt-4.1-2025-04-14' }),
      makeStep({ spanId: 'b', requestModel: 'claude-sonnet-4-5' }),
      makeStep({ spanId: 'c' }),
    ];
    expect(runModels(run, steps)).toEqual(['gpt-4.1-2025-04-14', 'claude-sonnet-4-5']);
  });
});

describe('spanKindName', () => {
  it('names OTLP span kinds and keeps unknown numbers visible', () => {
    expect(spanKindName(3)).toBe('client');
    expect(spanKindName(1)).toBe('internal');
    expect(spanKindName(9)).toBe('9');
  });
});

describe('sortedEntries', () => {
  it('orders attributes by key', () => {
    expect(sortedEntries({ 'gen_ai.tool.name': 'x', 'casefile.step.kind': 'tool' }).map(([k]) => k)).toEqual([
      'casefile.step.kind',
      'gen_ai.tool.name',
    ]);
  });
});

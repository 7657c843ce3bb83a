import { describe, expect, it } from 'vitest';
import { firstWords, runTitle, worstSeverity } from './run-title.js';

const run = (over: Partial<Parameters<typeof runTitle>[0]> = {}) => ({
  runName: '',
  agentName: 'support-agent',
  serviceName: 'support',
  runInput: '',
  name: 'invoke_agent support-agent',
  ...over,
});

describe('runTitle', () => {
  it('is the name the agent gave the run', () => {
    expect(runTitle(run({ runName: 'refund', runInput: 'Refund request for 20.00 USD' }))).toBe('refund');
  });

  it('is the agent and the first words of the input when the run has no name', () => {
    expect(runTitle(run({ runInput: 'Refund request for 20.00 USD' }))).toBe(
      'support-agent: Refund request for 20.00 USD',
    );
    expect(runTitle(run({ runInput: 'one two three four five six seven eight nine ten' }))).toBe(
      'support-agent: one two three four five six seven eight…',
    );
  });

  it('reads a JSON input as its text, and falls back to the span name without one', () => {
    expect(runTitle(run({ runInput: '"Where is   my\\norder?"' }))).toBe('support-agent: Where is my order?');
    expect(runTitle(run({ runInput: '{"messages":[{"role":"user","content":"cancel order 7"}]}' }))).toBe(
      'support-agent: user',
    );
    expect(runTitle(run())).toBe('invoke_agent support-agent');
    expect(runTitle(run({ agentName: '', serviceName: '', name: '' }))).toBe('(unnamed run)');
  });

  it('cuts a long first word', () => {
    expect(firstWords('x'.repeat(100))).toBe(`${'x'.repeat(60)}…`);
    expect(firstWords('   ')).toBe('');
  });
});

describe('worstSeverity', () => {
  it('is the worst of the severities given, empty for none or unknown ones', () => {
    expect(worstSeverity(['low', 'high', 'medium'])).toBe('high');
    expect(worstSeverity([])).toBe('');
    expect(worstSeverity(['bogus'])).toBe('');
  });
});

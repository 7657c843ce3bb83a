import { describe, expect, it } from 'vitest';
import { addMatches, matchLabel, matchPlace } from './text-match';

describe('text matches', () => {
  it('names the field a search hit in words, and shows an unknown field as it came', () => {
    expect(matchLabel('toolArguments')).toBe('tool arguments');
    expect(matchLabel('resourceAttributes')).toBe('resource attributes');
    expect(matchLabel('events')).toBe('events');
    expect(matchLabel('somethingNew')).toBe('somethingNew');
    expect(matchLabel('__proto__')).toBe('__proto__');
    expect(matchLabel('constructor')).toBe('constructor');
  });

  it('says where a search matched: the field, the attribute and the step', () => {
    const m = (field: string, toolName = '', stepName = '', attribute?: string) => ({
      field,
      toolName,
      stepName,
      ...(attribute === undefined ? {} : { attribute }),
    });
    expect(matchPlace(m('toolArguments', 'send_email', 'execute_tool send_email'))).toBe(
      'tool arguments of send_email',
    );
    expect(matchPlace(m('runInput', '', 'invoke_agent support'))).toBe('run input');
    expect(matchPlace(m('attributes', 'send_email', 'x', 'gen_ai.tool.call.arguments'))).toBe(
      'tool arguments (attribute gen_ai.tool.call.arguments) of send_email',
    );
    expect(matchPlace(m('attributes', '', 'fetch page', 'http.url'))).toBe('attribute http.url of step “fetch page”');
    expect(matchPlace(m('resourceAttributes', '', '', 'host.name'))).toBe('resource attribute host.name');
    expect(matchPlace(m('attributes', '', '', '__proto__'))).toBe('attribute __proto__');
  });

  it('keeps the first match of a run across pages', () => {
    const match = (traceId: string, spanId: string, field: string) => ({
      traceId,
      spanId,
      field,
      stepName: '',
      toolName: '',
    });
    const first = addMatches(new Map(), [match('a', 's1', 'runInput')]);
    const second = addMatches(first, [match('a', 's9', 'toolResult'), match('b', 's2', 'events')]);
    expect(second.get('a')?.spanId).toBe('s1');
    expect(second.get('b')?.field).toBe('events');
    expect(addMatches(second, [])).toBe(second);
  });
});

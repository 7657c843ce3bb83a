import { describe, expect, it } from 'vitest';
import { addMatches, matchLabel } from './text-match';

describe('text matches', () => {
  it('names the field a search hit in words, and shows an unknown field as it came', () => {
    expect(matchLabel('toolArguments')).toBe('tool arguments');
    expect(matchLabel('resourceAttributes')).toBe('resource attributes');
    expect(matchLabel('events')).toBe('events');
    expect(matchLabel('somethingNew')).toBe('somethingNew');
    expect(matchLabel('__proto__')).toBe('__proto__');
    expect(matchLabel('constructor')).toBe('constructor');
  });

  it('keeps the first match of a run across pages', () => {
    const first = addMatches(new Map(), [{ traceId: 'a', spanId: 's1', field: 'runInput' }]);
    const second = addMatches(first, [
      { traceId: 'a', spanId: 's9', field: 'toolResult' },
      { traceId: 'b', spanId: 's2', field: 'events' },
    ]);
    expect(second.get('a')?.spanId).toBe('s1');
    expect(second.get('b')?.field).toBe('events');
    expect(addMatches(second, [])).toBe(second);
  });
});

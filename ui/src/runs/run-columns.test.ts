import { describe, expect, it } from 'vitest';
import { parseHidden, toggleHidden } from './run-columns';

describe('run columns', () => {
  it('reads the hidden columns back, dropping what it does not know or cannot read', () => {
    expect([...parseHidden('["tools","versions"]')]).toEqual(['tools', 'versions']);
    expect([...parseHidden('["tools","__proto__",3]')]).toEqual(['tools']);
    expect(parseHidden('{"tools":true}').size).toBe(0);
    expect(parseHidden('not json').size).toBe(0);
    expect(parseHidden(null).size).toBe(0);
  });

  it('hides and shows one column at a time', () => {
    const hidden = toggleHidden(new Set(), 'tools', false);
    expect([...hidden]).toEqual(['tools']);
    expect([...toggleHidden(hidden, 'steps', false)]).toEqual(['tools', 'steps']);
    expect([...toggleHidden(hidden, 'tools', true)]).toEqual([]);
  });
});

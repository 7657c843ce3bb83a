import { describe, expect, it } from 'vitest';
import { LiteralIndex } from './prefilter.js';

describe('LiteralIndex', () => {
  const index = new LiteralIndex([
    { literal: 'ghp_', ignoreCase: false, value: 'github' },
    { literal: 'token', ignoreCase: true, value: 'keyword' },
    { literal: '|', ignoreCase: false, value: 'pipe' },
  ]);

  function hits(text: string): [number, string][] {
    const pf = index.scan(text);
    return Array.from({ length: pf.hits }, (_, i) => [pf.hitAt[i]!, pf.hitEntry[i]!.value]);
  }

  it('finds case-sensitive prefixes and case-insensitive keywords at their positions', () => {
    expect(hits('use ghp_abc as GitHub TOKEN|x')).toEqual([
      [4, 'github'],
      [22, 'keyword'],
      [27, 'pipe'],
    ]);
    expect(hits('GHP_abc token')).toEqual([[8, 'keyword']]);
    expect(hits('')).toEqual([]);
    expect(hits('tok')).toEqual([]);
  });

  it('counts digits, the longest run of digits and number separators, and signs', () => {
    const pf = index.scan('call +44 (20) 7946-0958 or bob@x.io: v1.2');
    expect(pf.digits).toBe(14);
    expect(pf.digitRun).toBe(12);
    expect(pf.at).toBe(true);
    expect(pf.colons).toBe(1);
    expect(pf.dots).toBe(2);
    expect(pf.dashes).toBe(1);
  });

  it('does not nominate non-ASCII text that folds onto a literal', () => {
    expect(hits('\u0174oken \u0167\u014fken')).toEqual([]);
  });
});

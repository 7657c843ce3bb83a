import { describe, expect, it } from 'vitest';
import { excerpt, jsonLeaves } from './text.js';

describe('excerpt', () => {
  it('centres a window of at most 200 characters on the highlighted part', () => {
    const text = `${'a'.repeat(500)}SECRET${'b'.repeat(500)}`;
    const e = excerpt(text, 500, 506);
    expect(e.evidence.length).toBe(200);
    expect(e.evidence.slice(e.evidenceStart, e.evidenceEnd)).toBe('SECRET');
  });

  it('never splits a surrogate pair at the edges', () => {
    const text = '😀'.repeat(300);
    const e = excerpt(text, 300, 302);
    expect(e.evidence).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
    expect(e.evidence.slice(e.evidenceStart, e.evidenceEnd)).toBe('😀');
  });
});

describe('jsonLeaves', () => {
  it('walks nested JSON and falls back to raw text', () => {
    expect(jsonLeaves('{"to":["a","b"],"m":{"n":1}}')).toEqual([
      { path: 'to[]', value: 'a' },
      { path: 'to[]', value: 'b' },
      { path: 'm.n', value: '1' },
    ]);
    expect(jsonLeaves('plain text')).toEqual([{ path: '', value: 'plain text' }]);
  });
});

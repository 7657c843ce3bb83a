import { describe, expect, it } from 'vitest';
import { prettyJson } from './json-text';

describe('prettyJson', () => {
  it('re-indents an object', () => {
    expect(prettyJson('{"to":"[email:7f3a9c]","n":2}')).toEqual({
      kind: 'json',
      text: '{\n  "to": "[email:7f3a9c]",\n  "n": 2\n}',
    });
  });

  it('falls back to the raw text when the payload is not JSON', () => {
    expect(prettyJson('{"truncated": [1, 2')).toEqual({ kind: 'raw', text: '{"truncated": [1, 2' });
    expect(prettyJson('<img src=x onerror=alert(1)>')).toEqual({ kind: 'raw', text: '<img src=x onerror=alert(1)>' });
  });

  it('unwraps a JSON-encoded string', () => {
    expect(prettyJson('"hello\\nworld"')).toEqual({ kind: 'raw', text: 'hello\nworld' });
  });

  it('reports an empty payload as empty', () => {
    expect(prettyJson('   ')).toEqual({ kind: 'empty' });
  });

  it('does not try to parse a huge payload', () => {
    const big = `[${'1,'.repeat(1_100_000)}1]`;
    expect(prettyJson(big).kind).toBe('raw');
  });
});

import { createRedactor } from '@casefile/sdk/redact';
import { describe, expect, it } from 'vitest';
import { tokensForValue } from './value-tokens.js';

const KEYS = ['key-one-0123456789abcdef', 'key-two-0123456789abcdef'];

describe('tokensForValue', () => {
  it('gives the token ingest would give, under each key', () => {
    for (const [value, kind] of [
      ['bob@example.com', 'email'],
      ['+44 20 7946 0958', 'phone'],
      ['4111 1111 1111 1111', 'card'],
      ['gb82west12345698765432', 'iban'],
      ['AKIAQ7XJ4M2ZB5KD3WTR', 'aws_key'],
    ] as const) {
      const found = tokensForValue(value, KEYS);
      expect(found?.kind, value).toBe(kind);
      expect(found?.tokens.map((t) => t.token)).toEqual(
        KEYS.map((k) => createRedactor({ key: k }).redactString(value).text),
      );
      for (const t of found?.tokens ?? []) expect(t.token.startsWith(t.prefix)).toBe(true);
    }
  });

  it('refuses what is not one datum', () => {
    expect(tokensForValue('mail bob@example.com today', KEYS)).toBeUndefined();
    expect(tokensForValue('bob@example.com, ann@example.com', KEYS)).toBeUndefined();
    expect(tokensForValue('hello', KEYS)).toBeUndefined();
    expect(tokensForValue(Buffer.from('bob@example.com and more').toString('base64'), KEYS)).toBeUndefined();
    expect(tokensForValue('bob@example.com', [])).toBeUndefined();
  });
});

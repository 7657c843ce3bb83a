import { createRedactor } from '@casefile/sdk/redact';
import { describe, expect, it } from 'vitest';
import { words } from './shingles.js';
import { blobToken, classifyKind, findTokens, isToken, tokenDomain } from './tokens.js';

describe('findTokens', () => {
  it('reads tokens with and without context, and blob tokens', () => {
    const text =
      'to [email:7f3a9c1b@globex.example], card [card:0a1b2c3d·4242 visa], iban [iban:11223344·DE], ' +
      'key [aws_key:deadbeef], hook [slack_webhook:99aa88bb·hooks.slack.com], file [base64:4.1kB sha256:abcdef01 aws_key,email]';
    const found = findTokens(text);
    expect(found.map((t) => [t.kind, t.hash, t.context])).toEqual([
      ['email', '7f3a9c1b', 'globex.example'],
      ['card', '0a1b2c3d', '4242 visa'],
      ['iban', '11223344', 'DE'],
      ['aws_key', 'deadbeef', undefined],
      ['slack_webhook', '99aa88bb', 'hooks.slack.com'],
      ['aws_key', 'abcdef01', undefined],
    ]);
    expect(found[5]?.blob).toEqual({ encoding: 'base64', size: '4.1kB', kinds: ['aws_key', 'email'] });
    for (const t of found) expect(text.slice(t.start, t.end)).toBe(t.token);
  });

  it('classifies a blob by what it holds', () => {
    const [blob] = findTokens('[base64:512B sha256:abcdef01 github_token]');
    expect(classifyKind(blob!.kind, [], [])).toBe('secret');
  });

  it('reads every token the redactor makes, and shingles keep each one a single word', () => {
    const r = createRedactor({ key: 'detect-tokens' });
    const text = r.redactString(
      `mail bob@example.com, card 4111 1111 1111 1111, ${Buffer.from('key AKIAQ7XJ4M2ZB5KD3WTR for bob@example.com').toString('base64')}`,
    ).text;
    const tokens = findTokens(text);
    expect(tokens.map((t) => t.kind)).toEqual(['email', 'card', 'aws_key']);
    expect(
      words(text)
        .filter((w) => w.token)
        .map((w) => w.w),
    ).toEqual(tokens.map((t) => t.token.toLowerCase()));
  });

  it('gives rules the domain or host a token kept, a blob’s size, and whole-token tests', () => {
    const [mail, plain, hook, card, blob] = findTokens(
      '[email:7f3a9c1b@globex.example] [email:7f3a9c1b] [slack_webhook:99aa88bb·hooks.slack.com] [card:0a1b2c3d·4242 visa] [base64:4.1kB sha256:abcdef01 email]',
    );
    expect([mail, plain, hook, card, blob].map((t) => tokenDomain(t!))).toEqual([
      'globex.example',
      '',
      'hooks.slack.com',
      '',
      '',
    ]);
    expect(blobToken(blob!)).toEqual({ encoding: 'base64', bytes: 4100 });
    expect(blobToken(mail!)).toBeUndefined();
    expect(isToken('[iban:11223344·DE]')).toBe(true);
    expect(isToken('IBAN [iban:11223344·DE]')).toBe(false);
    expect(findTokens('see [note: call back] and [1] and [x:zz]')).toEqual([]);
  });
});

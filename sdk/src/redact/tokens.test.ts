import { describe, expect, it } from 'vitest';
import { createRedactor } from './index.js';
import { formatSize, stripTokenContext, TOKEN_SOURCE } from './tokens.js';

const keep = createRedactor({ key: 'token-key' });
const strict = createRedactor({ key: 'token-key', tokenContext: 'strict' });
const TOKEN = new RegExp(`^${TOKEN_SOURCE}$`);

describe('tokens keep investigative context, never identity', () => {
  it('keeps the domain of an e-mail address, not its local part', () => {
    const out = keep.redactString('write to Bob.Smith@Globex.Example today').text;
    expect(out).toMatch(/^write to \[email:[0-9a-f]{8}@globex\.example\] today$/);
    expect(out).not.toMatch(/bob|smith/i);
  });

  it('keeps the last four digits and the network of a card', () => {
    expect(keep.redactString('card 4111 1111 1111 1111 declined').text).toMatch(
      /^card \[card:[0-9a-f]{8}·1111 visa\] declined$/,
    );
    expect(keep.redactString('amex 378282246310005').text).toMatch(/\[card:[0-9a-f]{8}·0005 amex\]$/);
  });

  it("keeps an IBAN's country and a webhook's host", () => {
    expect(keep.redactString('pay DE89 3704 0044 0532 0130 00 now').text).toMatch(/^pay \[iban:[0-9a-f]{8}·DE\] now$/);
    const hook = 'https://hooks.slack.com/services/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';
    expect(keep.redactString(`POST ${hook}`).text).toMatch(/^POST \[slack_webhook:[0-9a-f]{8}·hooks\.slack\.com\]$/);
  });

  it('keeps the host of a URL whose credentials it redacts', () => {
    expect(keep.redactString('postgres://admin:s3cr3tPassw0rd@db.internal:5432/app').text).toMatch(
      /^postgres:\/\/\[url_credentials:[0-9a-f]{8}\]@db\.internal:5432\/app$/,
    );
  });

  it('redacts an encoded blob as a blob: encoding, size, content hash and the kinds inside', () => {
    const blob = Buffer.from(
      `export AWS_KEY=AKIAQ7XJ4M2ZB5KD3WTR\nnotify bob@example.com\n${'x'.repeat(4000)}`,
    ).toString('base64');
    const out = keep.redactString(`attachment=${blob}`).text;
    expect(out).toMatch(/^attachment=\[base64:4\.1kB sha256:[0-9a-f]{8} aws_key,email\]$/);
    expect(out).not.toContain('[aws_key:');
    // Strict: the blob reads as its most sensitive content, hashed as a whole.
    expect(strict.redactString(`attachment=${blob}`).text).toMatch(/^attachment=\[aws_key:[0-9a-f]{8}\]$/);
  });

  it('gives the same hash with context and without, so a datum is followed across projects', () => {
    const a = keep.redactString('bob@example.com').text;
    const b = strict.redactString('bob@example.com').text;
    expect(b).toMatch(/^\[email:[0-9a-f]{8}\]$/);
    expect(a.slice(0, b.length - 1)).toBe(b.slice(0, -1));
  });

  it('strict mode keeps nothing, and strips context from tokens that arrive with it', () => {
    expect(strict.redactString('card 4111 1111 1111 1111, iban GB82WEST12345698765432').text).toMatch(
      /^card \[card:[0-9a-f]{8}\], iban \[iban:[0-9a-f]{8}\]$/,
    );
    const fromSdk = keep.redactString('mail bob@example.com, card 4111111111111111').text;
    const atCollector = strict.redactString(fromSdk).text;
    expect(atCollector).toMatch(/^mail \[email:[0-9a-f]{8}\], card \[card:[0-9a-f]{8}\]$/);
    expect(stripTokenContext('[base64:4.1kB sha256:0123abcd aws_key,email]')).toBe('[aws_key:0123abcd]');
  });

  it('a second pass over redacted text changes nothing (the collector after the SDK)', () => {
    const once = keep.redactAttributes({
      note: 'mail bob@example.com card 4111 1111 1111 1111 iban DE89370400440532013000',
      blob: Buffer.from('token=ghp_0123456789abcdefghijABCDEFGHIJ012345 and more text here').toString('base64'),
    }).attributes;
    const twice = keep.redactAttributes(once);
    expect(twice.attributes).toEqual(once);
    expect(twice.count).toBe(0);
  });

  it('a look-alike token cannot smuggle a secret past redaction', () => {
    const out = keep.redactString(
      '[email:deadbeef@AKIAQ7XJ4M2ZB5KD3WTR.example] and [card:deadbeef·4242 ghp_0123456789abcdefghijABCDEFGHIJ012345]',
    );
    expect(out.text).not.toContain('AKIAQ7XJ4M2ZB5KD3WTR');
    expect(out.text).not.toContain('ghp_0123456789abcdefghij');
  });

  it('every token the redactor makes parses with TOKEN_SOURCE', () => {
    const text = keep.redactString(
      `bob@example.com 4111111111111111 DE89370400440532013000 AKIAQ7XJ4M2ZB5KD3WTR +44 20 7946 0958 ${Buffer.from('user bob@example.com pass hunter22').toString('base64')}`,
    ).text;
    const tokens = text.match(/\[[^\]]+\]/g) ?? [];
    expect(tokens.length).toBe(6);
    for (const t of tokens) expect(t, t).toMatch(TOKEN);
  });

  it('writes sizes in SI units', () => {
    expect(formatSize(512)).toBe('512B');
    expect(formatSize(4100)).toBe('4.1kB');
    expect(formatSize(123_456)).toBe('123kB');
    expect(formatSize(2_300_000)).toBe('2.3MB');
  });
});

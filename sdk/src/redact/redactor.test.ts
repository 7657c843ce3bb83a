import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTION_ERROR_TOKEN } from './index.js';

const TOKEN = /^\[[a-z_]+:[0-9a-f]{8}\]$/;
const fakeAws = 'AKIA' + 'Q7XJ4M2ZB5KD3WTR';

describe('createRedactor', () => {
  const r = createRedactor({ key: 'test-key' });

  it('replaces secrets and PII with keyed pseudonym tokens', () => {
    const out = r.redactString(`user bob@example.com used ${fakeAws}`);
    expect(out.text).toMatch(/^user \[email:[0-9a-f]{8}@example\.com\] used \[aws_key:[0-9a-f]{8}\]$/);
    expect(out.count).toBe(2);
    expect(out.rules).toEqual(['aws-access-key-id', 'pii-email']);
  });

  it('gives one datum the same token across case, runs and redactors with the same key', () => {
    const a = r.redactString('Bob@Example.com').text;
    const b = createRedactor({ key: 'test-key' }).redactString('write to bob@example.com').text;
    expect(b).toContain(a);
    expect(createRedactor({ key: 'other-key' }).redactString('bob@example.com').text).not.toBe(a);
  });

  it('keeps secret references readable under sensitive names, still scanning the reference', () => {
    const out = r.redactString(
      JSON.stringify({ api_key: { $secret: 'crm-api-key' }, token: { $secret: 'bob@example.com' } }),
    );
    const parsed = JSON.parse(out.text);
    expect(parsed.api_key).toEqual({ $secret: 'crm-api-key' });
    expect(parsed.token.$secret).toMatch(/^\[email:[0-9a-f]{8}@example\.com\]$/);
    const notARef = JSON.parse(r.redactString(JSON.stringify({ password: { $secret: 'a', extra: 1 } })).text);
    expect(notARef.password).toMatch(TOKEN);
  });

  it('keeps JSON parseable and drops values under sensitive field names', () => {
    const json = JSON.stringify({
      query: 'mail bob@example.com',
      password: 'x',
      nested: { 'X-Api-Key': 42 },
      max_tokens: 100,
    });
    const out = r.redactString(json);
    const parsed = JSON.parse(out.text);
    expect(parsed.query).toMatch(/^mail \[email:[0-9a-f]{8}@example\.com\]$/);
    expect(parsed.password).toMatch(TOKEN);
    expect(parsed.nested['X-Api-Key']).toMatch(TOKEN);
    expect(parsed.max_tokens).toBe(100);
  });

  it('keeps conversation session IDs readable and still redacts a secret inside one', () => {
    const out = r.redactAttributes({
      'session.id': 'conv-2024-118',
      'ai.telemetry.metadata.sessionId': 'thread_9f3a',
      'langfuse.session.id': `leak ${fakeAws}`,
      JSESSIONID: '8F2A9C1D0B7E',
    });
    expect(out.attributes['session.id']).toBe('conv-2024-118');
    expect(out.attributes['ai.telemetry.metadata.sessionId']).toBe('thread_9f3a');
    expect(out.attributes['langfuse.session.id']).toMatch(/^leak \[aws_key:[0-9a-f]{8}\]$/);
    expect(out.attributes.JSESSIONID).toMatch(TOKEN);
  });

  it('leaves clean JSON byte-for-byte untouched', () => {
    const json = '{ "a": 1,   "b": "hello world" }';
    expect(r.redactString(json)).toMatchObject({ text: json, count: 0 });
  });

  it('redacts a base64 blob that decodes to a secret as a whole', () => {
    const blob = Buffer.from(`aws_access_key_id=${fakeAws}`).toString('base64');
    const out = r.redactString(`payload=${blob}`);
    expect(out.text).not.toContain(blob.slice(0, 10));
    expect(out.rules).toEqual(['base64:aws-access-key-id']);
  });

  it('truncates long values, keeping length and hash, without leaking a straddling secret', () => {
    const small = createRedactor({ key: 'k', maxValueLength: 100 });
    const value = `${'a '.repeat(48)}${fakeAws}${' b'.repeat(200)}`;
    const out = small.redactString(value);
    expect(out.text).not.toContain('AKIA');
    expect(out.text).toMatch(/\[aws_key:[0-9a-f]{8}\]…\[truncated:len=516:[0-9a-f]{8}\]$/);
  });

  it('fails closed when reading a value throws', () => {
    const hostile = {
      get secret(): string {
        throw new Error('boom');
      },
    };
    const out = r.redactAttributes({ fine: 'hello there', obj: hostile });
    expect(out.attributes).toEqual({ fine: 'hello there', obj: REDACTION_ERROR_TOKEN });
    expect(out.rules).toEqual(['redaction-error']);
  });

  it('rejects an invalid custom pattern at construction with the cause attached', () => {
    const bad = { kind: 'x', rule: 'x', pattern: { source: '(', flags: '' } as unknown as RegExp };
    expect(() => createRedactor({ key: 'k', customPatterns: [bad] })).toThrow(/custom pattern x/);
  });

  it('fails closed when the time budget is exhausted', () => {
    const slow = createRedactor({ key: 'k', maxTimeMsPerValue: -1 });
    expect(slow.redactString('plain text that is long enough').text).toBe(REDACTION_ERROR_TOKEN);
  });

  it('applies custom patterns and extra sensitive fields', () => {
    const custom = createRedactor({
      key: 'k',
      sensitiveFields: ['customer_ref'],
      customPatterns: [{ kind: 'employee_id', rule: 'acme-employee', pattern: /\bEMP-\d{6}\b/ }],
    });
    const out = custom.redactAttributes({ note: 'owner EMP-123456', customerRef: 'C-1', count: 3 });
    expect(out.attributes.note).toMatch(/^owner \[employee_id:[0-9a-f]{8}\]$/);
    expect(out.attributes.customerRef).toMatch(TOKEN);
    expect(out.attributes.count).toBe(3);
    expect(out.rules).toEqual(['acme-employee', 'sensitive-field']);
  });

  it('redacts attribute arrays and nested objects', () => {
    const out = r.redactAttributes({
      'casefile.retrieval.document_ids': ['doc-1', 'mail from bob@example.com'],
      'http.request.header.authorization': ['Bearer abc'],
      obj: { deep: { list: [{ ip: 'client 203.0.113.7' }] } },
      ok: true,
    });
    const a = out.attributes as Record<string, unknown>;
    expect((a['casefile.retrieval.document_ids'] as string[])[0]).toBe('doc-1');
    expect((a['casefile.retrieval.document_ids'] as string[])[1]).toMatch(/\[email:/);
    expect((a['http.request.header.authorization'] as string[])[0]).toMatch(TOKEN);
    expect(JSON.stringify(a.obj)).toMatch(/client \[ip:[0-9a-f]{8}\]/);
    expect(a.ok).toBe(true);
    expect(out.count).toBe(3);
  });

  it("never modifies the caller's attribute values", () => {
    const input = { list: ['bob@example.com'], obj: { to: 'bob@example.com', password: 'pw123456' } };
    const snapshot = JSON.stringify(input);
    const out = r.redactAttributes(input);
    expect(JSON.stringify(input)).toBe(snapshot);
    expect(JSON.stringify(out.attributes)).not.toContain('bob@example.com');
  });

  it('keeps a __proto__ key in JSON a plain property', () => {
    const out = JSON.parse(r.redactString('{"__proto__": {"polluted": "bob@example.com"}, "a": 1}').text);
    expect(Object.keys(out)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(out)).not.toContain('bob@example.com');
  });

  it('stays linear on a value stuffed with matches', () => {
    const big = createRedactor({ key: 'k', maxValueLength: 10_000_000, maxTimeMsPerValue: 10_000 });
    const value = Array.from({ length: 20_000 }, (_, i) => `u${i}@example.com`).join(' ');
    const t0 = Date.now();
    const out = big.redactString(value);
    expect(out.count).toBe(20_000);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('redacts the union of overlapping matches, so no part of either survives', () => {
    const out = r.redactString('DATABASE_URL=postgres://admin:s3cr3tPass@db.internal:5432/app');
    expect(out.text).not.toContain('s3cr3t');
    expect(out.rules).toEqual(['url-credentials']);
  });

  it('sees through JSON unicode escapes and percent-encoding', () => {
    const escaped = `{"note": "\\u0041${fakeAws.slice(1)}"}`;
    expect(r.redactString(escaped).text).not.toContain(fakeAws.slice(1));
    const encoded = r.redactString('dsn=postgres%3A%2F%2Fadmin%3As3cr3tPass%40db.internal%2Fapp&x=1');
    expect(encoded.text).not.toContain('s3cr3t');
    expect(encoded.rules).toEqual(['urlencoded:url-credentials']);
  });

  it('does not flag hard negatives', () => {
    const clean = [
      'request 123e4567-e89b-12d3-a456-426614174000 took 35ms',
      'commit 3f786850e387550fdab836ed7e6dc881de23001b on main',
      'released v2.14.3 on 2024-05-01T10:20:30.123Z',
      'token_type = "Bearer"; password: string; api_key = process.env.API_KEY',
      'see https://example.com/docs?page=2&lang=en and color #ff8800',
      'retina image@2x.png and git@github.com:org/repo.git',
    ];
    for (const text of clean) expect(r.redactString(text)).toMatchObject({ text, count: 0 });
  });
});

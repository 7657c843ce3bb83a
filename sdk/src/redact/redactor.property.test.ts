import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor } from './index.js';

// The time budget is wall-clock: a loaded machine must not turn these properties into timing tests.
const r = createRedactor({ key: 'property-key', maxTimeMsPerValue: 60_000 });
const fakeAws = `AKIA${'Q7XJ4M2ZB5KD3WTR'}`;

describe('redactor properties', () => {
  it('keeps any JSON document valid JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        expect(() => JSON.parse(r.redactString(text).text)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('never throws and never lets a planted key through, whatever surrounds it', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.jsonValue(), (before, after, doc) => {
        const plain = r.redactString(`${before} ${fakeAws} ${after}`);
        expect(plain.text).not.toContain(fakeAws);
        const json = r.redactString(JSON.stringify({ doc, note: `${before} ${fakeAws} ${after}` }));
        expect(json.text).not.toContain(fakeAws);
        expect(json.count).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  // Pieces that start, end or need context for a match, mixed with arbitrary text: a detector that
  // ran on from one value into the next would make the joined result differ from the lone one.
  const piece = fc.oneof(
    fc.constantFrom(
      '-----BEGIN RSA PRIVATE KEY-----',
      '-----BEGIN PRIVATE KEY-----\nMIIEowIBAAKCAQEA',
      '-----END PRIVATE KEY-----',
      'jane.doe@example.com',
      fakeAws,
      'ghp_0123456789abcdefghijABCDEFGHIJ012345',
      '+44 20 7946 0958',
      'phone: 020 7946 0958',
      'Server=db.internal;Password=hunter2-Xy9;',
      'Password=',
      ';',
      'version 10.1.2.3',
      '10.20.30.40',
      'https://svc:s3cr3t-pass@billing.example/',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVlLWhlcmU',
      'api_key = ',
      'token ',
      '4111 1111 1111 1111',
      'DE89 3704 0044 0532 0130 00',
      '"',
      '\n',
      ' ',
    ),
    fc.string({ maxLength: 12 }),
  );
  const value = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));

  it('redacts values together exactly as it redacts each alone', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 2, maxLength: 6 }), (values) => {
        const attrs = Object.fromEntries(values.map((v, i) => [`attr${i}`, v]));
        const together = r.redactAttributes(attrs).attributes;
        const alone = Object.fromEntries(
          values.map((v, i) => [`attr${i}`, r.redactAttributes({ [`attr${i}`]: v }).attributes[`attr${i}`]]),
        );
        expect(together).toEqual(alone);
        const inDoc = JSON.parse(r.redactString(JSON.stringify({ items: values })).text) as { items: string[] };
        expect(inDoc.items).toEqual(values.map((v) => r.redactAttributes({ v }).attributes.v));
      }),
      { numRuns: 500 },
    );
  });

  it('never lets an unterminated key header hide what follows it in other values', () => {
    const planted = ['jane.doe@example.com', fakeAws, '+44 20 7946 0958'];
    const out = r.redactAttributes({
      document: 'see below -----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA',
      contact: `mail ${planted[0]} today`,
      cloud: `key ${planted[1]}`,
      phone: `call ${planted[2]}`,
    });
    const text = JSON.stringify(out.attributes);
    for (const p of planted) expect(text).not.toContain(p);
    expect(out.rules).toEqual(
      expect.arrayContaining(['private-key-block', 'pii-email', 'aws-access-key-id', 'pii-phone-international']),
    );
  });

  it('is deterministic for one key', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(r.redactString(s)).toEqual(r.redactString(s));
      }),
      { numRuns: 200 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor } from './index.js';

const r = createRedactor({ key: 'property-key' });
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

  it('is deterministic for one key', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(r.redactString(s)).toEqual(r.redactString(s));
      }),
      { numRuns: 200 },
    );
  });
});

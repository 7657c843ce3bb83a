import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionHash, canonicalJson } from './action-hash.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('follows JSON rules for values JSON cannot hold', () => {
    expect(canonicalJson({ u: undefined, f: () => 1, n: Number.NaN, big: 12n, d: new Date(0), arr: [undefined] })).toBe(
      '{"arr":[null],"big":"12","d":"1970-01-01T00:00:00.000Z","n":null}',
    );
  });

  it('is unchanged by a round trip through JSON text (what the collector sees)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const once = canonicalJson(v);
        expect(canonicalJson(JSON.parse(once))).toBe(once);
      }),
    );
  });
});

describe('actionHash', () => {
  it('matches SHA-256 of {"arguments":…,"tool":…} computed independently', () => {
    // printf '%s' '{"arguments":{"amount":"20.00","order":"A-1"},"tool":"refund"}' | sha256sum
    expect(actionHash('refund', { order: 'A-1', amount: '20.00' })).toBe(
      '7fdb13d9a9cdd686b920682caea7ff9deeb7616cba75b17c158b2df88b2905bb',
    );
  });

  it('is stable across key order and differs when any argument differs', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (args) => {
        const reversed = Object.fromEntries(Object.entries(args).reverse());
        expect(actionHash('t', reversed)).toBe(actionHash('t', args));
      }),
    );
    expect(actionHash('refund', { order: 'A-1', amount: '2000.00' })).not.toBe(
      actionHash('refund', { order: 'A-1', amount: '20.00' }),
    );
    expect(actionHash('refund', { a: 1 })).not.toBe(actionHash('charge', { a: 1 }));
    const withProto = JSON.parse('{"__proto__":{"to":"x@evil.test"}}');
    expect(actionHash('send', withProto)).not.toBe(actionHash('send', {}));
    expect(canonicalJson(withProto)).toBe('{"__proto__":{"to":"x@evil.test"}}');
  });
});

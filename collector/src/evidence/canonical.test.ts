import { stepToDto } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import { emptyStep } from '../model/step.js';
import { awkwardStep, buildRun, DAY0 } from '../store/conformance.fixtures.js';
import { canonicalJson, canonicalSpanRecord, genericSpanRecord } from './canonical.js';

describe('canonical span records', () => {
  it('is the same for a stored step and for the step as the API sends it', () => {
    for (const step of [awkwardStep('p', 'a'.repeat(32)), ...buildRun({ projectId: 'p', startNs: DAY0 })]) {
      expect(canonicalSpanRecord(stepToDto(step))).toBe(canonicalSpanRecord(step));
    }
  });

  it('builds, from its compiled code, exactly the record the field table defines (awkward text, surrogates, nulls, maps, events, API form)', () => {
    const awkward = awkwardStep('p', 'a'.repeat(32));
    const steps = [
      awkward,
      ...buildRun({ projectId: 'p', startNs: DAY0 }),
      emptyStep('p', 'b'.repeat(32), 'c'.repeat(16)),
      {
        ...awkward,
        name: 'lone \uD800 surrogate, pair \uD83D\uDE00, quote " backslash \\ nul \u0000',
        inputTokens: null,
        outputTokens: 0,
        spanKind: Number.NaN,
        documentIds: ['x', '\uDC00'],
        attributes: { z: '1', 'k\uDC00': 'v\n', '': '' },
        events: [{ timeNs: 5n, name: 'e', attributes: { b: '2', a: '1' } }],
      },
    ];
    // Spans of one resource share its map object (encoded once), an empty one too.
    const resource = { 'service.name': 's', 'process.pid': '1', 'host.name': 'h\uD800' };
    const none = {};
    for (const [i, shared] of [resource, resource, none, none].entries()) {
      steps.push({ ...emptyStep('p', 'd'.repeat(32), `${i}`.repeat(16)), resourceAttributes: shared });
    }
    for (const step of steps) {
      expect(canonicalSpanRecord(step)).toBe(genericSpanRecord(step));
      expect(canonicalSpanRecord(stepToDto(step))).toBe(genericSpanRecord(step));
    }
  });

  it('sorts keys, leaves empty fields and the project out, and writes nanoseconds as decimal strings', () => {
    const step = { ...emptyStep('project-x', 'a'.repeat(32), 'b'.repeat(16)), startNs: 18_446_744_073_709_551_615n };
    step.attributes = { z: '1', a: '2' };
    expect(canonicalSpanRecord(step)).toBe(
      `{"attributes":{"a":"2","z":"1"},"kind":"other","spanId":"${'b'.repeat(16)}","startNs":"18446744073709551615","status":"unset","traceId":"${'a'.repeat(32)}"}`,
    );
  });

  it('changes with any field, and hashes a lone surrogate as the stores keep it (U+FFFD)', () => {
    const step = emptyStep('p', 'a'.repeat(32), 'b'.repeat(16));
    const base = canonicalSpanRecord(step);
    expect(canonicalSpanRecord({ ...step, toolArguments: '{}' })).not.toBe(base);
    expect(canonicalSpanRecord({ ...step, inputTokens: 0 })).not.toBe(base);
    expect(canonicalSpanRecord({ ...step, events: [{ timeNs: 1n, name: '', attributes: {} }] })).not.toBe(base);
    expect(canonicalSpanRecord({ ...step, name: 'a\uD800b' })).toBe(canonicalSpanRecord({ ...step, name: 'a\uFFFDb' }));
  });

  it('writes every string as JSON.stringify does once lone surrogates are U+FFFD, for every UTF-16 code unit', () => {
    const wellFormed = (s: string) => (s as string & { toWellFormed(): string }).toWellFormed();
    for (let c = 0; c <= 0xffff; c++) {
      for (const s of [String.fromCharCode(c), `a${String.fromCharCode(c)}b`]) {
        expect(canonicalJson(s)).toBe(JSON.stringify(wellFormed(s)));
      }
    }
    for (const s of ['\uD83D\uDE00', 'x\uD83D\uDE00\uD83D', '\uDE00\uD83D', '', 'plain text, no escapes']) {
      expect(canonicalJson(s)).toBe(JSON.stringify(wellFormed(s)));
    }
  });

  it('writes any JSON value with sorted keys and no whitespace', () => {
    expect(canonicalJson({ b: [1, 'x', null, { d: true, c: 2n }], a: undefined, é: 'é' })).toBe(
      '{"b":[1,"x",null,{"c":"2","d":true}],"é":"é"}',
    );
    expect(() => canonicalJson({ x: Number.NaN })).toThrow();
  });
});

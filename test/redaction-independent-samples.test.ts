import { createRedactor } from '@casefile/sdk/redact';
import { describe, expect, it } from 'vitest';
import { formatExtendedScore, scoreExtended } from './fixtures/redaction/extended/score.js';
import { generateIndependentSamples } from './fixtures/redaction/independent/samples.js';

// A second labelled set, written apart from the extended corpus: provider formats as other public
// scanners document them, secrets in sentences, PII in national writings, and what spans are full of.
const samples = generateIndependentSamples();

describe('second redaction sample set', () => {
  it('is deterministic and every label is in its text', () => {
    expect(generateIndependentSamples()).toEqual(samples);
    expect(new Set(samples.map((s) => s.group))).toEqual(
      new Set(['provider', 'provider by name', 'prose', 'pii', 'negative']),
    );
    for (const item of samples) for (const p of item.planted) expect(item.text).toContain(p.value);
  });

  it('meets the recall and hard-negative targets', () => {
    const r = createRedactor({ key: 'second-sample-set' });
    const score = scoreExtended(samples, (t) => r.redactString(t));
    const table = formatExtendedScore(score, 0.95);
    expect(score.secretRecall, table).toBeGreaterThanOrEqual(0.95);
    expect(score.piiRecall, table).toBeGreaterThanOrEqual(0.95);
    expect(score.negativesUntouched, table).toBeGreaterThanOrEqual(0.97);
    // Every provider format on its own, whatever sentence it is in.
    for (const f of score.families.filter((x) => x.group === 'provider')) expect(f.rate, f.family).toBe(1);
  });

  it('meets them on other random draws of the same formats', () => {
    const r = createRedactor({ key: 'second-sample-set' });
    for (const seed of [7919, 104_729, 1_299_709]) {
      const score = scoreExtended(generateIndependentSamples({ seed }), (t) => r.redactString(t));
      const table = formatExtendedScore(score, 0.99);
      expect(score.secretRecall, `seed ${seed}\n${table}`).toBeGreaterThanOrEqual(0.99);
      expect(score.piiRecall, `seed ${seed}\n${table}`).toBeGreaterThanOrEqual(0.99);
      expect(score.negativesUntouched, `seed ${seed}\n${table}`).toBeGreaterThanOrEqual(0.99);
    }
  });
});

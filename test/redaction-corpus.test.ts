import { createRedactor, PII_KINDS } from '@casefile/sdk/redact';
import { describe, expect, it } from 'vitest';
import { casefileOutcome } from './bench/redaction-bench.js';
import { leaked, scoreCorpus } from './fixtures/redaction/evaluate.js';
import { generateCorpus, PII_KIND_NAMES, SECRET_KIND_NAMES } from './fixtures/redaction/generate-corpus.js';

const corpus = generateCorpus();
const positives = corpus.filter((c) => c.planted.length > 0);
const negatives = corpus.filter((c) => c.planted.length === 0);

describe('redaction corpus', () => {
  it('is large, labelled and deterministic', () => {
    expect(positives.length).toBeGreaterThanOrEqual(300);
    expect(negatives.length).toBeGreaterThanOrEqual(300);
    expect(generateCorpus()).toEqual(corpus);
    const kinds = new Set(positives.flatMap((c) => c.planted.map((p) => p.kind)));
    for (const k of [...SECRET_KIND_NAMES, ...PII_KIND_NAMES]) expect(kinds).toContain(k);
    // Every label is the exact text planted (raw or JSON-escaped).
    for (const item of positives) {
      for (const p of item.planted) expect(leaked(item.text, p.value)).toBe(true);
    }
    expect(Buffer.byteLength(JSON.stringify(corpus))).toBeLessThan(2 * 1024 * 1024);
  });

  it('meets the recall and precision targets', async () => {
    const score = await scoreCorpus(corpus, casefileOutcome, (k) => PII_KINDS.has(k));
    expect(score.missed).toEqual([]);
    expect(score.recallSecrets).toBeGreaterThanOrEqual(0.97);
    expect(score.recallPii).toBeGreaterThanOrEqual(0.95);
    expect(score.precision).toBeGreaterThanOrEqual(0.95);
    expect(score.falsePositivesInNegatives).toBeLessThanOrEqual(negatives.length * 0.01);
  });

  it('keeps every JSON item parseable after redaction', () => {
    const r = createRedactor({ key: 'corpus' });
    for (const item of corpus.filter((c) => c.context.startsWith('json'))) {
      expect(() => JSON.parse(r.redactString(item.text).text)).not.toThrow();
    }
  });
});

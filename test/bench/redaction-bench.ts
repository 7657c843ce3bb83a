import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createRedactor, PII_KINDS } from '@casefile/sdk/redact';
import { lintSource } from '@secretlint/core';
import { creator as recommendedPreset } from '@secretlint/secretlint-rule-preset-recommend';
import {
  type CorpusScore,
  type ItemOutcome,
  leaked,
  outcomeFromRanges,
  scoreCorpus,
} from '../fixtures/redaction/evaluate.js';
import { type CorpusItem, generateCorpus, generateJsonPayload } from '../fixtures/redaction/generate-corpus.js';

/** Secret kinds the secretlint recommended preset has a rule for (aws, github, slack, openai, …). */
const SECRETLINT_KINDS: ReadonlySet<string> = new Set([
  'aws_key',
  'aws_secret',
  'anthropic_key',
  'github_token',
  'npm_token',
  'openai_key',
  'private_key',
  'sendgrid_key',
  'shopify_token',
  'slack_token',
  'slack_webhook',
  'url_credentials',
]);

export interface RedactionBenchResult {
  corpus: { items: number; positives: number; negatives: number };
  casefile: CorpusScore & { mbPerSecond: number; mbPerSecondWholeDocument: number };
  /** Casefile restricted to the kinds secretlint covers, for a like-for-like comparison. */
  casefileOnSecretlintKinds: CorpusScore;
  secretlint: CorpusScore & { mbPerSecond: number };
  payloadBytes: number;
}

const isPii = (kind: string) => PII_KINDS.has(kind);
const redactor = createRedactor({ key: 'bench-key' });

export function casefileOutcome(item: CorpusItem): ItemOutcome {
  const r = redactor.redactString(item.text);
  const detected = item.planted.map((p) => !leaked(r.text, p.value));
  const predictedKinds = r.redactions.filter((x) => x.kind !== 'truncated').map((x) => x.kind);
  return { detected, predictedKinds, truePositives: detected.filter(Boolean).length };
}

const secretlintConfig = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommendedPreset }] };

async function secretlintFindings(text: string) {
  const result = await lintSource({
    source: { content: text, filePath: '/virtual/item.txt', contentType: 'text' },
    options: { config: secretlintConfig, noPhysicFilePath: true },
  });
  return result.messages.map((m) => ({ kind: m.ruleId, start: m.range[0], end: m.range[1] }));
}

async function secretlintOutcome(item: CorpusItem): Promise<ItemOutcome> {
  return outcomeFromRanges(item, await secretlintFindings(item.text));
}

async function medianMbPerSecond(payload: string, run: () => unknown | Promise<unknown>): Promise<number> {
  // Steady state: let the JIT settle before timing.
  for (let i = 0; i < 3; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return Buffer.byteLength(payload) / 1e6 / (times[2]! / 1000);
}

const pct = (x: number) => (Number.isNaN(x) ? '   - ' : `${(x * 100).toFixed(1).padStart(5)}%`);

function printScore(title: string, s: CorpusScore, mbps?: number): void {
  console.log(`\n${title}`);
  console.log('  kind                  planted  recall  predicted  precision');
  // Rows for rule IDs of another tool have nothing planted under that name: only the overall precision applies.
  for (const k of s.kinds.filter((k) => k.planted > 0 || !k.kind.includes('/'))) {
    console.log(
      `  ${k.kind.padEnd(20)} ${String(k.planted).padStart(8)}  ${pct(k.recall)}  ${String(k.predicted).padStart(9)}  ${pct(k.precision)}`,
    );
  }
  console.log(
    `  recall secrets ${pct(s.recallSecrets)} | recall PII ${pct(s.recallPii)} | precision ${pct(s.precision)} | FP in hard negatives ${s.falsePositivesInNegatives}${mbps === undefined ? '' : ` | ${mbps.toFixed(1)} MB/s on JSON`}`,
  );
}

export async function runRedactionBench(): Promise<RedactionBenchResult> {
  const corpus = generateCorpus();
  const positives = corpus.filter((c) => c.planted.length > 0).length;
  const payload = generateJsonPayload(4 * 1024 * 1024);

  const casefile = await scoreCorpus(corpus, casefileOutcome, isPii);
  const casefileOnSecretlintKinds = await scoreCorpus(corpus, casefileOutcome, isPii, SECRETLINT_KINDS, (k) =>
    SECRETLINT_KINDS.has(k),
  );
  // Each span attribute is redacted on its own: one JSON document per record.
  const records = (JSON.parse(payload) as unknown[]).map((r) => JSON.stringify(r));
  const casefileMbps = await medianMbPerSecond(payload, () => {
    for (const rec of records) redactor.redactString(rec);
  });
  // The same bytes as one large JSON document (the CLI's case): size limit raised so nothing is truncated.
  const whole = createRedactor({ key: 'bench-key', maxValueLength: payload.length, maxTimeMsPerValue: 60_000 });
  const casefileWholeMbps = await medianMbPerSecond(payload, () => whole.redactString(payload));
  const secretlint = await scoreCorpus(corpus, secretlintOutcome, isPii, SECRETLINT_KINDS);
  const secretlintMbps = await medianMbPerSecond(payload, () => secretlintFindings(payload));

  console.log(
    `Redaction corpus: ${corpus.length} items (${positives} with planted values, ${corpus.length - positives} hard negatives)`,
  );
  console.log(
    `Throughput payload: ${(Buffer.byteLength(payload) / 1e6).toFixed(2)} MB of span-like JSON, median of 5 runs`,
  );
  printScore('Casefile redactor (all kinds)', casefile, casefileMbps);
  console.log(
    `  (one ${(payload.length / 1e6).toFixed(1)} MB JSON document at once: ${casefileWholeMbps.toFixed(1)} MB/s)`,
  );
  printScore('Casefile redactor (secretlint-covered kinds only)', casefileOnSecretlintKinds);
  printScore('secretlint recommended preset (its kinds only)', secretlint, secretlintMbps);
  if (casefile.missed.length > 0) console.log(`  missed: ${casefile.missed.map((m) => m.id).join(', ')}`);

  return {
    corpus: { items: corpus.length, positives, negatives: corpus.length - positives },
    casefile: { ...casefile, mbPerSecond: casefileMbps, mbPerSecondWholeDocument: casefileWholeMbps },
    casefileOnSecretlintKinds,
    secretlint: { ...secretlint, mbPerSecond: secretlintMbps },
    payloadBytes: Buffer.byteLength(payload),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runRedactionBench();
}

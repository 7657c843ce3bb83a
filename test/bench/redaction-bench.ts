import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createRedactionPass } from '@casefile/collector/redaction';
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
import { generateExtendedCorpus } from '../fixtures/redaction/extended/corpus.js';
import { type ExtendedScore, formatExtendedScore, scoreExtended } from '../fixtures/redaction/extended/score.js';
import { type CorpusItem, generateCorpus, generateJsonPayload } from '../fixtures/redaction/generate-corpus.js';
import { generateIndependentSamples } from '../fixtures/redaction/independent/samples.js';
import { spanWorkload } from '../fixtures/redaction/span-workload.js';

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

/**
 * Redaction of span-shaped attribute maps, beside JSON parse+serialise of the same maps in the same
 * rounds. Times are CPU time of this process (one core), not wall time: on a shared machine the wall
 * clock mostly measures the neighbours. Each round redacts spans it has not seen (as in production,
 * where IDs and texts are new), parsed from JSON so their strings are flat, as decoded input is.
 */
export interface SpanThroughput {
  spans: number;
  bytes: number;
  rounds: number;
  /** SDK pass (`redactAttributes`), MB per CPU-second: median and best round. */
  sdkMbPerSecond: number;
  sdkMbPerSecondBest: number;
  /** `JSON.parse(JSON.stringify(attrs))` of the same maps: what merely touching the data costs. */
  jsonMbPerSecond: number;
  jsonMbPerSecondBest: number;
  /** The collector's pass (flattened string map, as at ingest), µs of CPU per span. */
  collectorMicrosPerSpan: number;
  collectorMicrosPerSpanBest: number;
  jsonMicrosPerSpan: number;
}

export interface RedactionBenchResult {
  corpus: { items: number; positives: number; negatives: number };
  extended: ExtendedScore & { items: number };
  /** The second set, written apart from the detectors (`fixtures/redaction/independent/`). */
  independent: ExtendedScore & { items: number };
  spans: SpanThroughput;
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
  const detected = item.planted.map((p) => !leaked(r.text, p.value, p.kind));
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

async function medianMs(run: () => unknown | Promise<unknown>, reps = 5): Promise<number> {
  // Steady state: let the JIT settle before timing.
  for (let i = 0; i < 3; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(reps / 2)]!;
}

async function medianMbPerSecond(payload: string, run: () => unknown | Promise<unknown>): Promise<number> {
  return Buffer.byteLength(payload) / 1e6 / ((await medianMs(run)) / 1000);
}

/** CPU milliseconds of this process spent in `run`. */
function cpuMs(run: () => void): number {
  const c0 = process.cpuUsage();
  run();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/** Flattened to strings as the collector receives them after OTLP decoding. */
function flat(attrs: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const best = (xs: number[]) => Math.max(...xs);

export function measureSpanThroughput(spansPerRound = 1000, rounds = 12): SpanThroughput {
  const warmup = 2;
  const all = spanWorkload(spansPerRound * (rounds + warmup));
  const slices = Array.from({ length: rounds + warmup }, (_, round) =>
    all.slice(round * spansPerRound, (round + 1) * spansPerRound).map((m) => JSON.stringify(m)),
  );
  const bytes = Math.round(
    slices.reduce((n, texts) => n + texts.reduce((k, t) => k + Buffer.byteLength(t), 0), 0) / slices.length,
  );
  const sdkRates: number[] = [];
  const jsonRates: number[] = [];
  const jsonUs: number[] = [];
  // The SDK process holds one redactor; measure it before the collector's passes exist.
  const sdk = createRedactor({ key: 'bench-key' });
  slices.forEach((texts, round) => {
    const size = texts.reduce((k, t) => k + Buffer.byteLength(t), 0);
    const maps = texts.map((t) => JSON.parse(t) as Record<string, unknown>);
    const sdkMs = cpuMs(() => {
      for (const m of maps) sdk.redactAttributes(m);
    });
    const jsonMs = cpuMs(() => {
      for (const t of texts) JSON.stringify(JSON.parse(t));
    });
    if (round < warmup) return;
    sdkRates.push(size / 1e3 / sdkMs);
    jsonRates.push(size / 1e3 / jsonMs);
    jsonUs.push((jsonMs * 1000) / texts.length);
  });
  // The collector holds one pass per project key: three here, used in turn, as under mixed traffic.
  const passes = createRedactionPass(undefined);
  const projects = ['a', 'b', 'c'].map((p) => passes(`bench-${p}`, `bench-ingest-key-${p}`));
  const collectorUs: number[] = [];
  slices.forEach((texts, round) => {
    const flats = texts.map((t) => flat(JSON.parse(t) as Record<string, unknown>));
    const ms = cpuMs(() => {
      flats.forEach((f, i) => {
        projects[i % projects.length]!(f);
      });
    });
    if (round >= warmup) collectorUs.push((ms * 1000) / texts.length);
  });
  return {
    spans: spansPerRound,
    bytes,
    rounds,
    sdkMbPerSecond: median(sdkRates),
    sdkMbPerSecondBest: best(sdkRates),
    jsonMbPerSecond: median(jsonRates),
    jsonMbPerSecondBest: best(jsonRates),
    collectorMicrosPerSpan: median(collectorUs),
    collectorMicrosPerSpanBest: Math.min(...collectorUs),
    jsonMicrosPerSpan: median(jsonUs),
  };
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

  const extendedCorpus = generateExtendedCorpus();
  const extended = scoreExtended(extendedCorpus, (t) => redactor.redactString(t));
  const independentSet = generateIndependentSamples();
  const independent = scoreExtended(independentSet, (t) => redactor.redactString(t));
  const spans = measureSpanThroughput();
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
    `Span-shaped input: ${spans.spans} new attribute maps per round, ${(spans.bytes / 1e6).toFixed(2)} MB (${Math.round(spans.bytes / spans.spans)} B/span, ~35 short values each, a message list every fourth span); CPU time of one core, ${spans.rounds} rounds`,
  );
  console.log(
    `  SDK redactAttributes ${spans.sdkMbPerSecond.toFixed(1)} MB/s median, ${spans.sdkMbPerSecondBest.toFixed(1)} best | JSON parse+stringify of the same maps ${spans.jsonMbPerSecond.toFixed(1)} MB/s median, ${spans.jsonMbPerSecondBest.toFixed(1)} best (redaction at ${(spans.sdkMbPerSecond / spans.jsonMbPerSecond).toFixed(2)}× the JSON baseline)`,
  );
  console.log(
    `  collector pass ${spans.collectorMicrosPerSpan.toFixed(1)} µs/span median, ${spans.collectorMicrosPerSpanBest.toFixed(1)} best | JSON parse+stringify ${spans.jsonMicrosPerSpan.toFixed(1)} µs/span`,
  );
  console.log(`\nExtended corpus: ${extendedCorpus.length} items, recall per family`);
  console.log(formatExtendedScore(extended));
  console.log(
    `\nSecond set (other scanners' documented formats, PII writings, span noise): ${independentSet.length} items`,
  );
  console.log(formatExtendedScore(independent));
  console.log(
    `\nRedaction corpus: ${corpus.length} items (${positives} with planted values, ${corpus.length - positives} hard negatives)`,
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
    extended: { ...extended, items: extendedCorpus.length },
    independent: { ...independent, items: independentSet.length },
    spans,
    casefile: { ...casefile, mbPerSecond: casefileMbps, mbPerSecondWholeDocument: casefileWholeMbps },
    casefileOnSecretlintKinds,
    secretlint: { ...secretlint, mbPerSecond: secretlintMbps },
    payloadBytes: Buffer.byteLength(payload),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runRedactionBench();
}

import { emptyStep, type Step } from '../model/step.js';
import { DAY0 } from './conformance.fixtures.js';
import { findingId, type StoredFinding } from './findings.js';

/**
 * A known set of runs for the metrics conformance suite: several agents, tools, models, versions,
 * refusals, errors, denials, costs and findings, with hostile names. `metrics-conformance.suite.ts`
 * states the values each metric must give on them, computed by hand from what is written here.
 */

export const MP = 'metrics-p';
export const MQ = 'metrics-q';
export const T0 = DAY0;
export const SEC = 1_000_000_000n;
export const HOUR = 3_600n * SEC;
/** The window most checks use: [T0, T0 + 3 h). */
export const WINDOW = { fromNs: T0, toNs: T0 + 3n * HOUR };

export const EVIL_AGENT = `ev'il"\\\0`;
export const EVIL_PROMPT = `v'1\\\0`;
export const EVIL_TOOL = `x'); --\\`;
export const EVIL_MODEL = `m'\0`;
export const EVIL_DOC = `d'"\\\0`;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
/** Fixed IDs (the suite writes into a fresh store), distinct per run number. */
export const traceOf = (run: number) => `${hex(0xa11ce, 8)}${hex(run, 24)}`;

interface StepSpec extends Partial<Step> {
  at: number; // seconds after the run's start
  ms: number; // duration
}

function run(projectId: string, n: number, startNs: bigint, agentName: string, specs: StepSpec[]): Step[] {
  const traceId = traceOf(n);
  return specs.map(({ at, ms, ...over }, i) => {
    const startAt = startNs + BigInt(Math.round(at * 1000)) * 1_000_000n;
    return {
      ...emptyStep(projectId, traceId, `${hex(n, 8)}${hex(i + 1, 8)}`),
      parentSpanId: i === 0 ? '' : `${hex(n, 8)}${hex(1, 8)}`,
      name: `step ${i}`,
      agentName,
      status: 'ok' as const,
      startNs: startAt,
      endNs: startAt + BigInt(ms) * 1_000_000n,
      ...over,
    };
  });
}

const msg = (content: string, finish = '') =>
  JSON.stringify([
    { role: 'assistant', parts: [{ type: 'text', content }], ...(finish ? { finish_reason: finish } : {}) },
  ]);

export const OUTPUTS = {
  r1: msg('Hello 👋', 'stop'),
  r2: msg("I CAN'T HELP WITH that."),
  r3: '',
  r4: msg('Sure', 'refusal'),
  r7: '"no"',
};
export const R3_PROTO_RESULT = `it's "q" \\ ✓`;

export function metricsFixture(): { steps: Step[]; findings: Array<[string, StoredFinding[]]> } {
  const steps = [
    // R1 support, p1/pol1, gpt-a: 5 steps, 10 s, 120 tokens, $0.01.
    ...run(MP, 1, T0, 'support', [
      { at: 0, ms: 10_000, kind: 'agent', promptVersion: 'p1', policyVersion: 'pol1' },
      {
        at: 1,
        ms: 2_000,
        kind: 'llm',
        requestModel: 'gpt-a',
        responseModel: 'gpt-a',
        inputTokens: 100,
        outputTokens: 20,
        outputMessages: OUTPUTS.r1,
        attributes: { 'llm.cost.total': '0.01', 'gen_ai.response.finish_reasons': '["stop"]' },
      },
      { at: 4, ms: 500, kind: 'tool', toolName: 'search', toolArguments: '{"q":"x"}', toolResult: 'abcde' },
      { at: 5, ms: 200, kind: 'retrieval', documentIds: ['d1', 'd2'] },
      { at: 6, ms: 100, kind: 'approval', approvalDecision: 'approved' },
    ]),
    // R2 support, p1/pol1, gpt-a: refusal by phrase, failed search, non-JSON arguments, denial; error run.
    ...run(MP, 2, T0 + 600n * SEC, 'support', [
      { at: 0, ms: 20_000, kind: 'agent', promptVersion: 'p1', policyVersion: 'pol1' },
      {
        at: 1,
        ms: 1_000,
        kind: 'llm',
        requestModel: 'gpt-a',
        responseModel: 'gpt-a',
        inputTokens: 50,
        outputTokens: 5,
        outputMessages: OUTPUTS.r2,
        attributes: { 'gen_ai.usage.cost': '0.002' },
      },
      { at: 3, ms: 2_000, kind: 'tool', toolName: 'search', toolArguments: '{"q":"y"}', status: 'error' },
      { at: 6, ms: 250, kind: 'tool', toolName: 'send_mail', toolArguments: 'not json', toolResult: 'sent' },
      { at: 7, ms: 100, kind: 'approval', approvalDecision: 'DENIED' },
    ]),
    // R3 support, p2/pol1, gpt-b → gpt-b-2024: content-filter refusal, no tokens, cost from the third attribute.
    ...run(MP, 3, T0 + 4_200n * SEC, 'support', [
      { at: 0, ms: 30_000, kind: 'agent', promptVersion: 'p2', policyVersion: 'pol1' },
      {
        at: 1,
        ms: 3_000,
        kind: 'llm',
        requestModel: 'gpt-b',
        responseModel: 'gpt-b-2024',
        outputMessages: OUTPUTS.r3,
        attributes: {
          'gen_ai.response.finish_reasons': '["content_filter"]',
          'gen_ai.usage.cost': 'NaN',
          'casefile.cost.usd': '0.5',
        },
      },
      {
        at: 5,
        ms: 100,
        kind: 'tool',
        toolName: '__proto__',
        toolArguments: ' {"a":1} ',
        toolResult: R3_PROTO_RESULT,
        attributes: { 'casefile.tool.arguments_valid': 'false' },
      },
      { at: 6, ms: 100, kind: 'retrieval', documentIds: ['d1', EVIL_DOC] },
      { at: 8, ms: 750, kind: 'tool', toolName: 'search', toolArguments: '\n{"q":"z"}\t', toolResult: 'xyz' },
    ]),
    // R4 billing, b1, gpt-a: refusal by finish reason in the messages, array arguments, rejection.
    ...run(MP, 4, T0 + 1_200n * SEC, 'billing', [
      { at: 0, ms: 5_000, kind: 'agent', promptVersion: 'b1' },
      {
        at: 1,
        ms: 1_000,
        kind: 'llm',
        requestModel: 'gpt-a',
        inputTokens: 10,
        outputMessages: OUTPUTS.r4,
      },
      { at: 3, ms: 1_000, kind: 'tool', toolName: 'charge', toolArguments: '[]', toolResult: 'ok' },
      { at: 4, ms: 100, kind: 'approval', approvalDecision: 'rejected' },
    ]),
    // R5 billing, b1: one failed step.
    ...run(MP, 5, T0 + 1_800n * SEC, 'billing', [
      { at: 0, ms: 1_000, kind: 'agent', promptVersion: 'b1', status: 'error' },
    ]),
    // R7: hostile agent, version, tool and model names.
    ...run(MP, 7, T0 + 2_400n * SEC, EVIL_AGENT, [
      { at: 0, ms: 2_000, kind: 'agent', promptVersion: EVIL_PROMPT },
      { at: 0.5, ms: 500, kind: 'tool', toolName: EVIL_TOOL, toolArguments: '{}', toolResult: 'r' },
      {
        at: 1,
        ms: 500,
        kind: 'llm',
        requestModel: EVIL_MODEL,
        inputTokens: 1,
        outputTokens: 1,
        outputMessages: OUTPUTS.r7,
        attributes: { __proto__: '1', 'llm.cost.total': '1.25' },
      },
    ]),
    // R6 started before the window; its search call is inside it (step metrics count it, run metrics not).
    ...run(MP, 6, T0 - 10n * SEC, 'support', [
      { at: 0, ms: 15_000, kind: 'agent', promptVersion: 'p1' },
      { at: 11, ms: 500, kind: 'tool', toolName: 'search', toolArguments: '{"q":1}', toolResult: 'ab' },
    ]),
    // R8 starts at the window's (exclusive) end.
    ...run(MP, 8, T0 + 3n * HOUR, 'support', [
      { at: 0, ms: 1_000, kind: 'agent', promptVersion: 'p2' },
      {
        at: 0.1,
        ms: 100,
        kind: 'llm',
        requestModel: 'gpt-a',
        inputTokens: 5,
        outputTokens: 5,
        outputMessages: msg('x', 'content_filter'),
      },
    ]),
    // Another project: must never show.
    ...run(MQ, 9, T0 + 100n * SEC, 'support', [
      { at: 0, ms: 1_000, kind: 'agent', promptVersion: 'p1' },
      { at: 0.1, ms: 100, kind: 'tool', toolName: 'search', toolArguments: '{}', status: 'error' },
    ]),
  ];
  // The `__proto__` attribute key must be an own property, as a parsed span's would be.
  for (const s of steps) {
    if (s.traceId === traceOf(7) && s.kind === 'llm') {
      s.attributes = JSON.parse('{"__proto__":"1","llm.cost.total":"1.25"}') as Record<string, string>;
    }
  }
  const finding = (run: number, severity: StoredFinding['severity'], status: StoredFinding['status']) => {
    const base = {
      projectId: MP,
      traceId: traceOf(run),
      spanId: `${hex(run, 8)}${hex(1, 8)}`,
      ruleId: `rule.${severity}.${status}`,
      severity,
      reason: 'Fixture finding',
      evidence: `e'\\${severity}`,
      agentName: '',
      toolName: '',
      status,
      createdNs: T0,
    };
    return { ...base, id: findingId(base) };
  };
  const findings: Array<[string, StoredFinding[]]> = [
    [traceOf(3), [finding(3, 'high', 'open')]],
    [traceOf(4), [finding(4, 'low', 'open'), finding(4, 'high', 'muted')]],
    [traceOf(5), [finding(5, 'medium', 'open')]],
  ];
  return { steps, findings };
}

/**
 * Runs with several LLM calls, for the final-answer metrics (all in [T0, T0 + 1 h) except F6):
 * - F1: the plan refuses (a phrase), the answer does not; search twice, mail once.
 * - F2: plan fine, the answer refuses by finish reason; search once.
 * - F3: two calls start together; the one that ends later (a refusal) is final.
 * - F4: two calls start and end together; the greater span ID (a refusal) is final.
 * - F5: no LLM call at all: no answer to judge.
 * - F6: started before the window (its answer is inside it): a run metric leaves it out.
 * - F7: the plan comes from model `small`, the answer from model `big`; both refuse.
 * Outputs are plain text, so the lengths are easy to count.
 */
export function finalAnswerFixture(projectId: string): Step[] {
  return [
    ...run(projectId, 21, T0, 'final', [
      { at: 0, ms: 9_000, kind: 'agent' },
      { at: 1, ms: 500, kind: 'llm', outputMessages: "I can't help with that" },
      { at: 2, ms: 100, kind: 'tool', toolName: 'search' },
      { at: 3, ms: 100, kind: 'tool', toolName: 'search' },
      { at: 4, ms: 100, kind: 'tool', toolName: 'mail' },
      { at: 5, ms: 500, kind: 'llm', outputMessages: 'Here it is.' },
    ]),
    ...run(projectId, 22, T0 + 60n * SEC, 'final', [
      { at: 0, ms: 9_000, kind: 'agent' },
      { at: 1, ms: 500, kind: 'llm', outputMessages: 'plan' },
      { at: 2, ms: 100, kind: 'tool', toolName: 'search' },
      {
        at: 5,
        ms: 500,
        kind: 'llm',
        outputMessages: 'blocked',
        attributes: { 'gen_ai.response.finish_reasons': '["content_filter"]' },
      },
    ]),
    ...run(projectId, 23, T0 + 120n * SEC, 'final', [
      { at: 0, ms: 9_000, kind: 'agent' },
      { at: 1, ms: 900, kind: 'llm', outputMessages: 'I must decline' },
      { at: 1, ms: 500, kind: 'llm', outputMessages: 'fine' },
    ]),
    ...run(projectId, 24, T0 + 180n * SEC, 'final', [
      { at: 0, ms: 9_000, kind: 'agent' },
      { at: 1, ms: 500, kind: 'llm', outputMessages: 'okay', spanId: 'f4000000000000aa' },
      { at: 1, ms: 500, kind: 'llm', outputMessages: 'I MUST DECLINE', spanId: 'f4000000000000bb' },
    ]),
    ...run(projectId, 25, T0 + 240n * SEC, 'final', [
      { at: 0, ms: 9_000, kind: 'agent' },
      { at: 1, ms: 100, kind: 'tool', toolName: 'search' },
    ]),
    ...run(projectId, 26, T0 - 5n * SEC, 'final', [
      { at: 0, ms: 9_000, kind: 'agent' },
      { at: 6, ms: 500, kind: 'llm', outputMessages: "I can't help with it" },
    ]),
    ...run(projectId, 27, T0 + 300n * SEC, 'final', [
      { at: 0, ms: 9_000, kind: 'agent' },
      { at: 1, ms: 500, kind: 'llm', requestModel: 'small', outputMessages: 'I must decline, small' },
      { at: 2, ms: 500, kind: 'llm', requestModel: 'big', responseModel: 'big', outputMessages: 'I must decline' },
    ]),
  ];
}

/** Names an attacker controls, each one run's agent, tool, prompt, policy and model. */
export const HOSTILE = [
  "'",
  '\\',
  "\\'",
  "''",
  '"',
  '`',
  '\0',
  'a\0b',
  '%',
  '_',
  '__proto__',
  'constructor',
  '😀 ünïcødé',
  '\n\r\t',
  "') OR 1=1 --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder is the hostile input here
  '${x}',
  '$1',
  '?',
  'lone \uD800 surrogate',
  'x'.repeat(5_000),
];

export function hostileRun(projectId: string, i: number, name: string): Step[] {
  const traceId = `${'h'.charCodeAt(0).toString(16)}${i.toString(16).padStart(30, '0')}`;
  const base = (n: number): Step => ({
    ...emptyStep(projectId, traceId, `${i.toString(16).padStart(8, '0')}${n.toString(16).padStart(8, '0')}`),
    parentSpanId: n === 0 ? '' : `${i.toString(16).padStart(8, '0')}${'0'.repeat(8)}`,
    agentName: name,
    startNs: T0 + BigInt(i) * SEC + BigInt(n),
    endNs: T0 + BigInt(i) * SEC + 1_000n,
  });
  return [
    { ...base(0), kind: 'agent', promptVersion: name, policyVersion: name },
    { ...base(1), kind: 'tool', toolName: name, status: 'error' },
    { ...base(2), kind: 'llm', requestModel: name },
  ];
}

/** A JS string as a backend stores it: lone surrogates have no UTF-8 form and become U+FFFD. */
export function wellFormedText(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

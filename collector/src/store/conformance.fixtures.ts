import { emptyStep, type Step } from '../model/step.js';

/** Fixtures for the conformance suite: realistic runs of an agent that reads, decides and acts. */

export const NS_PER_DAY = 86_400_000_000_000n;
/** 2026-03-10T00:00:00Z. Real timestamps are far beyond 2^53 ns, so precision loss would show. */
export const DAY0 = 1_773_100_800_000_000_000n;

let counter = 0;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** Unique, valid-looking IDs, with a random prefix so that parallel suites never collide. */
const prefix = hex(Math.floor(Math.random() * 0xffffffff), 8);
export function newTraceId(): string {
  counter += 1;
  return `${prefix}${hex(counter, 24)}`;
}
export function spanIdOf(traceId: string, n: number): string {
  return `${traceId.slice(-8)}${hex(n, 8)}`;
}

export interface RunSpec {
  projectId: string;
  traceId?: string;
  startNs: bigint;
  agentName?: string;
  agentVersion?: string;
  status?: 'ok' | 'error';
  toolName?: string;
  model?: string;
  promptVersion?: string;
  policyVersion?: string;
  documentIds?: string[];
  approvalId?: string;
  input?: string;
  inputTokens?: number | null;
}

/**
 * A five-step run: root agent step, retrieval, llm, approval, tool. Steps start 1 ms apart;
 * the tool step fails when `status` is 'error'.
 */
export function buildRun(spec: RunSpec): Step[] {
  const traceId = spec.traceId ?? newTraceId();
  const ms = 1_000_000n;
  const mk = (n: number, kind: Step['kind'], name: string, parent: string): Step => ({
    ...emptyStep(spec.projectId, traceId, spanIdOf(traceId, n)),
    parentSpanId: parent,
    kind,
    name,
    startNs: spec.startNs + BigInt(n - 1) * ms,
    endNs: spec.startNs + BigInt(n) * ms + 123n,
    status: 'ok',
    serviceName: 'support-bot',
    spanKind: 1,
  });
  const root = mk(1, 'agent', 'invoke_agent support', '');
  root.agentName = spec.agentName ?? 'support';
  root.agentVersion = spec.agentVersion ?? '1.0.0';
  root.conversationId = `conv-${traceId.slice(-4)}`;
  root.runInput = spec.input ?? 'Where is my order #4411?';
  root.promptVersion = spec.promptVersion ?? 'p-1';
  root.policyVersion = spec.policyVersion ?? 'pol-1';
  root.endNs = spec.startNs + 10n * ms;
  const rootId = root.spanId;

  const retrieval = mk(2, 'retrieval', 'retrieve kb', rootId);
  retrieval.documentIds = spec.documentIds ?? ['kb-1'];
  retrieval.retrievalQuery = 'order status';
  retrieval.contentTrust = 'untrusted';

  const llm = mk(3, 'llm', 'chat gpt-x', rootId);
  llm.provider = 'openai';
  llm.requestModel = spec.model ?? 'gpt-x';
  llm.responseModel = `${spec.model ?? 'gpt-x'}-2026-01-01`;
  llm.inputTokens = spec.inputTokens === undefined ? 100 : spec.inputTokens;
  llm.outputTokens = 20;

  const approval = mk(4, 'approval', 'approval', rootId);
  approval.approvalId = spec.approvalId ?? '';
  approval.approvalDecision = spec.approvalId ? 'approved' : '';

  const tool = mk(5, 'tool', `execute_tool ${spec.toolName ?? 'lookup_order'}`, rootId);
  tool.toolName = spec.toolName ?? 'lookup_order';
  tool.toolArguments = '{"order":"4411"}';
  tool.toolResult = '{"status":"shipped"}';
  if (spec.status === 'error') {
    tool.status = 'error';
    tool.statusMessage = 'timeout';
    tool.errorType = 'TimeoutError';
  }
  return [root, retrieval, llm, approval, tool];
}

/** One step with every field set to an awkward value. */
export function awkwardStep(projectId: string, traceId: string): Step {
  const big = `${'x'.repeat(300_000)}${'🙂'.repeat(1000)}'";\\--`;
  return {
    projectId,
    traceId,
    spanId: spanIdOf(traceId, 99),
    parentSpanId: '',
    name: "drop table spans; -- 'quoted' \"double\" `back` \\ \\' \u0000 nul",
    kind: 'tool',
    spanKind: 3,
    startNs: DAY0 + 123_456_789n,
    endNs: DAY0 + 987_654_321_123n,
    status: 'error',
    statusMessage: 'línea 1\nline 2\r\n\ttab',
    serviceName: '服务',
    agentName: 'агент',
    agentVersion: '',
    conversationId: 'c-🙂',
    runInput: big,
    promptVersion: 'p-ü',
    policyVersion: "pol-'1'",
    provider: 'anthropic',
    requestModel: 'm\\1',
    responseModel: '',
    inputTokens: null,
    outputTokens: 0,
    inputMessages: '[{"role":"user","content":"hi \\u0000 \\"there\\""}]',
    outputMessages: '[]',
    systemInstructions: '',
    toolName: "send_mail'); DROP",
    toolCallId: 'call_1',
    toolArguments: '{"to":"[email:7f3a9c]","body":"%_*?"}',
    toolResult: '',
    toolRisk: 'external',
    dataSourceId: 'kb',
    retrievalQuery: '?',
    documentIds: ['doc-1', "doc-'2'", '', 'doc-🙂'],
    documents: '[{"id":"doc-1","score":0.5}]',
    contentTrust: 'untrusted',
    approvalId: 'appr-1',
    approvalDecision: 'denied',
    approver: '[user:1a2b3c]',
    approvalActionHash: 'a'.repeat(64),
    actionHash: 'b'.repeat(64),
    actionResult: 'not sent',
    policyDecision: 'deny',
    errorType: 'PolicyDenied',
    redactionCount: 3,
    redactionRules: ['email', 'jwt'],
    attributes: {
      'gen_ai.tool.name': 'send_mail',
      empty: '',
      'quote\'"': 'v\\',
      ['__proto__']: '🙂',
      constructor: 'x',
      'multi\nline': '\u0000',
    },
    resourceAttributes: { 'service.name': '服务' },
    events: [
      { timeNs: DAY0 + 5n, name: 'exception', attributes: { 'exception.message': "can't" } },
      { timeNs: 18_446_744_073_709_551_615n, name: '', attributes: {} },
    ],
  };
}

/**
 * Runs whose summary depends on the picking rules: a root without a name or agent under a named
 * agent step, a step that began before its root, no root at all with two steps starting together,
 * a root naming one agent over an agent step naming another, request and response models apart,
 * tool names whose UTF-8 byte order differs from their UTF-16 order, missing token counts.
 */
export function summaryEdgeRuns(projectId: string, startNs: bigint): Step[][] {
  const ms = 1_000_000n;
  const step = (traceId: string, n: number, over: Partial<Step>): Step => ({
    ...emptyStep(projectId, traceId, spanIdOf(traceId, n)),
    startNs: startNs + BigInt(n) * ms,
    endNs: startNs + BigInt(n + 1) * ms,
    status: 'ok',
    ...over,
  });
  const [a, b, c, d] = [newTraceId(), newTraceId(), newTraceId(), newTraceId()];
  const rootA = spanIdOf(a, 1);
  const unnamedRoot = [
    step(a, 1, { kind: 'other', serviceName: 'svc-a', endNs: startNs + 50n * ms }),
    step(a, 0, {
      parentSpanId: rootA,
      kind: 'tool',
      name: 'early tool',
      agentName: 'early',
      conversationId: 'conv-early',
      toolName: 'ﬁle',
      inputTokens: null,
    }),
    step(a, 2, {
      parentSpanId: rootA,
      kind: 'agent',
      name: 'invoke_agent planner',
      agentName: 'planner',
      agentVersion: '2',
      conversationId: 'conv-planner',
    }),
    step(a, 3, {
      parentSpanId: rootA,
      kind: 'llm',
      requestModel: 'model-a',
      responseModel: 'model-a-2026',
      inputTokens: 5,
      outputTokens: null,
    }),
    step(a, 4, {
      parentSpanId: rootA,
      kind: 'llm',
      requestModel: '',
      responseModel: 'model-b',
      inputTokens: 1,
      outputTokens: 2,
    }),
    step(a, 5, { parentSpanId: rootA, kind: 'tool', toolName: '😀 tool', status: 'error' }),
    step(a, 6, { parentSpanId: rootA, kind: 'tool', toolName: 'a tool' }),
  ];
  // No root stored (its span never arrived): the earlier start wins, then the lower span ID.
  const rootless = [
    step(b, 3, { parentSpanId: 'f'.repeat(16), kind: 'llm', name: 'later', promptVersion: 'p-later' }),
    {
      ...step(b, 2, { parentSpanId: 'f'.repeat(16), kind: 'tool', name: 'first, ends last', runInput: 'in-2' }),
      spanId: `${b.slice(-8)}00000001`,
      endNs: startNs + 9n * ms,
    },
    {
      ...step(b, 2, { parentSpanId: 'f'.repeat(16), kind: 'tool', name: 'second, ends first', runInput: 'in-1' }),
      spanId: `${b.slice(-8)}00000002`,
    },
  ];
  const rootC = spanIdOf(c, 1);
  const rootNamesAgent = [
    step(c, 1, { kind: 'other', name: 'root', agentName: 'root-agent', policyVersion: 'pol-root' }),
    step(c, 2, {
      parentSpanId: rootC,
      kind: 'agent',
      name: 'child',
      agentName: 'child-agent',
      agentVersion: 'v-child',
      policyVersion: 'pol-child',
    }),
  ];
  const single = [step(d, 1, { kind: 'llm', requestModel: 'same', responseModel: 'same' })];
  return [unnamedRoot, rootless, rootNamesAgent, single];
}

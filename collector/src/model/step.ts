/**
 * The canonical step model. One run = one trace; one step = one span. Every adapter stores
 * exactly these fields; every dialect (GenAI semconv, OpenInference, Vercel AI SDK, OpenLLMetry)
 * is normalised onto them. Times are bigint nanoseconds since the Unix epoch.
 */
export const STEP_KINDS = ['agent', 'llm', 'retrieval', 'tool', 'approval', 'policy', 'guardrail', 'other'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const TOOL_RISKS = ['read', 'write', 'external', 'irreversible'] as const;
export type ToolRisk = (typeof TOOL_RISKS)[number];

export type StepStatus = 'unset' | 'ok' | 'error';

export interface StepEvent {
  timeNs: bigint;
  name: string;
  attributes: Record<string, string>;
}

export interface Step {
  projectId: string;
  /** 32 lower-case hex characters. */
  traceId: string;
  /** 16 lower-case hex characters. */
  spanId: string;
  /** '' for the root span of a run. */
  parentSpanId: string;
  name: string;
  kind: StepKind;
  /** OTLP span kind, 0..5. */
  spanKind: number;
  startNs: bigint;
  endNs: bigint;
  status: StepStatus;
  statusMessage: string;
  serviceName: string;

  agentName: string;
  agentVersion: string;
  conversationId: string;
  runInput: string;
  promptVersion: string;
  policyVersion: string;

  provider: string;
  requestModel: string;
  responseModel: string;
  inputTokens: number | null;
  outputTokens: number | null;
  /** JSON text (redacted). */
  inputMessages: string;
  outputMessages: string;
  systemInstructions: string;

  toolName: string;
  toolCallId: string;
  /** JSON text (redacted). */
  toolArguments: string;
  toolResult: string;
  toolRisk: ToolRisk | '';

  dataSourceId: string;
  retrievalQuery: string;
  documentIds: string[];
  /** JSON text: [{id, score}] */
  documents: string;
  contentTrust: 'trusted' | 'untrusted' | '';

  approvalId: string;
  approvalDecision: string;
  approver: string;
  approvalActionHash: string;
  actionHash: string;
  actionResult: string;
  policyDecision: string;

  errorType: string;
  redactionCount: number;
  redactionRules: string[];

  /** Every span attribute, stringified (arrays and maps as JSON), after redaction. */
  attributes: Record<string, string>;
  resourceAttributes: Record<string, string>;
  events: StepEvent[];
}

/** One row per run, derived from its steps. */
export interface RunSummary {
  traceId: string;
  startNs: bigint;
  endNs: bigint;
  name: string;
  serviceName: string;
  agentName: string;
  agentVersion: string;
  conversationId: string;
  status: 'ok' | 'error';
  stepCount: number;
  errorCount: number;
  toolNames: string[];
  promptVersion: string;
  policyVersion: string;
  models: string[];
  inputTokens: number;
  outputTokens: number;
  runInput: string;
  findingCount: number;
}

export function emptyStep(projectId: string, traceId: string, spanId: string): Step {
  return {
    projectId,
    traceId,
    spanId,
    parentSpanId: '',
    name: '',
    kind: 'other',
    spanKind: 0,
    startNs: 0n,
    endNs: 0n,
    status: 'unset',
    statusMessage: '',
    serviceName: '',
    agentName: '',
    agentVersion: '',
    conversationId: '',
    runInput: '',
    promptVersion: '',
    policyVersion: '',
    provider: '',
    requestModel: '',
    responseModel: '',
    inputTokens: null,
    outputTokens: null,
    inputMessages: '',
    outputMessages: '',
    systemInstructions: '',
    toolName: '',
    toolCallId: '',
    toolArguments: '',
    toolResult: '',
    toolRisk: '',
    dataSourceId: '',
    retrievalQuery: '',
    documentIds: [],
    documents: '',
    contentTrust: '',
    approvalId: '',
    approvalDecision: '',
    approver: '',
    approvalActionHash: '',
    actionHash: '',
    actionResult: '',
    policyDecision: '',
    errorType: '',
    redactionCount: 0,
    redactionRules: [],
    attributes: {},
    resourceAttributes: {},
    events: [],
  };
}

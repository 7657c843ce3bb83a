/**
 * Attribute names the SDK writes and the collector reads. GenAI semantic-convention names where
 * upstream defines one; the `casefile.*` namespace for forensic fields it does not.
 * The collector imports these so both sides spell every name once.
 */
export const ATTR = {
  // Step kind (every span the SDK creates carries it)
  STEP_KIND: 'casefile.step.kind',
  /** A per-process counter stamped at span start: the start order when millisecond clocks tie. */
  STEP_SEQ: 'casefile.step.seq',

  // GenAI: operation, agent, conversation
  OPERATION_NAME: 'gen_ai.operation.name',
  AGENT_NAME: 'gen_ai.agent.name',
  AGENT_VERSION: 'gen_ai.agent.version',
  CONVERSATION_ID: 'gen_ai.conversation.id',

  // Run
  RUN_NAME: 'casefile.run.name',
  RUN_INPUT: 'casefile.run.input',
  PROMPT_VERSION: 'casefile.prompt.version',
  POLICY_VERSION: 'casefile.policy.version',

  // Model calls
  PROVIDER_NAME: 'gen_ai.provider.name',
  REQUEST_MODEL: 'gen_ai.request.model',
  REQUEST_TEMPERATURE: 'gen_ai.request.temperature',
  REQUEST_MAX_TOKENS: 'gen_ai.request.max_tokens',
  RESPONSE_MODEL: 'gen_ai.response.model',
  RESPONSE_ID: 'gen_ai.response.id',
  RESPONSE_FINISH_REASONS: 'gen_ai.response.finish_reasons',
  USAGE_INPUT_TOKENS: 'gen_ai.usage.input_tokens',
  USAGE_OUTPUT_TOKENS: 'gen_ai.usage.output_tokens',
  INPUT_MESSAGES: 'gen_ai.input.messages',
  OUTPUT_MESSAGES: 'gen_ai.output.messages',
  SYSTEM_INSTRUCTIONS: 'gen_ai.system_instructions',

  // Retrieval
  DATA_SOURCE_ID: 'gen_ai.data_source.id',
  RETRIEVAL_QUERY_TEXT: 'gen_ai.retrieval.query.text',
  RETRIEVAL_DOCUMENTS: 'gen_ai.retrieval.documents',
  REQUEST_TOP_K: 'gen_ai.request.top_k',
  RETRIEVAL_DOCUMENT_IDS: 'casefile.retrieval.document_ids',
  /** JSON `[{id, content}]`: the retrieved text, kept so detectors can follow untrusted content. */
  RETRIEVAL_CONTENT: 'casefile.retrieval.content',

  // Tools
  TOOL_NAME: 'gen_ai.tool.name',
  TOOL_CALL_ID: 'gen_ai.tool.call.id',
  TOOL_CALL_ARGUMENTS: 'gen_ai.tool.call.arguments',
  TOOL_CALL_RESULT: 'gen_ai.tool.call.result',
  TOOL_RISK: 'casefile.tool.risk',
  /** string[]: the argument names (or dotted paths) that say where the call goes. */
  TOOL_DESTINATIONS: 'casefile.tool.destinations',
  CONTENT_TRUST: 'casefile.content.trust',

  // Approvals and actions
  APPROVAL_ID: 'casefile.approval.id',
  APPROVAL_DECISION: 'casefile.approval.decision',
  APPROVAL_APPROVER: 'casefile.approval.approver',
  APPROVAL_ACTION_HASH: 'casefile.approval.action_hash',
  /** The approved action itself: the tool's name and its arguments as canonical JSON (redacted like any payload). */
  APPROVAL_ACTION_TOOL: 'casefile.approval.action.tool',
  APPROVAL_ACTION_ARGUMENTS: 'casefile.approval.action.arguments',
  ACTION_HASH: 'casefile.action.hash',
  ACTION_RESULT: 'casefile.action.result',

  // Policy checks
  POLICY_NAME: 'casefile.policy.name',
  POLICY_INPUT: 'casefile.policy.input',
  POLICY_DECISION: 'casefile.policy.decision',
  POLICY_REASON: 'casefile.policy.reason',

  // Redaction (written by the redacting span processor)
  REDACTION_COUNT: 'casefile.redaction.count',
  REDACTION_RULES: 'casefile.redaction.rules',
  REDACTION_VERSION: 'casefile.redaction.version',

  // Errors (stable OTel attribute)
  ERROR_TYPE: 'error.type',

  // Resource
  SERVICE_NAME: 'service.name',
  SDK_VERSION: 'casefile.sdk.version',
} as const;

export type AttributeName = (typeof ATTR)[keyof typeof ATTR];

/** Values of `gen_ai.operation.name` the SDK emits. */
export const OPERATION = {
  INVOKE_AGENT: 'invoke_agent',
  CHAT: 'chat',
  RETRIEVAL: 'retrieval',
  EXECUTE_TOOL: 'execute_tool',
} as const;

export const STEP_KIND = {
  AGENT: 'agent',
  LLM: 'llm',
  RETRIEVAL: 'retrieval',
  TOOL: 'tool',
  APPROVAL: 'approval',
  POLICY: 'policy',
  GUARDRAIL: 'guardrail',
  OTHER: 'other',
} as const;
export type StepKindValue = (typeof STEP_KIND)[keyof typeof STEP_KIND];

export const TOOL_RISK_VALUES = ['read', 'write', 'external', 'irreversible'] as const;
export type ToolRiskValue = (typeof TOOL_RISK_VALUES)[number];

export const CONTENT_TRUST_VALUES = ['trusted', 'untrusted'] as const;
export type ContentTrust = (typeof CONTENT_TRUST_VALUES)[number];

export const APPROVAL_DECISIONS = ['approved', 'denied', 'expired'] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

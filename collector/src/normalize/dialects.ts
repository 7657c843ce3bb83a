/**
 * Dialect mappings onto the canonical step fields: GenAI semconv (current and deprecated names),
 * OpenInference, OpenLLMetry/Traceloop and the Vercel AI SDK. Each list is in priority order.
 */
export const FIELD_SOURCES = {
  // Not `traceloop.workflow.name`: it names the workflow around the agent, not the agent.
  agentName: ['gen_ai.agent.name', 'agent.name', 'ai.telemetry.functionId'],
  agentVersion: ['gen_ai.agent.version', 'traceloop.entity.version'],
  conversationId: [
    'gen_ai.conversation.id',
    'session.id',
    'ai.telemetry.metadata.sessionId',
    'traceloop.association.properties.session_id',
    'ai.settings.context.sessionId',
    'langfuse.session.id',
    'gcp.vertex.agent.session_id',
  ],
  runInput: ['casefile.run.input'],
  promptVersion: ['casefile.prompt.version', 'llm.prompt_template.version', 'traceloop.prompt.version'],
  policyVersion: ['casefile.policy.version'],
  provider: ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system', 'ai.model.provider'],
  requestModel: ['gen_ai.request.model', 'llm.request.model_name', 'llm.model_name', 'ai.model.id'],
  responseModel: ['gen_ai.response.model', 'llm.response.model_name', 'ai.response.model'],
  inputTokens: [
    'gen_ai.usage.input_tokens',
    'gen_ai.usage.prompt_tokens',
    'llm.token_count.prompt',
    'ai.usage.inputTokens',
    'ai.usage.promptTokens',
  ],
  outputTokens: [
    'gen_ai.usage.output_tokens',
    'gen_ai.usage.completion_tokens',
    'llm.token_count.completion',
    'ai.usage.outputTokens',
    'ai.usage.completionTokens',
  ],
  inputMessages: ['gen_ai.input.messages', 'ai.prompt.messages', 'ai.prompt'],
  outputMessages: ['gen_ai.output.messages', 'ai.response.text'],
  systemInstructions: ['gen_ai.system_instructions'],
  toolName: ['gen_ai.tool.name', 'tool.name', 'ai.toolCall.name'],
  toolCallId: ['gen_ai.tool.call.id', 'tool.id', 'ai.toolCall.id'],
  toolArguments: ['gen_ai.tool.call.arguments', 'ai.toolCall.args', 'gcp.vertex.agent.tool_call_args'],
  toolResult: ['gen_ai.tool.call.result', 'ai.toolCall.result', 'gcp.vertex.agent.tool_response'],
  toolRisk: ['casefile.tool.risk'],
  dataSourceId: ['gen_ai.data_source.id'],
  retrievalQuery: ['gen_ai.retrieval.query.text', 'casefile.retrieval.query'],
  documents: ['gen_ai.retrieval.documents'],
  contentTrust: ['casefile.content.trust'],
  approvalId: ['casefile.approval.id'],
  approvalDecision: ['casefile.approval.decision'],
  approver: ['casefile.approval.approver'],
  approvalActionHash: ['casefile.approval.action_hash'],
  actionHash: ['casefile.action.hash'],
  actionResult: ['casefile.action.result'],
  policyDecision: ['casefile.policy.decision'],
  errorType: ['error.type'],
} as const satisfies Record<string, readonly string[]>;

export function pick(attrs: Record<string, string>, keys: readonly string[]): string {
  for (const k of keys) {
    const v = attrs[k];
    if (v !== undefined && v !== '') return v;
  }
  return '';
}

/**
 * OpenInference and OpenLLMetry flatten lists as `<prefix>.<i>.<suffix>`; gather them back into
 * an array of objects (index order), e.g. `llm.input_messages.0.message.role`.
 */
export function gatherIndexed(attrs: Record<string, string>, prefix: string): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  const p = `${prefix}.`;
  for (const key in attrs) {
    if (!key.startsWith(p)) continue;
    const rest = key.slice(p.length);
    const dot = rest.indexOf('.');
    if (dot <= 0) continue;
    const index = Number(rest.slice(0, dot));
    if (!Number.isInteger(index) || index < 0 || index > 10_000) continue;
    rows[index] ??= Object.create(null) as Record<string, string>;
    (rows[index] as Record<string, string>)[rest.slice(dot + 1)] = attrs[key] as string;
  }
  return rows.filter((r) => r !== undefined);
}

import type { StepKind } from '../model/step.js';
import { STEP_KINDS } from '../model/step.js';
import type { SpanView } from './dialect.js';
import { mlflowSpanType } from './dialects/mlflow.js';

const BY_GENAI_OPERATION: Record<string, StepKind> = {
  invoke_agent: 'agent',
  create_agent: 'agent',
  invoke_workflow: 'agent',
  plan: 'agent',
  chat: 'llm',
  generate_content: 'llm',
  text_completion: 'llm',
  embeddings: 'llm',
  retrieval: 'retrieval',
  search_memory: 'retrieval',
  rerank: 'retrieval',
  execute_tool: 'tool',
  agent_step: 'other',
};

const BY_OPENINFERENCE: Record<string, StepKind> = {
  LLM: 'llm',
  EMBEDDING: 'llm',
  AGENT: 'agent',
  RETRIEVER: 'retrieval',
  RERANKER: 'retrieval',
  TOOL: 'tool',
  GUARDRAIL: 'guardrail',
};

const BY_MLFLOW: Record<string, StepKind> = {
  LLM: 'llm',
  CHAT_MODEL: 'llm',
  EMBEDDING: 'llm',
  AGENT: 'agent',
  RETRIEVER: 'retrieval',
  RERANKER: 'retrieval',
  TOOL: 'tool',
};

const BY_LANGFUSE: Record<string, StepKind> = {
  agent: 'agent',
  generation: 'llm',
  embedding: 'llm',
  retriever: 'retrieval',
  tool: 'tool',
  guardrail: 'guardrail',
};

/**
 * Google ADK answers parallel tool calls with one more `execute_tool` span, tool `(merged tools)`,
 * holding every call's response event: each call has a span of its own, so this one is `other`.
 */
export function isMergedToolsSpan(attrs: Record<string, string>): boolean {
  return attrs['gen_ai.tool.name'] === '(merged tools)' && attrs['gcp.vertex.agent.event_id'] !== undefined;
}

/**
 * The canonical kind of a span: our own attribute first, then each dialect in the order the most
 * specific one wins (GenAI semconv, Langfuse, OpenInference, OpenLLMetry, Vercel AI SDK). Chains,
 * workflows, tasks and plain spans are the agent when they are the root, else `other` (a LangGraph
 * node is not an agent); a root span with nothing else to go on is the agent.
 */
export function deriveStepKind(view: SpanView): StepKind {
  const { attrs, name, isRoot } = view;
  const container: StepKind = isRoot ? 'agent' : 'other';
  const own = attrs['casefile.step.kind'];
  if (own && (STEP_KINDS as readonly string[]).includes(own)) return own as StepKind;
  if (isMergedToolsSpan(attrs)) return 'other';
  const op = attrs['gen_ai.operation.name'];
  if (op && BY_GENAI_OPERATION[op]) return BY_GENAI_OPERATION[op];
  const lf = attrs['langfuse.observation.type']?.toLowerCase();
  if (lf) return BY_LANGFUSE[lf] ?? container;
  const oi = attrs['openinference.span.kind']?.toUpperCase();
  if (oi) return BY_OPENINFERENCE[oi] ?? container;
  const ml = mlflowSpanType(attrs);
  if (ml) return BY_MLFLOW[ml] ?? container;
  const tl = attrs['traceloop.span.kind'];
  if (tl === 'agent') return 'agent';
  if (tl === 'tool') return 'tool';
  if (view.events.some((e) => e.name === 'db.query.result')) return 'retrieval';
  if (tl) return container;
  const ai = attrs['ai.operationId'] ?? (name.startsWith('ai.') ? name : '');
  if (ai) {
    if (ai === 'ai.toolCall') return 'tool';
    if (ai.startsWith('ai.rerank')) return 'retrieval';
    if (/\.do(Generate|Stream|Embed)$/.test(ai)) return 'llm';
    if (/^ai\.(generate|stream)(Text|Object)$/.test(ai)) return 'agent';
    if (/^ai\.embed/.test(ai)) return 'llm';
  }
  if (attrs['llm.request.type'] === 'rerank') return 'retrieval';
  if (attrs['llm.request.type'] || attrs['gen_ai.request.model']) return 'llm';
  if (attrs['gen_ai.tool.name']) return 'tool';
  if (attrs['casefile.approval.id']) return 'approval';
  return container;
}

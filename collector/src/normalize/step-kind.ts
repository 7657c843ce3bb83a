import type { StepKind } from '../model/step.js';
import { STEP_KINDS } from '../model/step.js';

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
  execute_tool: 'tool',
};

const BY_OPENINFERENCE: Record<string, StepKind> = {
  LLM: 'llm',
  EMBEDDING: 'llm',
  CHAIN: 'agent',
  AGENT: 'agent',
  RETRIEVER: 'retrieval',
  RERANKER: 'retrieval',
  TOOL: 'tool',
  GUARDRAIL: 'guardrail',
};

const BY_TRACELOOP: Record<string, StepKind> = { workflow: 'agent', agent: 'agent', tool: 'tool', task: 'other' };

/**
 * The canonical kind of a span: our own attribute first, then each dialect in the order the most
 * specific one wins (GenAI semconv, OpenInference, OpenLLMetry, Vercel AI SDK); a root span with
 * nothing else to go on is the agent.
 */
export function deriveStepKind(attrs: Record<string, string>, name: string, isRoot: boolean): StepKind {
  const own = attrs['casefile.step.kind'];
  if (own && (STEP_KINDS as readonly string[]).includes(own)) return own as StepKind;
  const op = attrs['gen_ai.operation.name'];
  if (op && BY_GENAI_OPERATION[op]) return BY_GENAI_OPERATION[op];
  const oi = attrs['openinference.span.kind'];
  if (oi && BY_OPENINFERENCE[oi.toUpperCase()]) return BY_OPENINFERENCE[oi.toUpperCase()] as StepKind;
  const tl = attrs['traceloop.span.kind'];
  if (tl && BY_TRACELOOP[tl]) return BY_TRACELOOP[tl];
  const ai = attrs['ai.operationId'] ?? (name.startsWith('ai.') ? name : '');
  if (ai) {
    if (ai === 'ai.toolCall') return 'tool';
    if (/\.do(Generate|Stream|Embed)$/.test(ai)) return 'llm';
    if (/^ai\.(generate|stream)(Text|Object)$/.test(ai)) return 'agent';
    if (/^ai\.embed/.test(ai)) return 'llm';
  }
  if (attrs['llm.request.type'] || attrs['gen_ai.request.model']) return 'llm';
  if (attrs['gen_ai.tool.name']) return 'tool';
  if (attrs['casefile.approval.id']) return 'approval';
  return isRoot ? 'agent' : 'other';
}

import type { Step } from '../../model/step.js';
import type { Dialect, SpanView } from '../dialect.js';
import { type DocumentRef, documentRef, documentsJson } from '../documents.js';
import { isObj, parseJson, str } from '../json.js';
import { type GenAiMessage, lastUserText, messagesJson, type Part, toGenAiMessages } from '../messages.js';

const AGGREGATE = /^ai\.(generate|stream)(Text|Object)$/;
const SESSION_KEYS = ['sessionId', 'session_id', 'conversationId', 'conversation_id', 'threadId', 'thread_id'];

/** `ai.documents` (JSON strings or values) with scores from `ai.ranking` (`{index, relevanceScore}`). */
export function rerankDocuments(attrs: Record<string, string>): DocumentRef[] {
  const docs = parseJson(attrs['ai.documents']);
  if (!Array.isArray(docs)) return [];
  const scores = new Map<number, number>();
  const ranking = parseJson(attrs['ai.ranking']);
  if (Array.isArray(ranking)) {
    for (const r of ranking) {
      const entry = typeof r === 'string' ? parseJson(r) : r;
      if (isObj(entry) && typeof entry.index === 'number' && typeof entry.relevanceScore === 'number') {
        scores.set(entry.index, entry.relevanceScore);
      }
    }
  }
  const out: DocumentRef[] = [];
  docs.slice(0, 1000).forEach((d, index) => {
    const ref = documentRef(d);
    if (ref) out.push({ id: ref.id, score: scores.get(index) ?? ref.score });
  });
  return out;
}

/** The model's answer: `ai.response.text` plus `ai.response.toolCalls` (whose `input` is JSON again). */
function responseMessages(attrs: Record<string, string>): GenAiMessage[] | null {
  const parts: Part[] = [];
  const text = attrs['ai.response.text'] ?? '';
  if (text !== '') parts.push({ type: 'text', content: text });
  const object = attrs['ai.response.object'] ?? '';
  if (object !== '') parts.push({ type: 'text', content: object });
  const calls = parseJson(attrs['ai.response.toolCalls']);
  if (Array.isArray(calls)) {
    for (const c of calls) {
      if (!isObj(c)) continue;
      const raw = c.input ?? c.args;
      const args = typeof raw === 'string' ? (parseJson(raw) ?? raw) : (raw ?? {});
      parts.push({ type: 'tool_call', id: str(c.toolCallId), name: str(c.toolName), arguments: args });
    }
  }
  if (parts.length === 0) return null;
  const message: GenAiMessage = { role: 'assistant', parts };
  const finish = attrs['ai.response.finishReason'];
  if (finish) message.finish_reason = finish;
  return [message];
}

/** `ai.prompt` of a top-level call: `{system?, prompt}` or `{system?, messages}`. */
function promptMessages(attrs: Record<string, string>): GenAiMessage[] | null {
  const prompt = parseJson(attrs['ai.prompt']);
  if (!isObj(prompt)) return null;
  const out: GenAiMessage[] = [];
  if (typeof prompt.system === 'string')
    out.push({ role: 'system', parts: [{ type: 'text', content: prompt.system }] });
  if (typeof prompt.prompt === 'string') out.push({ role: 'user', parts: [{ type: 'text', content: prompt.prompt }] });
  else if (prompt.prompt !== undefined) out.push(...(toGenAiMessages(prompt.prompt) ?? []));
  if (Array.isArray(prompt.messages)) out.push(...(toGenAiMessages(prompt.messages) ?? []));
  return out.length > 0 ? out : null;
}

export function sessionFromPrefix(attrs: Record<string, string>, prefix: string): string {
  for (const k of SESSION_KEYS) {
    const v = attrs[`${prefix}${k}`];
    if (v) return v;
  }
  return '';
}

/**
 * Vercel AI SDK 4–6 (`experimental_telemetry`): `ai.generateText` → `.doGenerate` (one per model
 * call) → `ai.toolCall`; `ai.rerank`; agent name in `ai.telemetry.functionId`, metadata flattened
 * as `ai.telemetry.metadata.<key>`. Tokens sit on both the top-level call and each `do*` child, so
 * only the children count.
 */
export const vercelAi: Dialect = {
  id: 'vercel-ai',
  detect: (v: SpanView) => v.attrs['ai.operationId'] !== undefined || /^ai\.[a-zA-Z]/.test(v.name),
  apply(v: SpanView, step: Step) {
    const a = v.attrs;
    const op = a['ai.operationId'] || v.name;
    step.agentName ||= a['ai.telemetry.functionId'] ?? '';
    step.conversationId ||= sessionFromPrefix(a, 'ai.telemetry.metadata.');
    if (AGGREGATE.test(op)) {
      step.inputTokens = null;
      step.outputTokens = null;
      const input = promptMessages(a);
      if (input) step.inputMessages = messagesJson(input);
      step.runInput ||= lastUserText(step.inputMessages);
      const output = responseMessages(a);
      if (output) step.outputMessages = messagesJson(output);
      step.actionResult ||= a['ai.response.text'] || a['ai.response.object'] || '';
    } else if (/\.do(Generate|Stream)$/.test(op)) {
      const input = toGenAiMessages(parseJson(a['ai.prompt.messages']));
      if (input) step.inputMessages = messagesJson(input);
      const output = responseMessages(a);
      if (output) step.outputMessages = messagesJson(output);
    }
    if (op.startsWith('ai.rerank')) {
      const docs = rerankDocuments(a);
      if (docs.length > 0) {
        step.documents = documentsJson(docs);
        step.documentIds = docs.map((d) => d.id);
      }
      step.retrievalQuery ||= a['ai.query'] ?? '';
    }
    if (op === 'ai.toolCall') step.toolResult ||= a['ai.toolCall.output'] ?? '';
  },
};

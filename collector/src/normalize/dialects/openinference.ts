import type { Step } from '../../model/step.js';
import type { Dialect, SpanView } from '../dialect.js';
import { documentsFromOpenInference, documentsJson } from '../documents.js';
import { asJsonText, isObj, type Obj, parseJson, str } from '../json.js';
import { type GenAiMessage, indexedMessages, messagesJson, toGenAiMessage, toGenAiMessages } from '../messages.js';

/** Framework defaults that name no agent: a root span called this is not the agent's name. */
const GENERIC_ROOT_NAMES = new Set([
  'LangGraph',
  'RunnableSequence',
  'RunnableLambda',
  'RunnableParallel',
  'RunnableMap',
  'RunnableAssign',
  'ChannelWrite',
  '__start__',
]);
const SESSION_KEYS = ['thread_id', 'session_id', 'sessionId', 'conversation_id', 'conversationId'];

/**
 * `metadata` is a JSON object on OpenInference spans (LangGraph puts `thread_id` there). Anything else
 * is read as no metadata, with a note saying so (the step's notes show why its session is missing).
 */
export function metadataOf(attrs: Record<string, string>, notes?: string[]): Obj {
  const raw = attrs.metadata;
  if (raw === undefined || raw === '') return {};
  const m = parseJson(raw);
  if (isObj(m)) return m;
  notes?.push('metadata is not a JSON object; its session and thread IDs were not read');
  return {};
}

/** The first generation's message in a LangChain LLM `output.value` (`{generations:[[{message}]]}`). */
function generationMessage(output: unknown): GenAiMessage | null {
  if (!isObj(output) || !Array.isArray(output.generations)) return null;
  const first = Array.isArray(output.generations[0]) ? output.generations[0][0] : output.generations[0];
  if (!isObj(first)) return null;
  return (
    toGenAiMessage(first.message) ??
    (typeof first.text === 'string' ? { role: 'assistant', parts: [{ type: 'text', content: first.text }] } : null)
  );
}

function responseModelOf(output: unknown): string {
  if (!isObj(output) || !Array.isArray(output.generations)) return '';
  const first = Array.isArray(output.generations[0]) ? output.generations[0][0] : output.generations[0];
  const kwargs = isObj(first) && isObj(first.message) && isObj(first.message.kwargs) ? first.message.kwargs : {};
  const meta = isObj(kwargs.response_metadata) ? kwargs.response_metadata : {};
  return str(meta.model_name) || str(meta.model);
}

/** A tool's `output.value`: a serialised ToolMessage (maybe under `output`) whose `kwargs.content` is the result. */
export function toolResultOf(text: string): string {
  const parsed = parseJson(text);
  const msg = isObj(parsed) && isObj(parsed.output) ? parsed.output : parsed;
  if (isObj(msg) && msg.lc === 1 && isObj(msg.kwargs) && 'content' in msg.kwargs) {
    const content = msg.kwargs.content;
    return typeof content === 'string' ? content : asJsonText(content);
  }
  return text;
}

/** Text of the last message of a role in a LangChain state (`{messages:[…]}`), else ''. */
function lastText(value: unknown, role: string): string {
  const messages = toGenAiMessages(value);
  if (!messages) return '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as GenAiMessage;
    if (m.role !== role) continue;
    const text = m.parts.map((p) => (p.type === 'text' ? str((p as { content?: unknown }).content) : '')).join('');
    if (text !== '') return text;
  }
  return '';
}

/**
 * OpenInference (LangChain/LangGraph, LlamaIndex, OpenAI …): `openinference.span.kind`, I/O in
 * `input.value`/`output.value`, flattened lists for messages and documents. LangChain serialises its
 * messages into the I/O values, which hold what the flattened lists leave out (tool calls, tool call IDs);
 * document IDs come from `document.id` or the document's metadata JSON.
 */
export const openInference: Dialect = {
  id: 'openinference',
  detect: (v: SpanView) => v.attrs['openinference.span.kind'] !== undefined,
  apply(v: SpanView, step: Step, notes: string[]) {
    const a = v.attrs;
    const oiKind = (a['openinference.span.kind'] ?? '').toUpperCase();
    const input = a['input.value'] ?? '';
    const output = a['output.value'] ?? '';
    const meta = metadataOf(a, notes);
    for (const k of SESSION_KEYS) step.conversationId ||= str(meta[k]);
    if ((v.isRoot && (oiKind === 'CHAIN' || oiKind === 'AGENT')) || oiKind === 'AGENT') {
      if (!GENERIC_ROOT_NAMES.has(v.name)) step.agentName ||= v.name;
    }
    if (step.kind === 'agent') {
      const parsedIn = parseJson(input);
      step.runInput ||= lastText(parsedIn, 'user') || input;
      step.actionResult ||= lastText(parseJson(output), 'assistant') || output;
    } else if (step.kind === 'llm') {
      const fromValue = toGenAiMessages(parseJson(input));
      step.inputMessages = messagesJson(fromValue) || step.inputMessages || messagesJson(indexedMessages(a, 'input'));
      const parsedOut = parseJson(output);
      const generated = generationMessage(parsedOut);
      step.outputMessages =
        messagesJson(generated ? [generated] : null) ||
        step.outputMessages ||
        messagesJson(indexedMessages(a, 'output'));
      step.responseModel ||= responseModelOf(parsedOut);
    } else if (step.kind === 'tool') {
      step.toolName ||= v.name;
      step.toolCallId ||= a['tool.id'] ?? '';
      // A single string argument is sent bare; it stays a JSON string, the SDK never sends its name.
      step.toolArguments = step.toolArguments || (input === '' ? '' : asJsonText(input));
      step.toolResult = step.toolResult || toolResultOf(output);
    } else if (step.kind === 'retrieval') {
      const docs = documentsFromOpenInference(a, notes);
      if (docs.length > 0) {
        step.documents = documentsJson(docs);
        step.documentIds = docs.map((d) => d.id);
      }
      step.retrievalQuery ||= input;
    }
  },
};

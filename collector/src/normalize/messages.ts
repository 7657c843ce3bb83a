import type { StepEvent } from '@casefile/contract';
import { gatherIndexed } from './dialects.js';
import { asText, isObj, jsonOrText, type Obj, parseJson, str } from './json.js';

/**
 * Messages of every dialect onto the GenAI semconv shape `{role, parts:[…], finish_reason?}` that the
 * UI and detection read: OpenAI chat (Langfuse, OpenLLMetry), Vercel AI SDK prompts, LangChain's
 * serialised messages (OpenInference), and flattened `….N.message.*` lists.
 */
export type Part =
  | { type: 'text'; content: string }
  | { type: 'tool_call'; id: string; name: string; arguments: unknown }
  | { type: 'tool_call_response'; id: string; response: unknown }
  | { type: string; [k: string]: unknown };

export interface GenAiMessage {
  role: string;
  parts: Part[];
  finish_reason?: string;
}

const LANGCHAIN_ROLES: Record<string, string> = {
  HumanMessage: 'user',
  HumanMessageChunk: 'user',
  AIMessage: 'assistant',
  AIMessageChunk: 'assistant',
  SystemMessage: 'system',
  ToolMessage: 'tool',
  FunctionMessage: 'tool',
  ChatMessage: '',
  human: 'user',
  ai: 'assistant',
  // Gemini's name for the assistant.
  model: 'assistant',
  system: 'system',
  tool: 'tool',
};

/** JSON-in-JSON arguments (OpenAI, Vercel) become objects where they parse. */
function argumentsValue(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? {};
  const parsed = parseJson(v);
  return parsed === undefined ? v : parsed;
}

function toolCallPart(c: unknown): Part | null {
  if (!isObj(c)) return null;
  const fn = isObj(c.function) ? c.function : c;
  const name = str(fn.name) || str(c.toolName) || str(c.name);
  if (name === '') return null;
  const args = fn.arguments ?? c.args ?? c.input ?? c.arguments;
  return { type: 'tool_call', id: str(c.id) || str(c.toolCallId), name, arguments: argumentsValue(args) };
}

/** One content element (string, OpenAI/Vercel/Anthropic-style part, GenAI part) as GenAI parts. */
function contentParts(content: unknown): Part[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', content }];
  if (!Array.isArray(content)) return [{ type: 'text', content: asText(content) }];
  const parts: Part[] = [];
  for (const p of content) {
    if (typeof p === 'string') parts.push({ type: 'text', content: p });
    else if (!isObj(p)) continue;
    else if (p.type === undefined && (isObj(p.function_call) || isObj(p.functionCall))) {
      // Gemini parts (Google ADK, Vertex AI): `{function_call: {id, name, args}}`.
      const c = (isObj(p.function_call) ? p.function_call : p.functionCall) as Obj;
      const part = toolCallPart({ id: c.id, name: c.name, input: c.args ?? {} });
      if (part) parts.push(part);
    } else if (p.type === undefined && (isObj(p.function_response) || isObj(p.functionResponse))) {
      const r = (isObj(p.function_response) ? p.function_response : p.functionResponse) as Obj;
      parts.push({ type: 'tool_call_response', id: str(r.id) || str(r.name), response: r.response });
    } else if ((p.type === undefined && isObj(p.toolUse)) || p.type === 'toolUse') {
      // Bedrock Converse blocks (Strands, LangChain AWS): `{toolUse: {toolUseId, name, input}}`, or
      // flattened with a type (`{type: 'toolUse', toolUseId, name, input}`, Strands' stable output).
      const c = isObj(p.toolUse) ? p.toolUse : p;
      const part = toolCallPart({ id: c.toolUseId, name: c.name, input: c.input });
      if (part) parts.push(part);
    } else if ((p.type === undefined && isObj(p.toolResult)) || p.type === 'toolResult') {
      const r = isObj(p.toolResult) ? p.toolResult : p;
      parts.push({ type: 'tool_call_response', id: str(r.toolUseId), response: r.content ?? r.status });
    } else if (p.type === 'text' || (p.type === undefined && typeof p.text === 'string'))
      parts.push({ type: 'text', content: str(p.text) || str(p.content) });
    else if (p.type === 'tool-call' || p.type === 'tool_use' || p.type === 'tool_call') {
      const part = p.type === 'tool_call' && 'arguments' in p ? (p as Part) : toolCallPart(p);
      if (part) parts.push(part);
    } else if (p.type === 'tool-result' || p.type === 'tool_result' || p.type === 'tool_call_response') {
      const output = p.output ?? p.result ?? p.content ?? p.response;
      const value =
        isObj(output) && output.type === 'json'
          ? output.value
          : isObj(output) && 'value' in output
            ? output.value
            : output;
      parts.push({
        type: 'tool_call_response',
        id: str(p.toolCallId) || str(p.tool_use_id) || str(p.id),
        response: value,
      });
    } else parts.push(p as Part);
  }
  return parts;
}

function fromLangChainSerialized(m: Obj): GenAiMessage | null {
  const cls = Array.isArray(m.id) ? str(m.id[m.id.length - 1]) : '';
  const kwargs = isObj(m.kwargs) ? m.kwargs : {};
  const role = LANGCHAIN_ROLES[cls] ?? str(kwargs.role);
  if (role === '' && cls === '') return null;
  const parts = contentParts(kwargs.content);
  if (Array.isArray(kwargs.tool_calls)) {
    for (const c of kwargs.tool_calls) {
      const part = toolCallPart(c);
      if (part) parts.push(part);
    }
  }
  if (role === 'tool') {
    const text = parts.map((p) => (p.type === 'text' ? (p as { content: string }).content : '')).join('');
    return {
      role,
      parts: [{ type: 'tool_call_response', id: str(kwargs.tool_call_id), response: argumentsValue(text) }],
    };
  }
  return { role: role || cls, parts };
}

/** One message object of any supported dialect, or null when it is not a message. */
export function toGenAiMessage(m: unknown): GenAiMessage | null {
  if (!isObj(m)) return null;
  if (m.lc === 1 && m.type === 'constructor') return fromLangChainSerialized(m);
  const given = str(m.role);
  const role = (given === 'model' ? 'assistant' : given) || LANGCHAIN_ROLES[str(m.type)] || '';
  if (role === '') return null;
  // GenAI semconv parts carry their `type`; Gemini's (`{text}`, `{function_call}`) do not.
  if (Array.isArray(m.parts) && !m.parts.every((p) => isObj(p) && typeof p.type === 'string')) {
    return { role, parts: contentParts(m.parts) };
  }
  if (Array.isArray(m.parts)) {
    const out: GenAiMessage = { role, parts: m.parts as Part[] };
    if (typeof m.finish_reason === 'string') out.finish_reason = m.finish_reason;
    return out;
  }
  let parts = contentParts(m.content);
  if (Array.isArray(m.tool_calls)) {
    for (const c of m.tool_calls) {
      const part = toolCallPart(c);
      if (part) parts.push(part);
    }
  }
  if (role === 'tool' && typeof m.tool_call_id === 'string' && parts.every((p) => p.type === 'text')) {
    const text = parts.map((p) => (p as { content: string }).content).join('');
    parts = [{ type: 'tool_call_response', id: m.tool_call_id, response: argumentsValue(text) }];
  }
  return { role, parts };
}

/** A list (or a single message, or `{messages:[…]}`) as GenAI messages; null when nothing in it is one. */
export function toGenAiMessages(value: unknown): GenAiMessage[] | null {
  let list: unknown = value;
  if (isObj(value) && Array.isArray(value.messages)) list = value.messages;
  // Gemini requests (`{model, config, contents: […]}`) and responses (`{content: {role, parts}}`).
  else if (isObj(value) && Array.isArray(value.contents)) list = value.contents;
  else if (isObj(value) && isObj(value.content) && Array.isArray(value.content.parts)) list = [value.content];
  else if (isObj(value)) list = [value];
  if (!Array.isArray(list)) return null;
  // LangChain batches: `[[msg, msg]]`.
  if (list.length === 1 && Array.isArray(list[0])) list = list[0];
  const out: GenAiMessage[] = [];
  for (const m of list as unknown[]) {
    const msg = toGenAiMessage(m);
    if (msg) out.push(msg);
  }
  return out.length > 0 ? out : null;
}

export function messagesJson(messages: GenAiMessage[] | null): string {
  return messages && messages.length > 0 ? JSON.stringify(messages) : '';
}

/** Text of the last `user` message, for a run's input when the SDK records only messages. */
export function lastUserText(messagesText: string): string {
  const parsed = parseJson(messagesText);
  if (!Array.isArray(parsed)) return '';
  for (let i = parsed.length - 1; i >= 0; i--) {
    const m = parsed[i] as Obj;
    if (!isObj(m) || m.role !== 'user' || !Array.isArray(m.parts)) continue;
    return m.parts
      .map((p: unknown) => (isObj(p) && p.type === 'text' ? str(p.content) : ''))
      .filter((t: string) => t !== '')
      .join('\n');
  }
  return '';
}

/**
 * OpenInference `llm.{input,output}_messages.N.message.*` (role, content, contents, tool calls, tool
 * call ID) or OpenLLMetry `gen_ai.{prompt,completion}.N.*`.
 */
export function indexedMessages(attrs: Record<string, string>, side: 'input' | 'output'): GenAiMessage[] {
  const oi = gatherIndexed(attrs, `llm.${side}_messages`);
  if (oi.length > 0) {
    return oi.map((m) => {
      const parts: Part[] = [];
      const content = m['message.content'];
      if (content) parts.push({ type: 'text', content });
      for (const c of gatherIndexed(m, 'message.contents')) {
        const text = c['message_content.text'];
        if (text) parts.push({ type: 'text', content: text });
      }
      for (const c of gatherIndexed(m, 'message.tool_calls')) {
        const name = c['tool_call.function.name'] ?? '';
        if (name === '') continue;
        parts.push({
          type: 'tool_call',
          id: c['tool_call.id'] ?? '',
          name,
          arguments: argumentsValue(c['tool_call.function.arguments'] ?? ''),
        });
      }
      const role = m['message.role'] ?? '';
      const callId = m['message.tool_call_id'];
      if (role === 'tool' && callId) {
        return { role, parts: [{ type: 'tool_call_response', id: callId, response: argumentsValue(content ?? '') }] };
      }
      return { role, parts };
    });
  }
  const ll = gatherIndexed(attrs, side === 'input' ? 'gen_ai.prompt' : 'gen_ai.completion');
  return ll.map((m) => {
    const parts: Part[] = [];
    if (m.content) parts.push({ type: 'text', content: m.content });
    for (const c of gatherIndexed(m, 'tool_calls')) {
      if (c.name)
        parts.push({ type: 'tool_call', id: c.id ?? '', name: c.name, arguments: argumentsValue(c.arguments ?? '') });
    }
    const msg: GenAiMessage = { role: m.role ?? '', parts };
    if (m.finish_reason) msg.finish_reason = m.finish_reason;
    return msg;
  });
}

/**
 * A Google ADK model call's messages: `gcp.vertex.agent.llm_request` (the Gemini request: `contents`,
 * and `config.system_instruction`) and `gcp.vertex.agent.llm_response` (its `content`).
 */
export function vertexAgentMessages(attrs: Record<string, string>): EventMessages {
  const request = parseJson(attrs['gcp.vertex.agent.llm_request']);
  const response = parseJson(attrs['gcp.vertex.agent.llm_response']);
  const config = isObj(request) && isObj(request.config) ? request.config : {};
  // A string, or Gemini content (`{parts: […]}`).
  const system = config.system_instruction ?? config.systemInstruction;
  const systemParts = contentParts(isObj(system) && Array.isArray(system.parts) ? system.parts : system);
  return {
    input: isObj(request) ? messagesJson(toGenAiMessages({ contents: request.contents ?? [] })) : '',
    output: isObj(response) ? messagesJson(toGenAiMessages(response)) : '',
    systemInstructions: systemParts.length > 0 ? JSON.stringify(systemParts) : '',
  };
}

/** The span event that carries a call's messages as attributes (GenAI semconv, recorded on the span). */
const DETAILS_EVENT = 'gen_ai.client.inference.operation.details';
/** Per-message events of the earlier GenAI semconv: `gen_ai.<role>.message` and `gen_ai.choice`. */
const MESSAGE_EVENT = /^gen_ai\.(system|user|assistant|tool)\.message$/;

/** An event's fields: strings on a span event, any JSON in an `events` attribute's objects. */
type Fields = Record<string, unknown>;

/** One per-message event as a message: content in `content` or `gen_ai.event.content`, as text or JSON. */
function eventMessage(role: string, a: Fields): GenAiMessage | null {
  const body = jsonOrText(a['gen_ai.event.content']);
  const fields: Obj = isObj(body) ? { ...body } : {};
  if (a.content !== undefined) fields.content = jsonOrText(a.content);
  if (a.tool_calls !== undefined) fields.tool_calls = jsonOrText(a.tool_calls);
  const id = str(a.id) || str(a['gen_ai.tool.call.id']) || str(fields.id);
  const r = str(fields.role) || str(a.role) || role;
  if (r === 'tool' && id !== '') {
    return { role: r, parts: [{ type: 'tool_call_response', id, response: fields.content ?? '' }] };
  }
  return toGenAiMessage({ ...fields, role: r });
}

/** A `gen_ai.choice` event as the assistant's message: `message` or `gen_ai.event.content`'s `message`. */
function choiceMessage(a: Fields): GenAiMessage | null {
  const body = jsonOrText(a['gen_ai.event.content']);
  const raw = a.message !== undefined ? jsonOrText(a.message) : isObj(body) ? body.message : undefined;
  if (raw === undefined || raw === null) return null;
  const message =
    isObj(raw) && ('content' in raw || 'tool_calls' in raw || 'parts' in raw)
      ? toGenAiMessage({ role: 'assistant', ...raw })
      : { role: 'assistant', parts: contentParts(raw) };
  if (message === null) return null;
  const finish = str(a.finish_reason) || (isObj(body) ? str(body.finish_reason) : '');
  if (finish !== '') message.finish_reason = finish;
  return message;
}

/**
 * The events an `events` attribute holds as a JSON array of objects named by `event.name` (Logfire's
 * instrumentations and Pydantic AI send the message events so), as name and fields.
 */
function attributeEvents(text: string | undefined): { name: string; attributes: Fields }[] {
  const list = parseJson(text);
  if (!Array.isArray(list)) return [];
  const out: { name: string; attributes: Fields }[] = [];
  for (const e of list) {
    if (isObj(e) && typeof e['event.name'] === 'string') out.push({ name: e['event.name'], attributes: e });
  }
  return out;
}

export interface EventMessages {
  input: string;
  output: string;
  systemInstructions: string;
}

/**
 * Messages a span carries in its events rather than its attributes: the GenAI
 * `gen_ai.client.inference.operation.details` event recorded on the span (its `gen_ai.input.messages`,
 * `gen_ai.output.messages`, `gen_ai.system_instructions`); the earlier per-message events
 * (`gen_ai.{system,user,assistant,tool}.message`, `gen_ai.choice`; content in `content`, `message` or
 * a `gen_ai.event.content` JSON body), as Strands Agents and several Python and .NET instrumentations
 * send them; and `gen_ai.content.prompt` / `gen_ai.content.completion` with `gen_ai.prompt` /
 * `gen_ai.completion` lists. The same per-message events are also read from an `events` attribute
 * holding them as JSON objects (`eventsAttribute`). Texts are '' where the events hold nothing.
 */
export function eventMessages(events: readonly StepEvent[], eventsAttribute?: string): EventMessages {
  const out: EventMessages = { input: '', output: '', systemInstructions: '' };
  const input: GenAiMessage[] = [];
  const output: GenAiMessage[] = [];
  const all: readonly { name: string; attributes: Fields }[] =
    eventsAttribute === undefined ? events : [...events, ...attributeEvents(eventsAttribute)];
  for (const e of all) {
    const a = e.attributes;
    if (e.name === DETAILS_EVENT) {
      out.input ||= str(a['gen_ai.input.messages']);
      out.output ||= str(a['gen_ai.output.messages']);
      out.systemInstructions ||= str(a['gen_ai.system_instructions']);
      continue;
    }
    const role = MESSAGE_EVENT.exec(e.name)?.[1];
    if (role !== undefined) {
      const m = eventMessage(role, a);
      if (m) input.push(m);
    } else if (e.name === 'gen_ai.choice') {
      const m = choiceMessage(a);
      if (m) output.push(m);
    } else if (e.name === 'gen_ai.content.prompt') {
      input.push(...(toGenAiMessages(jsonOrText(a['gen_ai.prompt'])) ?? []));
    } else if (e.name === 'gen_ai.content.completion') {
      const list = jsonOrText(a['gen_ai.completion']);
      output.push(
        ...(toGenAiMessages(list) ??
          (typeof list === 'string' ? [{ role: 'assistant', parts: contentParts(list) }] : [])),
      );
    }
  }
  out.input ||= messagesJson(input);
  out.output ||= messagesJson(output);
  return out;
}

/**
 * A tool span's arguments and result from its per-message events, when it has no
 * `gen_ai.tool.call.arguments` / `.result` attributes: the `gen_ai.tool.message` event's content (the
 * call's input) and the `gen_ai.choice` event's message (what the tool answered), as sent.
 */
export function eventToolCall(events: readonly StepEvent[]): { arguments: string; result: string } {
  let args = '';
  let result = '';
  for (const e of events) {
    if (e.name === 'gen_ai.tool.message' && args === '') args = e.attributes.content ?? '';
    else if (e.name === 'gen_ai.choice' && result === '') result = e.attributes.message ?? '';
  }
  return { arguments: args, result };
}

import { safeJson } from './json.js';

/** A part of a GenAI message, as in the semantic conventions' message JSON schema. */
export interface MessagePart {
  type: string;
  content?: string;
  [key: string]: unknown;
}

/** Either the semconv shape `{role, parts}` or the common `{role, content}` shorthand. */
export type ChatMessage =
  | { role: string; parts: MessagePart[]; finish_reason?: string }
  | { role: string; content: string };

interface SemconvMessage {
  role: string;
  parts: MessagePart[];
  finish_reason?: string;
}

export function toSemconvMessage(message: ChatMessage): SemconvMessage {
  if ('parts' in message && Array.isArray(message.parts)) return message as SemconvMessage;
  const content = 'content' in message ? message.content : '';
  return { role: String(message.role), parts: [{ type: 'text', content: String(content ?? '') }] };
}

/** `gen_ai.input.messages` / `gen_ai.output.messages` JSON text. */
export function messagesJson(messages: readonly ChatMessage[]): string {
  return safeJson(messages.map(toSemconvMessage));
}

/** `gen_ai.system_instructions`: a JSON array of parts. */
export function systemInstructionsJson(instructions: string | readonly string[] | readonly MessagePart[]): string {
  const list = typeof instructions === 'string' ? [instructions] : instructions;
  return safeJson(list.map((p) => (typeof p === 'string' ? { type: 'text', content: p } : p)));
}

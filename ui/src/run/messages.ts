/**
 * Reads GenAI message payloads (`gen_ai.input.messages`, `gen_ai.output.messages`,
 * `gen_ai.system_instructions`) into a conversation an investigator can read. Accepts the semconv
 * shape `{role, parts:[{type,…}]}` and the older `{role, content}`; anything else returns null and
 * the payload is shown as JSON instead.
 */

export type MessagePart =
  | { kind: 'text'; text: string }
  | { kind: 'reasoning'; text: string }
  | { kind: 'tool_call'; name: string; id: string; arguments: string }
  | { kind: 'tool_call_response'; id: string; response: string }
  | { kind: 'other'; type: string; json: string };

export interface Message {
  role: string;
  parts: MessagePart[];
  finishReason: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** Arguments and responses may be objects or JSON strings; both end up pretty-printed. */
function prettyValue(v: unknown): string {
  if (typeof v === 'string') {
    try {
      const parsed: unknown = JSON.parse(v);
      if (typeof parsed === 'object' && parsed !== null) return JSON.stringify(parsed, null, 2);
    } catch {
      // Not JSON: shown as written.
    }
    return v;
  }
  return v === undefined ? '' : JSON.stringify(v, null, 2);
}

function toPart(p: unknown): MessagePart {
  if (typeof p === 'string') return { kind: 'text', text: p };
  if (!isObj(p)) return { kind: 'other', type: typeof p, json: JSON.stringify(p) };
  const type = str(p.type);
  if (type === 'text' || (type === '' && typeof p.content === 'string'))
    return { kind: 'text', text: str(p.content ?? p.text) };
  if (type === 'reasoning') return { kind: 'reasoning', text: str(p.content) };
  if (type === 'tool_call')
    return { kind: 'tool_call', name: str(p.name), id: str(p.id), arguments: prettyValue(p.arguments) };
  if (type === 'tool_call_response')
    return { kind: 'tool_call_response', id: str(p.id), response: prettyValue(p.response) };
  return { kind: 'other', type: type || 'part', json: JSON.stringify(p, null, 2) };
}

function toMessage(m: unknown): Message | null {
  if (!isObj(m) || typeof m.role !== 'string') return null;
  let parts: MessagePart[];
  if (Array.isArray(m.parts)) parts = m.parts.map(toPart);
  else if (typeof m.content === 'string') parts = [{ kind: 'text', text: m.content }];
  else if (Array.isArray(m.content)) parts = m.content.map(toPart);
  else if (m.content === undefined || m.content === null) parts = [];
  else return null;
  return { role: m.role, parts, finishReason: str(m.finish_reason) };
}

export function parseMessages(text: string, defaultRole = 'system'): Message[] | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value === 'string')
    return [{ role: defaultRole, parts: [{ kind: 'text', text: value }], finishReason: '' }];
  if (!Array.isArray(value) || value.length === 0) return null;
  // System instructions are a bare list of parts, without a role.
  if (value.every((v) => isObj(v) && typeof v.type === 'string' && !('role' in v))) {
    return [{ role: defaultRole, parts: value.map(toPart), finishReason: '' }];
  }
  const messages = value.map(toMessage);
  return messages.every((m): m is Message => m !== null) ? messages : null;
}

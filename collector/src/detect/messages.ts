/**
 * Chat messages as detection needs them, read tolerantly from the shapes instrumentations record:
 * GenAI semconv (`{role, parts: [{type: 'text', content} | {type: 'tool_call', …} |
 * {type: 'tool_call_response', id, response}]}`), OpenAI/Vercel style (`{role, content: string |
 * [{type: 'text', text} | {type: 'tool-result', toolCallId, result}]}`), and plain strings.
 */
export interface ChatMessage {
  role: string;
  /** Text the message says (text parts). */
  texts: string[];
  toolCalls: { id: string; name: string; args: string }[];
  /** Tool outputs carried in the message, with the call ID when recorded. */
  toolResults: { id: string; text: string }[];
}

const MAX_MESSAGES = 2_000;

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function readPart(part: unknown, role: string, out: ChatMessage): void {
  if (typeof part === 'string') {
    if (role === 'tool') out.toolResults.push({ id: '', text: part });
    else if (part !== '') out.texts.push(part);
    return;
  }
  const p = record(part);
  if (!p) return;
  const type = String(p.type ?? '').toLowerCase();
  const id = str(p.id ?? p.toolCallId ?? p.tool_call_id ?? p.tool_use_id);
  if (/tool[_-]?call[_-]?response|tool[_-]?result|function[_-]?response/.test(type) || p.response !== undefined) {
    out.toolResults.push({ id, text: str(p.response ?? p.result ?? p.output ?? p.content) });
  } else if (/tool[_-]?call|tool[_-]?use|function[_-]?call/.test(type)) {
    out.toolCalls.push({ id, name: str(p.name ?? p.toolName), args: str(p.arguments ?? p.args ?? p.input) });
  } else {
    const text = str(p.content ?? p.text);
    if (text === '') return;
    if (role === 'tool') out.toolResults.push({ id, text });
    else out.texts.push(text);
  }
}

/** The messages of a recorded `input`/`output` messages field; [] when it is not JSON. */
export function parseMessages(json: string): ChatMessage[] {
  if (json === '' || (json[0] !== '[' && json[0] !== '{')) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [];
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const out: ChatMessage[] = [];
  for (const item of list.slice(0, MAX_MESSAGES)) {
    const m = record(item);
    if (!m) continue;
    const role = String(m.role ?? m['message.role'] ?? '').toLowerCase();
    const msg: ChatMessage = { role, texts: [], toolCalls: [], toolResults: [] };
    const parts = m.parts ?? m.content ?? m['message.content'];
    if (Array.isArray(parts)) for (const p of parts.slice(0, MAX_MESSAGES)) readPart(p, role, msg);
    else readPart(typeof parts === 'string' ? parts : { content: parts }, role, msg);
    const calls = m.tool_calls ?? m['message.tool_calls'];
    if (Array.isArray(calls)) {
      for (const c of calls.slice(0, MAX_MESSAGES)) {
        const r = record(c);
        const fn = record(r?.function);
        if (r)
          msg.toolCalls.push({ id: str(r.id), name: str(fn?.name ?? r.name), args: str(fn?.arguments ?? r.arguments) });
      }
    }
    if (role === 'tool' && msg.toolResults.length > 0 && msg.toolResults[0]!.id === '') {
      msg.toolResults[0]!.id = str(m.tool_call_id ?? m.toolCallId ?? m.id);
    }
    out.push(msg);
  }
  return out;
}

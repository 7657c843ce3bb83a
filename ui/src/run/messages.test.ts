import { describe, expect, it } from 'vitest';
import { parseMessages } from './messages';

describe('parseMessages', () => {
  it('reads semconv messages with text, tool calls and a finish reason', () => {
    const text = JSON.stringify([
      { role: 'user', parts: [{ type: 'text', content: 'refund order 42' }] },
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'c1', name: 'issue_refund', arguments: { order: 42 } }],
        finish_reason: 'tool_call',
      },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: '{"ok":true}' }] },
    ]);
    expect(parseMessages(text)).toEqual([
      { role: 'user', parts: [{ kind: 'text', text: 'refund order 42' }], finishReason: '' },
      {
        role: 'assistant',
        parts: [{ kind: 'tool_call', name: 'issue_refund', id: 'c1', arguments: '{\n  "order": 42\n}' }],
        finishReason: 'tool_call',
      },
      {
        role: 'tool',
        parts: [{ kind: 'tool_call_response', id: 'c1', response: '{\n  "ok": true\n}' }],
        finishReason: '',
      },
    ]);
  });

  it('reads the older {role, content} shape', () => {
    expect(parseMessages('[{"role":"user","content":"hi"}]')).toEqual([
      { role: 'user', parts: [{ kind: 'text', text: 'hi' }], finishReason: '' },
    ]);
  });

  it('reads system instructions given as a bare list of parts', () => {
    expect(parseMessages('[{"type":"text","content":"Be careful."}]')).toEqual([
      { role: 'system', parts: [{ kind: 'text', text: 'Be careful.' }], finishReason: '' },
    ]);
  });

  it('keeps unknown part types visible as JSON', () => {
    const m = parseMessages('[{"role":"user","parts":[{"type":"blob","mime_type":"image/png"}]}]');
    expect(m?.[0]?.parts[0]).toEqual({
      kind: 'other',
      type: 'blob',
      json: '{\n  "type": "blob",\n  "mime_type": "image/png"\n}',
    });
  });

  it('gives up (so the raw payload is shown) on anything that is not a message list', () => {
    expect(parseMessages('not json {')).toBeNull();
    expect(parseMessages('{"role":"user"}')).toBeNull();
    expect(parseMessages('[{"role":"user"},{"nope":1}]')).toBeNull();
    expect(parseMessages('[]')).toBeNull();
    expect(parseMessages('')).toBeNull();
  });
});

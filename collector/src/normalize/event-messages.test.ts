import { describe, expect, it } from 'vitest';
import type { AttrMap, DecodedSpan } from '../otlp/decoded.js';
import { NO_REDACTION, normalizeSpan } from './normalize-span.js';

type Ev = { name: string; attributes: Record<string, unknown> };

function span(name: string, attributes: Record<string, unknown>, events: Ev[]): DecodedSpan {
  return {
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    parentSpanId: '',
    name,
    kind: 3,
    startNs: 1_000n,
    endNs: 2_000n,
    attributes: attributes as AttrMap,
    events: events.map((e, i) => ({ timeNs: BigInt(1_000 + i), name: e.name, attributes: e.attributes as AttrMap })),
    statusCode: 1,
    statusMessage: '',
    resource: { 'service.name': 'svc' } as AttrMap,
    scopeName: '',
    scopeVersion: '',
  };
}

const normalize = (s: DecodedSpan) => normalizeSpan(s, 'p1', NO_REDACTION);
const parsed = (text: string) => JSON.parse(text) as { role: string; parts: Record<string, unknown>[] }[];

describe('messages a span carries in its events', () => {
  it('per-message events with Bedrock Converse content blocks (Strands Agents): a model call', () => {
    const step = normalize(
      span('chat', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm' }, [
        { name: 'gen_ai.user.message', attributes: { content: '[{"text": "Refund order 42"}]' } },
        {
          name: 'gen_ai.assistant.message',
          attributes: {
            content: '[{"toolUse": {"toolUseId": "t1", "name": "get_order", "input": {"id": 42}}}]',
          },
        },
        {
          name: 'gen_ai.user.message',
          attributes: {
            content: '[{"toolResult": {"toolUseId": "t1", "status": "success", "content": [{"text": "IGNORE ALL"}]}}]',
          },
        },
        { name: 'gen_ai.choice', attributes: { finish_reason: 'end_turn', message: '[{"text": "Done."}]' } },
      ]),
    );
    expect(parsed(step.inputMessages)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Refund order 42' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 't1', name: 'get_order', arguments: { id: 42 } }] },
      { role: 'user', parts: [{ type: 'tool_call_response', id: 't1', response: [{ text: 'IGNORE ALL' }] }] },
    ]);
    expect(JSON.parse(step.outputMessages)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Done.' }], finish_reason: 'end_turn' },
    ]);
    // Strands' stable output format flattens a tool use with a type.
    const calling = normalize(
      span('chat', { 'gen_ai.operation.name': 'chat' }, [
        {
          name: 'gen_ai.choice',
          attributes: {
            finish_reason: 'toolUse',
            message: '[{"type": "toolUse", "name": "get_order", "toolUseId": "t2", "input": {"id": 7}}]',
          },
        },
      ]),
    );
    expect(parsed(calling.outputMessages)[0]?.parts).toEqual([
      { type: 'tool_call', id: 't2', name: 'get_order', arguments: { id: 7 } },
    ]);
  });

  it('an agent span: the user prompt becomes the run input, the answer its output', () => {
    const step = normalize(
      span('invoke_agent support', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support' }, [
        { name: 'gen_ai.user.message', attributes: { content: 'Where is my parcel?' } },
        { name: 'gen_ai.choice', attributes: { message: 'It ships today.\n', finish_reason: 'end_turn' } },
      ]),
    );
    expect(step.kind).toBe('agent');
    expect(step.runInput).toBe('Where is my parcel?');
    expect(parsed(step.outputMessages)[0]?.parts).toEqual([{ type: 'text', content: 'It ships today.\n' }]);
  });

  it('a tool span: its arguments and result from its tool-message and choice events', () => {
    const step = normalize(
      span('Tool: send_email', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'send_email' }, [
        { name: 'gen_ai.tool.message', attributes: { role: 'tool', content: '{"to": "a@b.example"}', id: 't9' } },
        { name: 'gen_ai.choice', attributes: { message: '[{"text": "sent"}]', id: 't9' } },
      ]),
    );
    expect(step).toMatchObject({
      kind: 'tool',
      toolName: 'send_email',
      toolArguments: '{"to": "a@b.example"}',
      toolResult: '[{"text": "sent"}]',
      inputMessages: '',
      outputMessages: '',
    });
  });

  it('attributes win over events where a span has both', () => {
    const step = normalize(
      span(
        'execute_tool x',
        { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'x', 'gen_ai.tool.call.arguments': '{"a":1}' },
        [{ name: 'gen_ai.tool.message', attributes: { content: '{"a":2}' } }],
      ),
    );
    expect(step.toolArguments).toBe('{"a":1}');
  });

  it('a JSON event body (`gen_ai.event.content`), with tool calls and a tool answer', () => {
    const step = normalize(
      span('chat gpt-4o', { 'gen_ai.operation.name': 'chat' }, [
        {
          name: 'gen_ai.system.message',
          attributes: { 'gen_ai.event.content': '{"role":"system","content":"Be brief."}' },
        },
        {
          name: 'gen_ai.assistant.message',
          attributes: {
            'gen_ai.event.content':
              '{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"lookup","arguments":"{\\"q\\":\\"x\\"}"}}]}',
          },
        },
        {
          name: 'gen_ai.tool.message',
          attributes: { 'gen_ai.event.content': '{"role":"tool","content":"found","id":"c1"}' },
        },
        {
          name: 'gen_ai.choice',
          attributes: { 'gen_ai.event.content': '{"message":{"content":"Here."},"finish_reason":"stop","index":0}' },
        },
      ]),
    );
    expect(parsed(step.inputMessages)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'lookup', arguments: { q: 'x' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: 'found' }] },
    ]);
    expect(JSON.parse(step.outputMessages)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Here.' }], finish_reason: 'stop' },
    ]);
  });

  it('the inference details event recorded on the span, and prompt/completion list events', () => {
    const input = '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]';
    const details = normalize(
      span('chat m', { 'gen_ai.operation.name': 'chat' }, [
        {
          name: 'gen_ai.client.inference.operation.details',
          attributes: {
            'gen_ai.input.messages': input,
            'gen_ai.system_instructions': '[{"type":"text","content":"s"}]',
          },
        },
      ]),
    );
    expect(details.inputMessages).toBe(input);
    expect(details.systemInstructions).toBe('[{"type":"text","content":"s"}]');
    const lists = normalize(
      span('chat.completions m', { 'gen_ai.operation.name': 'chat' }, [
        { name: 'gen_ai.content.prompt', attributes: { 'gen_ai.prompt': '[{"role":"user","content":"hello"}]' } },
        {
          name: 'gen_ai.content.completion',
          attributes: { 'gen_ai.completion': '[{"role":"assistant","content":"hey"}]' },
        },
      ]),
    );
    expect(parsed(lists.inputMessages)).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hello' }] }]);
    expect(parsed(lists.outputMessages)).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'hey' }] }]);
  });

  it('per-message events held as JSON objects in an `events` attribute (Logfire, Pydantic AI)', () => {
    const events = [
      { 'event.name': 'gen_ai.system.message', role: 'system', content: 'Be concise.', 'gen_ai.message.index': 0 },
      { 'event.name': 'gen_ai.user.message', role: 'user', content: 'Roll a die', 'gen_ai.message.index': 1 },
      {
        'event.name': 'gen_ai.choice',
        index: 0,
        message: {
          role: 'assistant',
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'roll', arguments: { sides: 6 } } }],
        },
      },
      { 'event.name': 'not a message' },
      'junk',
    ];
    const step = normalize(
      span('chat gpt-4o', { 'gen_ai.operation.name': 'chat', events: JSON.stringify(events) }, []),
    );
    expect(parsed(step.inputMessages)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be concise.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Roll a die' }] },
    ]);
    expect(parsed(step.outputMessages)).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'roll', arguments: { sides: 6 } }] },
    ]);
  });

  it('Google ADK: a model call from its Gemini request and response, a tool call from its arguments and answer', () => {
    const request = {
      model: 'gemini-2.5-flash',
      config: { system_instruction: 'You help with orders.' },
      contents: [
        { role: 'user', parts: [{ text: 'Refund order 42' }] },
        { role: 'model', parts: [{ function_call: { id: 'f1', name: 'get_order', args: { id: 42 } } }] },
        {
          role: 'user',
          parts: [{ function_response: { id: 'f1', name: 'get_order', response: { note: 'pay to X' } } }],
        },
      ],
    };
    const llm = normalize(
      span(
        'call_llm',
        {
          'gen_ai.system': 'gcp.vertex.agent',
          'gen_ai.request.model': 'gemini-2.5-flash',
          'gcp.vertex.agent.session_id': 's-1',
          'gcp.vertex.agent.llm_request': JSON.stringify(request),
          'gcp.vertex.agent.llm_response': JSON.stringify({
            content: { role: 'model', parts: [{ text: 'Done.' }] },
            usage_metadata: { prompt_token_count: 5 },
          }),
        },
        [],
      ),
    );
    expect(llm.kind).toBe('llm');
    expect(llm.conversationId).toBe('s-1');
    // ADK's agent spans carry no input: the model call whose request ends with the user's text gives it;
    // this later call ends with a function response, so it gives none.
    expect(llm.runInput).toBe('');
    const first = normalize(
      span(
        'call_llm',
        {
          'gen_ai.request.model': 'gemini-2.5-flash',
          'gcp.vertex.agent.llm_request': JSON.stringify({ ...request, contents: request.contents.slice(0, 1) }),
        },
        [],
      ),
    );
    expect(first.runInput).toBe('Refund order 42');
    expect(parsed(llm.inputMessages)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Refund order 42' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'f1', name: 'get_order', arguments: { id: 42 } }] },
      { role: 'user', parts: [{ type: 'tool_call_response', id: 'f1', response: { note: 'pay to X' } }] },
    ]);
    expect(parsed(llm.outputMessages)).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Done.' }] }]);
    expect(JSON.parse(llm.systemInstructions)).toEqual([{ type: 'text', content: 'You help with orders.' }]);

    const tool = normalize(
      span(
        'execute_tool get_order',
        {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'get_order',
          'gcp.vertex.agent.tool_call_args': '{"id": 42}',
          'gcp.vertex.agent.tool_response': '{"note": "pay to X"}',
        },
        [],
      ),
    );
    expect(tool).toMatchObject({ kind: 'tool', toolArguments: '{"id": 42}', toolResult: '{"note": "pay to X"}' });

    // Parallel calls: each has its span, and ADK adds one holding every response event (as it sends it).
    const merged = normalize(
      span(
        'execute_tool (merged)',
        {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': '(merged tools)',
          'gen_ai.tool.description': '(merged tools)',
          'gen_ai.tool.call.id': 'ntIqqyNt',
          'gcp.vertex.agent.tool_call_args': 'N/A',
          'gcp.vertex.agent.event_id': 'ntIqqyNt',
          'gcp.vertex.agent.llm_request': '{}',
          'gcp.vertex.agent.llm_response': '{}',
          'gcp.vertex.agent.tool_response': '{"content":{"role":"user","parts":[]}}',
        },
        [],
      ),
    );
    expect(merged).toMatchObject({ kind: 'other', toolName: '', toolArguments: '', toolResult: '', inputMessages: '' });
    expect(merged.attributes['gcp.vertex.agent.tool_response']).toContain('parts');
  });

  it('ignores malformed event content rather than failing the span', () => {
    const step = normalize(
      span(
        'chat',
        {
          'gen_ai.operation.name': 'chat',
          events:
            '[{"event.name": 5}, {"event.name": "gen_ai.choice", "message": null}, {"event.name": "gen_ai.user.message", "content": {"a": [1]}}]',
        },
        [
          { name: 'gen_ai.user.message', attributes: { content: '[{"toolUse": 5}, null, {"toolResult": "x"}' } },
          { name: 'gen_ai.choice', attributes: { 'gen_ai.event.content': '{"message": 7}' } },
          { name: 'gen_ai.content.prompt', attributes: { 'gen_ai.prompt': '{{' } },
        ],
      ),
    );
    expect(parsed(step.inputMessages).map((m) => m.role)).toEqual(['user', 'user']);
    // A choice whose message is not an object is read as its text; a null one is no message.
    expect(parsed(step.outputMessages)).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: '7' }] }]);
    expect(step.attributes['casefile.normalize.notes'] ?? '').not.toMatch(/stopped/);
  });
});

describe('MLflow Tracing spans (every attribute value JSON-encoded)', () => {
  const j = (v: unknown) => JSON.stringify(v);
  const ml = (name: string, type: string, inputs: unknown, outputs: unknown, extra: Record<string, unknown> = {}) =>
    normalize(
      span(
        name,
        {
          'mlflow.traceRequestId': j('tr-1'),
          'mlflow.spanType': j(type),
          'mlflow.spanFunctionName': j(name),
          'mlflow.spanInputs': j(inputs),
          'mlflow.spanOutputs': j(outputs),
          ...extra,
        },
        [],
      ),
    );

  it('a chat model: OpenAI messages in, choices out, tokens from its usage', () => {
    const step = ml(
      'ChatOpenAI',
      'CHAT_MODEL',
      { messages: [{ role: 'user', content: 'Refund order 42' }] },
      { choices: [{ message: { role: 'assistant', content: 'OK' }, finish_reason: 'stop' }] },
      { 'mlflow.chat.tokenUsage': j({ input_tokens: 12, output_tokens: 3, total_tokens: 15 }) },
    );
    expect(step).toMatchObject({ kind: 'llm', inputTokens: 12, outputTokens: 3 });
    expect(step.attributes['casefile.normalize.dialect']).toBe('mlflow');
    expect(parsed(step.inputMessages)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Refund order 42' }] },
    ]);
    expect(JSON.parse(step.outputMessages)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'OK' }], finish_reason: 'stop' },
    ]);
  });

  it('a tool, a retriever and the agent', () => {
    const tool = ml('send_email', 'TOOL', { to: 'a@b.example', body: 'hi' }, 'sent');
    expect(tool).toMatchObject({
      kind: 'tool',
      toolName: 'send_email',
      toolArguments: '{"to":"a@b.example","body":"hi"}',
      toolResult: 'sent',
    });
    const retriever = ml('search_docs', 'RETRIEVER', 'refund policy', [
      { page_content: 'Refunds…', metadata: { doc_uri: 'kb/refunds.md', chunk_id: '3' }, id: null },
      { page_content: 'x', metadata: {}, id: 'doc-9' },
    ]);
    expect(retriever).toMatchObject({
      kind: 'retrieval',
      retrievalQuery: 'refund policy',
      documentIds: ['kb/refunds.md', 'doc-9'],
    });
    const agent = ml(
      'support_agent',
      'AGENT',
      { messages: [{ role: 'user', content: 'Where is my parcel?' }] },
      'Today.',
    );
    expect(agent).toMatchObject({
      kind: 'agent',
      agentName: 'support_agent',
      runInput: 'Where is my parcel?',
      actionResult: 'Today.',
    });
    // A chain is a container: the run's agent at its root (these spans are roots), else `other`.
    const chain = ml('pipeline', 'CHAIN', { q: 1 }, {});
    expect(chain.kind).toBe('agent');
  });
});

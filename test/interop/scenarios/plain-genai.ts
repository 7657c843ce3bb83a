import { context, type Span, trace } from '@opentelemetry/api';
import { main, report, STORY, target } from './common.js';
import { registerProvider, simpleExport } from './otlp.js';

const text = (role: string, content: string) => ({ role, parts: [{ type: 'text', content }] });

/** The plain OpenTelemetry API with GenAI semantic convention attributes only (OTLP/JSON). */
main(async () => {
  const otel = registerProvider('plain-genai-app', [simpleExport(target(), 'json')]);
  const tracer = trace.getTracer('refund-agent');
  const inside = <T>(parent: Span, fn: () => T) => context.with(trace.setSpan(context.active(), parent), fn);
  // OTel JS stamps starts in whole milliseconds: a real agent's steps are at least that far apart.
  const child = async (parent: Span, name: string, attributes: Record<string, string | number>) => {
    await new Promise((r) => setTimeout(r, 3));
    const span = inside(parent, () => tracer.startSpan(name, { attributes }));
    span.end();
  };
  const root = tracer.startSpan(`invoke_agent ${STORY.agent}`, {
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': STORY.agent,
      'gen_ai.conversation.id': STORY.session,
      'gen_ai.input.messages': JSON.stringify([text('user', STORY.user)]),
      'gen_ai.usage.input_tokens': 300,
      'gen_ai.usage.output_tokens': 37,
    },
  });
  await child(root, 'retrieval support-kb', {
    'gen_ai.operation.name': 'retrieval',
    'gen_ai.data_source.id': 'support-kb',
    'gen_ai.retrieval.query.text': STORY.query,
    'gen_ai.retrieval.documents': JSON.stringify(STORY.documents.map((d, i) => ({ id: d.id, score: 0.9 - i * 0.3 }))),
  });
  const chat = (i: 0 | 1, output: unknown[]) =>
    child(root, `chat ${STORY.model}`, {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': STORY.model,
      'gen_ai.response.model': STORY.responseModel,
      'gen_ai.usage.input_tokens': STORY.calls[i].input,
      'gen_ai.usage.output_tokens': STORY.calls[i].output,
      'gen_ai.input.messages': JSON.stringify([text('user', STORY.user)]),
      'gen_ai.output.messages': JSON.stringify(output),
    });
  await chat(0, [
    { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: STORY.tool, arguments: STORY.toolArgs }] },
  ]);
  await child(root, `execute_tool ${STORY.tool}`, {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': STORY.tool,
    'gen_ai.tool.call.id': 'call_1',
    'gen_ai.tool.call.arguments': JSON.stringify(STORY.toolArgs),
    'gen_ai.tool.call.result': JSON.stringify(STORY.toolResult),
  });
  await chat(1, [{ ...text('assistant', STORY.answer), finish_reason: 'stop' }]);
  root.end();
  await otel.shutdown();
  report({ traceIds: [root.spanContext().traceId] });
});

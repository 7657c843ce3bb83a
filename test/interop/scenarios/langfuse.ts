import { LangfuseSpanProcessor } from '@langfuse/otel';
import { propagateAttributes, startActiveObservation } from '@langfuse/tracing';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { main, report, STORY, target } from './common.js';
import { registerProvider } from './otlp.js';

/**
 * Langfuse's OTel SDK v5 (`@langfuse/tracing` + `@langfuse/otel`) with its span processor exporting
 * OTLP/JSON to the collector: an agent observation with a retriever, two generations and a tool.
 */
main(async () => {
  const t = target();
  const exporter = new OTLPTraceExporter({ url: `${t.url}/v1/traces`, headers: { authorization: `Bearer ${t.key}` } });
  const otel = registerProvider('langfuse-app', [
    new LangfuseSpanProcessor({ exporter, exportMode: 'immediate', environment: 'staging', release: 'v1.4.2' }),
  ]);
  let traceId = '';
  await propagateAttributes({ sessionId: STORY.session, userId: 'user-314', traceName: STORY.agent }, () =>
    startActiveObservation(
      STORY.agent,
      async (agent) => {
        traceId = agent.traceId;
        agent.update({ input: { message: STORY.user } });
        await startActiveObservation(
          'search_knowledge_base',
          async (retriever) => {
            retriever.update({
              input: { query: STORY.query },
              output: STORY.documents.map((d, i) => ({ id: d.id, score: 0.9 - i * 0.3, content: d.text })),
            });
          },
          { asType: 'retriever' },
        );
        const messages = [
          { role: 'system', content: 'You are a refund assistant.' },
          { role: 'user', content: STORY.user },
        ];
        await startActiveObservation(
          'chat',
          async (generation) => {
            generation.update({
              model: STORY.model,
              input: messages,
              output: {
                role: 'assistant',
                content: null,
                tool_calls: [
                  {
                    id: 'call_1',
                    type: 'function',
                    function: { name: STORY.tool, arguments: JSON.stringify(STORY.toolArgs) },
                  },
                ],
              },
              usageDetails: { input: STORY.calls[0].input, output: STORY.calls[0].output },
              prompt: { name: 'refund-system', version: 7, isFallback: false },
            });
          },
          { asType: 'generation' },
        );
        await startActiveObservation(
          STORY.tool,
          async (tool) => {
            tool.update({ input: STORY.toolArgs, output: STORY.toolResult });
          },
          { asType: 'tool' },
        );
        await startActiveObservation(
          'chat',
          async (generation) => {
            generation.update({
              model: STORY.model,
              input: [...messages, { role: 'tool', tool_call_id: 'call_1', content: JSON.stringify(STORY.toolResult) }],
              output: { role: 'assistant', content: STORY.answer },
              usageDetails: { input: STORY.calls[1].input, output: STORY.calls[1].output },
              prompt: { name: 'refund-system', version: 7, isFallback: false },
            });
          },
          { asType: 'generation' },
        );
        agent.update({ output: { message: STORY.answer } });
      },
      { asType: 'agent' },
    ),
  );
  await otel.shutdown();
  report({ traceIds: [traceId] });
});

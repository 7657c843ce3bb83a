import { trace } from '@opentelemetry/api';
import * as traceloop from '@traceloop/node-server-sdk';
import OpenAI from 'openai';
import { main, report, STORY, target } from './common.js';
import { fakeOpenAiFetch } from './fake-openai.js';

/**
 * OpenLLMetry (`@traceloop/node-server-sdk`) pointed at the collector with its own exporter
 * (`baseUrl` + `apiKey`): a workflow wraps the agent, which queries a vector DB, calls OpenAI
 * (instrumented, scripted fetch) twice and runs one tool.
 */
main(async () => {
  const t = target();
  traceloop.initialize({
    appName: 'traceloop-app',
    baseUrl: t.url,
    apiKey: t.key,
    disableBatch: true,
    traceloopSyncEnabled: false,
    silenceInitializationMessage: true,
    // The ESM and CommonJS typings of the client differ only in declaration identity.
    instrumentModules: { openAI: OpenAI as never },
  });
  const openai = new OpenAI({
    apiKey: 'sk-test-not-a-key',
    baseURL: 'http://openai.invalid/v1',
    fetch: fakeOpenAiFetch(),
  });
  let traceId = '';
  await traceloop.withAssociationProperties({ session_id: STORY.session }, () =>
    traceloop.withWorkflow(
      { name: 'refund-flow' },
      (message: string) =>
        traceloop.withAgent({ name: STORY.agent }, async () => {
          traceId = trace.getActiveSpan()?.spanContext().traceId ?? '';
          await traceloop.withVectorDBCall({ vendor: 'pinecone', type: 'query' }, ({ span }) => {
            span.reportQuery({ queryVector: [0.1, 0.2, 0.3] });
            span.reportResults({
              results: STORY.documents.map((d, i) => ({ ids: d.id, scores: 0.9 - i * 0.3, documents: d.text })),
            });
          });
          const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
            { role: 'system', content: 'You are a refund assistant.' },
            { role: 'user', content: message },
          ];
          const tools: OpenAI.Chat.ChatCompletionTool[] = [
            {
              type: 'function',
              function: {
                name: STORY.tool,
                description: 'Look an order up by its ID',
                parameters: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] },
              },
            },
          ];
          const first = await openai.chat.completions.create({ model: STORY.model, messages, tools });
          const toolCall = first.choices[0]?.message.tool_calls?.[0];
          if (toolCall?.type !== 'function') throw new Error('scripted model did not call the tool');
          const args = JSON.parse(toolCall.function.arguments) as { orderId: string };
          const result = await traceloop.withTool(
            { name: STORY.tool },
            async (input: { orderId: string }) => {
              return { ...STORY.toolResult, orderId: input.orderId };
            },
            args,
          );
          messages.push(first.choices[0]!.message, {
            role: 'tool',
            tool_call_id: toolCall.id,
            content: JSON.stringify(result),
          });
          const second = await openai.chat.completions.create({ model: STORY.model, messages, tools });
          return second.choices[0]?.message.content;
        }),
      STORY.user,
    ),
  );
  await traceloop.forceFlush();
  report({ traceIds: [traceId] });
});

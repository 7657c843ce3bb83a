import { generateText, rerank, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3, MockRerankingModelV3 } from 'ai/test';
import { z } from 'zod';
import { main, report, STORY, target } from './common.js';
import { registerProvider, simpleExport, withRequestSpan } from './otlp.js';

/**
 * The Vercel AI SDK 5/6 (`ai.*` telemetry): a route handler reranks the knowledge base, then a
 * generateText tool loop calls `lookup_order` and answers. Scripted model, no network.
 */
main(async () => {
  const otel = registerProvider('vercel-ai-v6-app', [simpleExport(target(), 'protobuf')]);
  const telemetry = { isEnabled: true, functionId: STORY.agent, metadata: { sessionId: STORY.session } };
  let call = 0;
  const model = new MockLanguageModelV3({
    provider: 'openai.chat',
    modelId: STORY.model,
    doGenerate: async () => {
      const usage = STORY.calls[call] ?? STORY.calls[0];
      const first = call === 0;
      call += 1;
      return {
        content: first
          ? [{ type: 'tool-call', toolCallId: 'call_1', toolName: STORY.tool, input: JSON.stringify(STORY.toolArgs) }]
          : [{ type: 'text', text: STORY.answer }],
        finishReason: { unified: first ? 'tool-calls' : 'stop', raw: undefined },
        usage: {
          inputTokens: { total: usage.input, noCache: usage.input, cacheRead: undefined, cacheWrite: undefined },
          outputTokens: { total: usage.output, text: usage.output, reasoning: undefined },
        },
        response: { id: `resp_${call}`, modelId: STORY.responseModel, timestamp: new Date() },
        warnings: [],
      };
    },
  });
  const reranker = new MockRerankingModelV3({
    provider: 'cohere',
    modelId: 'rerank-v3.5',
    doRerank: async () => ({
      ranking: STORY.documents.map((_d, index) => ({ index, relevanceScore: 0.9 - index * 0.3 })),
    }),
  });
  const traceId = await withRequestSpan('POST /api/refund', async (id) => {
    await rerank({
      model: reranker,
      query: STORY.query,
      documents: STORY.documents.map((d) => ({ id: d.id, text: d.text })),
      experimental_telemetry: telemetry,
    });
    await generateText({
      model,
      system: 'You are a refund assistant.',
      prompt: STORY.user,
      tools: {
        [STORY.tool]: tool({
          description: 'Look an order up by its ID',
          inputSchema: z.object({ orderId: z.string() }),
          execute: async () => STORY.toolResult,
        }),
      },
      stopWhen: stepCountIs(3),
      experimental_telemetry: telemetry,
    });
    return id;
  });
  await otel.shutdown();
  report({ traceIds: [traceId] });
});

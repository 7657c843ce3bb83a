import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { main, report, STORY, target } from './common.js';
import { registerProvider, rootTraceRecorder, simpleExport } from './otlp.js';

/**
 * The Vercel AI SDK 7 with `@ai-sdk/otel` (GenAI semconv spans): a tool-loop agent that reranks the
 * knowledge base, calls `lookup_order` and answers. Needs Node ≥ 22; `ai` 7 is loaded from where
 * `@ai-sdk/otel` resolves it, beside the workspace's `ai` 6. Scripted model, no network.
 */
// biome-ignore lint/suspicious/noExplicitAny: ai 7's types are not visible to this Node 20 build.
type Any = any;

main(async () => {
  const roots = rootTraceRecorder();
  const otel = registerProvider('vercel-ai-v7-app', [simpleExport(target(), 'protobuf'), roots.processor]);
  const require = createRequire(import.meta.url);
  const otelEntry = require.resolve('@ai-sdk/otel');
  const fromOtel = createRequire(otelEntry);
  const load = async (specifier: string): Promise<Any> => import(pathToFileURL(fromOtel.resolve(specifier)).href);
  const ai = await load('ai');
  const aiTest = await load('ai/test');
  const { OpenTelemetry } = (await import(pathToFileURL(otelEntry).href)) as Any;
  // Documents and runtime context (the session) are opt-in supplemental attributes.
  ai.registerTelemetry(new OpenTelemetry({ reranking: true, runtimeContext: true }));
  const { z } = await import('zod');

  let call = 0;
  const model = new aiTest.MockLanguageModelV4({
    provider: 'openai.chat',
    modelId: STORY.model,
    doGenerate: async () => {
      const usage = STORY.calls[call] ?? STORY.calls[0];
      const first = call === 0;
      call += 1;
      return {
        content: first
          ? [
              {
                type: 'tool-call',
                toolCallId: 'call_0',
                toolName: 'search_policies',
                input: JSON.stringify({ query: STORY.query }),
              },
              { type: 'tool-call', toolCallId: 'call_1', toolName: STORY.tool, input: JSON.stringify(STORY.toolArgs) },
            ]
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
  const reranker = {
    specificationVersion: 'v4',
    provider: 'cohere',
    modelId: 'rerank-v3.5',
    doRerank: async () => ({
      ranking: STORY.documents.map((_d: unknown, index: number) => ({ index, relevanceScore: 0.9 - index * 0.3 })),
    }),
  };
  const telemetry = { functionId: STORY.agent, includeRuntimeContext: { sessionId: true } };
  const agent = new ai.ToolLoopAgent({
    model,
    instructions: 'You are a refund assistant.',
    tools: {
      search_policies: ai.tool({
        description: 'Search the refund policies',
        inputSchema: z.object({ query: z.string() }),
        execute: async ({ query }: { query: string }) => {
          const { ranking } = await ai.rerank({
            model: reranker,
            query,
            documents: STORY.documents.map((d) => ({ id: d.id, text: d.text })),
            telemetry,
          });
          return ranking;
        },
      }),
      [STORY.tool]: ai.tool({
        description: 'Look an order up by its ID',
        inputSchema: z.object({ orderId: z.string() }),
        execute: async () => STORY.toolResult,
      }),
    },
    stopWhen: ai.isStepCount(3),
    telemetry,
    runtimeContext: { sessionId: STORY.session },
  });
  await agent.generate({ prompt: STORY.user });
  await otel.shutdown();
  report({ traceIds: roots.traceIds });
});

import { initCasefile, llmCall, retrieval, run, toolCall } from '@casefile/sdk';
import { main, report, STORY, target } from './common.js';

/** Our own SDK, for the same refund agent: the reference every other dialect is held to. */
main(async () => {
  const t = target();
  const casefile = initCasefile({ endpoint: t.url, apiKey: t.key, agent: { name: STORY.agent, version: '1.0.0' } });
  let traceId = '';
  await run(
    'refund-request',
    { input: STORY.user, conversationId: STORY.session, promptVersion: 'refund-v7', policyVersion: 'refunds-3' },
    async (ids) => {
      traceId = ids.traceId;
      await retrieval({ dataSource: 'support-kb', query: STORY.query }, async () =>
        STORY.documents.map((d, i) => ({ id: d.id, score: 0.9 - i * 0.3, content: d.text })),
      );
      await llmCall(
        { provider: 'openai', model: STORY.model, inputMessages: [{ role: 'user', content: STORY.user }] },
        async () => ({
          outputMessages: [
            {
              role: 'assistant',
              parts: [{ type: 'tool_call', id: 'call_1', name: STORY.tool, arguments: { ...STORY.toolArgs } }],
            },
          ],
          responseModel: STORY.responseModel,
          usage: { inputTokens: STORY.calls[0].input, outputTokens: STORY.calls[0].output },
        }),
      );
      await toolCall(
        { name: STORY.tool, arguments: { ...STORY.toolArgs }, risk: 'read', callId: 'call_1' },
        async () => ({
          ...STORY.toolResult,
        }),
      );
      const reply = await llmCall(
        { provider: 'openai', model: STORY.model, inputMessages: [{ role: 'user', content: STORY.user }] },
        async () => ({
          text: STORY.answer,
          responseModel: STORY.responseModel,
          usage: { inputTokens: STORY.calls[1].input, outputTokens: STORY.calls[1].output },
        }),
      );
      return reply.text;
    },
  );
  await casefile.shutdown();
  report({ traceIds: [traceId] });
});

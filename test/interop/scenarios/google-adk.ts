import type { BaseLlm as BaseLlmType, LlmRequest, LlmResponse } from '@google/adk';
import { z } from 'zod';
import { main, report, STORY, target } from './common.js';
import { registerProvider, rootTraceRecorder, simpleExport } from './otlp.js';

/**
 * Google's Agent Development Kit (`@google/adk`, its own OpenTelemetry spans: `invocation`,
 * `invoke_agent`, `call_llm` with `gcp.vertex.agent.llm_request/llm_response`, `execute_tool` with
 * `gcp.vertex.agent.tool_call_args/tool_response`): an `LlmAgent` that calls `lookup_order` and answers,
 * run by an `InMemoryRunner` in the story's session. Scripted model (a `BaseLlm`), no network.
 */
function scriptedModel(BaseLlm: typeof BaseLlmType): BaseLlmType {
  return new (class ScriptedModel extends BaseLlm {
    private call = 0;

    constructor() {
      super({ model: STORY.model });
    }

    async *generateContentAsync(_request: LlmRequest): AsyncGenerator<LlmResponse, void> {
      const usage = STORY.calls[this.call] ?? STORY.calls[0];
      const first = this.call === 0;
      this.call += 1;
      yield {
        content: {
          role: 'model',
          parts: first
            ? [{ functionCall: { id: 'call_1', name: STORY.tool, args: { ...STORY.toolArgs } } }]
            : [{ text: STORY.answer }],
        },
        usageMetadata: { promptTokenCount: usage.input, candidatesTokenCount: usage.output },
      } as LlmResponse;
    }

    async connect(): Promise<never> {
      throw new Error('the scripted model has no live connection');
    }
  })();
}

main(async () => {
  const roots = rootTraceRecorder();
  const otel = registerProvider('google-adk-app', [simpleExport(target(), 'protobuf'), roots.processor]);
  // ADK takes its tracer when it is loaded, through its own copy of the OpenTelemetry API: the
  // provider must be registered first, as ADK's telemetry set-up does.
  const { BaseLlm, FunctionTool, InMemoryRunner, LlmAgent } = await import('@google/adk');
  const lookup = new FunctionTool({
    name: STORY.tool,
    description: 'Look an order up by its ID',
    parameters: z.object({ orderId: z.string() }),
    execute: async ({ orderId }: { orderId: string }) => ({ ...STORY.toolResult, orderId }),
  });
  const agent = new LlmAgent({
    name: STORY.agent,
    model: scriptedModel(BaseLlm),
    instruction: 'You are a refund assistant.',
    tools: [lookup],
  });
  const runner = new InMemoryRunner({ agent, appName: 'refunds' });
  const session = await runner.sessionService.createSession({
    appName: 'refunds',
    userId: 'customer-7',
    sessionId: STORY.session,
  });
  const events = runner.runAsync({
    userId: 'customer-7',
    sessionId: session.id,
    newMessage: { role: 'user', parts: [{ text: STORY.user }] },
  });
  for await (const _event of events) {
    // The run is over once the runner has no more events.
  }
  await otel.shutdown();
  report({ traceIds: roots.traceIds });
});

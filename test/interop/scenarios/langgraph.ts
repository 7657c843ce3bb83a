import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { Document } from '@langchain/core/documents';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { BaseRetriever } from '@langchain/core/retrievers';
import { tool } from '@langchain/core/tools';
import { Command, END, interrupt, MemorySaver, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';
import { main, report, STORY, target } from './common.js';
import { registerProvider, rootTraceRecorder, simpleExport } from './otlp.js';

/** A chat model that answers from a script: first the lookup tool call, then the answer. */
class ScriptedChatModel extends BaseChatModel {
  private calls = 0;
  _llmType(): string {
    return 'openai';
  }
  override invocationParams(): Record<string, unknown> {
    return { model: STORY.model, temperature: 0 };
  }
  override bindTools(): this {
    return this;
  }
  async _generate(
    _messages: BaseMessage[],
    _options: this['ParsedCallOptions'],
    _run?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    const usage = STORY.calls[this.calls] ?? STORY.calls[0];
    const first = this.calls === 0;
    this.calls += 1;
    const message = new AIMessage({
      content: first ? '' : STORY.answer,
      tool_calls: first ? [{ id: 'call_1', name: STORY.tool, args: { ...STORY.toolArgs }, type: 'tool_call' }] : [],
      usage_metadata: {
        input_tokens: usage.input,
        output_tokens: usage.output,
        total_tokens: usage.input + usage.output,
      },
      response_metadata: { model_name: STORY.responseModel, finish_reason: first ? 'tool_calls' : 'stop' },
    });
    return {
      generations: [{ text: first ? '' : STORY.answer, message }],
      llmOutput: {
        tokenUsage: {
          promptTokens: usage.input,
          completionTokens: usage.output,
          totalTokens: usage.input + usage.output,
        },
      },
    };
  }
}

class KnowledgeBase extends BaseRetriever {
  override lc_namespace = ['casefile', 'interop'];
  override async _getRelevantDocuments(): Promise<Document[]> {
    return STORY.documents.map(
      (d) => new Document({ pageContent: d.text, metadata: { id: d.id, source: `kb/${d.id}.md` } }),
    );
  }
}

/**
 * LangGraph (`@langchain/langgraph`) under OpenInference's LangChain instrumentation: a graph that
 * retrieves, calls the model and a tool, then asks a human with `interrupt()` before it issues the
 * refund. The first invocation stops at the interrupt; the second resumes the same thread with a
 * `Command` carrying the decision — two traces in one conversation.
 */
main(async () => {
  const roots = rootTraceRecorder();
  const otel = registerProvider('langgraph-app', [simpleExport(target(), 'protobuf'), roots.processor]);
  const instrumentation = new LangChainInstrumentation();
  instrumentation.manuallyInstrument(CallbackManagerModule);

  const model = new ScriptedChatModel({});
  const retriever = new KnowledgeBase();
  const lookupOrder = tool(
    async (input: { orderId: string }) => JSON.stringify({ ...STORY.toolResult, orderId: input.orderId }),
    {
      name: STORY.tool,
      description: 'Look an order up by its ID',
      schema: z.object({ orderId: z.string() }),
    },
  );
  const issueRefund = tool(
    async (input: { orderId: string; amount: number }) => JSON.stringify({ refundId: 're_77', ...input }),
    {
      name: 'issue_refund',
      description: 'Refund an order',
      schema: z.object({ orderId: z.string(), amount: z.number() }),
    },
  );

  const graph = new StateGraph(MessagesAnnotation)
    .addNode('retrieve', async () => {
      const docs = await retriever.invoke(STORY.query);
      return { messages: [new SystemMessage(`Policy: ${docs.map((d) => d.pageContent).join(' ')}`)] };
    })
    .addNode('agent', async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addNode('tools', new ToolNode([lookupOrder]))
    .addNode('approve', async () => {
      const decision = interrupt({
        question: 'Issue this refund?',
        action: { tool: 'issue_refund', arguments: { orderId: '1042', amount: 42 } },
      }) as { decision: string };
      return { messages: [new HumanMessage(`refund ${decision.decision}`)] };
    })
    .addNode('refund', async () => {
      const result = await issueRefund.invoke({ orderId: '1042', amount: 42 });
      return { messages: [new AIMessage(String(result))] };
    })
    .addEdge(START, 'retrieve')
    .addEdge('retrieve', 'agent')
    .addConditionalEdges('agent', (state) => {
      const last = state.messages[state.messages.length - 1] as AIMessage;
      return (last.tool_calls?.length ?? 0) > 0 ? 'tools' : 'approve';
    })
    .addEdge('tools', 'agent')
    .addEdge('approve', 'refund')
    .addEdge('refund', END)
    .compile({ checkpointer: new MemorySaver(), name: STORY.agent });

  const config = { configurable: { thread_id: STORY.session }, runName: STORY.agent };
  await graph.invoke({ messages: [new HumanMessage(STORY.user)] }, config);
  await graph.invoke(new Command({ resume: { decision: 'approved' } }), config);
  await otel.shutdown();
  report({ traceIds: roots.traceIds });
});

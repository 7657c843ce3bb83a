import { SpanKind } from '@opentelemetry/api';
import { ATTR, OPERATION, STEP_KIND } from './attributes.js';
import { type ChatMessage, type MessagePart, messagesJson, systemInstructionsJson } from './messages.js';
import { compact, currentRunScope, runInSpan } from './span-runner.js';

export interface LlmCallOptions {
  /** `gen_ai.provider.name`, e.g. `openai`, `anthropic`. */
  provider: string;
  /** The requested model; pin a dated version so runs can be reproduced. */
  model: string;
  inputMessages: readonly ChatMessage[];
  systemInstructions?: string | readonly string[] | readonly MessagePart[];
  temperature?: number;
  maxTokens?: number;
  /** Defaults to the enclosing run's prompt version. */
  promptVersion?: string;
}

export interface LlmResult {
  /** The reply as messages; or give `text` for a single assistant text reply. */
  outputMessages?: readonly ChatMessage[];
  text?: string;
  responseModel?: string;
  responseId?: string;
  usage?: { inputTokens?: number; outputTokens?: number };
  finishReasons?: readonly string[];
}

/** One model call: a `chat <model>` client span with the GenAI request, response and usage. */
export function llmCall<R extends LlmResult>(options: LlmCallOptions, fn: () => R | Promise<R>): Promise<R> {
  const o = options ?? ({} as LlmCallOptions);
  const promptVersion = o.promptVersion ?? currentRunScope()?.promptVersion;
  return runInSpan(
    {
      name: `${OPERATION.CHAT} ${o.model}`,
      stepKind: STEP_KIND.LLM,
      spanKind: SpanKind.CLIENT,
      attributes: compact({
        [ATTR.OPERATION_NAME]: OPERATION.CHAT,
        [ATTR.PROVIDER_NAME]: o.provider,
        [ATTR.REQUEST_MODEL]: o.model,
        [ATTR.REQUEST_TEMPERATURE]: o.temperature,
        [ATTR.REQUEST_MAX_TOKENS]: o.maxTokens,
        [ATTR.PROMPT_VERSION]: promptVersion,
        [ATTR.INPUT_MESSAGES]: messagesJson(o.inputMessages ?? []),
        [ATTR.SYSTEM_INSTRUCTIONS]:
          o.systemInstructions === undefined ? undefined : systemInstructionsJson(o.systemInstructions),
      }),
    },
    () => fn(),
    (span, result) => {
      if (!result || typeof result !== 'object') return;
      const reasons = result.finishReasons ? [...result.finishReasons] : undefined;
      const output =
        result.outputMessages ??
        (result.text === undefined ? undefined : [{ role: 'assistant', content: result.text } as ChatMessage]);
      span.setAttributes(
        compact({
          [ATTR.RESPONSE_MODEL]: result.responseModel,
          [ATTR.RESPONSE_ID]: result.responseId,
          [ATTR.RESPONSE_FINISH_REASONS]: reasons,
          [ATTR.USAGE_INPUT_TOKENS]: result.usage?.inputTokens,
          [ATTR.USAGE_OUTPUT_TOKENS]: result.usage?.outputTokens,
          [ATTR.OUTPUT_MESSAGES]: output ? outputJson(output, reasons) : undefined,
        }),
      );
    },
  );
}

/** Output messages carry `finish_reason` per the conventions' output schema. */
function outputJson(messages: readonly ChatMessage[], reasons: string[] | undefined): string {
  const withReasons = messages.map((m, i) => {
    if ('parts' in m && m.finish_reason) return m;
    const parts = 'parts' in m ? m.parts : [{ type: 'text', content: String(m.content ?? '') }];
    return { role: m.role, parts, finish_reason: reasons?.[i] ?? reasons?.[0] ?? 'stop' };
  });
  return messagesJson(withReasons);
}

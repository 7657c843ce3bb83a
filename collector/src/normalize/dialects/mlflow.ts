import type { Step } from '../../model/step.js';
import type { Dialect, SpanView } from '../dialect.js';
import { hasKeyWithPrefix } from '../dialect.js';
import { documentsFromValue, documentsJson } from '../documents.js';
import { asJsonText, asText, isObj, jsonOrText, str, toCount } from '../json.js';
import { type GenAiMessage, lastUserText, messagesJson, toGenAiMessage, toGenAiMessages } from '../messages.js';

/** An MLflow attribute: every value is JSON-encoded (a span type is `"LLM"` with its quotes). */
export function mlflowValue(attrs: Record<string, string>, key: string): unknown {
  return jsonOrText(attrs[key]);
}

/** The span type (`mlflow.spanType`), upper case, '' when absent. */
export function mlflowSpanType(attrs: Record<string, string>): string {
  return str(mlflowValue(attrs, 'mlflow.spanType')).toUpperCase();
}

/** A chat model's answer: OpenAI `choices`, a message or messages, or plain text. */
function answerMessages(value: unknown): GenAiMessage[] | null {
  if (typeof value === 'string')
    return value === '' ? null : [{ role: 'assistant', parts: [{ type: 'text', content: value }] }];
  if (isObj(value) && Array.isArray(value.choices)) {
    const out: GenAiMessage[] = [];
    for (const c of value.choices) {
      if (!isObj(c)) continue;
      const m = toGenAiMessage({ role: 'assistant', ...(isObj(c.message) ? c.message : {}) });
      if (m === null) continue;
      if (typeof c.finish_reason === 'string') m.finish_reason = c.finish_reason;
      out.push(m);
    }
    return out.length > 0 ? out : null;
  }
  return toGenAiMessages(value);
}

/**
 * MLflow Tracing (`mlflow.*`, every value JSON-encoded): `mlflow.spanType` is the kind (see
 * `step-kind.ts`); `mlflow.spanInputs` / `mlflow.spanOutputs` are the call's input and output: a
 * tool's arguments and result, a chat model's messages (OpenAI chat shapes), a retriever's documents
 * (`{page_content, metadata: {doc_uri}}`), an agent's input and answer; `mlflow.chat.tokenUsage` the
 * tokens. The span name is the traced function's (a tool's or the agent's).
 */
export const mlflow: Dialect = {
  id: 'mlflow',
  detect: (v: SpanView) => hasKeyWithPrefix(v.attrs, 'mlflow.'),
  apply(v: SpanView, step: Step) {
    const a = v.attrs;
    const input = mlflowValue(a, 'mlflow.spanInputs');
    const output = mlflowValue(a, 'mlflow.spanOutputs');
    const type = mlflowSpanType(a);
    if (step.kind === 'tool') {
      step.toolName ||= str(mlflowValue(a, 'mlflow.spanFunctionName')) || v.name;
      if (input !== undefined) step.toolArguments ||= asJsonText(input);
      if (output !== undefined) step.toolResult ||= asText(output);
    } else if (step.kind === 'llm') {
      step.inputMessages ||= messagesJson(toGenAiMessages(input));
      step.outputMessages ||= messagesJson(answerMessages(output));
      const usage = mlflowValue(a, 'mlflow.chat.tokenUsage');
      if (isObj(usage)) {
        step.inputTokens ??= toCount(usage.input_tokens ?? usage.prompt_tokens);
        step.outputTokens ??= toCount(usage.output_tokens ?? usage.completion_tokens);
      }
    } else if (step.kind === 'retrieval') {
      const docs = documentsFromValue(output);
      if (docs.length > 0) {
        step.documents = documentsJson(docs);
        step.documentIds = docs.map((d) => d.id);
      }
      step.retrievalQuery ||= typeof input === 'string' ? input : isObj(input) ? str(input.query) : '';
    } else if (step.kind === 'agent') {
      if (type === 'AGENT') step.agentName ||= v.name;
      const asked = messagesJson(toGenAiMessages(input));
      step.runInput ||= (asked !== '' ? lastUserText(asked) : '') || (input === undefined ? '' : asText(input));
      if (output !== undefined) step.actionResult ||= asText(output);
    }
  },
};

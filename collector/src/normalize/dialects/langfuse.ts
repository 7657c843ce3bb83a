import type { Step } from '../../model/step.js';
import type { Dialect, SpanView } from '../dialect.js';
import { hasKeyWithPrefix } from '../dialect.js';
import { documentsFromValue, documentsJson } from '../documents.js';
import { asText, isObj, type Obj, parseJson, str, toCount } from '../json.js';
import { type GenAiMessage, messagesJson, toGenAiMessages } from '../messages.js';

const INPUT_KEYS = ['input', 'prompt_tokens', 'promptTokens', 'input_tokens', 'inputTokens'];
const OUTPUT_KEYS = ['output', 'completion_tokens', 'completionTokens', 'output_tokens', 'outputTokens'];

function count(usage: Obj, keys: readonly string[]): number | null {
  for (const k of keys) {
    const n = toCount(usage[k]);
    if (n !== null) return n;
  }
  return null;
}

/** A generation's output: a message, a list of messages, or plain text from the assistant. */
function outputMessages(value: unknown): GenAiMessage[] | null {
  if (typeof value === 'string') return [{ role: 'assistant', parts: [{ type: 'text', content: value }] }];
  if (isObj(value) && value.role === undefined && typeof value.content === 'string') {
    return [{ role: 'assistant', parts: [{ type: 'text', content: value.content }] }];
  }
  return toGenAiMessages(value);
}

/**
 * Langfuse's OTel SDK (v4/v5): no GenAI attributes at all. `langfuse.observation.type` is the kind,
 * the span name is the observation's name (the tool's or the agent's), input and output are JSON in
 * `langfuse.observation.input/.output`, the model in `.model.name`, tokens as a JSON object in
 * `.usage_details`, the prompt in `.prompt.name/.version`, the session in `session.id`.
 */
export const langfuse: Dialect = {
  id: 'langfuse',
  detect: (v: SpanView) => hasKeyWithPrefix(v.attrs, 'langfuse.'),
  apply(v: SpanView, step: Step, notes: string[]) {
    const a = v.attrs;
    const type = (a['langfuse.observation.type'] ?? '').toLowerCase();
    const rawInput = a['langfuse.observation.input'] ?? a['langfuse.trace.input'] ?? '';
    const rawOutput = a['langfuse.observation.output'] ?? a['langfuse.trace.output'] ?? '';
    const input = parseJson(rawInput) ?? rawInput;
    const output = parseJson(rawOutput) ?? rawOutput;
    step.conversationId ||= a['langfuse.session.id'] ?? '';
    if (type === 'agent') step.agentName ||= v.name;
    if (v.isRoot) step.agentName ||= a['langfuse.trace.name'] ?? '';
    step.agentVersion ||= a['langfuse.observation.version'] ?? '';
    const promptVersion = a['langfuse.observation.prompt.version'] ?? '';
    if (promptVersion !== '') {
      const name = a['langfuse.observation.prompt.name'] ?? '';
      step.promptVersion ||= name === '' ? promptVersion : `${name}@${promptVersion}`;
    }
    if (type === 'generation' || type === 'embedding') {
      step.requestModel ||= a['langfuse.observation.model.name'] ?? '';
      step.inputMessages ||=
        messagesJson(toGenAiMessages(input)) ||
        (rawInput === '' ? '' : JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: asText(input) }] }]));
      step.outputMessages ||= messagesJson(outputMessages(output));
      const usageText = a['langfuse.observation.usage_details'] ?? '';
      const usage = parseJson(usageText);
      if (isObj(usage)) {
        step.inputTokens ??= count(usage, INPUT_KEYS);
        step.outputTokens ??= count(usage, OUTPUT_KEYS);
      } else if (usageText !== '') notes.push('langfuse.observation.usage_details is not a JSON object');
    } else if (type === 'tool') {
      step.toolName ||= v.name;
      step.toolArguments ||= rawInput;
      step.toolResult ||= rawOutput;
    } else if (type === 'retriever') {
      const docs = documentsFromValue(output);
      if (docs.length > 0) {
        step.documents = documentsJson(docs);
        step.documentIds = docs.map((d) => d.id);
      }
      step.retrievalQuery ||=
        typeof input === 'string' ? input : isObj(input) ? str(input.query) || rawInput : rawInput;
    } else if (step.kind === 'agent') {
      step.runInput ||= rawInput;
      step.actionResult ||= rawOutput;
    }
    if ((a['langfuse.observation.level'] ?? '').toUpperCase() === 'ERROR') {
      step.status = 'error';
      step.statusMessage ||= a['langfuse.observation.status_message'] ?? '';
    }
  },
};

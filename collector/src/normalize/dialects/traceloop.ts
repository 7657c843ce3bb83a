import type { Step } from '../../model/step.js';
import type { Dialect, SpanView } from '../dialect.js';
import { hasKeyWithPrefix } from '../dialect.js';
import { documentsFromEvents, documentsJson } from '../documents.js';
import { asJsonText, isObj, parseJson } from '../json.js';
import { indexedMessages, messagesJson } from '../messages.js';

const ASSOCIATION = 'traceloop.association.properties.';
const SESSION_KEYS = ['session_id', 'sessionId', 'conversation_id', 'conversationId', 'thread_id', 'chat_id'];

/**
 * `traceloop.entity.input` records a function's call as `{"args":[…],"kwargs":{…}}`: keyword
 * arguments are the tool's arguments, a single positional argument is the value itself.
 */
export function unwrapEntityInput(text: string): string {
  const parsed = parseJson(text);
  if (!isObj(parsed) || !Array.isArray(parsed.args) || !isObj(parsed.kwargs)) return text;
  const hasKwargs = Object.keys(parsed.kwargs).length > 0;
  if (hasKwargs && parsed.args.length === 0) return JSON.stringify(parsed.kwargs);
  if (!hasKwargs && parsed.args.length === 1) {
    const only = parsed.args[0];
    return typeof only === 'string' ? only : asJsonText(only);
  }
  if (!hasKwargs && parsed.args.length === 0) return '';
  return text;
}

/**
 * OpenLLMetry / Traceloop: `traceloop.span.kind` workflow|task|agent|tool with
 * `traceloop.entity.name/.input/.output`; LLM spans from its instrumentations in GenAI semconv
 * (or the older flattened `gen_ai.prompt.N.*`); vector DB spans with one `db.query.result` event per
 * document. `traceloop.workflow.name` names the workflow, not the agent, so it never names a run.
 */
export const traceloop: Dialect = {
  id: 'traceloop',
  detect: (v: SpanView) => hasKeyWithPrefix(v.attrs, 'traceloop.'),
  apply(v: SpanView, step: Step) {
    const a = v.attrs;
    const spanKind = a['traceloop.span.kind'] ?? '';
    const entity = a['traceloop.entity.name'] ?? '';
    if (spanKind === 'agent') step.agentName = a['gen_ai.agent.name'] || entity || step.agentName;
    for (const k of SESSION_KEYS) step.conversationId ||= a[`${ASSOCIATION}${k}`] ?? '';
    const input = unwrapEntityInput(a['traceloop.entity.input'] ?? '');
    const output = a['traceloop.entity.output'] ?? '';
    if (step.kind === 'tool') {
      step.toolName ||= entity;
      step.toolArguments ||= input;
      step.toolResult ||= output;
    } else if (step.kind === 'agent') {
      step.runInput ||= input;
      step.actionResult ||= output;
    }
    if (step.kind === 'retrieval') {
      const docs = documentsFromEvents(v.events);
      if (docs.length > 0) {
        step.documents = documentsJson(docs);
        step.documentIds = docs.map((d) => d.id);
      }
      step.retrievalQuery ||= a['db.query.text'] ?? '';
      step.dataSourceId ||= a['db.system'] || a['db.system.name'] || v.name.split('.')[0] || '';
    }
    if (step.kind === 'llm') {
      step.inputMessages ||= messagesJson(indexedMessages(a, 'input'));
      step.outputMessages ||= messagesJson(indexedMessages(a, 'output'));
    }
  },
};

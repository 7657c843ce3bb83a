import { createHash } from 'node:crypto';
import { actionHash } from '@casefile/sdk/action-hash';
import type { Step } from '../../model/step.js';
import { emptyStep } from '../../model/step.js';
import type { SpanView } from '../dialect.js';
import { asText, isObj, type Obj, parseJson, str } from '../json.js';
import { metadataOf } from './openinference.js';

const INTERRUPT = /\b(GraphInterrupt|NodeInterrupt)\b/;

export interface InterruptRecord {
  id: string;
  value: unknown;
}

/**
 * A LangGraph `interrupt()` as OpenInference records it: the node's span ends in ERROR with an
 * `exception` event naming GraphInterrupt (in `exception.type`, or in the message's own
 * `GraphInterrupt: …` line) whose message is the JSON list of interrupts `[{id, value}]`.
 */
export function interruptsOf(view: SpanView): InterruptRecord[] | null {
  for (const e of view.events) {
    if (e.name !== 'exception') continue;
    const type = e.attributes['exception.type'] ?? '';
    const message = e.attributes['exception.message'] ?? '';
    if (
      !INTERRUPT.test(type) &&
      !INTERRUPT.test(message) &&
      !INTERRUPT.test(e.attributes['exception.stacktrace'] ?? '')
    ) {
      continue;
    }
    const payloadText = message.split(/\n\s*\n/)[0] ?? '';
    const payload = parseJson(payloadText) ?? parseJson(message.replace(/^.*?Interrupt:\s*/s, '').split(/\n\s+at /)[0]);
    const list = Array.isArray(payload) ? payload : payload === undefined ? [] : [payload];
    return list.map((p) => (isObj(p) && 'value' in p ? { id: str(p.id), value: p.value } : { id: '', value: p }));
  }
  return null;
}

/**
 * The action an interrupt asks about, when its payload names one: `{action:{tool|name, arguments|args}}`,
 * LangChain's HITL `{action_requests:[{name|action, args|arguments}]}`, `{tool_call:{name,args}}` or
 * `{tool, arguments}` itself.
 */
export function actionOf(value: unknown): { tool: string; arguments: unknown } | null {
  if (!isObj(value)) return null;
  const candidates: unknown[] = [
    value.action,
    Array.isArray(value.action_requests) ? value.action_requests[0] : undefined,
    value.tool_call,
    value,
  ];
  for (const c of candidates) {
    if (!isObj(c)) continue;
    const tool = str(c.tool) || str(c.name) || (typeof c.action === 'string' ? c.action : '');
    const args = c.arguments ?? c.args;
    if (tool !== '' && args !== undefined) return { tool, arguments: args };
  }
  return null;
}

/** A resume value as a decision: booleans, approve/reject words, or an object carrying one. */
export function decisionOf(value: unknown, depth = 0): string {
  if (depth > 4) return '';
  if (typeof value === 'boolean') return value ? 'approved' : 'denied';
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (/^(approved?|accept(ed)?|allow(ed)?|yes|y|ok|confirm(ed)?|continue|edit(ed)?)$/.test(v)) return 'approved';
    if (/^(den(y|ied)|reject(ed)?|decline[d]?|no|n|cancel(l?ed)?|stop|ignore[d]?|respond(ed)?)$/.test(v))
      return 'denied';
    if (/^(expired?|timeout|timed out)$/.test(v)) return 'expired';
    return '';
  }
  if (Array.isArray(value)) return value.length > 0 ? decisionOf(value[0], depth + 1) : '';
  if (!isObj(value)) return '';
  for (const k of ['decision', 'type', 'action', 'status', 'approved', 'approve', 'accept', 'answer', 'response']) {
    if (k in value) {
      const d = decisionOf(value[k], depth + 1);
      if (d !== '') return d;
    }
  }
  if (Array.isArray(value.decisions)) return decisionOf(value.decisions, depth + 1);
  return '';
}

/** The interrupted node: an approval step, waiting; not an error. The payload stays in its events. */
export function applyInterrupt(view: SpanView, step: Step, interrupts: InterruptRecord[]): void {
  const first = interrupts[0];
  step.kind = 'approval';
  step.status = 'ok';
  step.errorType = '';
  step.statusMessage = `waiting for a human decision (LangGraph interrupt${interrupts.length > 1 ? `, ${interrupts.length} requests` : ''})`;
  step.approvalDecision = 'pending';
  const meta = metadataOf(view.attrs);
  step.approvalId =
    first?.id || [str(meta.thread_id), str(meta.langgraph_checkpoint_ns)].filter((s) => s !== '').join('/');
  const action = actionOf(first?.value);
  if (action) {
    step.approvalActionHash = actionHash(action.tool, action.arguments);
    step.toolName = action.tool;
    step.toolArguments = asText(action.arguments);
  }
}

/** A run that resumes a graph: the root's input is `{"lg_name":"Command","resume":…}`. */
export function resumeCommandOf(view: SpanView): { resume: unknown } | null {
  if (!view.isRoot) return null;
  const input = parseJson(view.attrs['input.value']);
  if (!isObj(input) || input.lg_name !== 'Command' || !('resume' in input)) return null;
  return { resume: input.resume };
}

const HEX_ID = /^[0-9a-f]{16,64}$/i;

/**
 * The human's answer, as its own approval step under the resumed run's root (derived, so its span ID
 * is a hash of the root's and a resent span yields the same step). With `resume` keyed by interrupt
 * ID (`{[id]: value}`) it carries the same approval ID as the interrupted run's step; otherwise the
 * two runs are linked by their conversation (thread) ID only.
 */
export function resumeApprovalStep(root: Step, resume: unknown): Step {
  const id = createHash('sha256').update(`${root.spanId}:langgraph-resume`).digest('hex').slice(0, 16);
  const step = emptyStep(root.projectId, root.traceId, id);
  const keyed = isObj(resume) ? Object.keys(resume).filter((k) => HEX_ID.test(k)) : [];
  const value = keyed.length > 0 ? (resume as Obj)[keyed[0] as string] : resume;
  step.parentSpanId = root.spanId;
  step.name = 'resume (human decision)';
  step.kind = 'approval';
  step.startNs = root.startNs;
  step.endNs = root.startNs;
  step.status = 'ok';
  step.serviceName = root.serviceName;
  step.agentName = root.agentName;
  step.conversationId = root.conversationId;
  step.approvalId = keyed[0] ?? '';
  step.approvalDecision = decisionOf(value) || 'unknown';
  step.actionResult = asText(value);
  step.attributes = {
    'casefile.normalize.dialect': 'openinference',
    'casefile.normalize.derived_from': root.spanId,
    'langgraph.resume': asText(resume),
  };
  return step;
}

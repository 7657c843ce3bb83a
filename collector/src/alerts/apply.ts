/**
 * Turns one evaluation into history: the state transition, the recorded event (the full
 * `alertEventSchema` DTO as its detail), the new state document, and the notification to send.
 */
import type { AlertEventDto } from '@casefile/contract';
import type { AlertStore } from '../store/port.js';
import { eventId, toEventDto, toStoredEvent } from './alert-event.js';
import type { RuleEvaluation } from './evaluation.js';
import type { DeliveryOutcome, Notifier } from './notifier.js';
import type { AlertRule } from './rule-model.js';
import { advance, nextState, type RuleStateDoc, statePolicy, type Transition } from './state-machine.js';

export interface Applied {
  transition: Transition;
  state: RuleStateDoc;
  event?: AlertEventDto;
  /** The notification under way (resolves when delivered or given up). */
  delivery?: Promise<DeliveryOutcome>;
}

export async function applyEvaluation(
  deps: { store: AlertStore; notifier?: Notifier | undefined },
  projectId: string,
  rule: AlertRule,
  prev: RuleStateDoc,
  /** Its example runs are looked up here (`findExamples`) only when an event is recorded. */
  evaluation: RuleEvaluation,
  nowNs: bigint,
): Promise<Applied> {
  const transition = nextState(prev, evaluation.signal, evaluation.windowEndNs, nowNs, statePolicy(rule));
  const id = eventId(rule.id, evaluation.windowEndNs);
  let event: AlertEventDto | undefined;
  if (transition.record) {
    const withExamples = evaluation.findExamples
      ? { ...evaluation, exampleRuns: await evaluation.findExamples() }
      : evaluation;
    event = toEventDto(withExamples, transition.from, transition.to, nowNs);
    await deps.store.recordAlertEvent(toStoredEvent(projectId, event, evaluation.windowEndNs));
  }
  const notify = transition.notify !== undefined && event !== undefined && rule.channel.type === 'webhook';
  const state = advance(prev, transition, {
    windowEndNs: evaluation.windowEndNs,
    nowNs,
    eventId: id,
    summary: evaluation.summary,
    notified: notify,
  });
  await deps.store.putAlertState({ projectId, ruleId: rule.id, json: JSON.stringify(state), updatedNs: nowNs });
  if (!notify || !deps.notifier || !event) return { transition, state, ...(event ? { event } : {}) };
  const delivery = deps.notifier.notify({ projectId, rule, event, renotification: transition.notify === 'renotify' });
  return { transition, state, event, delivery };
}

/** Evaluations and transitions as recorded history (`alertEventSchema` JSON in the event's detail). */
import { type AlertEventDto, alertEventSchema } from '@casefile/contract';
import type { AlertEvent, AlertState } from '../store/alerts.js';
import type { RuleEvaluation } from './evaluation.js';

export function eventId(ruleId: string, windowEndNs: bigint): string {
  return `${ruleId}:${windowEndNs}`;
}

/** Non-finite numbers (an infinite statistic, a NaN mean) are not JSON; they become null. */
function finiteOrNull<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}

export function toEventDto(
  evaluation: RuleEvaluation,
  from: AlertState,
  to: AlertState,
  timeNs: bigint,
): AlertEventDto {
  return finiteOrNull({
    id: eventId(evaluation.ruleId, evaluation.windowEndNs),
    ruleId: evaluation.ruleId,
    ruleName: evaluation.ruleName,
    timeNs: String(timeNs),
    from,
    to,
    window: { fromNs: String(evaluation.current.fromNs), toNs: String(evaluation.current.toNs) },
    reference: {
      fromNs: String(evaluation.reference.fromNs),
      toNs: String(evaluation.reference.toNs),
      label: evaluation.reference.label,
    },
    results: evaluation.results,
    ...(evaluation.observed !== undefined ? { observed: evaluation.observed } : {}),
    exampleRuns: evaluation.exampleRuns,
    summary: evaluation.summary,
  });
}

export function toStoredEvent(projectId: string, dto: AlertEventDto, windowEndNs: bigint): AlertEvent {
  return {
    projectId,
    ruleId: dto.ruleId,
    id: dto.id,
    timeNs: BigInt(dto.timeNs),
    windowEndNs,
    from: dto.from,
    to: dto.to,
    detail: JSON.stringify(dto),
  };
}

/** The DTO inside a stored event; a detail that no longer parses still yields a minimal event. */
export function storedEventToDto(event: AlertEvent): AlertEventDto {
  try {
    const parsed = alertEventSchema.safeParse(JSON.parse(event.detail));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to the minimal event
  }
  return {
    id: event.id,
    ruleId: event.ruleId,
    ruleName: '',
    timeNs: String(event.timeNs),
    from: event.from,
    to: event.to,
    window: { fromNs: String(event.windowEndNs), toNs: String(event.windowEndNs) },
    reference: { fromNs: '0', toNs: '0', label: '' },
    results: [],
    exampleRuns: { reference: [], current: [] },
    summary: '(unreadable event detail)',
  };
}

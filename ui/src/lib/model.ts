/**
 * Client-side run and step types: the API DTOs with nanosecond strings turned into bigint once, at
 * the edge, so no component ever does arithmetic on the strings.
 */
import type { FindingDto, RunDetailDto, RunSummaryDto, StepDto } from '@casefile/contract';
import { parseNanos } from './nanos';

export interface UiStepEvent {
  timeNs: bigint;
  name: string;
  attributes: Record<string, string>;
}

export type UiStep = Omit<StepDto, 'startNs' | 'endNs' | 'events'> & {
  startNs: bigint;
  endNs: bigint;
  events: UiStepEvent[];
};

export type UiRunSummary = Omit<RunSummaryDto, 'startNs' | 'endNs'> & { startNs: bigint; endNs: bigint };

export interface UiRunDetail {
  run: UiRunSummary;
  steps: UiStep[];
  /** Absent from servers without detection. */
  findings: FindingDto[] | undefined;
}

export function toRunSummary(dto: RunSummaryDto): UiRunSummary {
  return { ...dto, startNs: parseNanos(dto.startNs), endNs: parseNanos(dto.endNs) };
}

export function toStep(dto: StepDto): UiStep {
  return {
    ...dto,
    startNs: parseNanos(dto.startNs),
    endNs: parseNanos(dto.endNs),
    events: dto.events.map((e) => ({ ...e, timeNs: parseNanos(e.timeNs) })),
  };
}

export function toRunDetail(dto: RunDetailDto): UiRunDetail {
  return { run: toRunSummary(dto.run), steps: dto.steps.map(toStep), findings: dto.findings };
}

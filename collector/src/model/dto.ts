import type { RunSummaryDto, StepDto } from '../api/schemas.js';
import type { RunSummary, Step } from './step.js';

export function stepToDto(step: Step): StepDto {
  const { projectId: _projectId, startNs, endNs, events, ...rest } = step;
  return {
    ...rest,
    startNs: startNs.toString(),
    endNs: endNs.toString(),
    events: events.map((e) => ({ timeNs: e.timeNs.toString(), name: e.name, attributes: e.attributes })),
  };
}

export function runToDto(run: RunSummary): RunSummaryDto {
  return { ...run, startNs: run.startNs.toString(), endNs: run.endNs.toString() };
}

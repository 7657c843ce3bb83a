import type { Attributes } from '@opentelemetry/api';
import type { StepKindValue } from './attributes.js';
import { runInSpan } from './span-runner.js';

export interface StepOptions {
  kind: StepKindValue;
  name: string;
  attributes?: Attributes;
}

/** Any other step (a guardrail, a planning phase, …) with the same duration and error recording. */
export function step<T>(options: StepOptions, fn: () => T | Promise<T>): Promise<T> {
  return runInSpan({ name: options.name, stepKind: options.kind, attributes: { ...options.attributes } }, () => fn());
}

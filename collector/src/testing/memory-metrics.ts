import type { Step } from '../model/step.js';
import type { TraceStore } from '../store/port.js';

/**
 * Behaviour metrics computed in JavaScript from the memory store's steps: the reference the
 * adapters' aggregate queries are checked against, and the store behind evaluator unit tests.
 */
export function createMemoryMetrics(
  _steps: () => Iterable<Step>,
  _findingCount: (projectId: string, traceId: string) => number,
): Pick<TraceStore, 'metricSample' | 'metricSeries' | 'listVersions'> {
  const pending = async (): Promise<never> => {
    throw new Error('metrics are not available in the memory store yet');
  };
  return { metricSample: pending, metricSeries: pending, listVersions: pending };
}

import { type DependencyList, useEffect, useState } from 'react';
import type { AsyncState } from '../app/use-async';

/**
 * Like `useAsync`, but reloads every `intervalMs` (and when `refresh` changes) while keeping the last
 * answer on screen (also across a change of `deps`), so a rule's state can change under the user's
 * eyes without the page flickering or an expanded row closing.
 */
export function usePolled<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
  intervalMs: number,
): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      load(controller.signal).then(
        (data) => {
          if (controller.signal.aborted) return;
          setState({ status: 'ok', data });
          timer = setTimeout(run, intervalMs);
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          setState({ status: 'error', error: error instanceof Error ? error : new Error(String(error)) });
          timer = setTimeout(run, intervalMs * 3);
        },
      );
    };
    run();
    return () => {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller owns the dependency list.
  }, deps);
  return state;
}

import { type DependencyList, useEffect, useState } from 'react';

export type AsyncState<T> = { status: 'loading' } | { status: 'ok'; data: T } | { status: 'error'; error: Error };

/**
 * Runs `load` whenever `deps` change and aborts the previous request, so a slow answer for an old
 * URL can never overwrite the current one.
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ status: 'ok', data });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) {
          setState({ status: 'error', error: error instanceof Error ? error : new Error(String(error)) });
        }
      },
    );
    return () => controller.abort();
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller owns the dependency list.
  }, deps);
  return state;
}

import { useCallback, useEffect, useRef, useState } from 'react';

/** One page as a list endpoint answers it: its items, the cursor of the next page, and the raw page. */
export interface FetchedPage<T, P> {
  items: T[];
  nextCursor?: string | undefined;
  page: P;
}

export interface CursorPages<T> {
  items: T[];
  status: 'loading' | 'ready' | 'error';
  error: Error | null;
  hasMore: boolean;
  loadingMore: boolean;
  /** The `key` the shown items answer; differs from the current one until its first page arrives. */
  loadedKey: string | null;
  loadMore: () => void;
  /** Replaces items in place (e.g. with what the API returned after a change). */
  setItems: (update: (items: T[]) => T[]) => void;
}

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

/**
 * Cursor paging over a list endpoint. A new `key` (filters) or `source` starts over from the first page
 * and aborts whatever the old one had in flight. Items may move between pages while new data arrives,
 * so an item already shown (same `idOf`) is kept in its first place. `onPage` sees every page that is
 * kept (`first` for the first page of a key), for what a page carries beside its items.
 */
export function useCursorPages<T, P>(options: {
  /** The filter set, e.g. its URL query; reported back as `loadedKey`. */
  key: string;
  /** Anything else whose change starts over (the API client, the project). */
  source: readonly unknown[];
  fetchPage: (cursor: string | undefined, signal: AbortSignal) => Promise<FetchedPage<T, P>>;
  idOf: (item: T) => string;
  onPage?: (page: P, first: boolean) => void;
}): CursorPages<T> {
  const { key, source, fetchPage, idOf, onPage } = options;
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [status, setStatus] = useState<CursorPages<T>['status']>('loading');
  const [error, setError] = useState<Error | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [loadedKey, setLoadedKey] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);
  // The latest callbacks, so that only `key` decides when paging starts over.
  const latest = useRef({ fetchPage, idOf, onPage });
  latest.current = { fetchPage, idOf, onPage };

  // `key` and `source` decide when paging starts over; the callbacks are read through `latest`.
  useEffect(() => {
    controller.current?.abort();
    const c = new AbortController();
    controller.current = c;
    setStatus('loading');
    setError(null);
    setItems([]);
    setCursor(undefined);
    setLoadingMore(false);
    latest.current.fetchPage(undefined, c.signal).then(
      (fetched) => {
        if (c.signal.aborted) return;
        setItems(fetched.items);
        latest.current.onPage?.(fetched.page, true);
        setCursor(fetched.nextCursor);
        setStatus('ready');
        setLoadedKey(key);
      },
      (e: unknown) => {
        if (c.signal.aborted) return;
        setError(asError(e));
        setStatus('error');
      },
    );
    return () => c.abort();
  }, [key, ...source]);

  const loadMore = useCallback(() => {
    const c = controller.current;
    if (cursor === undefined || loadingMore || c === null) return;
    setLoadingMore(true);
    latest.current.fetchPage(cursor, c.signal).then(
      (fetched) => {
        if (c.signal.aborted) return;
        const { idOf: id } = latest.current;
        setItems((prev) => {
          const seen = new Set(prev.map(id));
          return [...prev, ...fetched.items.filter((item) => !seen.has(id(item)))];
        });
        latest.current.onPage?.(fetched.page, false);
        setCursor(fetched.nextCursor);
        setLoadingMore(false);
      },
      (e: unknown) => {
        if (c.signal.aborted) return;
        setError(asError(e));
        setLoadingMore(false);
      },
    );
  }, [cursor, loadingMore]);

  return {
    items,
    status,
    error,
    hasMore: cursor !== undefined && cursor !== '',
    loadingMore,
    loadedKey,
    loadMore,
    setItems,
  };
}

import {
  type InfiniteData,
  type QueryKey,
  type UseInfiniteQueryOptions,
  useInfiniteQuery,
} from '@tanstack/react-query';
import { useMemo } from 'react';

export interface CursorList<T, P> {
  items: T[];
  /** Every page as the API answered it, for what a page carries beside its items. */
  pages: P[];
  /** `ready` once the first page is there, `error` when it failed. */
  status: 'loading' | 'ready' | 'error';
  /** The first page's failure, or a later page's (the items already shown stay). */
  error: Error | null;
  hasMore: boolean;
  loadingMore: boolean;
  /** False while the first page is loading or being refreshed (the items shown may be an older answer). */
  settled: boolean;
  loadMore: () => void;
}

/**
 * Cursor pages as one list (over `useInfiniteQuery`). Items may move between pages while new data
 * arrives, so an item already shown (same `idOf`) is kept in its first place.
 */
export function useCursorList<P, T, K extends QueryKey>(
  options: UseInfiniteQueryOptions<P, Error, InfiniteData<P>, K, string | undefined>,
  itemsOf: (page: P) => T[],
  idOf: (item: T) => string,
): CursorList<T, P> {
  const query = useInfiniteQuery(options);
  const pages = query.data?.pages;
  const shownPages = useMemo(() => pages ?? [], [pages]);
  // `itemsOf` and `idOf` are pure projections; only new pages change the list.
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above.
  const items = useMemo(() => {
    const seen = new Set<string>();
    const list: T[] = [];
    for (const page of pages ?? []) {
      for (const item of itemsOf(page)) {
        const id = idOf(item);
        if (seen.has(id)) continue;
        seen.add(id);
        list.push(item);
      }
    }
    return list;
  }, [pages]);
  const { fetchNextPage, hasNextPage, isFetchingNextPage, isFetching } = query;
  return {
    items,
    pages: shownPages,
    status: pages !== undefined ? 'ready' : query.isPending ? 'loading' : 'error',
    error: query.error,
    hasMore: hasNextPage,
    loadingMore: isFetchingNextPage,
    settled: query.isError || (pages !== undefined && !(isFetching && !isFetchingNextPage)),
    loadMore: () => {
      if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
    },
  };
}

import { QueryClient } from '@tanstack/react-query';

/**
 * One client per signed-in session (a new token starts with an empty cache, so nothing one user saw
 * is shown to the next). Errors show at once rather than after retries: a 400 names the bad filter,
 * a 403 the missing role, and a failed poll is tried again by the poll itself. Screens refetch when
 * they are shown again, not when the window regains focus.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}

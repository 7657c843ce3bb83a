/**
 * Component tests render a page as the app does — session, query cache, the real API client and its
 * schemas — over a scripted `fetch`: each test says what the server answers, and the page is read
 * the way a user reads it (text, roles, the `data-testid` hooks the browser tests use too).
 */
import type { WhoamiDto } from '@casefile/contract';
import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { type Session, SessionContext } from '../app/session';
import { createQueryClient } from '../data/query-client';
import { createApiClient } from '../lib/api-client';

type Answer = { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>;

/** `"GET /api/runs"` → the answer for that method and path (any query); unlisted routes answer 404. */
export type Routes = Record<string, (url: URL, body: unknown) => Answer | Promise<Answer>>;

export interface Call {
  method: string;
  url: URL;
  body: unknown;
}

export const ok = (body: unknown) => ({ status: 200, body });
export const fail = (status: number, error: string, message: string) => ({ status, body: { error, message } });
/** An answer that never comes (the page stays in its loading state). */
export const never = () => new Promise<never>(() => {});

export function scriptedFetch(routes: Routes, calls: Call[] = []): typeof fetch {
  return async (input, init) => {
    const url = new URL(String(input), 'http://casefile.test');
    const method = init?.method ?? 'GET';
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    calls.push({ method, url, body });
    const route = routes[`${method} ${url.pathname}`];
    const answer =
      route === undefined ? fail(404, 'not_found', `no route ${method} ${url.pathname}`) : await route(url, body);
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json' },
    });
  };
}

export function user(role: WhoamiDto['role']): WhoamiDto {
  return { name: `${role} user`, role, projects: [{ id: 'acme', name: 'Acme' }] };
}

/** Renders `page` at `path` (the URL the page reads its state from), signed in as `who`. */
export function renderPage(
  page: ReactNode,
  options: { path: string; routes: Routes; user?: WhoamiDto; calls?: Call[] },
) {
  window.history.replaceState(null, '', options.path);
  const api = createApiClient({ token: 'test-token', fetch: scriptedFetch(options.routes, options.calls) });
  const session: Session = { api, user: options.user ?? user('investigator'), logout: () => {} };
  const client = createQueryClient();
  return render(
    <SessionContext.Provider value={session}>
      <QueryClientProvider client={client}>{page}</QueryClientProvider>
    </SessionContext.Provider>,
  );
}

import type { WhoamiDto } from '@casefile/contract';
import { QueryClientProvider } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { createQueryClient } from '../data/query-client';
import { createApiClient } from '../lib/api-client';
import { UnauthorizedError } from '../lib/http';
import { matchRoute } from '../lib/routes';
import { clearToken, loadToken, saveToken } from '../lib/session';
import { LoginPage } from '../login/LoginPage';
import { AppShell } from './AppShell';
import { ErrorBanner } from './ErrorBanner';
import { preloadPage } from './pages';
import { type Session, SessionContext } from './session';

type Auth =
  | { state: 'signed-out'; notice?: string }
  | { state: 'checking'; token: string }
  | { state: 'signed-in'; token: string; user: WhoamiDto }
  | { state: 'failed'; token: string; error: Error };

export function App() {
  const [auth, setAuth] = useState<Auth>(() => {
    // The page's code loads while the session is checked (or the user signs in), not after.
    preloadPage(matchRoute(window.location.pathname).name);
    const token = loadToken();
    return token === null ? { state: 'signed-out' } : { state: 'checking', token };
  });

  const logout = useCallback((notice?: string) => {
    clearToken();
    setAuth(notice === undefined ? { state: 'signed-out' } : { state: 'signed-out', notice });
  }, []);

  const token = auth.state === 'signed-out' ? null : auth.token;
  const api = useMemo(
    () =>
      token === null
        ? null
        : createApiClient({ token, onUnauthorized: () => logout('Your session has expired. Sign in again.') }),
    [token, logout],
  );

  // A token restored from sessionStorage is checked before anything is shown with it.
  useEffect(() => {
    if (auth.state !== 'checking' || api === null) return;
    const controller = new AbortController();
    api.whoami(controller.signal).then(
      (user) => setAuth({ state: 'signed-in', token: auth.token, user }),
      (error: unknown) => {
        if (controller.signal.aborted || error instanceof UnauthorizedError) return;
        setAuth({
          state: 'failed',
          token: auth.token,
          error: error instanceof Error ? error : new Error(String(error)),
        });
      },
    );
    return () => controller.abort();
  }, [auth, api]);

  // A new token starts with an empty cache: nothing one user saw is shown to the next.
  // biome-ignore lint/correctness/useExhaustiveDependencies: one client per token is the point.
  const queryClient = useMemo(() => createQueryClient(), [token]);

  const session = useMemo<Session | null>(
    () => (auth.state === 'signed-in' && api !== null ? { api, user: auth.user, logout: () => logout() } : null),
    [auth, api, logout],
  );

  if (auth.state === 'signed-out') {
    return (
      <LoginPage
        notice={auth.notice}
        onSignedIn={(newToken, user) => {
          saveToken(newToken);
          setAuth({ state: 'signed-in', token: newToken, user });
        }}
      />
    );
  }
  if (auth.state === 'checking') return <div className="page-status">Checking session…</div>;
  if (auth.state === 'failed') {
    return (
      <div className="page-status">
        <ErrorBanner error={auth.error} />
        <button type="button" onClick={() => setAuth({ state: 'checking', token: auth.token })}>
          Retry
        </button>{' '}
        <button type="button" onClick={() => logout()}>
          Sign out
        </button>
      </div>
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <QueryClientProvider client={queryClient}>
        <AppShell />
      </QueryClientProvider>
    </SessionContext.Provider>
  );
}

import type { WhoamiDto } from '@casefile/contract';
import { type FormEvent, useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { useDocumentTitle } from '../app/PageHeading';
import { createApiClient } from '../lib/api-client';
import { UnauthorizedError } from '../lib/http';

interface Props {
  notice?: string | undefined;
  onSignedIn: (token: string, user: WhoamiDto) => void;
}

export function LoginPage({ notice, onSignedIn }: Props) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  useDocumentTitle('Sign in');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = token.trim();
    if (value === '') return;
    setBusy(true);
    setError(null);
    try {
      const user = await createApiClient({ token: value }).whoami();
      onSignedIn(value, user);
    } catch (err) {
      setError(
        err instanceof UnauthorizedError
          ? new Error(
              // The collector says why when it knows the token (an ingest key pasted here); otherwise it stays vague.
              err.reason !== undefined && /ingest key/.test(err.reason)
                ? `This token was not accepted: ${err.reason}.`
                : 'This token was not accepted.',
            )
          : err instanceof Error
            ? err
            : new Error(String(err)),
      );
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} data-testid="login-form">
        <h1 className="brand">Casefile</h1>
        <p className="muted">Trace replay and forensics for AI agents.</p>
        {notice !== undefined && <p className="notice">{notice}</p>}
        <label htmlFor="token">Access token</label>
        <input
          id="token"
          data-testid="token-input"
          className="mono"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="Paste your token"
          // biome-ignore lint/a11y/noAutofocus: the token field is the only thing on this page.
          autoFocus
        />
        <button type="submit" className="primary" data-testid="login-submit" disabled={busy || token.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        {error !== null && <ErrorBanner error={error} />}
      </form>
    </main>
  );
}

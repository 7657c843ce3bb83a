import { fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LoginPage } from './LoginPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('login page', () => {
  it('says an ingest key pasted at sign-in is an ingest key, and which token to use', async () => {
    vi.stubGlobal(
      'fetch',
      async () =>
        new Response(
          JSON.stringify({
            error: 'unauthorized',
            message: 'that is an ingest key, for agents to send traces with; sign in with a login token',
          }),
          { status: 401 },
        ),
    );
    render(<LoginPage onSignedIn={vi.fn()} />);
    fireEvent.change(screen.getByTestId('token-input'), { target: { value: 'cf_ingest_x' } });
    fireEvent.submit(screen.getByTestId('login-form'));
    expect((await screen.findByTestId('error-banner')).textContent).toMatch(
      /that is an ingest key.*sign in with a login token/,
    );
  });

  it('says a refused token was not accepted, and signs in with an accepted one', async () => {
    const tokens: string[] = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      const token = new Headers(init.headers).get('authorization') ?? '';
      tokens.push(token);
      return token === 'Bearer good'
        ? new Response(JSON.stringify({ name: 'ana', role: 'viewer', projects: [] }), { status: 200 })
        : new Response(JSON.stringify({ error: 'unauthorized', message: 'unknown token' }), { status: 401 });
    });
    const signedIn = vi.fn();
    render(<LoginPage onSignedIn={signedIn} />);
    expect(document.title).toBe('Sign in · Casefile');
    const input = screen.getByTestId('token-input');
    fireEvent.change(input, { target: { value: ' bad ' } });
    fireEvent.submit(screen.getByTestId('login-form'));
    expect((await screen.findByTestId('error-banner')).textContent).toContain('This token was not accepted.');
    expect(signedIn).not.toHaveBeenCalled();

    fireEvent.change(input, { target: { value: 'good' } });
    fireEvent.submit(screen.getByTestId('login-form'));
    await vi.waitFor(() =>
      expect(signedIn).toHaveBeenCalledWith('good', { name: 'ana', role: 'viewer', projects: [] }),
    );
    expect(tokens).toEqual(['Bearer bad', 'Bearer good']);
  });
});

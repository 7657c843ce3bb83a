import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { runSummary } from '../test/fixtures';
import { type Call, fail, ok, renderPage, user } from '../test/render-page';
import { SearchPage } from './SearchPage';

const RUN = runSummary({ traceId: 'c'.repeat(32) });

function find(value: string) {
  fireEvent.change(screen.getByTestId('find-by-value-input'), { target: { value } });
  fireEvent.click(screen.getByTestId('find-by-value-submit'));
}

describe('find by value', () => {
  it('sends the value in the body only and lists the runs that carried its token', async () => {
    const calls: Call[] = [];
    renderPage(<SearchPage project="acme" />, {
      path: '/search?project=acme',
      calls,
      routes: {
        'GET /api/runs': () => ok({ runs: [] }),
        'POST /api/search/by-value': () =>
          ok({
            kind: 'email',
            tokens: ['[email:7f3a9c12@globex.example]'],
            runs: [RUN],
            textMatches: [{ traceId: RUN.traceId, spanId: '1'.repeat(16), field: 'toolArguments' }],
            more: false,
          }),
      },
    });
    find('bob@globex.example');
    expect((await screen.findByTestId('find-by-value-token')).textContent).toBe('[email:7f3a9c12@globex.example]');
    expect(screen.getByTestId('find-by-value-count').textContent).toMatch(/^1 run carried this email as/);
    expect(screen.getByTestId('text-match').getAttribute('href')).toBe(
      `/runs/${RUN.traceId}?project=acme&step=${'1'.repeat(16)}`,
    );
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toEqual({ project: 'acme', value: 'bob@globex.example' });
    for (const c of calls) expect(c.url.toString()).not.toContain('globex');
    expect(window.location.href).not.toContain('globex');
  });

  it("shows the server's message for a value it cannot read, and the note when no key is known", async () => {
    let answer: { status: number; body: unknown } = fail(
      400,
      'bad_request',
      'value is not one datum the redactor recognises',
    );
    renderPage(<SearchPage project="acme" />, {
      path: '/search?project=acme',
      routes: { 'GET /api/runs': () => ok({ runs: [] }), 'POST /api/search/by-value': () => answer },
    });
    find('refund for maria');
    expect(await screen.findByText(/not one datum the redactor recognises/)).toBeTruthy();
    answer = ok({
      kind: '',
      tokens: [],
      runs: [],
      more: false,
      note: 'no pseudonym key is known for this project yet',
    });
    find('bob@globex.example');
    expect((await screen.findByTestId('find-by-value-note')).textContent).toMatch(/no pseudonym key/);
  });

  it('is not offered to viewers (the API refuses them too)', async () => {
    renderPage(<SearchPage project="acme" />, {
      path: '/search?project=acme',
      user: user('viewer'),
      routes: { 'GET /api/runs': () => ok({ runs: [] }) },
    });
    await screen.findByTestId('runs-empty');
    expect(screen.queryByTestId('find-by-value')).toBeNull();
  });
});

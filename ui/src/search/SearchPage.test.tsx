import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { runSummary } from '../test/fixtures';
import { type Call, ok, renderPage } from '../test/render-page';
import { SearchPage } from './SearchPage';

describe('search page states', () => {
  it('puts the cursor in the text box of an empty search', async () => {
    renderPage(<SearchPage project="acme" />, {
      path: '/search?project=acme',
      routes: { 'GET /api/runs': () => ok({ runs: [] }) },
    });
    await screen.findByTestId('runs-empty');
    expect(document.activeElement).toBe(screen.getByTestId('filter-q'));
    expect(document.title).toBe('Search runs · Casefile');
  });

  it('says where each run matched the free text, with a link to that step, across pages', async () => {
    const calls: Call[] = [];
    const a = runSummary({ traceId: 'a'.repeat(32) });
    const b = runSummary({ traceId: 'b'.repeat(32) });
    renderPage(<SearchPage project="acme" />, {
      path: '/search?project=acme&q=%5Bemail%3A7f3a9c12%5D',
      calls,
      routes: {
        'GET /api/runs': (url) =>
          url.searchParams.get('cursor') === null
            ? ok({
                runs: [a],
                nextCursor: 'n',
                textMatches: [{ traceId: a.traceId, spanId: '1'.repeat(16), field: 'toolArguments' }],
              })
            : ok({ runs: [b], textMatches: [{ traceId: b.traceId, spanId: '2'.repeat(16), field: 'events' }] }),
      },
    });
    const first = await screen.findByTestId('text-match');
    expect(first.dataset.field).toBe('toolArguments');
    expect(first.getAttribute('href')).toBe(`/runs/${a.traceId}?project=acme&step=${'1'.repeat(16)}`);
    screen.getByTestId('load-more').click();
    await waitFor(() => expect(screen.getAllByTestId('text-match')).toHaveLength(2));
    expect(screen.getAllByTestId('text-match')[1]!.dataset.field).toBe('events');
    expect(calls[0]!.url.searchParams.get('q')).toBe('[email:7f3a9c12]');
    expect(document.title).toBe('Search results · Casefile');
  });
});

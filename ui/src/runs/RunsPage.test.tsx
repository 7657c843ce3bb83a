import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { runSummary } from '../test/fixtures';
import { type Call, fail, never, ok, renderPage } from '../test/render-page';
import { RunsPage } from './RunsPage';

const rows = () => screen.queryAllByTestId('run-row').map((r) => r.dataset.traceId);

describe('runs list states', () => {
  it('says it is loading until the first page arrives', async () => {
    renderPage(<RunsPage project="acme" />, { path: '/runs?project=acme', routes: { 'GET /api/runs': never } });
    const count = await screen.findByTestId('runs-count');
    expect(count.textContent).toBe('Loading runs…');
    expect(count.dataset.settled).toBe('false');
    expect(screen.queryByTestId('runs-empty')).toBeNull();
  });

  it('says nothing matched, and that the filters are why', async () => {
    renderPage(<RunsPage project="acme" />, {
      path: '/runs?project=acme&agent=billing',
      routes: { 'GET /api/runs': () => ok({ runs: [] }) },
    });
    expect((await screen.findByTestId('runs-empty')).textContent).toContain('No runs match');
    expect(screen.getByTestId('runs-count').textContent).toContain('0 runs matching the filters');
    expect(screen.queryByTestId('load-more')).toBeNull();
  });

  it("shows the server's message when it refuses the filters, and no table", async () => {
    renderPage(<RunsPage project="acme" />, {
      path: '/runs?project=acme&from=yesterday',
      routes: { 'GET /api/runs': () => fail(400, 'bad_request', 'from is not ISO-8601: yesterday') },
    });
    const banner = await screen.findByTestId('error-banner');
    expect(banner.textContent).toContain('400 bad_request');
    expect(banner.textContent).toContain('from is not ISO-8601: yesterday');
    expect(screen.queryByTestId('runs-table')).toBeNull();
    expect(screen.getByTestId('runs-count').dataset.settled).toBe('true');
  });

  it('"Load more" follows the cursor, keeps a run already shown in its place, and ends with the last page', async () => {
    const calls: Call[] = [];
    const a = runSummary({ traceId: 'a'.repeat(32) });
    const b = runSummary({ traceId: 'b'.repeat(32) });
    const c = runSummary({ traceId: 'c'.repeat(32) });
    renderPage(<RunsPage project="acme" />, {
      path: '/runs?project=acme',
      calls,
      routes: {
        'GET /api/runs': (url) =>
          url.searchParams.get('cursor') === 'page-2'
            ? ok({ runs: [b, c] })
            : ok({ runs: [a, b], nextCursor: 'page-2' }),
      },
    });
    await waitFor(() => expect(rows()).toEqual([a.traceId, b.traceId]));
    // The count's answer has no total: the text says only that more match.
    await waitFor(() => expect(screen.getByTestId('runs-count').textContent).toMatch(/^First 2 runs.*more match/));
    fireEvent.click(screen.getByTestId('load-more'));
    await waitFor(() => expect(rows()).toEqual([a.traceId, b.traceId, c.traceId]));
    expect(screen.queryByTestId('load-more')).toBeNull();
    expect(screen.getByTestId('runs-count').textContent).toMatch(/^3 runs/);
    const pages = calls.filter((c) => c.url.searchParams.get('count') === null);
    expect(pages.map((c) => c.url.searchParams.get('cursor'))).toEqual([null, 'page-2']);
    expect(calls[0]!.url.searchParams.get('project')).toBe('acme');
  });
});

describe('runs list order, total and columns', () => {
  it('shows the first rows before the server has counted every match, then says the total and the order', async () => {
    const calls: Call[] = [];
    const a = runSummary({ traceId: 'a'.repeat(32) });
    const b = runSummary({ traceId: 'b'.repeat(32) });
    let answerCount: (total: number) => void = () => {};
    const counted = new Promise<number>((resolve) => {
      answerCount = resolve;
    });
    renderPage(<RunsPage project="acme" />, {
      path: '/runs?project=acme&status=error&sort=-duration',
      calls,
      routes: {
        'GET /api/runs': (url) =>
          url.searchParams.get('count') === 'true'
            ? counted.then((total) => ok({ runs: [b], nextCursor: 'next', total }))
            : ok({ runs: [b, a], nextCursor: 'next' }),
      },
    });
    await waitFor(() => expect(rows()).toEqual([b.traceId, a.traceId]));
    expect(screen.getByTestId('runs-count').dataset.settled).toBe('false');
    answerCount(111);
    await waitFor(() =>
      expect(screen.getByTestId('runs-count').textContent).toBe(
        '111 runs matching the filters · showing the first 2 · longest first · times in UTC',
      ),
    );
    expect(screen.getByTestId('runs-count').dataset.settled).toBe('true');
    const [page, count] = [
      calls.find((c) => c.url.searchParams.get('limit') === '50'),
      calls.find((c) => c.url.searchParams.get('count')),
    ];
    expect(Object.fromEntries(page!.url.searchParams)).toEqual({
      project: 'acme',
      status: 'error',
      limit: '50',
      sort: '-duration',
    });
    expect(Object.fromEntries(count!.url.searchParams)).toEqual({
      project: 'acme',
      status: 'error',
      limit: '1',
      count: 'true',
    });
  });

  it('counts nothing when every match fits on the first page', async () => {
    const calls: Call[] = [];
    const a = runSummary({ traceId: 'a'.repeat(32) });
    renderPage(<RunsPage project="acme" />, {
      path: '/runs?project=acme',
      calls,
      routes: { 'GET /api/runs': () => ok({ runs: [a] }) },
    });
    await waitFor(() => expect(screen.getByTestId('runs-count').dataset.settled).toBe('true'));
    expect(screen.getByTestId('runs-count').textContent).toMatch(/^1 run · times in UTC/);
    expect(calls.filter((c) => c.url.searchParams.get('count') !== null)).toEqual([]);
  });

  it('hides a column the user unticks, and still hides it on the next visit', async () => {
    localStorage.removeItem('casefile.runs.hiddenColumns');
    const a = runSummary({ traceId: 'a'.repeat(32) });
    const first = renderPage(<RunsPage project="acme" />, {
      path: '/runs?project=acme',
      routes: { 'GET /api/runs': () => ok({ runs: [a], total: 1 }) },
    });
    await waitFor(() => expect(rows()).toEqual([a.traceId]));
    const headers = () => [...screen.getByTestId('runs-table').querySelectorAll('th')].map((th) => th.textContent);
    expect(headers().some((h) => h?.startsWith('Tools'))).toBe(true);
    const tools = screen.getAllByTestId('column-toggle').find((t) => t.dataset.column === 'tools') as HTMLInputElement;
    fireEvent.click(tools);
    await waitFor(() => expect(headers().some((h) => h?.startsWith('Tools'))).toBe(false));
    expect(screen.getByTestId('column-picker').textContent).toContain('Columns (1 hidden)');
    first.unmount();
    renderPage(<RunsPage project="acme" />, {
      path: '/runs?project=acme',
      routes: { 'GET /api/runs': () => ok({ runs: [a], total: 1 }) },
    });
    await waitFor(() => expect(rows()).toEqual([a.traceId]));
    expect(headers().some((h) => h?.startsWith('Tools'))).toBe(false);
    expect(headers().some((h) => h?.startsWith('Duration'))).toBe(true);
    localStorage.removeItem('casefile.runs.hiddenColumns');
  });
});

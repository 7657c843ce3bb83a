import type { FindingDto } from '@casefile/contract';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { finding } from '../test/fixtures';
import { type Call, fail, never, ok, renderPage, user } from '../test/render-page';
import { FindingsPage } from './FindingsPage';

const rowOf = (id: string) =>
  document.querySelector<HTMLElement>(`[data-testid="finding-row"][data-finding-id="${id}"]`);
const findRow = (id: string) =>
  waitFor(() => {
    const row = rowOf(id);
    if (row === null) throw new Error(`no row for finding ${id}`);
    return row;
  });
const shownIds = () => screen.queryAllByTestId('finding-row').map((r) => r.dataset.findingId);
/** The counts ask for the API's largest page, or for a total; the list for its page size. */
const isCountQuery = (url: URL) => url.searchParams.get('limit') === '500' || url.searchParams.get('count') === 'true';

describe('findings list states', () => {
  it('says it is loading, then that detection has found nothing yet', async () => {
    const pending: ((v: { status: number; body: unknown }) => void)[] = [];
    renderPage(<FindingsPage project="acme" />, {
      path: '/findings?project=acme',
      routes: { 'GET /api/findings': () => new Promise((resolve) => pending.push(resolve)) },
    });
    expect((await screen.findByText('Loading findings…')).className).toBe('page-status');
    expect(screen.queryByTestId('findings-empty')).toBeNull();
    for (const answer of pending) answer(ok({ findings: [] }));
    expect((await screen.findByTestId('findings-empty')).textContent).toContain('No findings yet');
  });

  it('says the filters match nothing when filters are set', async () => {
    renderPage(<FindingsPage project="acme" />, {
      path: '/findings?project=acme&severity=critical',
      routes: { 'GET /api/findings': () => ok({ findings: [] }) },
    });
    expect((await screen.findByTestId('findings-empty')).textContent).toBe('No finding matches these filters.');
  });

  it("shows the server's message when the list is refused", async () => {
    renderPage(<FindingsPage project="acme" />, {
      path: '/findings?project=acme&from=2026-13-01',
      routes: { 'GET /api/findings': () => fail(400, 'bad_request', 'from: not an ISO-8601 time') },
    });
    const banners = await screen.findAllByTestId('error-banner');
    expect(banners[0]!.textContent).toContain('from: not an ISO-8601 time');
    expect(screen.queryByTestId('findings-table')).toBeNull();
  });

  it('gives a viewer the findings without triage buttons, tick boxes or the settings link', async () => {
    renderPage(<FindingsPage project="acme" />, {
      path: '/findings?project=acme',
      user: user('viewer'),
      routes: { 'GET /api/findings': () => ok({ findings: [finding()] }) },
    });
    await screen.findByTestId('findings-table');
    expect(rowOf(finding().id)?.dataset.status).toBe('open');
    expect(screen.queryByTestId('mark-expected')).toBeNull();
    expect(screen.queryByTestId('mute-finding')).toBeNull();
    expect(screen.queryByTestId('finding-select')).toBeNull();
    expect(screen.queryByTestId('detection-settings-link')).toBeNull();
    expect(screen.queryByTestId('tune-rule')).toBeNull();
  });

  it('marks a finding expected in place (the row stays, now with Reopen) and counts again', async () => {
    const calls: Call[] = [];
    let stored: FindingDto = finding();
    renderPage(<FindingsPage project="acme" />, {
      path: '/findings?project=acme&status=open',
      calls,
      routes: {
        'GET /api/findings': () => ok({ findings: stored.status === 'open' ? [stored] : [] }),
        [`POST /api/findings/${stored.id}/status`]: (_url, body) => {
          stored = { ...stored, status: (body as { status: FindingDto['status'] }).status };
          return ok({ finding: stored });
        },
      },
    });
    const row = await findRow(stored.id);
    fireEvent.click(within(row).getByTestId('mark-expected'));
    await waitFor(() => expect(rowOf(stored.id)?.dataset.status).toBe('expected'));
    expect(within(rowOf(stored.id)!).getByTestId('reopen-finding')).toBeTruthy();
    const posted = calls.find((c) => c.method === 'POST');
    expect(posted?.body).toEqual({ status: 'expected' });
    expect(posted?.url.searchParams.get('project')).toBe('acme');
    // The counts are asked again after the change; they no longer include the closed finding.
    const sampled = () => calls.filter((c) => c.method === 'GET' && c.url.searchParams.get('limit') === '500');
    await waitFor(() => expect(sampled()).toHaveLength(2));
  });

  it("keeps the finding as it was and shows the server's message when triage is refused", async () => {
    renderPage(<FindingsPage project="acme" />, {
      path: '/findings?project=acme',
      routes: {
        'GET /api/findings': () => ok({ findings: [finding()] }),
        [`POST /api/findings/${finding().id}/status`]: () =>
          fail(403, 'forbidden', 'this action needs the investigator role'),
      },
    });
    fireEvent.click(await screen.findByTestId('mute-finding'));
    expect((await screen.findByTestId('error-banner')).textContent).toContain('needs the investigator role');
    expect(rowOf(finding().id)?.dataset.status).toBe('open');
  });

  it('"Load more" asks for the next page with the cursor and the chosen page size', async () => {
    const calls: Call[] = [];
    const first = [finding({ id: '1'.repeat(32) }), finding({ id: '2'.repeat(32) })];
    const second = [finding({ id: '3'.repeat(32) })];
    renderPage(<FindingsPage project="acme" />, {
      path: '/findings?project=acme&limit=10',
      calls,
      routes: {
        'GET /api/findings': (url) => {
          if (isCountQuery(url)) return ok({ findings: [...first, ...second] });
          if (url.searchParams.get('cursor') === 'next') return ok({ findings: second });
          return url.searchParams.get('cursor') === null ? ok({ findings: first, nextCursor: 'next' }) : never();
        },
      },
    });
    await waitFor(() => expect(shownIds()).toEqual(first.map((f) => f.id)));
    fireEvent.click(screen.getByTestId('findings-load-more'));
    await waitFor(() => expect(shownIds()).toEqual([...first, ...second].map((f) => f.id)));
    expect(screen.queryByTestId('findings-load-more')).toBeNull();
    const pages = calls.filter((c) => !isCountQuery(c.url));
    expect(pages.map((c) => [c.url.searchParams.get('limit'), c.url.searchParams.get('cursor')])).toEqual([
      ['10', null],
      ['10', 'next'],
    ]);
  });

  it('asks the server for the worst first without the low ones, and folds them under the count it gives', async () => {
    const calls: Call[] = [];
    const high = finding({ id: '1'.repeat(32), severity: 'high' });
    const low = finding({ id: '2'.repeat(32), severity: 'low' });
    renderPage(<FindingsPage project="acme" />, {
      path: '/findings?project=acme',
      calls,
      routes: {
        'GET /api/findings': (url) => {
          const p = url.searchParams;
          if (p.get('count') === 'true') return ok({ findings: [], total: p.get('severity') === 'low' ? 24 : 1 });
          if (p.get('limit') === '500') return ok({ findings: [high, low] });
          return ok({ findings: p.get('minSeverity') === 'medium' ? [high] : [high, low] });
        },
      },
    });
    await waitFor(() => expect(shownIds()).toEqual([high.id]));
    expect((await screen.findByTestId('show-low')).textContent).toBe('24 low · show');
    const list = calls.filter((c) => !isCountQuery(c.url));
    expect(list[0]?.url.searchParams.get('order')).toBe('severity');
    expect(list[0]?.url.searchParams.get('minSeverity')).toBe('medium');
    fireEvent.click(screen.getByTestId('show-low'));
    await waitFor(() => expect(shownIds()).toEqual([high.id, low.id]));
    expect(screen.queryByTestId('show-low')).toBeNull();
    expect(screen.getByTestId('hide-low')).toBeTruthy();
  });
});

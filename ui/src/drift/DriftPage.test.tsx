import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { type Call, fail, never, ok, renderPage } from '../test/render-page';
import { DriftPage } from './DriftPage';

const overview = (agents: string[]) => {
  const figures = {
    runs: 1,
    errors: 0,
    errorRate: 0,
    p50Ms: 1,
    p95Ms: 1,
    inputTokens: 0,
    outputTokens: 0,
    withFindings: 0,
  };
  return ok({
    fromMs: 0,
    toMs: 1,
    bucketMs: 1,
    totals: figures,
    buckets: [],
    agents: agents.map((agent) => ({ agent, ...figures })),
    scannedRuns: 1,
    maxRuns: 100_000,
    truncated: false,
  });
};

describe('drift page states', () => {
  it('loads its parts independently: an empty series and a refused comparison each say so', async () => {
    renderPage(<DriftPage project="acme" />, {
      path: '/drift?project=acme&agent=support&metric=tool_mix',
      routes: {
        'GET /api/overview': () => overview(['support', 'billing']),
        'GET /api/drift/series': () => ok({ metric: 'tool_mix', kind: 'categorical', bucketMs: 60_000, points: [] }),
        'GET /api/drift/compare': () => fail(400, 'bad_request', 'reference window has no observations'),
        'GET /api/drift/versions': () => ok({ versions: [] }),
        'GET /api/alerts/rules': () => ok({ rules: [] }),
        'GET /api/alerts/events': () => ok({ events: [] }),
      },
    });
    expect((await screen.findByTestId('drift-empty')).textContent).toBe(
      'No observations of tool_mix in this range and scope.',
    );
    expect((await screen.findByTestId('error-banner')).textContent).toContain('reference window has no observations');
    const agents = () => [...(screen.getByTestId('drift-agent') as HTMLSelectElement).options].map((o) => o.value);
    await waitFor(() => expect(agents()).toEqual(['', 'support', 'billing']));
    expect(document.title).toBe('Drift · tool_mix · support · Casefile');
  });

  it('says it is loading the series and the comparison', async () => {
    renderPage(<DriftPage project="acme" />, {
      path: '/drift?project=acme&metric=latency_ms',
      routes: {
        'GET /api/overview': never,
        'GET /api/drift/series': never,
        'GET /api/drift/compare': never,
        'GET /api/alerts/rules': never,
        'GET /api/alerts/events': never,
      },
    });
    await screen.findByText('Loading series…');
    await screen.findByText('Comparing windows…');
    expect(screen.queryByTestId('drift-chart')).toBeNull();
  });

  it('shows the versions of a project’s only agent on a first visit, before anyone picks it', async () => {
    const version = (value: string, first: number) => ({
      value,
      firstNs: String(BigInt(first) * 1_000_000n),
      lastNs: String(BigInt(first + 1000) * 1_000_000n),
      runs: 10,
    });
    renderPage(<DriftPage project="acme" />, {
      path: '/drift?project=acme',
      routes: {
        'GET /api/overview': () => overview(['support']),
        'GET /api/drift/series': () => ok({ metric: 'tool_mix', kind: 'categorical', bucketMs: 60_000, points: [] }),
        'GET /api/drift/compare': never,
        'GET /api/drift/versions': (url) =>
          ok({
            versions:
              url.searchParams.get('agent') === 'support' && url.searchParams.get('dimension') === 'prompt'
                ? [version('support-v11', 1_000), version('support-v12', 5_000)]
                : [],
          }),
        'GET /api/alerts/rules': () => ok({ rules: [] }),
        'GET /api/alerts/events': () => ok({ events: [] }),
      },
    });
    expect((await screen.findByTestId('drift-version-prev-prompt')).textContent).toBe(
      'prompt support-v11 → support-v12',
    );
    expect((screen.getByTestId('drift-agent') as HTMLSelectElement).value).toBe('');
  });

  it('takes a baseline typed as a date or a relative time, shows it as dates, and says when one is not a date', async () => {
    const calls: Call[] = [];
    const quiet = {
      'GET /api/overview': () => overview(['support']),
      'GET /api/drift/series': () => ok({ metric: 'tool_mix', kind: 'categorical', bucketMs: 60_000, points: [] }),
      'GET /api/drift/compare': never,
      'GET /api/drift/versions': () => ok({ versions: [] }),
      'GET /api/alerts/rules': () => ok({ rules: [] }),
      'GET /api/alerts/events': () => ok({ events: [] }),
    };
    // A link written before links carried dates (epoch ms) still opens the same view.
    renderPage(<DriftPage project="acme" />, {
      path: `/drift?project=acme&metric=tool_mix&from=${Date.UTC(2026, 2, 1)}&to=${Date.UTC(2026, 2, 10)}&reference=baseline:${Date.UTC(2026, 2, 2)}-${Date.UTC(2026, 2, 3)}&window=3600000&end=${Date.UTC(2026, 2, 9)}`,
      routes: quiet,
      calls,
    });
    const from = (await screen.findByTestId('drift-baseline-from')) as HTMLInputElement;
    expect(from.value).toBe('2026-03-02 00:00');
    expect((screen.getByTestId('drift-baseline-to') as HTMLInputElement).value).toBe('2026-03-03 00:00');
    expect(screen.getByTestId('drift-window').textContent).toContain(
      'baseline 2026-03-02 00:00 – 2026-03-03 00:00 UTC',
    );
    await waitFor(() => expect(calls.some((c) => c.url.pathname === '/api/drift/compare')).toBe(true));

    fireEvent.change(from, { target: { value: 'yesterday' } });
    fireEvent.blur(from);
    expect((await screen.findByTestId('drift-baseline-from-error')).textContent).toContain('"yesterday" is not a date');

    fireEvent.change(from, { target: { value: '2026-03-01T12:00+01:00' } });
    fireEvent.keyDown(from, { key: 'Enter' });
    await waitFor(() =>
      expect(new URLSearchParams(window.location.search).get('reference')).toBe(
        'baseline:2026-03-01T11:00Z/2026-03-03T00:00Z',
      ),
    );
    expect(screen.queryByTestId('drift-baseline-from-error')).toBeNull();
    const url = new URLSearchParams(window.location.search);
    expect([url.get('from'), url.get('to'), url.get('window'), url.get('end')]).toEqual([
      '2026-03-01T00:00Z',
      '2026-03-10T00:00Z',
      '1h',
      '2026-03-09T00:00Z',
    ]);

    // The chart's range takes relative times too; a range that ends before it starts is refused.
    const chartTo = screen.getByTestId('drift-chart-to') as HTMLInputElement;
    fireEvent.change(chartTo, { target: { value: '2026-02-01' } });
    fireEvent.blur(chartTo);
    expect((await screen.findByTestId('drift-chart-to-error')).textContent).toBe('the chart must end after it starts');
    fireEvent.change(chartTo, { target: { value: 'now' } });
    fireEvent.keyDown(chartTo, { key: 'Enter' });
    await waitFor(() => expect(screen.queryByTestId('drift-chart-to-error')).toBeNull());
    const chartFrom = (await screen.findByTestId('drift-chart-from')) as HTMLInputElement;
    fireEvent.change(chartFrom, { target: { value: '3d ago' } });
    fireEvent.keyDown(chartFrom, { key: 'Enter' });
    await waitFor(() => {
      const q = new URLSearchParams(window.location.search);
      const [f, t] = [Date.parse(q.get('from') ?? ''), Date.parse(q.get('to') ?? '')];
      expect(Math.abs(t - Date.now())).toBeLessThan(120_000);
      expect(Math.abs(f - (Date.now() - 3 * 86_400_000))).toBeLessThan(120_000);
    });
  });
});

import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fail, never, ok, renderPage } from '../test/render-page';
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
});

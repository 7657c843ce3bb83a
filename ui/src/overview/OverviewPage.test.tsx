import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { type Call, fail, never, renderPage } from '../test/render-page';
import { OverviewPage } from './OverviewPage';

describe('overview page states', () => {
  it('says it is loading, and asks for the range in the URL', async () => {
    const calls: Call[] = [];
    renderPage(<OverviewPage project="acme" />, {
      path: '/overview?project=acme&range=7d&agent=support',
      calls,
      routes: { 'GET /api/overview': never },
    });
    await screen.findByText('Loading overview…');
    const asked = calls[0]!.url.searchParams;
    expect(asked.get('project')).toBe('acme');
    expect(asked.get('agent')).toBe('support');
    expect(Number(asked.get('to')) - Number(asked.get('from'))).toBe(7 * 86_400_000);
    expect(document.title).toBe('Overview · support · Casefile');
  });

  it("shows the server's message instead of the charts", async () => {
    renderPage(<OverviewPage project="acme" />, {
      path: '/overview?project=acme',
      routes: { 'GET /api/overview': () => fail(503, 'unavailable', 'ClickHouse at http://ch:8123 is not reachable') },
    });
    expect((await screen.findByTestId('error-banner')).textContent).toContain('http://ch:8123 is not reachable');
    expect(screen.queryByTestId('overview-meta')).toBeNull();
  });
});

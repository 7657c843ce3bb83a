import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { runSummary, stepDto, TRACE } from '../test/fixtures';
import { type Call, fail, ok, renderPage } from '../test/render-page';
import { ComparePage } from './ComparePage';

const OTHER = 'f'.repeat(32);
const detail = (traceId: string) => ({
  run: runSummary({ traceId }),
  steps: [stepDto({ spanId: '1'.repeat(16), traceId, kind: 'agent' })],
});

describe('compare page states', () => {
  it('asks for a run when none is given', async () => {
    renderPage(<ComparePage project="acme" />, { path: '/compare?project=acme', routes: {} });
    expect((await screen.findByText(/Choose a run to compare/)).className).toBe('page-status');
  });

  it('says the first run is not in this project', async () => {
    renderPage(<ComparePage project="acme" />, {
      path: `/compare?project=acme&a=${TRACE}`,
      routes: { [`GET /api/runs/${TRACE}`]: () => fail(404, 'not_found', 'no such run') },
    });
    expect((await screen.findByTestId('run-not-found')).textContent).toBe(`No run ${TRACE} in this project.`);
  });

  it("offers the same agent's other runs, and says when the second run is unknown", async () => {
    const calls: Call[] = [];
    renderPage(<ComparePage project="acme" />, {
      path: `/compare?project=acme&a=${TRACE}&b=${'0'.repeat(32)}`,
      calls,
      routes: {
        [`GET /api/runs/${TRACE}`]: () => ok(detail(TRACE)),
        [`GET /api/runs/${'0'.repeat(32)}`]: () => fail(404, 'not_found', 'no such run'),
        'GET /api/runs': () => ok({ runs: [runSummary(), runSummary({ traceId: OTHER })] }),
      },
    });
    const candidate = await screen.findByTestId('compare-candidate');
    expect(candidate.dataset.traceId).toBe(OTHER);
    expect(candidate.getAttribute('href')).toBe(`/compare?project=acme&a=${TRACE}&b=${OTHER}`);
    expect(screen.getByText(`No run ${'0'.repeat(32)} in this project.`)).toBeDefined();
    const list = calls.find((c) => c.url.pathname === '/api/runs')!.url.searchParams;
    expect(list.get('agent')).toBe('billing');
  });
});

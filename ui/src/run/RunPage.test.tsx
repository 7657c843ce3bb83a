import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { finding, runSummary, stepDto, TRACE } from '../test/fixtures';
import { fail, never, ok, renderPage, user } from '../test/render-page';
import { RunPage } from './RunPage';

const ROOT = '1'.repeat(16);
const TOOL = '2'.repeat(16);
const detail = {
  run: runSummary({ stepCount: 2, findingCount: 1 }),
  steps: [
    stepDto({ spanId: ROOT, name: 'invoke_agent billing', kind: 'agent' }),
    stepDto({
      spanId: TOOL,
      parentSpanId: ROOT,
      name: 'execute_tool issue_refund',
      kind: 'tool',
      toolName: 'issue_refund',
    }),
  ],
  findings: [finding({ spanId: TOOL })],
};

describe('run page states', () => {
  it('says it is loading the run', async () => {
    renderPage(<RunPage project="acme" traceId={TRACE} />, {
      path: `/runs/${TRACE}?project=acme`,
      routes: { [`GET /api/runs/${TRACE}`]: never },
    });
    expect((await screen.findByText(/Loading run…/)).className).toBe('page-status');
    expect(document.title).toBe(`Run ${TRACE} · Casefile`);
  });

  it('says the run is not in this project when the server does not know it', async () => {
    renderPage(<RunPage project="acme" traceId={TRACE} />, {
      path: `/runs/${TRACE}?project=acme`,
      routes: { [`GET /api/runs/${TRACE}`]: () => fail(404, 'not_found', 'no such run') },
    });
    expect((await screen.findByTestId('run-not-found')).textContent).toContain(`No run ${TRACE} in this project.`);
  });

  it("shows the server's message when the run cannot be read", async () => {
    renderPage(<RunPage project="acme" traceId={TRACE} />, {
      path: `/runs/${TRACE}?project=acme`,
      routes: { [`GET /api/runs/${TRACE}`]: () => fail(503, 'unavailable', 'the store is not reachable') },
    });
    expect((await screen.findByTestId('error-banner')).textContent).toBe('503 unavailable the store is not reachable');
  });

  it("opens at the step in the URL and shows a viewer that step's findings without triage buttons", async () => {
    renderPage(<RunPage project="acme" traceId={TRACE} />, {
      path: `/runs/${TRACE}?project=acme&step=${TOOL}`,
      user: user('viewer'),
      routes: { [`GET /api/runs/${TRACE}`]: () => ok(detail), 'GET /api/runs': () => ok({ runs: [] }) },
    });
    const step = await screen.findByTestId('step-detail');
    expect(step.dataset.spanId).toBe(TOOL);
    const flagged = within(step).getByTestId('step-finding');
    expect(flagged.dataset.rule).toBe('approval.hash_mismatch');
    expect(within(flagged).queryByTestId('mark-expected')).toBeNull();
    expect(within(flagged).queryByTestId('mute-finding')).toBeNull();
    expect(document.title).toBe(`Run billing: refund order 42 ${TRACE.slice(0, 8)} · Casefile`);
  });
});

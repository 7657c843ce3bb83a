import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { POLL_MS } from '../data/queries';
import { alertRule } from '../test/fixtures';
import { type Call, fail, never, ok, renderPage, user } from '../test/render-page';
import { AlertRulePage, NewAlertRulePage } from './AlertRulePage';
import { AlertsPage } from './AlertsPage';

afterEach(() => {
  vi.useRealTimers();
});

const noEvents = () => ok({ events: [] });

describe('alert rules list states', () => {
  it('says it is loading, then that there are no rules; a viewer is offered no "New rule"', async () => {
    let answer: (v: { status: number; body: unknown }) => void = () => {};
    renderPage(<AlertsPage project="acme" />, {
      path: '/alerts?project=acme',
      user: user('viewer'),
      routes: {
        'GET /api/alerts/rules': () => new Promise((resolve) => (answer = resolve)),
        'GET /api/alerts/events': noEvents,
      },
    });
    await screen.findByText('Loading rules…');
    answer(ok({ rules: [] }));
    expect((await screen.findByTestId('alert-rules-empty')).textContent).toContain('No alert rules');
    expect((await screen.findByTestId('alert-history-empty')).textContent).toContain('No state changes');
    expect(screen.queryByTestId('new-rule')).toBeNull();
    expect(document.title).toBe('Alert rules · Casefile');
  });

  it('offers "New rule" to an admin', async () => {
    renderPage(<AlertsPage project="acme" />, {
      path: '/alerts?project=acme',
      user: user('admin'),
      routes: { 'GET /api/alerts/rules': () => ok({ rules: [alertRule()] }), 'GET /api/alerts/events': noEvents },
    });
    await screen.findByTestId('alert-rules');
    expect(screen.getByTestId('new-rule').getAttribute('href')).toBe('/alerts/new?project=acme');
  });

  it("shows the server's message when the rules cannot be listed", async () => {
    renderPage(<AlertsPage project="acme" />, {
      path: '/alerts?project=acme',
      routes: { 'GET /api/alerts/rules': () => fail(403, 'forbidden', 'no access to project acme') },
    });
    expect((await screen.findByTestId('error-banner')).textContent).toContain('no access to project acme');
    expect(screen.queryByTestId('alert-rules')).toBeNull();
  });

  it('polls: a rule turning firing shows without a reload; a failed poll shows its error over the last answer', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const answers = [
      ok({ rules: [alertRule({ state: 'ok' })] }),
      ok({ rules: [alertRule({ state: 'firing' })] }),
      fail(503, 'unavailable', 'store unavailable'),
    ];
    renderPage(<AlertsPage project="acme" />, {
      path: '/alerts?project=acme',
      routes: { 'GET /api/alerts/rules': () => answers.shift() ?? never(), 'GET /api/alerts/events': noEvents },
    });
    const row = () => screen.getByTestId('alert-rule-row');
    await waitFor(() => expect(row().dataset.state).toBe('ok'));
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS));
    await waitFor(() => expect(row().dataset.state).toBe('firing'));
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS));
    expect((await screen.findByTestId('error-banner')).textContent).toContain('store unavailable');
    expect(row().dataset.state).toBe('firing');
  });
});

describe('alert rule page', () => {
  it('says a rule is not in this project', async () => {
    renderPage(<AlertRulePage project="acme" id="gone" />, {
      path: '/alerts/gone?project=acme',
      routes: { 'GET /api/alerts/rules/gone': () => fail(404, 'not_found', 'no such rule') },
    });
    expect((await screen.findByTestId('rule-not-found')).textContent).toContain('No alert rule gone in this project.');
  });

  it('gives a viewer who opens /alerts/new no form, only who can create rules', async () => {
    renderPage(<NewAlertRulePage project="acme" />, {
      path: '/alerts/new?project=acme',
      user: user('viewer'),
      routes: {},
    });
    expect((await screen.findByTestId('alert-rule-new-refused')).textContent).toContain(
      'Only an admin can create alert rules',
    );
    expect(screen.queryByTestId('rule-form')).toBeNull();
  });

  it('lets a viewer read the rule, with neither "Evaluate now" nor edit and delete', async () => {
    renderPage(<AlertRulePage project="acme" id="r1" />, {
      path: '/alerts/r1?project=acme',
      user: user('viewer'),
      routes: { 'GET /api/alerts/rules/r1': () => ok({ rule: alertRule() }), 'GET /api/alerts/events': noEvents },
    });
    expect((await screen.findByTestId('alert-rule')).dataset.state).toBe('ok');
    expect(screen.queryByTestId('evaluate-now')).toBeNull();
    expect(screen.queryByTestId('delete-rule')).toBeNull();
    expect(screen.queryByTestId('rule-form')).toBeNull();
    expect(document.title).toBe('Alert rule support tool mix · Casefile');
  });

  it("shows an investigator the dry run's verdict, and the server's message when it is refused", async () => {
    const calls: Call[] = [];
    const answers = [
      ok({
        rule: alertRule(),
        evaluation: {
          ruleId: 'r1',
          windowEndNs: '2',
          outcome: 'breach',
          wouldBe: 'firing',
          window: { fromNs: '1', toNs: '2', label: 'last 1m' },
          reference: { fromNs: '0', toNs: '1', label: 'previous 1m' },
          results: [],
          exampleRuns: { reference: [], current: [] },
          summary: 'tool mix moved',
        },
      }),
      fail(400, 'bad_request', 'rule r1 is disabled'),
    ];
    renderPage(<AlertRulePage project="acme" id="r1" />, {
      path: '/alerts/r1?project=acme',
      calls,
      routes: {
        'GET /api/alerts/rules/r1': () => ok({ rule: alertRule() }),
        'GET /api/alerts/events': noEvents,
        'POST /api/alerts/rules/r1/evaluate': () => answers.shift() ?? never(),
      },
    });
    fireEvent.click(await screen.findByTestId('evaluate-now'));
    expect((await screen.findByTestId('evaluation')).dataset.wouldBe).toBe('firing');
    fireEvent.click(screen.getByTestId('evaluate-now'));
    expect((await screen.findByTestId('error-banner')).textContent).toContain('rule r1 is disabled');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2);
  });
});

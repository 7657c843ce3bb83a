import { backtestAnswerSchema } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import { spread } from '../alerts/runs.fixtures.js';
import { createTestApp, logins } from '../testing/test-app.js';

const P = 'proj-test';
const TOKENS = { admin: 'cf_login_admin_0123456789', viewer: 'cf_login_view_0123456789' };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * 48 hours of history ending two hours ago: ~40 runs an hour, 5% of them failing, then 40% from
 * hour 24 on.
 */
async function setup(options: { backtestTimeBudgetMs?: number } = {}) {
  const { store, request } = await createTestApp({ project: P, credentials: logins(TOKENS), ...options });
  const start = Math.floor(Date.now() / HOUR) * HOUR - 50 * HOUR;
  for (let h = 0; h < 48; h++) {
    const failing = h >= 24 ? 5 : 20; // every 5th run from the change on, every 20th before it
    await store.writeSteps(spread(40, start + h * HOUR, start + (h + 1) * HOUR, (i) => ({ error: i % failing === 0 })));
  }
  const call = async (role: keyof typeof TOKENS, method: string, path: string, body?: unknown) => {
    const res = await request(TOKENS[role], path, {
      method,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
  };
  return { store, call, start };
}

const iso = (ms: number) => new Date(ms).toISOString();

const ERRORS_VS_BASELINE = (start: number) => ({
  kind: 'drift',
  name: 'Errors vs the first half day',
  metrics: ['error_rate'],
  windowMs: HOUR,
  intervalMs: HOUR,
  minReference: 100,
  minCurrent: 20,
  reference: { type: 'baseline', fromMs: start, toMs: start + 12 * HOUR },
});

describe('alert back-test API', () => {
  it('judges every past window of a saved rule: quiet before the change, firing from the first window after it', async () => {
    // Not a test of the time budget (below): a loaded machine takes longer than the default 20 s.
    const { call, start } = await setup({ backtestTimeBudgetMs: 120_000 });
    const created = await call('admin', 'POST', '/api/alerts/rules', ERRORS_VS_BASELINE(start));
    expect(created.status).toBe(201);
    const id = created.json.rule.id as string;
    const res = await call('admin', 'POST', `/api/alerts/rules/${id}/backtest`, {
      from: iso(start),
      to: iso(start + 48 * HOUR),
    });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const answer = backtestAnswerSchema.parse(res.json);
    expect(answer).toMatchObject({ ruleId: id, windowsInRange: 48, complete: true, notes: [], firings: 1 });
    const byHour = new Map(answer.windows.map((w) => [(Number(BigInt(w.windowEndNs) / 1_000_000n) - start) / HOUR, w]));
    // The window ending at hour 25 is the first that holds only changed traffic.
    expect(byHour.get(25)).toMatchObject({ fired: true, state: 'firing', outcome: 'breach' });
    expect(byHour.get(25)?.results[0]).toMatchObject({ metric: 'error_rate', state: 'drift' });
    for (let h = 13; h <= 24; h++) expect(byHour.get(h)?.state, `hour ${h}`).toBe('ok');
    for (let h = 26; h <= 48; h++) expect(byHour.get(h)?.state, `hour ${h}`).toBe('firing');
    // Nothing is recorded or notified.
    expect((await call('viewer', 'GET', '/api/alerts/events')).json.events).toEqual([]);
    // Relative dates work as well as ISO ones.
    const relative = await call('admin', 'POST', `/api/alerts/rules/${id}/backtest`, { from: '3 days ago' });
    expect(relative.status).toBe(200);
    expect(backtestAnswerSchema.parse(relative.json).windowsInRange).toBe(72);
  }, 150_000);

  it('back-tests an unsaved rule from the form, and viewers may not', async () => {
    const { call, start } = await setup();
    const body = { rule: ERRORS_VS_BASELINE(start), from: 'last 2 days', to: 'now' };
    const res = await call('admin', 'POST', '/api/alerts/backtest', body);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const answer = backtestAnswerSchema.parse(res.json);
    expect(answer.ruleId).toBe('unsaved');
    expect(answer.firings).toBe(1);
    expect((await call('viewer', 'POST', '/api/alerts/backtest', body)).status).toBe(403);
  });

  it('refuses bad input with a 400 that says what is wrong', async () => {
    const { call, start } = await setup();
    const rule = ERRORS_VS_BASELINE(start);
    const cases: Array<[unknown, RegExp]> = [
      [{ rule, from: '100 days ago' }, /at most 90 days can be back-tested at once/],
      [{ rule: { ...rule, windowMs: 0 }, from: '1d ago' }, /windowMs: .*60000/],
      [{ rule: { ...rule, metrics: ['happiness'] }, from: '1d ago' }, /metrics\.0: Invalid option/],
      [{ rule, from: 'yesterday-ish' }, /from: "yesterday-ish" is not a date: use ISO 8601/],
      [{ rule, from: '2026-02-31' }, /from: "2026-02-31" is not a date/],
      [{ rule, from: '2 fortnights ago' }, /is not a date/],
      [{ rule, from: iso(start + HOUR), to: iso(start) }, /"to" must be after "from"/],
      [{ rule, from: '1d ago', to: iso(Date.now() + DAY) }, /"to" is in the future/],
      [{ rule, from: '1d ago', extra: 1 }, /Unrecognized key/],
      [{ from: '1d ago' }, /rule: missing: the rule to test/],
      ['{not json', /body must be a JSON object/],
    ];
    for (const [body, message] of cases) {
      const res = await call('admin', 'POST', '/api/alerts/backtest', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.message).toMatch(message);
    }
    expect((await call('admin', 'POST', '/api/alerts/rules/no-such-rule/backtest', { from: '1d ago' })).status).toBe(
      404,
    );
  });

  it('bounds a back-test of thousands of windows in windows and time, and says so', async () => {
    const { call } = await setup({ backtestTimeBudgetMs: 2_000 });
    // A minute-by-minute rule over 60 days: 86,400 windows.
    const rule = {
      kind: 'threshold',
      name: 'Errors per minute',
      metric: 'error_rate',
      aggregate: 'rate',
      operator: '>',
      value: 0.3,
      windowMs: 60_000,
      intervalMs: 60_000,
    };
    const began = Date.now();
    const res = await call('admin', 'POST', '/api/alerts/backtest', { rule, from: '60 days ago' });
    const tookMs = Date.now() - began;
    expect(res.status).toBe(200);
    const answer = backtestAnswerSchema.parse(res.json);
    expect(answer.windowsInRange).toBeGreaterThanOrEqual(86_399);
    expect(answer.windows.length).toBeLessThanOrEqual(2_000);
    expect(answer.limits).toEqual({ maxRangeMs: 90 * DAY, maxWindows: 2_000, timeBudgetMs: 2_000 });
    expect(answer.notes.join('\n')).toMatch(/windows to judge; only the latest 2000 were/);
    if (!answer.complete) expect(answer.notes.join('\n')).toMatch(/time budget of a back-test ran out/);
    // The budget is checked between batches of windows: the answer comes soon after it runs out.
    expect(answer.elapsedMs).toBeLessThan(2_000 + 5_000);
    expect(tookMs).toBeLessThan(60_000);
  });
});

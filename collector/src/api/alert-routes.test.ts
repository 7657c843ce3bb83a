import {
  alertDeliveryListSchema,
  alertEvaluateAnswerSchema,
  alertEventListSchema,
  alertRuleAnswerSchema,
  alertRuleListSchema,
} from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import { spread } from '../alerts/runs.fixtures.js';
import { createTestApp, logins } from '../testing/test-app.js';

const P = 'proj-test';
const TOKENS = {
  admin: 'cf_login_admin_0123456789',
  investigator: 'cf_login_invest_0123456789',
  viewer: 'cf_login_view_0123456789',
};
const HOUR = 3_600_000;

async function setup() {
  const { store, request } = await createTestApp({ project: P, credentials: logins(TOKENS) });
  const call = async (role: keyof typeof TOKENS, method: string, path: string, body?: unknown) => {
    const res = await request(TOKENS[role], path, {
      method,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
  };
  return { store, call };
}

const DRIFT_RULE = {
  kind: 'drift',
  name: 'Support tool mix',
  agentName: 'support-bot',
  metrics: ['tool_mix', 'error_rate'],
  windowMs: HOUR,
  intervalMs: 15 * 60_000,
  reference: { type: 'previous-window' },
  channel: { type: 'webhook', url: 'https://hooks.slack.com/services/T0/B0/abcdefghijklmnop1234', format: 'slack' },
};

describe('alert rules API', () => {
  it('creates a rule, shows a generated webhook secret once, then only secretSet', async () => {
    const { store, call } = await setup();
    const created = await call('admin', 'POST', '/api/alerts/rules', DRIFT_RULE);
    expect(created.status).toBe(201);
    const answer = alertRuleAnswerSchema.parse(created.json);
    expect(answer.secret).toMatch(/^whsec_[\w-]{32}$/);
    expect(answer.rule).toMatchObject({
      name: 'Support tool mix',
      state: 'ok',
      lastEvaluatedNs: '',
      minReference: 100,
    });
    expect(answer.rule.channel).toEqual({
      type: 'webhook',
      url: DRIFT_RULE.channel.url,
      format: 'slack',
      secretSet: true,
    });
    const stored = JSON.parse((await store.listAlertRules(P))[0]?.json as string);
    expect(stored.channel.secret).toBe(answer.secret);

    const id = answer.rule.id;
    const got = await call('viewer', 'GET', `/api/alerts/rules/${id}`);
    expect(got.status).toBe(200);
    expect(JSON.stringify(got.json)).not.toContain(answer.secret as string);
    // Viewers do not see the hook's path (a Slack hook URL is itself a credential).
    expect(alertRuleAnswerSchema.parse(got.json).rule.channel).toMatchObject({
      url: 'https://hooks.slack.com/services/…',
    });
    const list = alertRuleListSchema.parse((await call('viewer', 'GET', '/api/alerts/rules')).json);
    expect(list.rules.map((r) => r.id)).toEqual([id]);

    // An update without a secret keeps the old one and does not show it again.
    const put = await call('admin', 'PUT', `/api/alerts/rules/${id}`, { ...DRIFT_RULE, name: 'Renamed' });
    expect(put.status).toBe(200);
    const updated = alertRuleAnswerSchema.parse(put.json);
    expect(updated.secret).toBeUndefined();
    expect(updated.rule).toMatchObject({ id, name: 'Renamed', createdNs: answer.rule.createdNs });
    expect(JSON.parse((await store.listAlertRules(P))[0]?.json as string).channel.secret).toBe(answer.secret);
  });

  it('lets viewers read, investigators evaluate, and only admins change rules', async () => {
    const { call } = await setup();
    expect((await call('investigator', 'POST', '/api/alerts/rules', DRIFT_RULE)).status).toBe(403);
    expect((await call('viewer', 'POST', '/api/alerts/rules', DRIFT_RULE)).status).toBe(403);
    const id = (await call('admin', 'POST', '/api/alerts/rules', DRIFT_RULE)).json.rule.id;
    expect((await call('viewer', 'POST', `/api/alerts/rules/${id}/evaluate`)).status).toBe(403);
    expect((await call('investigator', 'POST', `/api/alerts/rules/${id}/evaluate`)).status).toBe(200);
    expect((await call('investigator', 'DELETE', `/api/alerts/rules/${id}`)).status).toBe(403);
    expect((await call('admin', 'DELETE', `/api/alerts/rules/${id}`)).status).toBe(204);
    expect((await call('viewer', 'GET', `/api/alerts/rules/${id}`)).status).toBe(404);
    expect((await call('admin', 'DELETE', `/api/alerts/rules/${id}`)).status).toBe(404);
  });

  it('answers bad rules with 400 naming the field', async () => {
    const { call } = await setup();
    const cases: Array<[unknown, RegExp]> = [
      [{ ...DRIFT_RULE, windowMs: 5 }, /windowMs/],
      [{ ...DRIFT_RULE, metrics: ['tool_mix', 'nope'] }, /metrics\.1/],
      [{ ...DRIFT_RULE, metrics: ['run_count'] }, /metrics: run_count is a count/],
      [{ ...DRIFT_RULE, test: 'ks' }, /test: ks does not apply to tool_mix/],
      [{ ...DRIFT_RULE, toolName: 'send_email' }, /toolName: tool_mix cannot be scoped to a tool/],
      [
        { ...DRIFT_RULE, channel: { type: 'webhook', url: 'http://169.254.169.254/latest' } },
        /channel\.url: .*blocked range/,
      ],
      [{ ...DRIFT_RULE, channel: { type: 'webhook', url: 'ftp://example.com/x' } }, /channel\.url/],
      [{ ...DRIFT_RULE, surprise: 1 }, /surprise/],
      [
        {
          kind: 'threshold',
          name: 'x',
          metric: 'tool_mix',
          aggregate: 'p95',
          operator: '>',
          value: 1,
          windowMs: HOUR,
          intervalMs: HOUR,
        },
        /aggregate: p95 does not apply to tool_mix/,
      ],
      ['{not json', /body must be a JSON alert rule/],
    ];
    for (const [body, message] of cases) {
      const res = await call('admin', 'POST', '/api/alerts/rules', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.message).toMatch(message);
    }
    expect((await call('viewer', 'GET', '/api/alerts/events?limit=0')).json.message).toMatch(/limit/);
    expect((await call('viewer', 'GET', '/api/alerts/events?before=yesterday')).json.message).toMatch(/before/);
    expect((await call('viewer', 'GET', '/api/alerts/events?rule=a%20b')).json.message).toMatch(/rule/);
  });

  it('takes a fixed baseline as ISO 8601 or relative times and stores epoch milliseconds', async () => {
    const { call } = await setup();
    const base = { ...DRIFT_RULE, channel: { type: 'none' } };
    const typed = await call('admin', 'POST', '/api/alerts/rules', {
      ...base,
      reference: { type: 'baseline', from: '2026-03-01', to: '2026-03-02T12:00+01:00' },
    });
    expect(typed.status).toBe(201);
    expect(typed.json.rule.reference).toEqual({
      type: 'baseline',
      fromMs: Date.UTC(2026, 2, 1),
      toMs: Date.UTC(2026, 2, 2, 11),
    });
    const epoch = await call('admin', 'POST', '/api/alerts/rules', {
      ...base,
      reference: { type: 'baseline', fromMs: 1_000, toMs: 5_000 },
    });
    expect(epoch.json.rule.reference).toEqual({ type: 'baseline', fromMs: 1_000, toMs: 5_000 });
    const relative = await call('admin', 'POST', '/api/alerts/rules', {
      ...base,
      reference: { type: 'baseline', from: '8d ago', to: '1d ago' },
    });
    const { fromMs, toMs } = relative.json.rule.reference;
    expect(toMs - fromMs).toBe(7 * 24 * HOUR);
    for (const [reference, message] of [
      [{ type: 'baseline', from: 'next tuesday', to: 'now' }, /reference\.from: "next tuesday" is not a date/],
      [{ type: 'baseline', from: '2026-03-01', fromMs: 5, to: 'now' }, /give from or fromMs, not both/],
      [{ type: 'baseline', from: '2026-03-02', to: '2026-03-01' }, /reference\.toMs: must be after reference\.fromMs/],
    ] as const) {
      const bad = await call('admin', 'POST', '/api/alerts/rules', { ...base, reference });
      expect(bad.status).toBe(400);
      expect(bad.json.message).toMatch(message);
    }
  });

  it('evaluates a rule now without changing its state', async () => {
    const { store, call } = await setup();
    const now = Date.now();
    await store.writeSteps(spread(150, now - 2 * HOUR, now - HOUR, () => ({ tools: ['search_kb'] })));
    await store.writeSteps(
      spread(150, now - HOUR + 1000, now - 1000, (i) => ({ tools: i % 3 ? ['search_kb'] : ['send_email'] })),
    );
    const id = (await call('admin', 'POST', '/api/alerts/rules', { ...DRIFT_RULE, channel: { type: 'none' } })).json
      .rule.id;
    const res = await call('investigator', 'POST', `/api/alerts/rules/${id}/evaluate`);
    const answer = alertEvaluateAnswerSchema.parse(res.json);
    expect(answer.evaluation).toMatchObject({ outcome: 'breach', wouldBe: 'firing' });
    // The latest complete window on the 15-minute grid: up to a quarter of it is the steady hour before.
    expect(answer.evaluation.summary).toMatch(/tool_mix drifted: send_email 0% → [23]\d% of runs/);
    expect(answer.evaluation.results.map((r) => r.adjustedPValue !== undefined)).toEqual([true, true]);
    expect(answer.rule.state).toBe('ok');
    expect(await store.listAlertStates(P)).toEqual([]);
    expect(await store.listAlertEvents(P, { limit: 10 })).toEqual([]);
  });

  it('evaluates the latest complete window, never the partly filled hour ending now', async () => {
    // 14:37: the hour 13:00–14:00 is complete; 14:00–14:37 holds only the runs that have arrived so far.
    const now = Date.UTC(2026, 2, 2, 14, 37);
    const hour = (h: number) => Date.UTC(2026, 2, 2, h);
    const { store, request } = await createTestApp({ project: P, credentials: logins(TOKENS), now: () => now });
    const steady = () => ({ tools: ['search_kb'] });
    await store.writeSteps(spread(150, hour(12), hour(13), steady));
    await store.writeSteps(spread(150, hour(13), hour(14), steady));
    await store.writeSteps(spread(40, hour(14), now, () => ({ tools: ['send_email'] })));
    const rule = { ...DRIFT_RULE, metrics: ['tool_mix'], intervalMs: HOUR, channel: { type: 'none' } };
    const created = await request(TOKENS.admin, '/api/alerts/rules', { method: 'POST', body: JSON.stringify(rule) });
    const id = (await created.json()).rule.id;
    const res = await request(TOKENS.investigator, `/api/alerts/rules/${id}/evaluate`, { method: 'POST' });
    const answer = alertEvaluateAnswerSchema.parse(await res.json());
    expect(answer.evaluation.windowEndNs).toBe(String(BigInt(hour(14)) * 1_000_000n));
    expect(answer.evaluation.window).toMatchObject({ fromNs: String(BigInt(hour(13)) * 1_000_000n) });
    expect(answer.evaluation).toMatchObject({ outcome: 'ok', wouldBe: 'ok' });
  });

  it('lists events newest first with paging, and deliveries per event', async () => {
    const { store, call } = await setup();
    for (let i = 1; i <= 3; i++) {
      const detail = {
        id: `r1:${i}`,
        ruleId: 'r1',
        ruleName: 'r',
        timeNs: String(i * 10),
        from: 'ok',
        to: 'firing',
        window: { fromNs: '0', toNs: String(i) },
        reference: { fromNs: '0', toNs: '0', label: 'previous 1h' },
        results: [],
        exampleRuns: { reference: [], current: [] },
        summary: `event ${i}`,
      };
      await store.recordAlertEvent({
        projectId: P,
        ruleId: 'r1',
        id: detail.id,
        timeNs: BigInt(i * 10),
        windowEndNs: BigInt(i),
        from: 'ok',
        to: 'firing',
        detail: JSON.stringify(detail),
      });
    }
    await store.recordAlertDelivery({
      projectId: P,
      ruleId: 'r1',
      eventId: 'r1:3',
      attempt: 1,
      timeNs: 31n,
      target: 'https://x.example/…',
      statusCode: 503,
      ok: false,
      error: 'HTTP 503',
      durationMs: 12,
    });
    const page1 = alertEventListSchema.parse((await call('viewer', 'GET', '/api/alerts/events?rule=r1&limit=2')).json);
    expect(page1.events.map((e) => e.summary)).toEqual(['event 3', 'event 2']);
    expect(page1.nextBeforeNs).toBe('20');
    const page2 = alertEventListSchema.parse(
      (await call('viewer', 'GET', `/api/alerts/events?rule=r1&limit=2&before=${page1.nextBeforeNs}`)).json,
    );
    expect(page2.events.map((e) => e.summary)).toEqual(['event 1']);
    expect(page2.nextBeforeNs).toBeUndefined();
    const deliveries = alertDeliveryListSchema.parse(
      (await call('viewer', 'GET', '/api/alerts/deliveries?event=r1:3')).json,
    );
    expect(deliveries.deliveries).toEqual([
      {
        ruleId: 'r1',
        eventId: 'r1:3',
        attempt: 1,
        timeNs: '31',
        target: 'https://x.example/…',
        statusCode: 503,
        ok: false,
        error: 'HTTP 503',
        durationMs: 12,
      },
    ]);
  });
});

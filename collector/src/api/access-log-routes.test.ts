import { describe, expect, it } from 'vitest';
import { createTestApp } from '../testing/test-app.js';

const ADMIN = 'cf_login_admin_token_0123456789';
const VIEWER = 'cf_login_viewer_token_012345678';

async function setup() {
  return createTestApp({
    credentials: [
      { token: ADMIN, role: 'admin', name: 'ada' },
      { token: VIEWER, role: 'viewer', name: 'vic' },
    ],
  });
}

type Entry = { actor: string; action: string; target: string; timeNs: string };
const entries = async (t: Awaited<ReturnType<typeof setup>>, query = '') =>
  ((await (await t.request(ADMIN, `/api/access-log?${query}`)).json()) as { entries: Entry[] }).entries;

describe('access log', () => {
  it('records searches by content and lookups of what runs touched, not plain listings', async () => {
    const t = await setup();
    expect((await t.request(VIEWER, '/api/runs')).status).toBe(200);
    expect((await t.request(VIEWER, '/api/runs?status=error')).status).toBe(200);
    expect((await t.request(VIEWER, '/api/runs?q=maria%40globex.example&documentId=doc-7')).status).toBe(200);
    expect((await t.request(VIEWER, '/api/lookup/document/doc-9')).status).toBe(200);
    const log = await entries(t);
    expect(log.map((e) => [e.actor, e.action, e.target])).toEqual([
      ['vic', 'lookup', 'document:doc-9'],
      ['vic', 'search_runs', 'q=maria@globex.example documentId=doc-7'],
    ]);
  });

  it('filters by actor and time range, and answers 400 naming a bad parameter', async () => {
    const t = await setup();
    await t.request(VIEWER, '/api/lookup/tool/send_email');
    await t.request(ADMIN, '/api/lookup/tool/refund');
    const all = await entries(t);
    expect(all).toHaveLength(2);
    expect((await entries(t, 'actor=vic')).map((e) => e.target)).toEqual(['tool:send_email']);
    const newest = BigInt((all[0] as Entry).timeNs);
    const fromMs = newest / 1_000_000n + 1n;
    expect(await entries(t, `from=${fromMs}`)).toEqual([]);
    expect((await entries(t, 'to=1')).length).toBe(0);
    expect((await entries(t, 'limit=1')).length).toBe(1);
    for (const [query, message] of [
      ['limit=-1', /^limit must be an integer/],
      ['from=yesterday', /^from must be/],
      [`actor=${'x'.repeat(201)}`, /^actor is longer than 200/],
    ] as const) {
      const res = await t.request(ADMIN, `/api/access-log?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(message);
    }
    expect((await t.request(VIEWER, '/api/access-log')).status).toBe(403);
  });
});

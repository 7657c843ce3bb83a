import { describe, expect, it } from 'vitest';
import { tokensForValue } from '../query/value-tokens.js';
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
    expect(log.map((e) => [e.actor, e.action])).toEqual([
      ['vic', 'lookup'],
      ['vic', 'search_runs'],
    ]);
    expect(log[0]?.target).toBe('document:doc-9');
    expect(log[1]?.target).toMatch(/^q=\[email:[0-9a-f]{8,}[^\]]*\] documentId=doc-7$/);
  });

  it('keeps a typed e-mail address or card number out of the log: the search text is logged with them as tokens', async () => {
    const KEY = 'project-pseudonym-key-0123456789';
    const t = await createTestApp({
      credentials: [{ token: ADMIN, role: 'admin', name: 'ada' }],
      pseudonymKeys: () => [KEY],
    });
    const typed = 'refund for Maria.Kowalska84@globex.example card 4111 1111 1111 1111';
    expect((await t.request(ADMIN, `/api/runs?q=${encodeURIComponent(typed)}`)).status).toBe(200);
    const [entry] = await entries(t);
    const target = entry?.target ?? '';
    expect(target).not.toMatch(/kowalska/i);
    expect(target).not.toContain('4111 1111');
    expect(target).not.toContain('1111111111111111');
    expect(target).toMatch(/^q=refund for \[email:[0-9a-f]{8,}[^\]]*\] card \[card:[^\]]+\]$/);
    // The same token find-by-value and ingest give that address, so the entry links to the runs.
    const email = tokensForValue('Maria.Kowalska84@globex.example', [KEY])?.tokens[0]?.token ?? '?';
    expect(target).toContain(email);
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

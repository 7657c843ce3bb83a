import { describe, expect, it } from 'vitest';
import { jsonRequest } from '../testing/otlp-fixtures.js';
import { createTestApp } from '../testing/test-app.js';

const INGEST = 'cf_ingest_test_key_0123456789';
const LOGIN = 'cf_login_test_token_0123456789';
const TRACE = 'aa'.repeat(16);
const XSS = '<img src=x onerror=window.__pwned=1>';

async function setup() {
  const { app, store } = await createTestApp({
    credentials: [
      { token: INGEST, kind: 'ingest', name: 'analyst' },
      { token: LOGIN, name: 'analyst' },
    ],
  });
  const body = jsonRequest([
    { traceId: TRACE, name: XSS, attributes: { 'gen_ai.tool.name': 'send_email', 'gen_ai.agent.name': 'support' } },
  ]);
  const res = await app.request('/v1/traces', {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST}` },
  });
  expect(res.status).toBe(200);
  return { app, store };
}

const get = (app: Awaited<ReturnType<typeof setup>>['app'], query: string) =>
  app.request(`/api/cases/export?${query}`, { headers: { authorization: `Bearer ${LOGIN}` } });

describe('GET /api/cases/export', () => {
  it('serves the JSON case file as an attachment, with steps and versions, and logs the access', async () => {
    const { app, store } = await setup();
    const res = await get(app, `project=p1&traceIds=${TRACE}&format=json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="casefile-case-.*\.json"$/);
    const file = (await res.json()) as { runs: { steps: { name: string }[]; versions: unknown }[] };
    expect(file.runs[0]!.steps[0]!.name).toBe(XSS);
    expect(file.runs[0]!.versions).toBeDefined();
    const log = await store.listAccess('p1', 10);
    expect(log.some((e) => e.action === 'export_case' && e.target === TRACE)).toBe(true);
  });

  it('serves an escaped, script-free HTML report', async () => {
    const { app } = await setup();
    const res = await get(app, `project=p1&traceIds=${TRACE}&format=html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-disposition')).toMatch(/\.html"$/);
    const html = await res.text();
    expect(html).toContain('&lt;img src=x onerror=window.__pwned=1&gt;');
    expect(html).not.toMatch(/<script|<img/i);
  });

  it('rejects bad input and unknown runs, and requires a login', async () => {
    const { app } = await setup();
    expect((await get(app, 'project=p1&traceIds=&format=json')).status).toBe(400);
    expect((await get(app, `project=p1&traceIds=${TRACE}&format=pdf`)).status).toBe(400);
    expect((await get(app, 'project=p1&traceIds=nothex&format=json')).status).toBe(400);
    expect((await get(app, `project=p1&traceIds=${'bb'.repeat(16)}`)).status).toBe(404);
    expect((await app.request(`/api/cases/export?traceIds=${TRACE}`)).status).toBe(401);
  });
});

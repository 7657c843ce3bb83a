import { overviewSchema } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import { jsonRequest } from '../testing/otlp-fixtures.js';
import { createTestApp } from '../testing/test-app.js';

const INGEST = 'cf_ingest_test_key_0123456789';
const LOGIN = 'cf_login_test_token_0123456789';

describe('GET /api/overview', () => {
  it('counts every run of the range per bucket and per agent, and says how many it counted', async () => {
    const { app } = await createTestApp({ credentials: [{ token: INGEST, kind: 'ingest' }, { token: LOGIN }] });
    const spans = [
      { name: 'a', attributes: { 'gen_ai.agent.name': 'support' } },
      { name: 'b', attributes: { 'gen_ai.agent.name': 'support' }, status: 2 },
      { name: 'c', attributes: { 'gen_ai.agent.name': 'billing' } },
    ];
    const res = await app.request('/v1/traces', {
      method: 'POST',
      body: JSON.stringify(jsonRequest(spans)),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST}` },
    });
    expect(res.status).toBe(200);
    const auth = { headers: { authorization: `Bearer ${LOGIN}` } };
    const from = Date.now() - 3_600_000;
    const out = await app.request(`/api/overview?project=p1&from=${from}&to=${Date.now() + 60_000}`, auth);
    expect(out.status).toBe(200);
    const body = overviewSchema.parse(await out.json());
    expect(body.totals.runs).toBe(3);
    expect(body.totals.errors).toBe(1);
    expect(body.agents.find((a) => a.agent === 'support')?.runs).toBe(2);
    expect(body.buckets.reduce((n, b) => n + b.runs, 0)).toBe(3);
    expect(body).toMatchObject({ scannedRuns: 3, maxRuns: 3, truncated: false });
    const billing = overviewSchema.parse(
      await (await app.request(`/api/overview?project=p1&from=${from}&agent=billing`, auth)).json(),
    );
    expect(billing.totals.runs).toBe(1);
    expect((await app.request('/api/overview?project=p1&bucket=week', auth)).status).toBe(400);
  });
});

import { runPageSchema } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import { buildRun, DAY0 } from '../store/conformance.fixtures.js';
import { findingId } from '../store/findings.js';
import { createTestApp } from '../testing/test-app.js';

const P = 'proj-a';
const TOKEN = 'cf_login_search_0123456789';

async function setup() {
  const { app, store } = await createTestApp({ project: P, credentials: [{ token: TOKEN }] });
  const flagged = buildRun({ projectId: P, startNs: DAY0 + 1000n, documentIds: ['kb-7731'] });
  const step = flagged[4];
  if (step) step.toolArguments = '{"to":"[email:7f3a9c12]"}';
  const clean = buildRun({ projectId: P, startNs: DAY0 });
  await store.writeSteps([...flagged, ...clean]);
  const traceId = flagged[0]?.traceId as string;
  const base = {
    projectId: P,
    traceId,
    spanId: step?.spanId as string,
    ruleId: 'outbound.sensitive_data',
    severity: 'high' as const,
    reason: 'an email address left in a tool call',
    evidence: '[email:7f3a9c12]',
    agentName: 'support',
    toolName: 'lookup_order',
    status: 'open' as const,
    createdNs: DAY0,
  };
  await store.replaceFindings(P, traceId, [{ ...base, id: findingId(base) }]);
  return { app, flagged: traceId, clean: clean[0]?.traceId as string };
}

describe('GET /api/runs search parameters', () => {
  const get = async (app: Awaited<ReturnType<typeof setup>>['app'], query: string) =>
    app.request(`/api/runs?project=${P}&${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const ids = async (res: Response) => runPageSchema.parse(await res.json()).runs.map((r) => r.traceId);

  it('narrows to runs with or without findings', async () => {
    const { app, flagged, clean } = await setup();
    expect(await ids(await get(app, 'hasFindings=true'))).toEqual([flagged]);
    expect(await ids(await get(app, 'hasFindings=false'))).toEqual([clean]);
    expect(await ids(await get(app, 'hasFindings='))).toEqual([flagged, clean]);
    expect(await ids(await get(app, 'hasFindings=true&documentId=kb-7731'))).toEqual([flagged]);
  });

  it('finds a pseudonym token in a tool call', async () => {
    const { app, flagged } = await setup();
    expect(await ids(await get(app, `q=${encodeURIComponent('[email:7f3a9c12]')}`))).toEqual([flagged]);
    expect(await ids(await get(app, `q=${encodeURIComponent('[email:0000]')}`))).toEqual([]);
    const page = runPageSchema.parse(await (await get(app, 'q=7F3A9C12')).json());
    expect(page.textMatches).toEqual([
      expect.objectContaining({ traceId: flagged, spanId: expect.any(String), field: 'toolArguments' }),
    ]);
    expect(runPageSchema.parse(await (await get(app, 'limit=5')).json()).textMatches).toBeUndefined();
  });

  it('rejects a has-findings value it does not know with a message that names the choices', async () => {
    const { app } = await setup();
    for (const bad of ['yes', '1', 'TRUE', 'true,false']) {
      const res = await get(app, `hasFindings=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain('hasFindings must be "true"');
    }
  });
});

import { chainHeadsAnswerSchema, integrityReportSchema } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import { createChainRecorder } from '../evidence/chain-recorder.js';
import type { Step } from '../model/step.js';
import { buildRun, DAY0, NS_PER_DAY, newTraceId } from '../store/conformance.fixtures.js';
import { createMemoryStore } from '../testing/memory-store.js';
import { createTestApp, logins } from '../testing/test-app.js';

const P = 'proj-i';
const tokens = { investigator: 'cf_login_inv_0123456789', viewer: 'cf_login_view_0123456789' };

async function setup() {
  const store = createMemoryStore();
  const chain = createChainRecorder({ store, collectorId: 'api-test' });
  const { request } = await createTestApp({ project: P, store, credentials: logins(tokens), chain });
  const runs = [0, 1].map((i) => buildRun({ projectId: P, startNs: DAY0 + BigInt(i) * NS_PER_DAY }));
  for (const run of runs) {
    await store.writeSteps(run);
    chain.record(run);
  }
  const get = (path: string, token = tokens.investigator, headers: Record<string, string> = {}) =>
    request(token, `/api/integrity${path}`, { headers });
  return { store, get, runs };
}

describe('GET /api/integrity', () => {
  it('verifies the project, a run and a range, and names an edited span', async () => {
    const { store, get, runs } = await setup();
    const whole = integrityReportSchema.parse(await (await get('?project=proj-i')).json());
    expect(whole).toMatchObject({ ok: true, scope: { kind: 'project' }, checked: { runs: 2, spans: 10, chains: 1 } });

    const victim = runs[1]?.[2] as Step;
    const stored = store.steps.get(`${P}/${victim.traceId}/${victim.spanId}`) as Step;
    stored.attributes = { ...stored.attributes, 'gen_ai.tool.call.arguments': '{"amount":"2000.00"}' };
    const report = integrityReportSchema.parse(await (await get('')).json());
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({ kind: 'span_altered', traceId: victim.traceId, spanId: victim.spanId }),
    ]);

    const run = integrityReportSchema.parse(await (await get(`?traceId=${victim.traceId.toUpperCase()}`)).json());
    expect(run.scope).toEqual({ kind: 'run', traceId: victim.traceId });
    expect(run.problems.map((p) => p.spanId)).toEqual([victim.spanId]);
    const from = new Date(Number(DAY0 / 1_000_000n)).toISOString();
    const to = new Date(Number((DAY0 + NS_PER_DAY) / 1_000_000n)).toISOString();
    const range = integrityReportSchema.parse(await (await get(`?from=${from}&to=${to}`)).json());
    expect(range).toMatchObject({ ok: true, scope: { kind: 'range' }, checked: { runs: 1, spans: 5 } });
  });

  it('answers 404 for a run or range it knows nothing of, 400 for a malformed scope, 403 for viewers', async () => {
    const { get } = await setup();
    const unknownRun = await get(`?traceId=${newTraceId()}`);
    expect(unknownRun.status).toBe(404);
    expect(((await unknownRun.json()) as { message: string }).message).toMatch(/chain records nothing/);
    const unknownRange = await get('?from=2001-01-01T00:00:00Z&to=2001-01-02T00:00:00Z');
    expect(unknownRange.status).toBe(404);
    expect(((await unknownRange.json()) as { message: string }).message).toMatch(/no run started in that range/);
    const backwards = await get('?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z');
    expect(backwards.status).toBe(400);
    expect(((await backwards.json()) as { message: string }).message).toMatch(/from must be before to/);
    expect((await get('?traceId=not-hex')).status).toBe(400);
    expect((await get('', tokens.viewer)).status).toBe(403);
  });

  it('streams progress and the report as NDJSON on request, and lists the chain heads', async () => {
    const { get } = await setup();
    const streamed = await get('', tokens.investigator, { accept: 'application/x-ndjson' });
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await streamed.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { report?: unknown });
    const last = lines[lines.length - 1];
    expect(integrityReportSchema.parse(last?.report)).toMatchObject({ ok: true, checked: { spans: 10 } });
    const heads = chainHeadsAnswerSchema.parse(await (await get('/heads')).json());
    expect(heads.heads).toHaveLength(1);
    expect(heads.heads[0]).toMatchObject({ seq: expect.any(String), signed: false });
    expect(heads.publicKeyPem).toBeUndefined();
  });
});

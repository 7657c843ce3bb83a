import { caseSchema, erasureAnswerSchema, integrityReportSchema } from '@casefile/contract';
import { createRedactor } from '@casefile/sdk/redact';
import { deriveRedactionKey } from '@casefile/sdk/redaction-key';
import { describe, expect, it } from 'vitest';
import { createChainRecorder } from '../evidence/chain-recorder.js';
import { createRetentionJob } from '../evidence/retention-job.js';
import type { Step } from '../model/step.js';
import { createRedactionPass } from '../redaction.js';
import { buildRun, newTraceId } from '../store/conformance.fixtures.js';
import { dayStartNs, utcDay } from '../store/evidence.js';
import { createMemoryStore } from '../testing/memory-store.js';
import { createTestApp, logins } from '../testing/test-app.js';

const P = 'proj-ev';
const INGEST = 'cf_ingest_evidence_0123456789';
const NS_PER_DAY = 86_400_000_000_000n;
const tokens = {
  admin: 'cf_login_admin_0123456789',
  investigator: 'cf_login_inv_0123456789',
  viewer: 'cf_login_view_0123456789',
};
const EMAIL = 'maria.kowalska84@gmail.com';

async function setup() {
  const store = createMemoryStore();
  const chain = createChainRecorder({ store, collectorId: 'api-test' });
  const now = BigInt(Date.now()) * 1_000_000n;
  const retention = createRetentionJob({ store, chain, defaultDays: 30, intervalMs: 0 });
  const pass = createRedactionPass(undefined);
  pass(P, INGEST);
  const { request } = await createTestApp({
    project: P,
    store,
    credentials: logins(tokens),
    chain,
    retention,
    retentionDefaultDays: 30,
    pseudonymKeys: (p) => pass.keysFor(p),
  });
  const redact = createRedactor({ key: deriveRedactionKey(INGEST) });
  const old = [1, 2].map((i) => buildRun({ projectId: P, startNs: now - BigInt(40 + i) * NS_PER_DAY }));
  const recent = [1, 2].map((i) => buildRun({ projectId: P, startNs: now - BigInt(i) * NS_PER_DAY }));
  // The e-mail address in one old and one recent run, redacted as ingest redacts it.
  (old[0]?.[1] as Step).runInput = redact.redactString(`refund for ${EMAIL}`).text;
  (recent[0]?.[4] as Step).toolArguments = redact.redactString(JSON.stringify({ to: EMAIL })).text;
  for (const run of [...old, ...recent]) {
    await store.writeSteps(run);
    chain.record(run);
  }
  const call = (token: string, method: string, path: string, body?: unknown) =>
    request(token, path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const trace = (run: Step[] | undefined): string => {
    const first = run?.[0];
    if (!first) throw new Error('an empty run');
    return first.traceId;
  };
  return { store, call, old, recent, trace, now };
}

const messageOf = async (res: Response) => ((await res.json()) as { message: string }).message;

describe('cases, legal hold, retention and erasure', () => {
  it('retention removes runs older than the limit, keeps held runs, and the chain still verifies', async () => {
    const { store, call, old, recent, trace, now } = await setup();
    const created = await call(tokens.investigator, 'POST', '/api/cases', {
      name: 'Refund incident',
      note: 'customer complaint',
      traceIds: [trace(old[1])],
      hold: { reason: 'litigation' },
    });
    expect(created.status).toBe(201);
    const held = caseSchema.parse(await created.json());
    expect(held.hold).toMatchObject({ by: 'investigator user', reason: 'litigation' });

    const policy = await call(tokens.admin, 'PUT', '/api/retention', { days: 35 });
    expect(await policy.json()).toEqual({ days: 35, defaultDays: 30, effectiveDays: 35 });
    const ran = await call(tokens.admin, 'POST', '/api/retention/run');
    expect(ran.status).toBe(200);
    const outcome = (await ran.json()) as { days: number; beforeNs: string; keptTraceIds: string[] };
    expect(outcome).toMatchObject({ days: 35, keptTraceIds: [trace(old[1])] });
    expect(BigInt(outcome.beforeNs)).toBe(dayStartNs(utcDay(now - 35n * NS_PER_DAY)));

    expect(await store.getRun(P, trace(old[0]))).toEqual([]);
    expect(await store.getRun(P, trace(old[1]))).toHaveLength(5);
    for (const run of recent) expect(await store.getRun(P, trace(run))).toHaveLength(5);
    const report = integrityReportSchema.parse(await (await call(tokens.investigator, 'GET', '/api/integrity')).json());
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, droppedSpans: 5, checked: { runs: 3, spans: 15 } });

    // Released, the held run goes at the next pass, and the chain still verifies.
    expect((await call(tokens.investigator, 'DELETE', `/api/cases/${held.id}/hold`)).status).toBe(403);
    const released = await call(tokens.admin, 'DELETE', `/api/cases/${held.id}/hold`);
    expect(caseSchema.parse(await released.json()).hold).toBeNull();
    await call(tokens.admin, 'POST', '/api/retention/run');
    expect(await store.getRun(P, trace(old[1]))).toEqual([]);
    const after = integrityReportSchema.parse(await (await call(tokens.investigator, 'GET', '/api/integrity')).json());
    expect(after).toMatchObject({ ok: true, droppedSpans: 10 });

    const trail = (await (await call(tokens.viewer, 'GET', `/api/cases/${held.id}`)).json()) as {
      audit: { action: string; actor: string }[];
    };
    expect(trail.audit.map((e) => `${e.action} by ${e.actor}`)).toEqual([
      'case.release by admin user',
      'case.hold by investigator user',
      'case.create by investigator user',
    ]);
  });

  it('erasure of one e-mail address removes it from every run, search by value then finds nothing, and the chain verifies', async () => {
    const { store, call, old, recent, trace } = await setup();
    const before = (await (
      await call(tokens.investigator, 'POST', '/api/search/by-value', { value: EMAIL })
    ).json()) as {
      runs: { traceId: string }[];
    };
    expect(before.runs.map((r) => r.traceId).sort()).toEqual([trace(old[0]), trace(recent[0])].sort());

    const res = await call(tokens.admin, 'POST', '/api/erasure', { value: EMAIL.toUpperCase() });
    expect(res.status).toBe(200);
    const answer = erasureAnswerSchema.parse(await res.json());
    expect(answer).toMatchObject({ kind: 'email', spans: 2 });
    expect(answer.runs.sort()).toEqual([trace(old[0]), trace(recent[0])].sort());

    const after = (await (
      await call(tokens.investigator, 'POST', '/api/search/by-value', { value: EMAIL })
    ).json()) as {
      runs: unknown[];
    };
    expect(after.runs).toEqual([]);
    const stored = JSON.stringify([...store.steps.values()].map((s) => [s.runInput, s.toolArguments, s.attributes]));
    expect(stored).not.toContain(answer.tokens[0]?.slice(0, -1));
    expect(stored).toContain('[email:erased]');
    const report = integrityReportSchema.parse(await (await call(tokens.investigator, 'GET', '/api/integrity')).json());
    expect(report).toMatchObject({ ok: true, erasedSpans: 2 });

    const record = (await (await call(tokens.admin, 'GET', '/api/erasure')).json()) as {
      erasures: { target: string }[];
    };
    expect(record.erasures.map((e) => e.target)).toEqual([answer.id]);
    expect(JSON.stringify(record)).not.toContain('kowalska');
  });

  it('refuses bad input with a clear 4xx and keeps erasure and releases to admins', async () => {
    const { call, trace, recent } = await setup();
    const missing = await call(tokens.investigator, 'POST', '/api/cases', {
      name: 'x',
      traceIds: [newTraceId()],
      hold: { reason: 'audit' },
    });
    expect(missing.status).toBe(404);
    expect(await messageOf(missing)).toMatch(/run [0-9a-f]{32} not found/);
    const holdMissing = await call(tokens.investigator, 'POST', '/api/cases/case_nope/hold', { reason: 'audit' });
    expect(holdMissing.status).toBe(404);
    expect(await messageOf(holdMissing)).toMatch(/case not found: case_nope/);
    const noReason = await call(tokens.investigator, 'POST', '/api/cases', {
      name: 'x',
      traceIds: [trace(recent[0])],
      hold: { reason: ' ' },
    });
    expect(noReason.status).toBe(400);
    expect(await messageOf(noReason)).toMatch(/a hold needs a reason/);
    const noRuns = await call(tokens.investigator, 'POST', '/api/cases', { name: 'x', traceIds: [] });
    expect(await messageOf(noRuns)).toMatch(/at least one run/);

    const empty = await call(tokens.admin, 'POST', '/api/erasure', { value: '   ' });
    expect(empty.status).toBe(400);
    expect(await messageOf(empty)).toMatch(/value must not be empty/);
    const phrase = await call(tokens.admin, 'POST', '/api/erasure', { value: 'the customer from Tuesday' });
    expect(phrase.status).toBe(400);
    expect(await messageOf(phrase)).toMatch(/not one datum/);
    for (const token of [tokens.investigator, tokens.viewer]) {
      expect((await call(token, 'POST', '/api/erasure', { value: EMAIL })).status).toBe(403);
      expect((await call(token, 'PUT', '/api/retention', { days: 1 })).status).toBe(403);
    }
    expect((await call(tokens.viewer, 'POST', '/api/cases', { name: 'x', traceIds: [trace(recent[0])] })).status).toBe(
      403,
    );
    const zero = await call(tokens.admin, 'PUT', '/api/retention', { days: 0 });
    expect(zero.status).toBe(400);
    expect(await messageOf(zero)).toMatch(/days must be at least 1/);

    const plain = caseSchema.parse(
      await (await call(tokens.investigator, 'POST', '/api/cases', { name: 'x', traceIds: [trace(recent[0])] })).json(),
    );
    const notHeld = await call(tokens.admin, 'DELETE', `/api/cases/${plain.id}/hold`);
    expect(notHeld.status).toBe(400);
    expect(await messageOf(notHeld)).toMatch(/is not on hold/);
  });
});

import { detectionAuditSchema, detectionSettingsSchema, findingPageSchema, runDetailSchema } from '@casefile/contract';
import { beforeEach, describe, expect, it } from 'vitest';
import { llmStep, makeRun, toolStep } from '../detect/steps.fixtures.js';
import { createDetectionState } from '../ingest/detection-state.js';
import { createDetectionWorker, type DetectionWorker } from '../ingest/detection-worker.js';
import type { Step } from '../model/step.js';
import { findingId, type StoredFinding } from '../store/findings.js';
import { createMemoryStore } from '../testing/memory-store.js';
import { createTestApp, logins } from '../testing/test-app.js';

const P = 'proj-test';
const TOKENS = {
  admin: 'cf_login_admin_0123456789',
  investigator: 'cf_login_invest_0123456789',
  viewer: 'cf_login_view_0123456789',
};
const TRACE = 'c'.repeat(32);

async function setup() {
  const store = createMemoryStore();
  const detection = createDetectionState(store);
  const worker: DetectionWorker = createDetectionWorker(store, detection, { delayMs: 0 });
  const writer = {
    write: async (steps: Step[]) => {
      await store.writeSteps(steps);
      worker.notify(steps);
    },
  };
  const { request } = await createTestApp({ project: P, store, writer, detection, credentials: logins(TOKENS) });
  const call = (role: keyof typeof TOKENS, path: string, init: RequestInit = {}) => request(TOKENS[role], path, init);
  return { store, worker, writer, call };
}

function finding(n: number, over: Partial<StoredFinding> = {}): StoredFinding {
  const base = {
    projectId: P,
    traceId: TRACE,
    spanId: n.toString(16).padStart(16, '0'),
    ruleId: n % 2 === 0 ? 'destination.new' : 'version.missing',
    severity: n % 2 === 0 ? ('high' as const) : ('low' as const),
    reason: `reason ${n}`,
    evidence: `evidence ${n}`,
    details: n % 2 === 0 ? { tool: 'send_email', destination: `partner-${n}.example` } : {},
    agentName: 'support-bot',
    toolName: n % 2 === 0 ? 'send_email' : '',
    status: 'open' as const,
    createdNs: 1_000n + BigInt(n),
    ...over,
  };
  return { ...base, id: findingId(base) };
}

describe('findings API', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    ctx = await setup();
    await ctx.store.writeSteps(makeRun([llmStep()], { traceId: TRACE }).map((s) => ({ ...s, traceId: TRACE })));
    // The fixture run keeps the findings below: it counts as detected already.
    await ctx.store.markDetected(await ctx.store.pendingDetections({ sinceNs: 0n, untilNs: 2n ** 63n, limit: 10 }));
    await ctx.store.replaceFindings(
      P,
      TRACE,
      [1, 2, 3, 4, 5].map((n) => finding(n)),
    );
  });

  it('lists findings newest first, filtered and paged', async () => {
    const res = await ctx.call('viewer', '/api/findings?limit=2');
    expect(res.status).toBe(200);
    const first = findingPageSchema.parse(await res.json());
    expect(first.findings.map((f) => f.createdNs)).toEqual(['1005', '1004']);
    const second = findingPageSchema.parse(
      await (await ctx.call('viewer', `/api/findings?limit=2&cursor=${first.nextCursor}`)).json(),
    );
    expect(second.findings.map((f) => f.createdNs)).toEqual(['1003', '1002']);

    const high = findingPageSchema.parse(
      await (await ctx.call('viewer', '/api/findings?severity=high&tool=send_email')).json(),
    );
    expect(high.findings.map((f) => f.ruleId)).toEqual(['destination.new', 'destination.new']);
    const byRule = await ctx.call('viewer', `/api/findings?rule=version.missing&traceId=${TRACE}`);
    expect(findingPageSchema.parse(await byRule.json()).findings).toHaveLength(3);

    const bad = await ctx.call('viewer', '/api/findings?severity=urgent');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/severity must be one of low/);
  });

  it('returns a run with its findings and their open count', async () => {
    const res = await ctx.call('viewer', `/api/runs/${TRACE}`);
    const detail = runDetailSchema.parse(await res.json());
    expect(detail.findings).toHaveLength(5);
    expect(detail.run.findingCount).toBe(2); // the two high ones; low findings are listed, not counted
    expect(detail.findings?.[0]?.evidence).toBe('evidence 5');
  });

  it('lets an investigator mark a finding expected, which teaches the baseline and is audited', async () => {
    const target = finding(2);
    const path = `/api/findings/${target.id}/status`;
    const denied = await ctx.call('viewer', path, { method: 'POST', body: '{"status":"expected"}' });
    expect(denied.status).toBe(403);

    const res = await ctx.call('investigator', path, { method: 'POST', body: '{"status":"expected"}' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { finding: { status: string } }).finding.status).toBe('expected');
    const baseline = JSON.parse((await ctx.store.getBaseline(P)) as string);
    expect(baseline.agents['support-bot'].tools.send_email.destinations).toContain('partner-2.example');
    const run = runDetailSchema.parse(await (await ctx.call('viewer', `/api/runs/${TRACE}`)).json());
    expect(run.run.findingCount).toBe(1);

    const audit = detectionAuditSchema.parse(await (await ctx.call('admin', '/api/detection/audit')).json());
    expect(audit.entries[0]).toMatchObject({ actor: 'investigator user', action: 'finding.status', target: target.id });

    const unknown = await ctx.call('investigator', `/api/findings/${'f'.repeat(32)}/status`, {
      method: 'POST',
      body: '{"status":"muted"}',
    });
    expect(unknown.status).toBe(404);
    const badStatus = await ctx.call('investigator', path, { method: 'POST', body: '{"status":"fixed"}' });
    expect(badStatus.status).toBe(400);
  });

  it('validates, stores and audits detection settings (admin only)', async () => {
    const settings = {
      disabledRules: ['version.missing'],
      mutes: [{ ruleId: 'destination.new', tool: 'send_email' }],
      severityOverrides: { 'version.unpinned_model': 'low' },
      thresholds: { baseline: { minRuns: 5 }, dataUrl: { trustedHosts: ['*.acme-cdn.example'] } },
    };
    const put = (role: keyof typeof TOKENS, body: unknown) =>
      ctx.call(role, '/api/detection/settings', { method: 'PUT', body: JSON.stringify(body) });

    expect((await put('investigator', settings)).status).toBe(403);
    expect((await put('admin', settings)).status).toBe(200);
    const got = (await (await ctx.call('admin', '/api/detection/settings')).json()) as { settings: unknown };
    expect(detectionSettingsSchema.parse(got.settings)).toEqual(settings);

    const unknownRule = await put('admin', { disabledRules: ['no.such_rule'] });
    expect(unknownRule.status).toBe(400);
    expect(((await unknownRule.json()) as { message: string }).message).toMatch(
      /disabledRules: unknown rule "no.such_rule"/,
    );
    const wrongType = await put('admin', { thresholds: { baseline: { minRuns: -1 } }, extra: 1 });
    expect(wrongType.status).toBe(400);
    const message = ((await wrongType.json()) as { message: string }).message;
    expect(message).toMatch(/thresholds\.baseline\.minRuns/);
    expect(message).toMatch(/extra/);
    const notJson = await ctx.call('admin', '/api/detection/settings', { method: 'PUT', body: '{nope' });
    expect(notJson.status).toBe(400);

    const audit = detectionAuditSchema.parse(await (await ctx.call('admin', '/api/detection/audit')).json());
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({ actor: 'admin user', action: 'settings.update' });
    expect(JSON.parse(audit.entries[0]?.detail as string)).toEqual(settings);
  });

  it('applies new settings to the next detection', async () => {
    const res = await ctx.call('admin', '/api/detection/settings', {
      method: 'PUT',
      body: JSON.stringify({ mutes: [{ ruleId: 'outbound.sensitive_data', tool: 'send_email' }] }),
    });
    expect(res.status).toBe(200);
    const traceId = 'd'.repeat(32);
    const send = toolStep('send_email', 'external', {
      to: 'ops@partner.example',
      body: 'Customers: [email:0a0b0c0d], [email:1a1b1c1d], [email:2a2b2c2d], [aws_key:9f8e7d6c]',
    });
    await ctx.writer.write(makeRun([llmStep(), send], { traceId }).map((s) => ({ ...s, traceId })));
    await expect.poll(() => ctx.worker.detected, { timeout: 3000 }).toBe(1);
    await ctx.worker.close();
    const page = findingPageSchema.parse(await (await ctx.call('viewer', `/api/findings?traceId=${traceId}`)).json());
    expect(page.findings.length).toBeGreaterThan(0); // other rules still report (e.g. no approval)
    expect(page.findings.map((f) => f.ruleId)).not.toContain('outbound.sensitive_data');
  });
});

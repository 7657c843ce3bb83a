import { afterEach, beforeEach, expect } from 'vitest';
import { buildRun, DAY0, newTraceId } from './conformance.fixtures.js';
import { findingId, type StoredFinding } from './findings.js';
import type { TraceStore } from './port.js';
import type { StoreSuite } from './suite-harness.suite.js';

/** Findings, baselines, detection settings and the detection audit log: every adapter passes these. */
export const findingsSuite: StoreSuite = {
  name: 'findings',
  register({ makeStore, purge, test }) {
    let store: TraceStore;
    const P = 'proj-a';
    const Q = 'proj-b';

    beforeEach(async () => {
      store = await makeStore();
      await store.migrate();
      await store.migrate();
    });
    afterEach(async () => {
      await purge(store);
    });

    const finding = (traceId: string, n: number, over: Partial<StoredFinding> = {}): StoredFinding => {
      const base = {
        projectId: P,
        traceId,
        spanId: `${traceId.slice(-8)}${n.toString(16).padStart(8, '0')}`,
        ruleId: n % 2 === 0 ? 'outbound.sensitive_data' : 'untrusted.instructions',
        severity: n % 2 === 0 ? ('critical' as const) : ('medium' as const),
        reason: `Reason ${n} with 'quotes' and \\ backslash`,
        evidence: `send [email:7f3a9c1b] ✓ ${n}`,
        evidenceStart: 5,
        evidenceEnd: 21,
        details: { tool: 'send_email', count: n },
        agentName: 'support',
        toolName: n % 2 === 0 ? 'send_email' : '',
        status: 'open' as const,
        createdNs: DAY0 + BigInt(n),
        ...over,
      };
      return { ...base, id: findingId(base) };
    };

    test('replaces the findings of many runs in one write, the last entry of a run winning', async () => {
      const a = buildRun({ projectId: P, startNs: DAY0 });
      const b = buildRun({ projectId: P, startNs: DAY0 + 10n });
      const c = buildRun({ projectId: Q, startNs: DAY0 + 20n });
      await store.writeSteps([...a, ...b, ...c]);
      const [ta, tb, tc] = [a, b, c].map((steps) => steps[0]?.traceId as string) as [string, string, string];
      await store.replaceFindings(P, ta, [finding(ta, 1), finding(ta, 2)]);

      await store.replaceRunFindings([
        { projectId: P, traceId: ta, findings: [finding(ta, 3)] },
        { projectId: P, traceId: tb, findings: [finding(tb, 4), finding(tb, 5, { severity: 'low' })] },
        { projectId: Q, traceId: tc, findings: [finding(tc, 6, { projectId: Q })] },
        { projectId: P, traceId: tb, findings: [finding(tb, 7)] },
      ]);
      await store.replaceRunFindings([]);
      const byRun = await store.listRunFindings(P, [ta, tb, tc, newTraceId()]);
      expect([...byRun.keys()].sort()).toEqual([ta, tb].sort());
      expect(byRun.get(tb)).toEqual((await store.listFindings(P, { traceId: tb, limit: 10 })).findings);

      const ids = async (project: string, traceId: string) =>
        (await store.listFindings(project, { traceId, limit: 10 })).findings.map((f) => f.reason).sort();
      expect(await ids(P, ta)).toEqual([finding(ta, 3).reason]);
      expect(await ids(P, tb)).toEqual([finding(tb, 7).reason]);
      expect(await ids(Q, tc)).toEqual([finding(tc, 6).reason]);
      const runs = (await store.listRuns(P, { limit: 10 })).runs;
      expect(Object.fromEntries(runs.map((r) => [r.traceId, r.findingCount]))).toEqual({ [ta]: 1, [tb]: 1 });
    });

    test('replaces a run’s findings as a whole and counts open ones of medium or above in the run summary', async () => {
      const steps = buildRun({ projectId: P, startNs: DAY0, toolName: 'send_email' });
      const other = buildRun({ projectId: P, startNs: DAY0 + 10n });
      await store.writeSteps([...steps, ...other]);
      const traceId = steps[0]?.traceId as string;

      await store.replaceFindings(P, traceId, [finding(traceId, 1), finding(traceId, 2), finding(traceId, 3)]);
      await store.replaceFindings(P, traceId, [finding(traceId, 1), finding(traceId, 2), finding(traceId, 3)]);
      // A low finding is listed but not counted.
      await store.replaceFindings(P, traceId, [
        finding(traceId, 2),
        finding(traceId, 4),
        finding(traceId, 6, { severity: 'low' }),
      ]);

      const { findings } = await store.listFindings(P, { traceId, limit: 10 });
      expect(findings.map((f) => f.createdNs)).toEqual([DAY0 + 6n, DAY0 + 4n, DAY0 + 2n]);
      expect(findings[2]).toEqual(finding(traceId, 2));
      const counts = (await store.listRuns(P, { limit: 10 })).runs.map((r) => [r.traceId, r.findingCount]);
      expect(counts).toEqual([
        [other[0]?.traceId, 0],
        [traceId, 2],
      ]);
      const [touched] = await store.runsTouching(P, { toolName: 'send_email' }, 10);
      expect(touched?.findingCount).toBe(2);
      // The worst open severity, low included, stands beside the count.
      const worst = (await store.listRuns(P, { limit: 10 })).runs.map((r) => [r.traceId, r.worstSeverity]);
      expect(worst).toEqual([
        [other[0]?.traceId, ''],
        [traceId, 'critical'],
      ]);
      expect(touched?.worstSeverity).toBe('critical');
      await store.replaceFindings(P, traceId, [finding(traceId, 6, { severity: 'low' })]);
      expect((await store.listRuns(P, { limit: 10 })).runs.map((r) => [r.findingCount, r.worstSeverity])).toEqual([
        [0, ''],
        [0, 'low'],
      ]);

      await store.replaceFindings(P, traceId, []);
      expect((await store.listFindings(P, { limit: 10 })).findings).toEqual([]);
      expect((await store.listRuns(P, { limit: 10 })).runs.map((r) => r.findingCount)).toEqual([0, 0]);
    });

    test('filters and pages findings, newest first, within one project', async () => {
      const a = newTraceId();
      const b = newTraceId();
      await store.replaceFindings(
        P,
        a,
        [1, 2, 3, 4].map((n) => finding(a, n)),
      );
      await store.replaceFindings(P, b, [finding(b, 5, { agentName: 'billing' }), finding(b, 6)]);
      await store.replaceFindings(Q, a, [finding(a, 9, { projectId: Q })]);
      const ids = async (q: Parameters<TraceStore['listFindings']>[1], project = P) =>
        (await store.listFindings(project, q)).findings.map(
          (f) => `${f.traceId === a ? 'a' : 'b'}${f.createdNs - DAY0}`,
        );

      expect(await ids({ limit: 10 })).toEqual(['b6', 'b5', 'a4', 'a3', 'a2', 'a1']);
      expect(await ids({ limit: 10, traceId: b })).toEqual(['b6', 'b5']);
      expect(await ids({ limit: 10, ruleId: 'untrusted.instructions' })).toEqual(['b5', 'a3', 'a1']);
      expect(await ids({ limit: 10, severity: 'critical' })).toEqual(['b6', 'a4', 'a2']);
      expect(await ids({ limit: 10, agentName: 'billing' })).toEqual(['b5']);
      expect(await ids({ limit: 10, toolName: 'send_email' })).toEqual(['b6', 'a4', 'a2']);
      expect(await ids({ limit: 10, fromNs: DAY0 + 2n, toNs: DAY0 + 4n })).toEqual(['a3', 'a2']);
      expect(await ids({ limit: 10, ruleId: "x' OR 1=1 --" })).toEqual([]);
      expect(await ids({ limit: 10 }, Q)).toEqual(['a9']);

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listFindings(P, { limit: 4, cursor });
        seen.push(...page.findings.map((f) => f.id));
        cursor = page.nextCursor;
      } while (cursor && seen.length < 20);
      const all = (await store.listFindings(P, { limit: 10 })).findings.map((f) => f.id);
      expect(seen).toEqual(all);
      expect(new Set(seen).size).toBe(6);
    });

    test('updates a finding’s status and the open count follows', async () => {
      const steps = buildRun({ projectId: P, startNs: DAY0 });
      await store.writeSteps(steps);
      const traceId = steps[0]?.traceId as string;
      const [f1, f2] = [finding(traceId, 1), finding(traceId, 2)];
      await store.replaceFindings(P, traceId, [f1, f2]);

      expect(await store.setFindingStatus(P, f1.id, 'expected')).toEqual({ ...f1, status: 'expected' });
      expect(await store.setFindingStatus(Q, f2.id, 'muted')).toBeUndefined();
      expect(await store.setFindingStatus(P, 'f'.repeat(32), 'muted')).toBeUndefined();
      expect((await store.listFindings(P, { limit: 10, status: 'open' })).findings.map((f) => f.id)).toEqual([f2.id]);
      expect((await store.listRuns(P, { limit: 1 })).runs[0]?.findingCount).toBe(1);
      // f2 (critical) is muted: the worst open one left is f1's medium… which is expected, so none.
      await store.setFindingStatus(P, f2.id, 'muted');
      expect((await store.listRuns(P, { limit: 1 })).runs[0]?.worstSeverity).toBe('');
      await store.setFindingStatus(P, f1.id, 'open');
      expect((await store.listRuns(P, { limit: 1 })).runs[0]?.worstSeverity).toBe('medium');
    });

    test('drops the findings of runs removed by retention', async () => {
      const old = buildRun({ projectId: P, startNs: DAY0 - 10n * 86_400_000_000_000n });
      const fresh = buildRun({ projectId: P, startNs: DAY0 + 3_600_000_000_000n });
      await store.writeSteps([...old, ...fresh]);
      const [o, f] = [old[0]?.traceId as string, fresh[0]?.traceId as string];
      await store.replaceFindings(P, o, [finding(o, 2)]);
      await store.replaceFindings(P, f, [finding(f, 4)]);
      await store.purgeBefore(P, DAY0);
      expect((await store.listFindings(P, { limit: 10 })).findings.map((x) => x.traceId)).toEqual([f]);
      expect((await store.listRuns(P, { limit: 10 })).runs.map((r) => r.findingCount)).toEqual([1]);
    });

    test('keeps one baseline and one settings document per project, and an append-only audit log', async () => {
      expect(await store.getBaseline(P)).toBeUndefined();
      expect(await store.getDetectionSettings(P)).toBeUndefined();
      const big = JSON.stringify({ runs: 3, tools: { "o'k\\": { d: 'x'.repeat(300_000) } } });
      await store.putBaseline(P, '{"runs":1}');
      await store.putBaseline(P, big);
      await store.putDetectionSettings(P, '{"disabledRules":["version.missing"]}');
      await store.putDetectionSettings(Q, '{}');
      expect(await store.getBaseline(P)).toBe(big);
      expect(await store.getBaseline(Q)).toBeUndefined();
      expect(await store.getDetectionSettings(P)).toBe('{"disabledRules":["version.missing"]}');

      for (let i = 0; i < 3; i++) {
        await store.recordDetectionAudit({
          projectId: P,
          timeNs: DAY0 + BigInt(i),
          actor: `admin ${i}`,
          action: 'settings.update',
          target: 'settings',
          detail: `{"n":${i}}`,
        });
      }
      await store.recordDetectionAudit({
        projectId: Q,
        timeNs: DAY0,
        actor: 'q',
        action: 'settings.update',
        target: 'settings',
        detail: '{}',
      });
      const log = await store.listDetectionAudit(P, 2);
      expect(log).toEqual([
        {
          projectId: P,
          timeNs: DAY0 + 2n,
          actor: 'admin 2',
          action: 'settings.update',
          target: 'settings',
          detail: '{"n":2}',
        },
        {
          projectId: P,
          timeNs: DAY0 + 1n,
          actor: 'admin 1',
          action: 'settings.update',
          target: 'settings',
          detail: '{"n":1}',
        },
      ]);
    });
  },
};

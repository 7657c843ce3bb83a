import { afterEach, beforeEach, expect } from 'vitest';
import { buildEntry, genesisHash, pendingLeaf } from '../evidence/chain.js';
import { createChainRecorder } from '../evidence/chain-recorder.js';
import { verifyIntegrity } from '../evidence/verify.js';
import type { Step } from '../model/step.js';
import { awkwardStep, buildRun, DAY0, NS_PER_DAY, newTraceId } from './conformance.fixtures.js';
import { heldTraceIds, type StoredCase, utcDay } from './evidence.js';
import type { TraceStore } from './port.js';
import type { StoreSuite } from './suite-harness.suite.js';

/**
 * The evidence records on every store: the hash chain round-trips and verifies; an attribute edited
 * in the database behind the store's back is named by verification; retention keeps held runs and
 * leaves a chain that still verifies; a rewrite (erasure) replaces old content everywhere; cases,
 * the evidence audit log and retention policies are kept.
 */
function traceOf(run: readonly Step[] | undefined): string {
  const first = run?.[0];
  if (!first) throw new Error('an empty run');
  return first.traceId;
}

export const evidenceSuite: StoreSuite = {
  name: 'evidence',
  register({ makeStore, purge, test, options }) {
    let store: TraceStore;
    const P = 'proj-e';
    const Q = 'proj-f';

    beforeEach(async () => {
      store = await makeStore();
      await store.migrate();
    });
    afterEach(async () => {
      await purge(store);
    });

    /** Writes steps and records them in the chain as the collector does once a batch is durable. */
    const ingest = async (steps: Step[]) => {
      const recorder = createChainRecorder({ store, collectorId: 'suite' });
      await store.writeSteps(steps);
      recorder.record(steps);
      await recorder.close();
    };
    const verify = (projectId = P, scope = {}) => verifyIntegrity(store, projectId, scope);

    test('stores entries and leaves, reads a retried append back once, and answers by key, head and run', async () => {
      const run = buildRun({ projectId: P, startNs: DAY0 });
      const traceId = (run[0] as Step).traceId;
      const first = buildEntry({
        projectId: P,
        chainId: 'c1',
        seq: 0n,
        kind: 'batch',
        timeNs: DAY0,
        collectorId: 'col',
        prevHash: genesisHash(P, 'c1'),
        detail: '',
        leaves: run.map(pendingLeaf),
      });
      const second = buildEntry({
        projectId: P,
        chainId: 'c1',
        seq: 1n,
        kind: 'retention',
        timeNs: DAY0 + 1n,
        collectorId: 'col',
        prevHash: first.entry.hash,
        detail: '{"beforeNs":"1"}',
        leaves: [],
      });
      await store.appendChain([first.entry], first.leaves);
      await store.appendChain([first.entry], first.leaves); // a retry after a lost answer
      await store.appendChain([second.entry], []);
      const other = buildEntry({
        ...{
          projectId: Q,
          chainId: 'c1',
          seq: 0n,
          kind: 'batch',
          timeNs: DAY0,
          collectorId: 'col',
          prevHash: '',
          detail: '',
        },
        leaves: [],
      });
      await store.appendChain([other.entry], []);

      expect(await store.listChainEntries(P, { limit: 10 })).toEqual([first.entry, second.entry]);
      expect(await store.listChainEntries(P, { kind: 'retention', limit: 10 })).toEqual([second.entry]);
      expect(await store.listChainEntries(P, { chainId: 'c1', afterSeq: 0n, limit: 10 })).toEqual([second.entry]);
      expect(
        await store.getChainEntries(P, [
          { chainId: 'c1', seq: 0n },
          { chainId: 'nope', seq: 0n },
        ]),
      ).toEqual([first.entry]);
      expect(await store.chainHeads(P)).toEqual([second.entry]);
      expect(await store.chainHeads('unknown')).toEqual([]);
      const leaves = await store.chainLeaves(P, [traceId, newTraceId()]);
      expect(leaves.map((l) => l.spanId).sort()).toEqual(run.map((s) => s.spanId).sort());
      expect(leaves[0]?.day).toBe(utcDay(DAY0));
      expect(await store.chainLeaves(Q, [traceId])).toEqual([]);
      expect(await store.integrityTraceIds(P, { limit: 10 })).toEqual([traceId]);
    });

    test('an untouched store verifies; one attribute edited in the database fails verification naming that span', async () => {
      const runs = [0, 1, 2].map((i) => buildRun({ projectId: P, startNs: DAY0 + BigInt(i) * NS_PER_DAY }));
      const awkward = awkwardStep(P, newTraceId());
      await ingest([...runs.flat(), awkward]);
      await ingest(buildRun({ projectId: Q, startNs: DAY0 }));

      const clean = await verify();
      expect(clean.problems).toEqual([]);
      expect(clean.ok).toBe(true);
      expect(clean.checked).toMatchObject({ runs: 4, spans: 16, chains: 1 });
      expect((await verify(P, { traceId: awkward.traceId })).ok).toBe(true);
      // A range is on run starts, its upper bound exclusive: a range ending at midnight leaves the next day out.
      const firstDay = await store.integrityTraceIds(P, { fromNs: DAY0, toNs: DAY0 + NS_PER_DAY, limit: 10 });
      expect(firstDay).toContain(traceOf(runs[0]));
      expect(firstDay).not.toContain(traceOf(runs[1]));

      if (!options.tamperSpan) throw new Error('this store names no way to edit a span behind its back');
      const victim = runs[1]?.[4] as Step;
      store = await options.tamperSpan(store, {
        projectId: P,
        traceId: victim.traceId,
        spanId: victim.spanId,
        key: 'gen_ai.tool.call.arguments',
        value: '{"order":"4412"}',
      });
      const tampered = await verify();
      expect(tampered.ok).toBe(false);
      expect(tampered.problems).toEqual([
        expect.objectContaining({ kind: 'span_altered', traceId: victim.traceId, spanId: victim.spanId }),
      ]);
      expect(tampered.problems[0]?.message).toContain(victim.spanId);
      const runOnly = await verify(P, { traceId: victim.traceId });
      expect(runOnly.problems.map((p) => p.spanId)).toEqual([victim.spanId]);
      expect((await verify(P, { traceId: traceOf(runs[0]) })).ok).toBe(true);
      expect((await verify(Q)).ok).toBe(true);
    });

    test('a span written behind the recorder is reported as unrecorded', async () => {
      await ingest(buildRun({ projectId: P, startNs: DAY0 }));
      const forged = buildRun({ projectId: P, startNs: DAY0 + 5n });
      await store.writeSteps(forged);
      const report = await verify();
      expect(report.problems.map((p) => p.kind)).toEqual(Array(5).fill('span_unrecorded'));
      expect(new Set(report.problems.map((p) => p.traceId))).toEqual(new Set([(forged[0] as Step).traceId]));
    });

    test('retention keeps held runs and their leaves, and the chain verifies over what remains', async () => {
      const old = [0, 1, 2].map((i) => buildRun({ projectId: P, startNs: DAY0 + BigInt(i) * 1_000_000_000n }));
      const recent = buildRun({ projectId: P, startNs: DAY0 + 3n * NS_PER_DAY });
      await ingest([...old.flat(), ...recent]);
      const held = traceOf(old[1]);
      const cutoff = DAY0 + 2n * NS_PER_DAY;

      await store.purgeBefore(P, cutoff, { keepTraceIds: new Set([held]) });
      expect(await store.getRun(P, traceOf(old[0]))).toEqual([]);
      expect(await store.getRun(P, held)).toHaveLength(5);
      expect(await store.chainLeaves(P, [held])).toHaveLength(5);
      expect(await store.chainLeaves(P, [traceOf(old[0])])).toEqual([]);

      // Without a tombstone the runs that retention removed look deleted.
      const before = await verify();
      expect(before.problems.map((p) => p.kind)).toEqual(['run_missing', 'run_missing']);

      const recorder = createChainRecorder({ store, collectorId: 'retention' });
      await recorder.appendEvent(P, 'retention', { beforeNs: cutoff.toString(), keptTraceIds: [held] });
      await recorder.close();
      const after = await verify();
      expect(after.problems).toEqual([]);
      expect(after.droppedSpans).toBe(10);
      expect(after.checked.spans).toBe(10);
    });

    test('a rewrite replaces the old content in the run, its summary and search, and verifies as erased', async () => {
      const token = '[email:7f3a9c12@globex.example]';
      const run = buildRun({ projectId: P, startNs: DAY0, input: `refund for ${token}` });
      (run[4] as Step).toolArguments = `{"to":"${token}"}`;
      await ingest(run);
      const traceId = (run[0] as Step).traceId;
      expect((await store.listRuns(P, { text: token, limit: 10 })).runs).toHaveLength(1);

      const erased = run
        .filter((s) => s.runInput.includes(token) || s.toolArguments.includes(token))
        .map((s) => ({
          ...s,
          runInput: s.runInput.replaceAll(token, '[email:erased]'),
          toolArguments: s.toolArguments.replaceAll(token, '[email:erased]'),
        }));
      await store.rewriteSpans(P, erased);
      const recorder = createChainRecorder({ store, collectorId: 'erasure' });
      await recorder.appendEvent(P, 'erasure', { spans: erased.length }, erased);
      await recorder.close();

      const stored = await store.getRun(P, traceId);
      expect(stored).toHaveLength(5);
      expect(JSON.stringify(stored, (_, v) => (typeof v === 'bigint' ? v.toString() : v))).not.toContain('7f3a9c12');
      expect((await store.listRuns(P, { text: '7f3a9c12', limit: 10 })).runs).toEqual([]);
      const [summary] = (await store.listRuns(P, { limit: 10 })).runs;
      expect(summary?.runInput).toBe('refund for [email:erased]');
      expect(summary?.stepCount).toBe(5);
      const report = await verify();
      expect(report.problems).toEqual([]);
      expect(report.erasedSpans).toBe(2);
    });

    test('keeps cases with their holds, the evidence audit log and retention policies', async () => {
      const c: StoredCase = {
        projectId: P,
        id: 'case-1',
        name: "Refund 'incident' 🙂",
        note: 'line 1\nline 2',
        owner: 'alice',
        createdNs: DAY0,
        updatedNs: DAY0,
        traceIds: [newTraceId(), newTraceId()],
        hold: null,
      };
      await store.putCase(c);
      await store.putCase({ ...c, id: 'case-2', createdNs: DAY0 + 1n, traceIds: [newTraceId()] });
      const held = { ...c, updatedNs: DAY0 + 5n, hold: { by: 'admin', sinceNs: DAY0 + 5n, reason: 'litigation' } };
      await store.putCase(held);
      expect(await store.getCase(P, 'case-1')).toEqual(held);
      expect(await store.getCase(Q, 'case-1')).toBeUndefined();
      const cases = await store.listCases(P);
      expect(cases.map((x) => x.id)).toEqual(['case-2', 'case-1']);
      expect(heldTraceIds(cases)).toEqual(new Set(c.traceIds));

      for (const [i, action] of ['case.create', 'case.hold', 'case.release'].entries()) {
        await store.recordEvidenceAudit({
          projectId: P,
          timeNs: DAY0 + BigInt(i),
          actor: 'alice',
          action,
          target: 'case-1',
          detail: '{}',
        });
      }
      await store.recordEvidenceAudit({
        projectId: P,
        timeNs: DAY0,
        actor: 'bob',
        action: 'case.create',
        target: 'case-2',
        detail: '{}',
      });
      const trail = await store.listEvidenceAudit(P, { target: 'case-1', limit: 10 });
      expect(trail.map((e) => e.action)).toEqual(['case.release', 'case.hold', 'case.create']);
      expect(await store.listEvidenceAudit(P, { action: 'case.create', limit: 1 })).toHaveLength(1);
      expect(await store.listEvidenceAudit(Q, { limit: 10 })).toEqual([]);

      expect(await store.getRetentionPolicy(P)).toBeUndefined();
      await store.putRetentionPolicy({ projectId: P, days: 30, updatedNs: DAY0, updatedBy: 'admin' });
      await store.putRetentionPolicy({ projectId: P, days: null, updatedNs: DAY0 + 1n, updatedBy: 'admin' });
      expect(await store.getRetentionPolicy(P)).toEqual({
        projectId: P,
        days: null,
        updatedNs: DAY0 + 1n,
        updatedBy: 'admin',
      });
    });
  },
};

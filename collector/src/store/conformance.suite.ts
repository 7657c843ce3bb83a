import { afterEach, beforeEach, expect } from 'vitest';
import type { RunSummary, Step } from '../model/step.js';
import { summarizeRun } from '../model/summarize-run.js';
import { awkwardStep, buildRun, DAY0, NS_PER_DAY, newTraceId, summaryEdgeRuns } from './conformance.fixtures.js';
import type { Credential, RunQuery, TraceStore } from './port.js';
import type { StoreSuite } from './suite-harness.suite.js';

/**
 * The one battery every TraceStore adapter must pass. An adapter's test file only builds a fresh,
 * empty store (`makeStore`) and removes it afterwards (`purge`).
 */
export const coreSuite: StoreSuite = {
  name: 'core',
  register({ makeStore, purge, test, options }) {
    let store: TraceStore;
    const P = 'proj-a';
    const Q = 'proj-b';

    beforeEach(async () => {
      store = await makeStore();
      await store.migrate();
      await store.migrate(); // safe to run on every start
    });
    afterEach(async () => {
      await purge(store);
    });

    const ids = (runs: RunSummary[]) => runs.map((r) => r.traceId);
    const list = async (query: Partial<RunQuery>, projectId = P) =>
      ids((await store.listRuns(projectId, { limit: 100, ...query })).runs);

    test('stores a resent batch once and lets the later write win', async () => {
      const steps = buildRun({ projectId: P, startNs: DAY0 });
      await store.writeSteps(steps);
      await store.writeSteps(steps);
      const renamed = { ...(steps[2] as Step), name: 'chat renamed' };
      await store.writeSteps([renamed, renamed]);

      const run = await store.getRun(P, renamed.traceId);
      expect(run).toHaveLength(5);
      expect(run[2]?.name).toBe('chat renamed');
      const [summary] = (await store.listRuns(P, { limit: 10 })).runs;
      expect(summary?.stepCount).toBe(5);
      expect(summary?.inputTokens).toBe(100);
      expect(summary?.outputTokens).toBe(20);
      expect(await store.runsTouching(P, { toolName: 'lookup_order' }, 10)).toHaveLength(1);
    });

    test('returns every field of every step unchanged, ordered by start then span ID', async () => {
      const traceId = newTraceId();
      const awkward = awkwardStep(P, traceId);
      const sameStart = { ...awkward, spanId: '0000000000000001', name: 'same start, lower span id' };
      const earlier = { ...awkward, spanId: 'ffffffffffffffff', startNs: awkward.startNs - 1n, parentSpanId: 'x' };
      await store.writeSteps([awkward, sameStart, earlier]);

      const run = await store.getRun(P, traceId);
      expect(run.map((s) => s.spanId)).toEqual(['ffffffffffffffff', '0000000000000001', awkward.spanId]);
      expect(run[2]).toEqual(awkward);
      expect(run[2]?.startNs).toBe(DAY0 + 123_456_789n);
      expect(run[2]?.runInput.length).toBe(awkward.runInput.length);
    });

    test('reads many runs at once exactly as one by one, leaving unknown runs and other projects out', async () => {
      const a = buildRun({ projectId: P, startNs: DAY0 });
      const b = buildRun({ projectId: P, startNs: DAY0 + 86_400_000_000_000n * 40n });
      const other = buildRun({ projectId: 'proj-other', startNs: DAY0 });
      const awkward = awkwardStep(P, newTraceId());
      await store.writeSteps([...a, ...b, ...other, awkward]);
      const ids = [a, b, other].map((steps) => steps[0]?.traceId as string);
      const runs = await store.getRuns(P, [...ids, awkward.traceId, newTraceId(), ids[0] as string]);
      expect([...runs.keys()].sort()).toEqual([ids[0], ids[1], awkward.traceId].sort());
      for (const traceId of runs.keys()) expect(runs.get(traceId)).toEqual(await store.getRun(P, traceId));
      expect((await store.getRuns(P, [])).size).toBe(0);
    });

    test('answers a read of just-written runs as a plain read: odd values, spans another client rewrote or added', async () => {
      // The spans of one resource share its attribute map, as the normaliser gives them.
      const resource = { 'service.name': 'support-bot', 'host.name': 'h \uD800', '1': 'one' };
      const a = buildRun({ projectId: P, startNs: DAY0 }).map((s) => ({ ...s, resourceAttributes: resource }));
      const awkward = awkwardStep(P, newTraceId());
      const odd: Step = {
        ...awkward,
        spanId: 'aaaaaaaaaaaa0002',
        name: 'lone \uD800 surrogate',
        documentIds: ['\uDC00', 'ok'],
        attributes: { '10': 'ten', '2': 'two', b: 'lone \uDBFF', 'key \uD800': 'v' },
        events: [{ timeNs: DAY0 + 7n, name: 'e \uD800', attributes: { '1': 'x', z: '\uDC00' } }],
      };
      Object.defineProperty(odd.attributes, '__proto__', { value: 'p', enumerable: true });
      await store.writeSteps([...a, awkward, odd]);
      const ids = [a[0]?.traceId as string, awkward.traceId];
      const same = async () => {
        const recent = await store.getRuns(P, ids, { justWritten: true });
        expect([...recent.keys()].sort()).toEqual([...ids].sort());
        for (const id of ids) expect(recent.get(id)).toEqual(await store.getRun(P, id));
        return recent;
      };
      await same();
      // Another collector writes a newer version of one span, then a span of its own.
      const peer = options.openPeer ? await options.openPeer(store) : store;
      const names = async () => ((await same()).get(ids[0] as string) ?? []).map((s) => s.name);
      try {
        await peer.writeSteps([{ ...(a[2] as Step), name: 'renamed elsewhere' }]);
        expect(await names()).toEqual(
          [...a.slice(0, 2), { name: 'renamed elsewhere' }, ...a.slice(3)].map((s) => s.name),
        );
        await peer.writeSteps([{ ...(a[3] as Step), spanId: 'bbbbbbbbbbbb0001', name: 'added elsewhere' }]);
        expect(await names()).toContain('added elsewhere');
      } finally {
        if (peer !== store) await (options.closePeer ?? ((p) => p.close()))(peer);
      }
      // And this store writes one more span of that run.
      await store.writeSteps([{ ...(a[4] as Step), spanId: 'cccccccccccc0001', name: 'added here' }]);
      expect((await same()).get(ids[0] as string)).toHaveLength(a.length + 2);
    });

    test('derives the run summary from its steps', async () => {
      const steps = buildRun({ projectId: P, startNs: DAY0, status: 'error', model: 'claude-z', inputTokens: null });
      const extraLlm = { ...(steps[2] as Step), spanId: 'abcdefabcdef0001', inputTokens: 7, outputTokens: 3 };
      await store.writeSteps([...steps, extraLlm]);
      const [run] = (await store.listRuns(P, { limit: 10 })).runs;
      expect(run).toEqual({
        traceId: steps[0]?.traceId as string,
        startNs: DAY0,
        endNs: DAY0 + 10_000_000n,
        name: 'invoke_agent support',
        serviceName: 'support-bot',
        agentName: 'support',
        agentVersion: '1.0.0',
        conversationId: steps[0]?.conversationId as string,
        status: 'error',
        stepCount: 6,
        errorCount: 1,
        toolNames: ['lookup_order'],
        promptVersion: 'p-1',
        policyVersion: 'pol-1',
        models: ['claude-z', 'claude-z-2026-01-01'],
        inputTokens: 7,
        outputTokens: 23,
        runInput: 'Where is my order #4411?',
        findingCount: 0,
        runName: '',
        worstSeverity: '',
      } satisfies RunSummary);
    });

    test('names a run by the casefile.run.name its root carries, in the list, the lookups and the run page', async () => {
      const steps = buildRun({ projectId: P, startNs: DAY0, toolName: 'issue_refund' });
      const [root, second] = [steps[0] as Step, steps[1] as Step];
      steps[0] = { ...root, attributes: { ...root.attributes, 'casefile.run.name': 'refund for order #4411' } };
      steps[1] = { ...second, attributes: { ...second.attributes, 'casefile.run.name': 'a sub-agent' } };
      const unnamed = buildRun({ projectId: P, startNs: DAY0 + 10n });
      await store.writeSteps([...steps, ...unnamed]);
      const names = (await store.listRuns(P, { limit: 10 })).runs.map((r) => r.runName);
      expect(names).toEqual(['', 'refund for order #4411']);
      const [touched] = await store.runsTouching(P, { toolName: 'issue_refund' }, 10);
      expect(touched?.runName).toBe('refund for order #4411');
      expect(summarizeRun(await store.getRun(P, root.traceId)).runName).toBe('refund for order #4411');
    });

    test('lists each run with the summary of its steps, so the runs list and the run page agree', async () => {
      const runs = summaryEdgeRuns(P, DAY0);
      await store.writeSteps(runs.flat());
      const listed = new Map((await store.listRuns(P, { limit: 10 })).runs.map((r) => [r.traceId, r]));
      for (const steps of runs) {
        const traceId = steps[0]?.traceId as string;
        // The run page, compare and export summarise the steps they read (`summarizeRun`).
        expect(listed.get(traceId)).toEqual({ ...summarizeRun(await store.getRun(P, traceId)), findingCount: 0 });
      }
      const [unnamedRoot, rootless, rootNamesAgent, single] = runs.map((steps) => listed.get(steps[0]?.traceId ?? ''));
      expect(unnamedRoot).toMatchObject({
        name: 'invoke_agent planner',
        serviceName: 'svc-a',
        agentName: 'planner',
        agentVersion: '2',
        conversationId: 'conv-planner',
        models: ['model-a', 'model-a-2026', 'model-b'],
        toolNames: ['a tool', 'ﬁle', '😀 tool'],
        startNs: DAY0,
        endNs: DAY0 + 50_000_000n,
        status: 'error',
        stepCount: 7,
        errorCount: 1,
        inputTokens: 6,
        outputTokens: 2,
      });
      expect(rootless).toMatchObject({ name: 'first, ends last', runInput: 'in-2', promptVersion: 'p-later' });
      expect(rootNamesAgent).toMatchObject({
        agentName: 'root-agent',
        agentVersion: 'v-child',
        policyVersion: 'pol-root',
      });
      expect(single?.models).toEqual(['same']);
      expect(await store.runsTouching(P, { toolName: 'ﬁle' }, 10)).toEqual([unnamedRoot]);
    });

    test('keeps projects apart', async () => {
      const traceId = newTraceId();
      await store.writeSteps([
        ...buildRun({ projectId: P, traceId, startNs: DAY0, agentName: 'mine', documentIds: ['d'] }),
        ...buildRun({ projectId: Q, traceId, startNs: DAY0, agentName: 'theirs', documentIds: ['d'] }),
      ]);
      const mine = await store.getRun(P, traceId);
      expect(mine).toHaveLength(5);
      expect(mine.every((s) => s.projectId === P)).toBe(true);
      expect((await store.listRuns(P, { limit: 10 })).runs.map((r) => r.agentName)).toEqual(['mine']);
      expect((await store.runsTouching(Q, { documentId: 'd' }, 10)).map((r) => r.agentName)).toEqual(['theirs']);
      expect(await store.getRun('proj-c', traceId)).toEqual([]);
    });

    test('finds a run that grew over several writes by every tool, document and approval it touched', async () => {
      const [root, retrieval, llm, approval, tool] = buildRun({
        projectId: P,
        startNs: DAY0,
        toolName: 'lookup_order',
        documentIds: ['kb-7'],
        approvalId: 'ap-grow',
      }) as [Step, Step, Step, Step, Step];
      await store.writeSteps([root, retrieval]);
      await store.writeSteps([llm, tool]);
      const later = {
        ...tool,
        spanId: `${tool.spanId.slice(0, -1)}f`,
        toolName: 'issue_refund',
        startNs: tool.startNs + 1n,
      };
      await store.writeSteps([approval, later]);
      for (const touch of [
        { toolName: 'lookup_order' },
        { toolName: 'issue_refund' },
        { documentId: 'kb-7' },
        { approvalId: 'ap-grow' },
      ]) {
        const found = await store.runsTouching(P, touch, 10);
        expect(
          found.map((r) => [r.traceId, r.stepCount]),
          JSON.stringify(touch),
        ).toEqual([[root.traceId, 6]]);
      }
    });

    test('answers unknown IDs with empty results', async () => {
      expect(await store.getRun(P, newTraceId())).toEqual([]);
      expect(await store.listRuns(P, { limit: 10 })).toEqual({ runs: [] });
      expect(await store.runsTouching(P, { documentId: 'nope' }, 10)).toEqual([]);
      expect(await store.runsTouching(P, { approvalId: 'nope' }, 10)).toEqual([]);
      expect(await store.findCredential('0'.repeat(64))).toBeUndefined();
      expect(await store.listAccess(P, 10)).toEqual([]);
    });

    test('filters the run list', async () => {
      const runs = {
        a: buildRun({ projectId: P, startNs: DAY0, agentName: 'support', toolName: 'refund', documentIds: ['kb-7'] }),
        b: buildRun({ projectId: P, startNs: DAY0 + 1000n, status: 'error', promptVersion: 'p-2', approvalId: 'ap-9' }),
        c: buildRun({ projectId: P, startNs: DAY0 + 2000n, agentName: 'billing', model: 'claude-z' }),
        d: buildRun({
          projectId: P,
          startNs: DAY0 + NS_PER_DAY,
          policyVersion: 'pol-2',
          input: 'Cancel MY Subscription ✓',
        }),
      };
      await store.writeSteps(Object.values(runs).flat());
      const t = (key: keyof typeof runs) => runs[key][0]?.traceId as string;

      expect(await list({})).toEqual([t('d'), t('c'), t('b'), t('a')]);
      expect(await list({ fromNs: DAY0 + 1000n, toNs: DAY0 + NS_PER_DAY })).toEqual([t('c'), t('b')]);
      expect(await list({ agentName: 'billing' })).toEqual([t('c')]);
      expect(await list({ status: 'error' })).toEqual([t('b')]);
      expect(await list({ status: 'ok' })).toEqual([t('d'), t('c'), t('a')]);
      expect(await list({ toolName: 'refund' })).toEqual([t('a')]);
      expect(await list({ promptVersion: 'p-2' })).toEqual([t('b')]);
      expect(await list({ policyVersion: 'pol-2' })).toEqual([t('d')]);
      expect(await list({ model: 'claude-z' })).toEqual([t('c')]);
      expect(await list({ model: 'claude-z-2026-01-01' })).toEqual([t('c')]);
      expect(await list({ documentId: 'kb-7' })).toEqual([t('a')]);
      expect(await list({ approvalId: 'ap-9' })).toEqual([t('b')]);
      expect(await list({ text: 'my subscription ✓' })).toEqual([t('d')]);
      expect(await list({ text: "'; drop table spans" })).toEqual([]);
      expect(await list({ agentName: 'support', status: 'error', promptVersion: 'p-2' })).toEqual([t('b')]);
      expect(await list({ agentName: 'billing' }, Q)).toEqual([]);
    });

    test('lists a run that arrived in pieces over several days at its first step, with every step counted', async () => {
      // Later steps arrive first (an agent exports children before the root); the run spans three
      // UTC days, so its first step lies two day boundaries before its last.
      const long = buildRun({
        projectId: P,
        startNs: DAY0 + 2n * NS_PER_DAY - 3_600_000_000_000n,
        toolName: 'archive',
      });
      const late = long.slice(1).map((s, i) => ({
        ...s,
        startNs: DAY0 + 4n * NS_PER_DAY + BigInt(i) * 1_000_000n,
        endNs: DAY0 + 4n * NS_PER_DAY + BigInt(i + 1) * 1_000_000n,
      }));
      const root = { ...(long[0] as Step), endNs: DAY0 + 4n * NS_PER_DAY + 10_000_000n };
      const others = Array.from({ length: 6 }, (_, i) =>
        buildRun({ projectId: P, startNs: DAY0 + 2n * NS_PER_DAY + BigInt(i) * 3_600_000_000_000n }),
      );
      const newer = buildRun({ projectId: P, startNs: DAY0 + 5n * NS_PER_DAY });
      for (const run of others) await store.writeSteps(run);
      await store.writeSteps(late);
      await store.writeSteps(newer);
      await store.writeSteps([root]);

      const expected = [newer, ...others.slice().reverse(), long].map((r) => (r[0] as Step).traceId);
      expect(await list({})).toEqual(expected);
      // One run per page: the cursor walks every window boundary.
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listRuns(P, { limit: 1, ...(cursor ? { cursor } : {}) });
        seen.push(...ids(page.runs));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(expected);
      const [summary] = (await store.listRuns(P, { limit: 100, toolName: 'archive' })).runs;
      expect(summary).toMatchObject({ traceId: root.traceId, startNs: root.startNs, stepCount: 5 });
      // A range that holds only the long run's last steps does not list it; one holding its start does.
      expect(await list({ fromNs: DAY0 + 4n * NS_PER_DAY, toNs: DAY0 + 5n * NS_PER_DAY })).toEqual([]);
      expect(await list({ fromNs: root.startNs, toNs: root.startNs + 1n })).toEqual([root.traceId]);
      // Listed by a range that holds only its start, the run is still summed over all of its days.
      const [ranged] = (await store.listRuns(P, { limit: 10, fromNs: root.startNs, toNs: root.startNs + 1n })).runs;
      expect(ranged).toMatchObject({ traceId: root.traceId, stepCount: 5, endNs: root.endNs });
      expect(ids(await store.runsTouching(P, { toolName: 'archive' }, 10))).toEqual([root.traceId]);
    });

    test('pages through runs without duplicates or gaps, ties broken by trace ID', async () => {
      const all: Step[] = [];
      for (let i = 0; i < 23; i++) {
        all.push(...buildRun({ projectId: P, startNs: DAY0 + BigInt(Math.floor(i / 3)) * 1000n }));
      }
      await store.writeSteps(all);
      const expected = await list({});
      expect(expected).toHaveLength(23);

      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.listRuns(P, { limit: 5, cursor });
        seen.push(...ids(page.runs));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      expect(pages).toBe(5);
      expect(seen).toEqual(expected);
      const starts = (await store.listRuns(P, { limit: 100 })).runs.map((r) => r.startNs);
      expect([...starts].sort((x, y) => (x < y ? 1 : x > y ? -1 : 0))).toEqual(starts);
    });

    test('finds the runs that touched a document, a tool or an approval, newest first', async () => {
      const old = buildRun({ projectId: P, startNs: DAY0, documentIds: ['doc-x', 'doc-y'], approvalId: 'ap-1' });
      const mid = buildRun({ projectId: P, startNs: DAY0 + 5n, documentIds: ['doc-x'], toolName: 'send_mail' });
      const recent = buildRun({ projectId: P, startNs: DAY0 + 9n, documentIds: ['doc-x'], toolName: 'send_mail' });
      await store.writeSteps([...old, ...mid, ...recent]);
      const touching = async (touch: Parameters<TraceStore['runsTouching']>[1], limit = 10) =>
        ids(await store.runsTouching(P, touch, limit));
      const [o, m, r] = [old, mid, recent].map((run) => run[0]?.traceId);

      expect(await touching({ documentId: 'doc-x' })).toEqual([r, m, o]);
      expect(await touching({ documentId: 'doc-x' }, 2)).toEqual([r, m]);
      expect(await touching({ documentId: 'doc-y' })).toEqual([o]);
      expect(await touching({ toolName: 'send_mail' })).toEqual([r, m]);
      expect(await touching({ approvalId: 'ap-1' })).toEqual([o]);
      const [full] = await store.runsTouching(P, { approvalId: 'ap-1' }, 1);
      expect(full?.stepCount).toBe(5);
    });

    test('stores credentials, projects and the access log', async () => {
      const key: Credential = {
        hash: 'a'.repeat(64),
        kind: 'ingest',
        projectIds: [P],
        role: 'admin',
        name: "ci key 'main'",
        createdNs: DAY0 + 1n,
        revoked: false,
      };
      const login: Credential = { ...key, hash: 'b'.repeat(64), kind: 'login', projectIds: [P, Q], role: 'viewer' };
      await store.putCredential(key);
      await store.putCredential(login);
      await store.putCredential({ ...key, revoked: true });
      expect(await store.findCredential(key.hash)).toEqual({ ...key, revoked: true });
      expect((await store.listCredentials()).map((c) => c.hash)).toEqual([key.hash, login.hash]);
      expect((await store.listCredentials(Q)).map((c) => c.hash)).toEqual([login.hash]);

      await store.putProject({ id: Q, name: 'Billing', createdNs: DAY0 });
      await store.putProject({ id: P, name: 'Support', createdNs: DAY0 });
      await store.putProject({ id: P, name: 'Support 🙂', createdNs: DAY0 });
      expect(await store.listProjects()).toEqual([
        { id: P, name: 'Support 🙂', createdNs: DAY0 },
        { id: Q, name: 'Billing', createdNs: DAY0 },
      ]);

      for (let i = 0; i < 4; i++) {
        await store.recordAccess({
          projectId: P,
          timeNs: DAY0 + BigInt(i),
          actor: `u${i}`,
          action: 'read',
          target: 't',
        });
      }
      await store.recordAccess({ projectId: Q, timeNs: DAY0 + 9n, actor: 'q', action: 'read', target: 't' });
      const log = await store.listAccess(P, 3);
      expect(log.map((e) => e.actor)).toEqual(['u3', 'u2', 'u1']);
      expect(log[0]).toEqual({ projectId: P, timeNs: DAY0 + 3n, actor: 'u3', action: 'read', target: 't' });
    });

    test('purges a project before a cutoff and keeps everything else', async () => {
      const old = buildRun({ projectId: P, startNs: DAY0 - 10n * NS_PER_DAY, documentIds: ['doc-old'] });
      const fresh = buildRun({ projectId: P, startNs: DAY0 + 3_600_000_000_000n, documentIds: ['doc-old'] });
      const otherOld = buildRun({ projectId: Q, startNs: DAY0 - 10n * NS_PER_DAY });
      await store.writeSteps([...old, ...fresh, ...otherOld]);
      await store.recordAccess({
        projectId: P,
        timeNs: DAY0 - 10n * NS_PER_DAY,
        actor: 'a',
        action: 'read',
        target: '',
      });
      await store.recordAccess({ projectId: P, timeNs: DAY0 + 1n, actor: 'b', action: 'read', target: '' });

      await store.purgeBefore(P, DAY0);

      const oldId = old[0]?.traceId as string;
      expect(await store.getRun(P, oldId)).toEqual([]);
      expect(await list({})).toEqual([fresh[0]?.traceId]);
      expect(ids(await store.runsTouching(P, { documentId: 'doc-old' }, 10))).toEqual([fresh[0]?.traceId]);
      expect(await store.getRun(Q, otherOld[0]?.traceId as string)).toHaveLength(5);
      expect((await store.listAccess(P, 10)).map((e) => e.actor)).toEqual(['b']);
    });
  },
};

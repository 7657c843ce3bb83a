import { afterEach, beforeEach, expect } from 'vitest';
import { buildRun, DAY0, newTraceId } from './conformance.fixtures.js';
import type { PendingDetection, TraceStore } from './port.js';
import type { StoreSuite } from './suite-harness.suite.js';

const FAR = 2n ** 63n;
const all = { sinceNs: 0n, untilNs: FAR, limit: 10_000 };

/**
 * The detection backlog: every acknowledged write leaves its runs pending until marked detected at
 * that write, across projects, in write order. The detection worker derives all of its work from
 * this, so a store that loses a pending run loses a run's examination.
 */
export const backlogSuite: StoreSuite = {
  name: 'detection backlog',
  register({ makeStore, purge, test, options }) {
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

    const keys = (list: readonly PendingDetection[]) => list.map((p) => `${p.projectId}/${p.traceId}`);

    test('every written run is pending, oldest write first, across projects, until marked at its write', async () => {
      const a = newTraceId();
      const b = newTraceId();
      const c = newTraceId();
      await store.writeSteps(buildRun({ projectId: P, traceId: a, startNs: DAY0 }));
      await store.writeSteps([
        ...buildRun({ projectId: Q, traceId: b, startNs: DAY0 }),
        ...buildRun({ projectId: P, traceId: c, startNs: DAY0 - 5n }),
      ]);
      const pending = await store.pendingDetections(all);
      expect(keys(pending)).toEqual([`${P}/${a}`, `${P}/${c}`, `${Q}/${b}`]);
      const [first, second, third] = pending as [PendingDetection, PendingDetection, PendingDetection];
      expect(first.writtenNs).toBeLessThan(second.writtenNs);
      // One write, one time: the project then the trace order runs of the same write.
      expect(second.writtenNs).toBe(third.writtenNs);
      expect(await store.countPendingDetections(all)).toEqual({ runs: 3, oldestNs: first.writtenNs });

      await store.markDetected([first, third]);
      await store.markDetected([first]); // idempotent
      expect(keys(await store.pendingDetections(all))).toEqual([`${P}/${c}`]);
      await store.markDetected([second]);
      expect(await store.pendingDetections(all)).toEqual([]);
      expect(await store.countPendingDetections(all)).toEqual({ runs: 0 });
    });

    test('a later write makes a detected run pending again; a mark of an older write leaves it pending', async () => {
      const a = newTraceId();
      const steps = buildRun({ projectId: P, traceId: a, startNs: DAY0 });
      await store.writeSteps(steps.slice(0, 2));
      const [before] = (await store.pendingDetections(all)) as [PendingDetection];
      await store.markDetected([before]);
      expect(await store.pendingDetections(all)).toEqual([]);

      await store.writeSteps(steps.slice(2)); // the rest of the run arrives
      const [after] = (await store.pendingDetections(all)) as [PendingDetection];
      expect(after.traceId).toBe(a);
      expect(after.writtenNs).toBeGreaterThan(before.writtenNs);
      await store.markDetected([before]);
      expect(keys(await store.pendingDetections(all))).toEqual([`${P}/${a}`]);

      // A resend of steps already stored is a write too: the run is examined again, never skipped.
      await store.markDetected([after]);
      await store.writeSteps(steps.slice(0, 1));
      expect(keys(await store.pendingDetections(all))).toEqual([`${P}/${a}`]);
    });

    test('a run read at its pending write holds every span of that write, also one another collector wrote', async () => {
      const a = newTraceId();
      const steps = buildRun({ projectId: P, traceId: a, startNs: DAY0 });
      await store.writeSteps(steps.slice(0, 2));
      await store.writeSteps(steps.slice(2, 4));
      const peer = options.openPeer ? await options.openPeer(store) : store;
      try {
        await peer.writeSteps(steps.slice(4));
      } finally {
        if (peer !== store) await (options.closePeer ?? ((p) => p.close()))(peer);
      }
      const [pending] = (await store.pendingDetections(all)) as [PendingDetection];
      const writtenNs = new Map([[a, pending.writtenNs]]);
      for (const justWritten of [true, false]) {
        const runs = await store.getRuns(P, [a, newTraceId()], { justWritten, writtenNs });
        expect([...runs.keys()]).toEqual([a]);
        expect(runs.get(a)).toEqual(await store.getRun(P, a));
        expect(
          runs
            .get(a)
            ?.map((s) => s.spanId)
            .sort(),
        ).toEqual(steps.map((s) => s.spanId).sort());
      }
    });

    test('since, until and limit bound the answer by write time; a run still being written waits', async () => {
      const ids = [newTraceId(), newTraceId(), newTraceId(), newTraceId()];
      for (const id of ids) await store.writeSteps(buildRun({ projectId: P, traceId: id, startNs: DAY0 }));
      const pending = await store.pendingDetections(all);
      expect(pending.map((p) => p.traceId)).toEqual(ids);
      const w = pending.map((p) => p.writtenNs);

      expect((await store.pendingDetections({ ...all, limit: 2 })).map((p) => p.traceId)).toEqual(ids.slice(0, 2));
      const middle = { sinceNs: w[1] as bigint, untilNs: w[2] as bigint };
      expect((await store.pendingDetections({ ...middle, limit: 10 })).map((p) => p.traceId)).toEqual(ids.slice(1, 3));
      expect(await store.countPendingDetections(middle)).toEqual({ runs: 2, oldestNs: w[1] });

      // The first run gets another step after the window: its newest write is past `until`, so
      // it is not due yet, not even by its older write inside the window.
      await store.writeSteps(buildRun({ projectId: P, traceId: ids[0], startNs: DAY0 }).slice(0, 1));
      const due = await store.pendingDetections({ sinceNs: 0n, untilNs: w[3] as bigint, limit: 10 });
      expect(due.map((p) => p.traceId)).toEqual(ids.slice(1));
    });

    test('marks of many runs at once, and of runs never written, change nothing else', async () => {
      const ids = Array.from({ length: 1200 }, () => newTraceId());
      await store.writeSteps(ids.flatMap((id) => buildRun({ projectId: P, traceId: id, startNs: DAY0 }).slice(0, 1)));
      const pending = await store.pendingDetections(all);
      expect(pending).toHaveLength(1200);
      await store.markDetected([
        ...pending.slice(0, 1100),
        { projectId: Q, traceId: newTraceId(), writtenNs: (pending[0] as PendingDetection).writtenNs },
      ]);
      expect((await store.pendingDetections(all)).map((p) => p.traceId)).toEqual(ids.slice(1100));
      expect((await store.countPendingDetections(all)).runs).toBe(100);
    });

    test('a claim of 5,000 runs at once wins them all when nobody else claims', async () => {
      // Pages of a large backlog are claimed whole: the claim must not cost seconds a run, nor fail
      // when its rows are stamped in different seconds.
      const ids = Array.from({ length: 5000 }, () => newTraceId());
      await store.writeSteps(ids.flatMap((id) => buildRun({ projectId: P, traceId: id, startNs: DAY0 }).slice(0, 1)));
      const pending = await store.pendingDetections(all);
      expect(pending).toHaveLength(5000);
      expect(keys(await store.claimDetections(pending, 'collector-a', 60_000)).sort()).toEqual(keys(pending).sort());
    });

    test('claims: of two collectors claiming the same runs at once each run goes to one; a lapsed lease is taken over', async () => {
      const ids = Array.from({ length: 8 }, () => newTraceId());
      await store.writeSteps(
        ids.flatMap((id, i) => buildRun({ projectId: i % 2 ? P : Q, traceId: id, startNs: DAY0 })),
      );
      const pending = await store.pendingDetections(all);
      expect(pending).toHaveLength(8);
      // A store that one process holds (DuckDB, memory) answers every run: there is nobody to share with.
      if (!options.openPeer) {
        expect(await store.claimDetections(pending, 'collector-a', 5_000)).toEqual(pending);
        return;
      }
      const peer = await options.openPeer(store);
      try {
        const LEASE_MS = 8_000;
        const [a, b] = await Promise.all([
          store.claimDetections(pending, 'collector-a', LEASE_MS),
          peer.claimDetections(pending, 'collector-b', LEASE_MS),
        ]);
        const claimedAt = Date.now();
        expect([...keys(a), ...keys(b)].sort()).toEqual(keys(pending).sort());
        // While A holds its runs, A keeps them (a late span goes to the same collector) and B gets none.
        expect(keys(await store.claimDetections(a, 'collector-a', LEASE_MS))).toEqual(keys(a));
        expect(keys(await peer.claimDetections(a, 'collector-b', LEASE_MS))).toEqual([]);
        // A run detected since it was read is nobody's work any more.
        const aDone = a.slice(0, 1);
        await store.markDetected(aDone);
        const aLeft = a.slice(1);
        expect(keys(await store.claimDetections(a, 'collector-a', LEASE_MS))).toEqual(keys(aLeft));
        // A dies holding its other runs: once its lease lapses, B takes them over.
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, claimedAt + LEASE_MS + 1_500 - Date.now())));
        expect(keys(await peer.claimDetections(a, 'collector-b', LEASE_MS)).sort()).toEqual(keys(aLeft).sort());
      } finally {
        await (options.closePeer ?? ((p) => p.close()))(peer);
      }
    });
  },
};

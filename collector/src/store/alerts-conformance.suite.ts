import { afterEach, beforeEach, expect } from 'vitest';
import type { AlertDelivery, AlertEvent, StoredAlertRule, StoredAlertState } from './alerts.js';
import { DAY0 } from './conformance.fixtures.js';
import type { TraceStore } from './port.js';
import type { StoreSuite } from './suite-harness.suite.js';

const HOSTILE = [
  "it's \\' -- ; DROP TABLE alert_rules; --",
  'back\\slash\\\\ and "double" and `tick`',
  'nul\u0000inside',
  'emoji 🚨🔥 and ünïcödé and 中文',
  '__proto__',
  'line\nbreak\ttab\r',
  '$1 {name:String} %_ \\x00 \u007f ?',
  'constructor',
];

/** Alert rules, states, history, deliveries and evaluation claims: every adapter passes these. */
export const alertsSuite: StoreSuite = {
  name: 'alerts',
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

    const rule = (id: string, version: number, projectId = P): StoredAlertRule => ({
      projectId,
      id,
      json: JSON.stringify({ id, metric: 'error_rate', threshold: 0.1 * version, name: `rule ${id} v${version}` }),
      updatedNs: DAY0 + BigInt(version),
    });
    const state = (ruleId: string, state: string, updatedNs: bigint, projectId = P): StoredAlertState => ({
      projectId,
      ruleId,
      json: JSON.stringify({ state, since: updatedNs.toString() }),
      updatedNs,
    });
    const event = (ruleId: string, windowEndNs: bigint, timeNs: bigint, projectId = P): AlertEvent => ({
      projectId,
      ruleId,
      id: `${ruleId}:${windowEndNs}`,
      timeNs,
      windowEndNs,
      from: 'ok',
      to: 'firing',
      detail: JSON.stringify({ statistic: 0.42, pValue: 0.001 }),
    });
    const delivery = (eventId: string, attempt: number, timeNs: bigint, over: Partial<AlertDelivery> = {}) => ({
      projectId: P,
      ruleId: eventId.split(':')[0] as string,
      eventId,
      attempt,
      timeNs,
      target: 'https://hooks.example.com/services/***',
      statusCode: attempt < 3 ? 503 : 200,
      ok: attempt >= 3,
      error: attempt < 3 ? 'HTTP 503 Service Unavailable' : '',
      durationMs: 120 + attempt,
      ...over,
    });

    test('puts, replaces, lists (by ID) and deletes rules per project', async () => {
      await store.putAlertRule(rule('r-b', 1));
      await store.putAlertRule(rule('r-a', 1));
      await store.putAlertRule(rule('r-a', 1, Q));
      await store.putAlertRule(rule('r-b', 2));
      await store.putAlertRule(rule('r-b', 2)); // a resend changes nothing
      expect(await store.listAlertRules(P)).toEqual([rule('r-a', 1), rule('r-b', 2)]);
      expect(await store.listAlertRules(Q)).toEqual([rule('r-a', 1, Q)]);
      expect(await store.listAlertRules('unknown')).toEqual([]);

      expect(await store.deleteAlertRule(P, 'r-a')).toBe(true);
      expect(await store.deleteAlertRule(P, 'r-a')).toBe(false);
      expect(await store.deleteAlertRule(P, 'never')).toBe(false);
      expect(await store.listAlertRules(P)).toEqual([rule('r-b', 2)]);
      expect(await store.listAlertRules(Q)).toEqual([rule('r-a', 1, Q)]);

      // A rule deleted and created again under the same ID is back, with its new content.
      await store.putAlertRule(rule('r-a', 3));
      expect(await store.listAlertRules(P)).toEqual([rule('r-a', 3), rule('r-b', 2)]);
    });

    test('keeps the state with the later updatedNs, per rule and project', async () => {
      await store.putAlertState(state('r-1', 'firing', DAY0 + 10n));
      await store.putAlertState(state('r-1', 'ok', DAY0 + 5n)); // late and stale: ignored
      await store.putAlertState(state('r-2', 'ok', DAY0 + 1n));
      await store.putAlertState(state('r-1', 'firing', DAY0 + 1n, Q));
      expect(await store.listAlertStates(P)).toEqual([
        state('r-1', 'firing', DAY0 + 10n),
        state('r-2', 'ok', DAY0 + 1n),
      ]);
      await store.putAlertState(state('r-1', 'resolved', DAY0 + 20n));
      expect(await store.listAlertStates(P)).toEqual([
        state('r-1', 'resolved', DAY0 + 20n),
        state('r-2', 'ok', DAY0 + 1n),
      ]);
      // Same updatedNs: the later write wins, as for every idempotent write.
      await store.putAlertState(state('r-2', 'firing', DAY0 + 1n));
      expect((await store.listAlertStates(P))[1]).toEqual(state('r-2', 'firing', DAY0 + 1n));
      expect(await store.listAlertStates(Q)).toEqual([state('r-1', 'firing', DAY0 + 1n, Q)]);
      expect(await store.listAlertStates('unknown')).toEqual([]);
    });

    test('records events once by ID and lists them newest first, filtered and paged by time', async () => {
      const all: AlertEvent[] = [];
      for (let i = 0; i < 9; i++)
        all.push(event(i % 3 === 0 ? 'r-x' : 'r-y', DAY0 + BigInt(i) * 60n, DAY0 + 1000n + BigInt(i)));
      const tie = event('r-y', DAY0 + 9_999n, DAY0 + 1004n); // same time as the fifth: ID breaks the tie
      for (const e of [...all, tie, all[2] as AlertEvent, all[7] as AlertEvent]) await store.recordAlertEvent(e);
      await store.recordAlertEvent(event('r-x', DAY0, DAY0 + 2000n, Q));
      await store.putAlertRule(rule('r-x', 1));
      await store.deleteAlertRule(P, 'r-x'); // history outlives the rule

      const newestFirst = [...all, tie].sort((a, b) =>
        a.timeNs !== b.timeNs ? (a.timeNs > b.timeNs ? -1 : 1) : a.id > b.id ? -1 : 1,
      );
      expect(await store.listAlertEvents(P, { limit: 100 })).toEqual(newestFirst);
      expect(await store.listAlertEvents(P, { ruleId: 'r-x', limit: 100 })).toEqual(
        newestFirst.filter((e) => e.ruleId === 'r-x'),
      );
      expect(await store.listAlertEvents(Q, { limit: 100 })).toEqual([event('r-x', DAY0, DAY0 + 2000n, Q)]);
      expect(await store.listAlertEvents(P, { ruleId: 'nope', limit: 100 })).toEqual([]);

      // Paging backwards by time: beforeNs is exclusive.
      const page1 = await store.listAlertEvents(P, { limit: 3 });
      expect(page1).toEqual(newestFirst.slice(0, 3));
      const page2 = await store.listAlertEvents(P, { limit: 3, beforeNs: page1[2]?.timeNs as bigint });
      expect(page2).toEqual(newestFirst.filter((e) => e.timeNs < (page1[2]?.timeNs as bigint)).slice(0, 3));
      expect(await store.listAlertEvents(P, { limit: 10, beforeNs: DAY0 + 1000n })).toEqual([]);
      expect(await store.listAlertEvents(P, { limit: 10, ruleId: 'r-y', beforeNs: DAY0 + 1003n })).toEqual(
        newestFirst.filter((e) => e.ruleId === 'r-y' && e.timeNs < DAY0 + 1003n),
      );
    });

    test('lets a re-recorded event replace the earlier record of the same ID', async () => {
      const first = event('r-1', DAY0 + 60n, DAY0 + 100n);
      const again = { ...first, to: 'resolved' as const, detail: '{"retry":true}' };
      await store.recordAlertEvent(first);
      await store.recordAlertEvent(again);
      expect(await store.listAlertEvents(P, { limit: 10 })).toEqual([again]);
    });

    test('logs delivery attempts, newest first, filtered by rule and event', async () => {
      const e1 = 'r-1:100';
      const e2 = 'r-2:100';
      const attempts = [
        delivery(e1, 1, DAY0 + 10n),
        delivery(e1, 2, DAY0 + 20n),
        delivery(e2, 1, DAY0 + 25n, { statusCode: 0, error: 'connect ECONNREFUSED' }),
        delivery(e1, 3, DAY0 + 40n),
      ];
      for (const d of attempts) await store.recordAlertDelivery(d);
      await store.recordAlertDelivery({ ...delivery(e1, 1, DAY0 + 50n), projectId: Q });

      expect(await store.listAlertDeliveries(P, { limit: 10 })).toEqual([...attempts].reverse());
      expect(await store.listAlertDeliveries(P, { eventId: e1, limit: 10 })).toEqual(
        [attempts[3], attempts[1], attempts[0]].map((d) => d as AlertDelivery),
      );
      expect(await store.listAlertDeliveries(P, { ruleId: 'r-2', limit: 10 })).toEqual([attempts[2]]);
      expect(await store.listAlertDeliveries(P, { ruleId: 'r-2', eventId: e1, limit: 10 })).toEqual([]);
      expect(await store.listAlertDeliveries(P, { limit: 2 })).toEqual([attempts[3], attempts[2]]);
      expect(await store.listAlertDeliveries(Q, { limit: 10 })).toHaveLength(1);
    });

    test('keeps rules and states through retention; history before the cutoff goes', async () => {
      const cutoff = DAY0 + 3_000n;
      await store.putAlertRule(rule('r-1', 1));
      await store.putAlertState(state('r-1', 'firing', DAY0));
      const old = event('r-1', DAY0, DAY0 + 1_000n);
      const recent = event('r-1', DAY0 + 60n, cutoff);
      const otherProject = event('r-1', DAY0, DAY0 + 1_000n, Q);
      for (const e of [old, recent, otherProject]) await store.recordAlertEvent(e);
      const oldAttempt = delivery(old.id, 1, DAY0 + 1_001n);
      const recentAttempt = delivery(recent.id, 1, cutoff + 1n);
      await store.recordAlertDelivery(oldAttempt);
      await store.recordAlertDelivery(recentAttempt);

      await store.purgeBefore(P, cutoff);
      expect(await store.listAlertRules(P)).toEqual([rule('r-1', 1)]);
      expect(await store.listAlertStates(P)).toEqual([state('r-1', 'firing', DAY0)]);
      expect(await store.listAlertEvents(Q, { limit: 10 })).toEqual([otherProject]);
      expect(await store.listAlertEvents(P, { limit: 10 })).toEqual([recent]);
      expect(await store.listAlertDeliveries(P, { limit: 10 })).toEqual([recentAttempt]);
    });

    test('round-trips hostile strings in every field unchanged', async () => {
      for (const [i, text] of HOSTILE.entries()) {
        const project = `p ${text}`;
        const r: StoredAlertRule = { projectId: project, id: text, json: JSON.stringify({ text }), updatedNs: DAY0 };
        const s: StoredAlertState = { projectId: project, ruleId: text, json: text, updatedNs: DAY0 + BigInt(i) };
        const e: AlertEvent = { ...event(text, DAY0, DAY0 + 5n, project), detail: text };
        const d: AlertDelivery = {
          ...delivery(e.id, 1, DAY0 + 6n),
          projectId: project,
          ruleId: text,
          target: text,
          error: text,
        };
        await store.putAlertRule(r);
        await store.putAlertState(s);
        await store.recordAlertEvent(e);
        await store.recordAlertDelivery(d);
        expect(await store.listAlertRules(project)).toEqual([r]);
        expect(await store.listAlertStates(project)).toEqual([s]);
        expect(await store.listAlertEvents(project, { ruleId: text, limit: 5 })).toEqual([e]);
        expect(await store.listAlertDeliveries(project, { ruleId: text, eventId: e.id, limit: 5 })).toEqual([d]);
        expect(await store.deleteAlertRule(project, text)).toBe(true);
        expect(await store.listAlertRules(project)).toEqual([]);
      }
      const claim = () => Promise.all(HOSTILE.map((text) => store.claimEvaluation(`p ${text}`, text, DAY0, text)));
      expect(await claim()).toEqual(HOSTILE.map(() => true));
      expect(await claim()).toEqual(HOSTILE.map(() => false));
      // Nothing leaked into a plain project.
      expect(await store.listAlertRules(P)).toEqual([]);
      expect(await store.listAlertEvents(P, { limit: 10 })).toEqual([]);
    });

    test('grants a claim once: a later call for the same key loses, whoever makes it', async () => {
      const w = DAY0 + 300_000_000_000n;
      // Independent keys are claimed side by side; each key's calls run one after the other.
      const keys: [string, string, bigint][] = [
        [P, 'r-1', w],
        [P, 'r-1', w + 1n],
        [P, 'r-2', w],
        [Q, 'r-1', w],
      ];
      expect(await Promise.all(keys.map(([p, r, end]) => store.claimEvaluation(p, r, end, 'collector-a')))).toEqual([
        true,
        true,
        true,
        true,
      ]);
      expect(await Promise.all(keys.map(([p, r, end]) => store.claimEvaluation(p, r, end, 'collector-b')))).toEqual([
        false,
        false,
        false,
        false,
      ]);
      // The winner itself asking again (a restarted evaluator) also loses: the window is done.
      expect(await store.claimEvaluation(P, 'r-1', w, 'collector-a')).toBe(false);
    });

    test('answers other calls while a claim waits for its verdict', async () => {
      await store.putAlertRule(rule('r-1', 1));
      const claim = store.claimEvaluation(P, 'r-1', DAY0, 'collector-a');
      const started = Date.now();
      expect(await store.listAlertRules(P)).toEqual([rule('r-1', 1)]);
      await store.recordAlertEvent(event('r-1', DAY0, DAY0 + 1n));
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(await claim).toBe(true);
    });

    test('grants at most one of 8 concurrent claims per key, and one unless a claim was given up as slow', async () => {
      const peers: TraceStore[] = [];
      for (let i = 0; i < 8; i++) peers.push(options.openPeer ? await options.openPeer(store) : store);
      try {
        const keyCount = 12;
        const results = await Promise.all(
          Array.from({ length: keyCount }, async (_, k) => {
            const windowEnd = DAY0 + BigInt(k) * 60_000_000_000n;
            const granted = await Promise.all(
              peers.map(async (peer, i) => {
                // Staggered starts: some claims land while others already wait for their verdict.
                await new Promise((resolve) => setTimeout(resolve, ((k * 7 + i * 13) % 5) * 40));
                return peer.claimEvaluation(P, `race-${k % 3}`, windowEnd, `collector-${i}`);
              }),
            );
            return granted.filter(Boolean).length;
          }),
        );
        // Never two winners. A key nobody won needs a claim given up because the store took longer
        // than the settle delay to take it while another claim of the key was under way.
        expect(results.filter((winners) => winners > 1)).toEqual([]);
        const unclaimed = results.filter((winners) => winners === 0).length;
        const declined = options.declinedClaims?.([...new Set(peers)]) ?? 0;
        expect(unclaimed).toBeLessThanOrEqual(declined);
      } finally {
        if (options.openPeer) for (const peer of peers) await (options.closePeer ?? ((p) => p.close()))(peer);
      }
    });
  },
};

import type { RunSort } from '@casefile/contract';
import { afterEach, beforeEach, expect } from 'vitest';
import { BadInputError } from '../errors/errors.js';
import type { RunSummary } from '../model/step.js';
import { buildRun, DAY0 } from './conformance.fixtures.js';
import { findingId, type StoredFinding } from './findings.js';
import type { RunQuery, TraceStore } from './port.js';
import type { StoreSuite } from './suite-harness.suite.js';

const MS = 1_000_000n;
const HOUR = 3_600_000n * MS;

/**
 * The runs list in any order over every matching run (not only a loaded page), its total, and the
 * findings list worst first with its total: every adapter passes these.
 */
export const runOrderSuite: StoreSuite = {
  name: 'run order',
  register({ makeStore, purge, test }) {
    let store: TraceStore;
    const P = 'proj-a';

    beforeEach(async () => {
      store = await makeStore();
      await store.migrate();
    });
    afterEach(async () => {
      await purge(store);
    });

    const finding = (
      traceId: string,
      n: number,
      severity: StoredFinding['severity'],
      status: StoredFinding['status'] = 'open',
    ): StoredFinding => {
      const base = {
        projectId: P,
        traceId,
        spanId: `${traceId.slice(-8)}${n.toString(16).padStart(8, '0')}`,
        ruleId: `rule.${severity}`,
        severity,
        reason: `finding ${n}`,
        evidence: `evidence ${n}`,
        agentName: 'support',
        toolName: '',
        status,
        createdNs: DAY0 + BigInt(n) * MS,
      };
      return { ...base, id: findingId(base) };
    };

    /**
     * Seven runs five hours apart (over two days): durations with a tie, tokens with a tie, and
     * findings of every severity, one critical muted. Returns their trace IDs, oldest first.
     */
    async function seed(): Promise<string[]> {
      const durationsMs = [30n, 500n, 70n, 500n, 20n, 900n, 60n];
      const tokens = [5, 300, 40, 0, 300, 10, 7];
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const startNs = DAY0 + BigInt(i) * 5n * HOUR;
        const steps = buildRun({
          projectId: P,
          startNs,
          inputTokens: tokens[i] as number,
          agentName: i % 2 === 0 ? 'even' : 'odd',
          status: i === 3 ? 'error' : 'ok',
        });
        // The root outlasts its children by the run's duration.
        (steps[0] as (typeof steps)[number]).endNs = startNs + (durationsMs[i] as bigint) * MS;
        await store.writeSteps(steps);
        ids.push(steps[0]?.traceId as string);
      }
      const [r0, r1, r2, r3, r4, r5] = ids as [string, string, string, string, string, string];
      void r0;
      await store.replaceFindings(P, r1, [finding(r1, 1, 'critical')]);
      await store.replaceFindings(P, r2, [finding(r2, 2, 'high'), finding(r2, 3, 'medium')]);
      await store.replaceFindings(P, r3, [finding(r3, 4, 'low')]);
      await store.replaceFindings(P, r4, [finding(r4, 5, 'critical', 'muted'), finding(r4, 6, 'medium')]);
      await store.replaceFindings(P, r5, [finding(r5, 7, 'high')]);
      return ids;
    }

    /** Every page of a listing, following the cursor, and the total each page reported. */
    async function allPages(query: Omit<RunQuery, 'limit' | 'cursor'>, limit: number) {
      const runs: RunSummary[] = [];
      const totals: (number | undefined)[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await store.listRuns(P, { ...query, limit, count: true, ...(cursor ? { cursor } : {}) });
        runs.push(...page.runs);
        totals.push(page.total);
        if (page.nextCursor === undefined) break;
        cursor = page.nextCursor;
      }
      return { ids: runs.map((r) => r.traceId), runs, totals };
    }

    const sort = (key: RunSort['key'], descending = true): RunSort => ({ key, descending });

    test('orders every matching run by duration, tokens and worst finding, across pages', async () => {
      const [r0, r1, r2, r3, r4, r5, r6] = (await seed()) as [string, string, string, string, string, string, string];

      // Longest first; the two 500 ms runs newest first.
      const byDuration = await allPages({ sort: sort('duration') }, 3);
      expect(byDuration.ids).toEqual([r5, r3, r1, r2, r6, r0, r4]);
      expect(byDuration.totals).toEqual([7, 7, 7]);
      expect((await allPages({ sort: sort('duration', false) }, 2)).ids).toEqual([r4, r0, r6, r2, r3, r1, r5]);

      // Input + output tokens (each run's model call adds 20 output tokens).
      expect((await allPages({ sort: sort('tokens') }, 4)).ids).toEqual([r4, r1, r2, r5, r6, r0, r3]);

      // Worst open finding (a muted critical does not count), then how many count towards the run.
      const bySeverity = await allPages({ sort: sort('severity') }, 2);
      expect(bySeverity.ids).toEqual([r1, r2, r5, r4, r3, r6, r0]);
      expect(bySeverity.runs.map((r) => r.worstSeverity)).toEqual([
        'critical',
        'high',
        'high',
        'medium',
        'low',
        '',
        '',
      ]);
      expect((await allPages({ sort: sort('severity', false) }, 3)).ids).toEqual([r6, r0, r3, r4, r5, r2, r1]);

      // Oldest first, and the list's own order.
      expect((await allPages({ sort: sort('start', false) }, 3)).ids).toEqual([r0, r1, r2, r3, r4, r5, r6]);
      expect((await allPages({ sort: sort('start') }, 3)).ids).toEqual([r6, r5, r4, r3, r2, r1, r0]);
    });

    test('sorts and counts only the runs the filters match', async () => {
      const [r0, r1, r2, r3, r4, r5, r6] = (await seed()) as [string, string, string, string, string, string, string];
      const odd = await allPages({ sort: sort('duration'), agentName: 'odd' }, 2);
      expect(odd.ids).toEqual([r5, r3, r1]);
      expect(odd.totals).toEqual([3, 3]);
      const withFindings = await allPages({ sort: sort('severity'), hasFindings: true }, 10);
      expect(withFindings.ids).toEqual([r1, r2, r5, r4]);
      expect(withFindings.totals).toEqual([4]);
      const window = await allPages({ sort: sort('tokens'), fromNs: DAY0 + 10n * HOUR, toNs: DAY0 + 30n * HOUR }, 10);
      expect(window.ids).toEqual([r4, r2, r5, r3]);
      expect(window.totals).toEqual([4]);
      // The newest-first list counts too, on every page.
      const newest = await allPages({ status: 'ok' }, 4);
      expect(newest.ids).toEqual([r6, r5, r4, r2, r1, r0]);
      expect(newest.totals).toEqual([6, 6]);
      expect((await store.listRuns(P, { limit: 2, agentName: 'nobody', count: true })).total).toBe(0);
      // Without count, no total.
      expect((await store.listRuns(P, { limit: 2 })).total).toBeUndefined();
      void r0;
      void r3;
    });

    test('refuses a cursor that belongs to another order', async () => {
      await seed();
      const newest = await store.listRuns(P, { limit: 2 });
      const sorted = await store.listRuns(P, { limit: 2, sort: sort('duration') });
      await expect(
        store.listRuns(P, { limit: 2, sort: sort('duration'), cursor: newest.nextCursor as string }),
      ).rejects.toThrow(BadInputError);
      await expect(store.listRuns(P, { limit: 2, cursor: sorted.nextCursor as string })).rejects.toThrow(BadInputError);
    });

    test('lists findings worst first over every page, counts them, and keeps only the worse ones when asked', async () => {
      const ids = await seed();
      const all = async (query: { order?: 'severity' | 'time'; minSeverity?: StoredFinding['severity'] }) => {
        const out: StoredFinding[] = [];
        const totals: (number | undefined)[] = [];
        let cursor: string | undefined;
        for (let i = 0; i < 20; i++) {
          const page = await store.listFindings(P, { ...query, limit: 2, count: true, ...(cursor ? { cursor } : {}) });
          out.push(...page.findings);
          totals.push(page.total);
          if (page.nextCursor === undefined) break;
          cursor = page.nextCursor;
        }
        return { out, totals };
      };
      const worst = await all({ order: 'severity' });
      // Worst first, then newest first within a severity.
      expect(worst.out.map((f) => `${f.severity}:${f.reason}`)).toEqual([
        'critical:finding 5',
        'critical:finding 1',
        'high:finding 7',
        'high:finding 2',
        'medium:finding 6',
        'medium:finding 3',
        'low:finding 4',
      ]);
      expect(worst.totals).toEqual([7, 7, 7, 7]);
      const newest = await all({});
      expect(newest.out.map((f) => f.reason)).toEqual([7, 6, 5, 4, 3, 2, 1].map((n) => `finding ${n}`));
      const noLow = await all({ order: 'severity', minSeverity: 'medium' });
      expect(noLow.out.map((f) => f.severity)).not.toContain('low');
      expect(noLow.totals[0]).toBe(6);
      const low = await store.listFindings(P, { severity: 'low', limit: 1, count: true });
      expect(low.total).toBe(1);
      const open = await store.listFindings(P, { order: 'severity', status: 'open', limit: 1, count: true });
      expect(open.findings[0]?.reason).toBe('finding 1');
      expect(open.total).toBe(6);
      // A cursor of one order is refused by the other.
      const first = await store.listFindings(P, { order: 'severity', limit: 1 });
      await expect(store.listFindings(P, { limit: 1, cursor: first.nextCursor as string })).rejects.toThrow(
        BadInputError,
      );
      void ids;
    });
  },
};

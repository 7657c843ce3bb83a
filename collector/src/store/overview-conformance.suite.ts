import { afterEach, beforeEach, expect } from 'vitest';
import type { RunSummary, Step } from '../model/step.js';
import { buildRun, DAY0 } from './conformance.fixtures.js';
import { findingId, type StoredFinding } from './findings.js';
import { aggregateOverview, type OverviewQuery } from './overview.js';
import type { TraceStore } from './port.js';
import type { StoreSuite } from './suite-harness.suite.js';

const MS = 1_000_000n;
const MIN = 60_000n * MS;
const HOUR = 60n * MIN;

/**
 * `overview`: the figures a store aggregates itself are the ones the overview computed from the
 * runs list (every run of the range read page by page, then `aggregateOverview`), at the range's
 * edges, for runs that began before the range, per agent and per bucket.
 */
export const overviewSuite: StoreSuite = {
  name: 'overview',
  register({ makeStore, purge, test }) {
    let store: TraceStore;
    const P = 'proj-overview';
    const Q = 'proj-other';

    beforeEach(async () => {
      store = await makeStore();
      await store.migrate();
    });
    afterEach(async () => {
      await purge(store);
    });

    // The range starts and ends off a whole millisecond, as `from`/`to` in nanoseconds may.
    const fromNs = DAY0 + HOUR + 123_456n;
    const toNs = DAY0 + 7n * HOUR + 999_999n;
    const hourly = (agentName?: string): OverviewQuery => ({
      fromNs,
      toNs,
      bucketMs: 3_600_000,
      ...(agentName === undefined ? {} : { agentName }),
    });

    const finding = (
      traceId: string,
      n: number,
      severity: StoredFinding['severity'],
      status = 'open',
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
        status: status as StoredFinding['status'],
        createdNs: DAY0 + BigInt(n) * MS,
      };
      return { ...base, id: findingId(base) };
    };

    /** A run of `buildRun` lasting `durationNs` (its root outlasts the other steps). */
    const run = (startNs: bigint, durationNs: bigint, spec: Partial<Parameters<typeof buildRun>[0]> = {}): Step[] => {
      const steps = buildRun({ projectId: P, startNs, ...spec });
      (steps[0] as Step).endNs = startNs + durationNs;
      return steps;
    };

    /** One more step of a run, starting at `startNs`, in a later hour than the run's first. */
    const lateStep = (root: Step, startNs: bigint): Step => ({
      ...root,
      spanId: `${root.spanId.slice(0, 8)}ffffffff`,
      parentSpanId: root.spanId,
      kind: 'tool',
      name: 'execute_tool late',
      toolName: 'late',
      agentName: '',
      startNs,
      endNs: startNs + 2n * MS,
    });

    /** Runs in and around the range, some with findings, and another project's run. */
    async function seed(): Promise<void> {
      // Starts in the range and runs on past its end: counted with its whole duration.
      const pastEnd = run(DAY0 + 6n * HOUR + 50n * MIN, 30n * MS);
      const runs: Step[][] = [
        // Before the range, and in its first millisecond but before `fromNs`: left out.
        run(DAY0 + 30n * MIN, 5n * MS),
        run(DAY0 + HOUR + 100_000n, 5n * MS),
        // At `fromNs` exactly: counted.
        run(fromNs, 40n * MS + 7n, { inputTokens: 11 }),
        // Hours 1 … 6: several agents, errors, a tie of durations, tokens with a null.
        run(DAY0 + HOUR + 20n * MIN, 250n * MS, { agentName: 'billing', status: 'error' }),
        run(DAY0 + HOUR + 40n * MIN, 250n * MS, { agentName: 'billing' }),
        run(DAY0 + 2n * HOUR + 5n * MIN, 1_500n * MS + 321n, { inputTokens: null }),
        run(DAY0 + 2n * HOUR + 6n * MIN, 12n * MS, { agentName: 'triage', status: 'error' }),
        run(DAY0 + 4n * HOUR + 59n * MIN, 900n * MS, { agentName: 'triage', inputTokens: 7 }),
        // A run with no agent name is counted under its service; one with neither as "(unknown)".
        run(DAY0 + 5n * HOUR, 60n * MS, { agentName: '' }),
        run(DAY0 + 5n * HOUR + MIN, 61n * MS, { agentName: '' }).map((s) => ({ ...s, serviceName: '' })),
        [...pastEnd, lateStep(pastEnd[0] as Step, DAY0 + 9n * HOUR)],
        // In the range's last nanoseconds (past its last whole millisecond), and at `toNs`: left out.
        run(DAY0 + 7n * HOUR + 500n, 5n * MS),
        run(toNs, 5n * MS),
      ];
      // Began before the range (in an earlier hour, and earlier in the range's first hour) with a
      // step inside it: left out.
      const early = run(DAY0 + 20n * MIN, 10n * MS, { agentName: 'early' });
      const sameHour = run(DAY0 + HOUR + 50_000n, 10n * MS, { agentName: 'early' });
      await store.writeSteps([...runs.flat(), ...early, ...sameHour]);
      // The later steps in a write of their own, and one run sent twice: each is still one run.
      await store.writeSteps([
        lateStep(early[0] as Step, DAY0 + 3n * HOUR),
        lateStep(sameHour[0] as Step, DAY0 + 2n * HOUR),
      ]);
      await store.writeSteps(runs[5] as Step[]);
      // Another project's run in the range is never counted.
      await store.writeSteps(buildRun({ projectId: Q, startNs: DAY0 + 2n * HOUR, agentName: 'billing' }));

      const id = (i: number) => (runs[i] as Step[])[0]?.traceId as string;
      // Counted: an open high and an open medium finding; not: only a low one, only a muted one.
      await store.replaceFindings(P, id(3), [finding(id(3), 1, 'high')]);
      await store.replaceFindings(P, id(5), [finding(id(5), 2, 'medium'), finding(id(5), 3, 'low')]);
      await store.replaceFindings(P, id(6), [finding(id(6), 4, 'low')]);
      await store.replaceFindings(P, id(7), [finding(id(7), 5, 'critical', 'muted')]);
    }

    /** What the overview computed before: every run of the range read from the runs list, page by page. */
    async function fromRunsList(query: OverviewQuery) {
      const listed: RunSummary[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listRuns(P, {
          fromNs: query.fromNs,
          toNs: query.toNs,
          limit: 3,
          ...(query.agentName === undefined ? {} : { agentName: query.agentName }),
          ...(cursor === undefined ? {} : { cursor }),
        });
        listed.push(...page.runs);
        cursor = page.nextCursor;
      } while (cursor);
      return aggregateOverview(listed, query);
    }

    test('answers as the overview computed from the runs list', async () => {
      await seed();
      const overview = await store.overview(P, hourly());
      expect(overview).toEqual(await fromRunsList(hourly()));
      expect(overview.totals).toMatchObject({ runs: 9, errors: 2, inputTokens: 11 + 100 * 6 + 7, withFindings: 2 });
      expect(overview.buckets.map((b) => b.runs)).toEqual([3, 2, 0, 1, 2, 1]);
      expect(overview.buckets[1]).toMatchObject({ p50Ms: 12, p95Ms: 1500.000321, errors: 1 });
      // The run that goes on past the range counts with its whole duration (2 h 10 min 2 ms).
      expect(overview.buckets[5]).toMatchObject({ runs: 1, p50Ms: 7_800_002 });
      // Ties of runs: the agent with the more recent run first.
      expect(overview.agents.map((a) => [a.agent, a.runs])).toEqual([
        ['support', 3],
        ['triage', 2],
        ['billing', 2],
        ['(unknown)', 1],
        ['support-bot', 1],
      ]);
      expect(overview.agents.find((a) => a.agent === 'billing')).toMatchObject({
        errors: 1,
        errorRate: 0.5,
        p50Ms: 250,
        p95Ms: 250,
      });
    }, 60_000);

    test('one agent, a range with no runs, and a run that began before the range', async () => {
      await seed();
      const billing = await store.overview(P, hourly('billing'));
      expect(billing).toEqual(await fromRunsList(hourly('billing')));
      expect(billing.totals.runs).toBe(2);
      expect((await store.overview(P, hourly('early'))).totals.runs).toBe(0);
      const later: OverviewQuery = { fromNs: DAY0 + 2n * HOUR, toNs: DAY0 + 4n * HOUR, bucketMs: 1_800_000 };
      const some = await store.overview(P, later);
      expect(some).toEqual(await fromRunsList(later));
      expect(some.totals.runs).toBe(2);
      const empty: OverviewQuery = { fromNs: DAY0 + 40n * HOUR, toNs: DAY0 + 41n * HOUR, bucketMs: 600_000 };
      expect(await store.overview(P, empty)).toEqual(await fromRunsList(empty));
      expect((await store.overview(P, empty)).buckets).toHaveLength(6);
      expect((await store.overview('nobody', hourly())).totals.runs).toBe(0);
    }, 60_000);
  },
};

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertsContext, CLAIMS_TABLE_DDL, claimEvaluation } from './clickhouse-alert-claims.js';
import type { Row } from './clickhouse-rows.js';

// The claim protocol against a real server, with one claimer's insert held back on its way to the
// server, as a stalled connection, a paused collector or a busy replica would hold it.
const url = process.env.CLICKHOUSE_URL ?? '';
const skipped = url ? '' : ' [skipped: CLICKHOUSE_URL is not set]';

async function run(sql: string): Promise<string> {
  const res = await fetch(`${url}/?query=${encodeURIComponent(sql)}`, { method: 'POST' });
  if (!res.ok) throw new Error(await res.text());
  return res.text();
}

describe.skipIf(!url)(`ClickHouse alert-window claims when a claim is slow${skipped}`, () => {
  const db = `casefile_test_${randomBytes(6).toString('hex')}`;
  const settleMs = 300;

  beforeAll(async () => {
    await run(`CREATE DATABASE ${db}`);
    await run(CLAIMS_TABLE_DDL(db));
  });
  afterAll(async () => {
    await run(`DROP DATABASE IF EXISTS ${db}`);
  });

  /**
   * A claimer. `pauseS`: the server pauses this long inside the claim's insert, after the insert has
   * looked for other claims and before its row is committed — a busy server, a slow disk, a replica
   * waiting for its quorum. `readLagMs`: the answer to the claimer's first read reaches it this late.
   */
  const context = (pauseS = 0, readLagMs = 0) => {
    const declined: number[] = [];
    let reads = 0;
    const ctx: AlertsContext = {
      db,
      database: db,
      select: async (sql) => {
        const rows = (await run(`${sql} FORMAT JSONEachRow`))
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Row);
        if (reads++ === 0) await new Promise((resolve) => setTimeout(resolve, readLagMs));
        return rows;
      },
      insert: () => Promise.reject(new Error('not used')),
      nextVersion: () => 0n,
      command: async (sql) => {
        expect(sql).toMatch(/\) = 0$/);
        await run(pauseS > 0 ? `${sql} AND sleep(${pauseS}) = 0` : sql);
      },
      claimSettleMs: settleMs,
      onClaimDeclined: (ms) => declined.push(ms),
    };
    return { ctx, declined };
  };

  it('a claim committed after another claim won does not win too, though it sorts first', async () => {
    // The slow claim looks for claims first (none), then the server pauses a second before committing
    // it; meanwhile the fast claim inserts, waits and reads only itself. The slow one sorts first.
    const slow = context(1);
    const fast = context();
    const slowVerdict = claimEvaluation(slow.ctx, 'p', 'r', 1n, 'a-slow');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await claimEvaluation(fast.ctx, 'p', 'r', 1n, 'b-fast')).toBe(true);
    expect(await slowVerdict).toBe(false);
    expect(slow.declined).toHaveLength(1);
    expect(slow.declined[0]).toBeGreaterThan(settleMs);
    // Both rows are stored: the slow claim lost on its own measurement, not for lack of a row.
    expect((await run(`SELECT count() FROM ${db}.alert_claims WHERE rule_id = 'r'`)).trim()).toBe('2');
  });

  it('a slow claim with no other claim of its window still wins, and later claims lose', async () => {
    const slow = context(0.6);
    expect(await claimEvaluation(slow.ctx, 'p', 'alone', 1n, 'z-slow')).toBe(true);
    expect(slow.declined).toEqual([]);
    expect(await claimEvaluation(context().ctx, 'p', 'alone', 1n, 'a-fast')).toBe(false);
  });

  it('a claim whose insert sees a claim committed since its first read adds no row and loses', async () => {
    // The second claimer's first read finds nothing; by the time its insert runs, the first claim is in.
    const verdicts = Promise.all([
      new Promise((resolve) => setTimeout(resolve, 50)).then(() =>
        claimEvaluation(context().ctx, 'p', 'seen', 1n, 'b'),
      ),
      claimEvaluation(context(0, 250).ctx, 'p', 'seen', 1n, 'a'),
    ]);
    expect(await verdicts).toEqual([true, false]);
    expect((await run(`SELECT owner FROM ${db}.alert_claims WHERE rule_id = 'seen'`)).trim()).toBe('b');
  });

  it('of fast claims that did not see each other the smallest wins, whichever was committed last', async () => {
    // Both look for claims before either is committed; the server holds the one that sorts first longer.
    const verdicts = await Promise.all([
      claimEvaluation(context(0.05).ctx, 'p', 'pair', 1n, 'b'),
      claimEvaluation(context(0.15).ctx, 'p', 'pair', 1n, 'a'),
    ]);
    expect(verdicts).toEqual([false, true]);
  });
});

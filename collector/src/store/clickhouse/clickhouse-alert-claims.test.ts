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

  const context = (holdInsert?: () => Promise<unknown>) => {
    const declined: number[] = [];
    const ctx: AlertsContext = {
      db,
      database: db,
      select: async (sql) =>
        (await run(`${sql} FORMAT JSONEachRow`))
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Row),
      insert: () => Promise.reject(new Error('not used')),
      nextVersion: () => 0n,
      command: async (sql) => {
        await holdInsert?.();
        await run(sql);
      },
      claimSettleMs: settleMs,
      onClaimDeclined: (ms) => declined.push(ms),
    };
    return { ctx, declined };
  };

  it('a claim held back past the settle delay does not win beside the claim that won, though it sorts first', async () => {
    let fastDone!: () => void;
    const fastFinished = new Promise<void>((resolve) => {
      fastDone = resolve;
    });
    // The slow claimer reads (no claim yet), then its insert reaches the server only after the
    // fast claimer has inserted, waited and won. Its owner sorts before the fast one's.
    const slow = context(() => fastFinished);
    const fast = context();
    const slowVerdict = claimEvaluation(slow.ctx, 'p', 'r', 1n, 'a-slow');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const fastVerdict = await claimEvaluation(fast.ctx, 'p', 'r', 1n, 'b-fast');
    fastDone();
    expect(fastVerdict).toBe(true);
    expect(await slowVerdict).toBe(false);
    expect(slow.declined).toHaveLength(1);
    expect(slow.declined[0]).toBeGreaterThan(settleMs);
    // Both rows are stored: the slow claim lost on its own measurement, not for lack of a row.
    expect((await run(`SELECT count() FROM ${db}.alert_claims WHERE rule_id = 'r'`)).trim()).toBe('2');
  });

  it('a slow claim with no other claim of its window still wins, and later claims lose', async () => {
    const slow = context(() => new Promise((resolve) => setTimeout(resolve, settleMs * 2)));
    expect(await claimEvaluation(slow.ctx, 'p', 'alone', 1n, 'z-slow')).toBe(true);
    expect(slow.declined).toEqual([]);
    expect(await claimEvaluation(context().ctx, 'p', 'alone', 1n, 'a-fast')).toBe(false);
  });

  it('of fast claims inserted together the smallest wins, whichever was inserted last', async () => {
    // Both read before either inserts, so both insert; the one that sorts first wins.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let waiting = 0;
    const both = () => {
      waiting++;
      if (waiting === 2) setTimeout(release, 10);
      return gate;
    };
    const first = context(both);
    const second = context(async () => {
      await both();
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    const verdicts = await Promise.all([
      claimEvaluation(first.ctx, 'p', 'pair', 1n, 'b'),
      claimEvaluation(second.ctx, 'p', 'pair', 1n, 'a'),
    ]);
    expect(verdicts).toEqual([false, true]);
  });
});

import { randomBytes } from 'node:crypto';
import type { PendingDetection } from '../port.js';
import type { Row } from './clickhouse-rows.js';
import type { Migration } from './migration.js';
import { literal, uint } from './sql.js';

/**
 * Leases on detection work, so that of several collectors sharing a store one detects a run at a
 * time. One row per attempt, stamped by the server (`now()`), partitioned by day. Sharded by trace
 * like the run itself, so every claim of a run meets on one shard.
 */
export const DETECTION_CLAIMS_MIGRATION: Migration = {
  version: 11,
  name: 'detection claims: leases on runs being detected',
  statements: (db) => [
    `CREATE TABLE IF NOT EXISTS ${db}.detection_claims (
  project_id String, trace_id String, claimed_at DateTime, owner String, nonce String, day Date DEFAULT toDate(claimed_at)
) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(day) ORDER BY (project_id, trace_id, claimed_at, owner, nonce)`,
  ],
};

export interface ClaimsContext {
  db: string;
  select(sql: string): Promise<Row[]>;
  /**
   * On a cluster a plain synchronous insert: every collector reads and writes the first live replica
   * of the run's shard, so it sees every claim. Not the span quorum: detection goes on while a shard
   * has one replica; a failover inside the settle delay can let a claim go unseen (the run is then
   * detected twice, with the same findings).
   */
  insert(sql: string): Promise<void>;
  settleMs: number;
  /** Leases this client won and still holds: key → local deadline (epoch ms). */
  held: Map<string, number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const keyOf = (owner: string, projectId: string, traceId: string) => `${owner}\0${projectId}\0${traceId}`;
const runKey = (projectId: string, traceId: string) => `${projectId}\0${traceId}`;

interface Claim {
  at: number;
  owner: string;
  nonce: string;
}

const before = (a: Claim, b: Claim) =>
  a.at !== b.at ? a.at < b.at : a.owner !== b.owner ? a.owner < b.owner : a.nonce < b.nonce;

/**
 * Claims the detection of `runs` for `owner` for `leaseS` seconds; answers the runs won. The protocol
 * is `claimEvaluation`'s (see `clickhouse-alert-claims.ts`), batched and with an expiry:
 *
 * 1. A run whose lease this client holds (won earlier, more than a quarter of it left) is its own
 *    without a round trip: a late span of a run being detected goes to the same collector.
 * 2. A run with any claim younger than the lease is left alone (its claimer is on it).
 * 3. For the others, one insert of claim rows stamped with the server's `now()`, one random nonce.
 * 4. After the settle delay, one read. A claim wins when no other claim of its run is smaller in
 *    (claimed_at, owner, nonce) and younger than the lease at its stamp: two claimers racing within a
 *    lease see each other (the argument of `claimEvaluation`) and the smaller one wins; a claim made
 *    after the lease of every earlier claim ran out (its holder died, or gave up) wins again.
 *
 * Exactly-once rests on a holder finishing within its lease; the caller stops taking held runs a
 * quarter of a lease before its end. A holder that stalls longer than that can overlap with a taker
 * (both write the same findings: detection is idempotent). Owners must be unique per process.
 * Runs already marked detected at `writtenNs` since the caller read them are dropped from the answer.
 */
export async function claimDetections(
  ctx: ClaimsContext,
  runs: readonly PendingDetection[],
  owner: string,
  leaseS: number,
): Promise<PendingDetection[]> {
  if (runs.length === 0) return [];
  const now = Date.now();
  for (const [key, deadline] of ctx.held) if (deadline <= now) ctx.held.delete(key);
  const held = runs.filter((r) => ctx.held.has(keyOf(owner, r.projectId, r.traceId)));
  const rest = runs.filter((r) => !ctx.held.has(keyOf(owner, r.projectId, r.traceId)));
  const where = (list: readonly PendingDetection[]) =>
    `(project_id, trace_id) IN (${list.map((r) => `(${literal(r.projectId)}, ${literal(r.traceId)})`).join(', ')})`;

  const busy = new Set<string>();
  if (rest.length > 0) {
    for (const r of await ctx.select(
      `SELECT DISTINCT project_id, trace_id FROM ${ctx.db}.detection_claims
WHERE ${where(rest)} AND claimed_at > now() - ${uint(leaseS)} AND day >= yesterday()`,
    )) {
      busy.add(runKey(String(r.project_id), String(r.trace_id)));
    }
  }
  const free = rest.filter((r) => !busy.has(runKey(r.projectId, r.traceId)));
  const won = [...held, ...(free.length > 0 ? await race(ctx, free, owner, leaseS, where) : [])];
  if (won.length === 0) return [];

  // A holder whose lease ran out may have finished meanwhile: do not detect its run again.
  const marks = new Map<string, bigint>();
  for (const r of await ctx.select(
    `SELECT project_id, trace_id, toString(max(written_ns)) AS m FROM ${ctx.db}.detection_marks
WHERE ${where(won)} GROUP BY project_id, trace_id`,
  )) {
    marks.set(runKey(String(r.project_id), String(r.trace_id)), BigInt(String(r.m)));
  }
  return won.filter((r) => (marks.get(runKey(r.projectId, r.traceId)) ?? -1n) < r.writtenNs);
}

/** Steps 3 and 4: insert claims for `free`, settle, answer those whose claim won (and remember them). */
async function race(
  ctx: ClaimsContext,
  free: readonly PendingDetection[],
  owner: string,
  leaseS: number,
  where: (list: readonly PendingDetection[]) => string,
): Promise<PendingDetection[]> {
  const nonce = randomBytes(12).toString('hex');
  // VALUES, one row per run, each stamped as it is read. Not a UNION ALL of one SELECT per run:
  // ClickHouse 18.16 takes seconds to plan that for a 1,000-run page, and when the SELECTs' `now()`
  // fall in different seconds it refuses the insert ("constant but values of constants are
  // different"), so on a busy server every claim of a large page failed.
  const rows = free.map(
    (r) => `(${literal(r.projectId)}, ${literal(r.traceId)}, now(), ${literal(owner)}, ${literal(nonce)})`,
  );
  await ctx.insert(
    `INSERT INTO ${ctx.db}.detection_claims (project_id, trace_id, claimed_at, owner, nonce) VALUES ${rows.join(', ')}`,
  );
  await sleep(ctx.settleMs);

  // Every claim that could beat ours: stamped up to a lease before it (and a margin for the settle delay).
  const window = leaseS + Math.ceil(ctx.settleMs / 1000) + 2;
  const claims = new Map<string, Claim[]>();
  let serverNow = 0;
  for (const r of await ctx.select(
    `SELECT project_id, trace_id, toUInt32(claimed_at) AS at, owner, nonce, toUInt32(now()) AS now
FROM ${ctx.db}.detection_claims WHERE ${where(free)} AND claimed_at > now() - ${uint(window)} AND day >= yesterday()`,
  )) {
    const key = runKey(String(r.project_id), String(r.trace_id));
    const list = claims.get(key) ?? [];
    list.push({ at: Number(r.at), owner: String(r.owner), nonce: String(r.nonce) });
    claims.set(key, list);
    serverNow = Math.max(serverNow, Number(r.now));
  }
  const localNow = Date.now();
  const won: PendingDetection[] = [];
  for (const r of free) {
    const list = claims.get(runKey(r.projectId, r.traceId)) ?? [];
    const mine = list.find((c) => c.nonce === nonce && c.owner === owner);
    // Not readable yet: the safe side is to leave it.
    if (!mine || list.some((c) => c !== mine && before(c, mine) && c.at > mine.at - leaseS)) continue;
    won.push(r);
    // Held until a quarter of the lease before it ends, by the server's clock.
    const leftMs = (mine.at + leaseS - serverNow) * 1000 - (leaseS * 1000) / 4;
    if (leftMs > 0) ctx.held.set(keyOf(owner, r.projectId, r.traceId), localNow + leftMs);
  }
  return won;
}

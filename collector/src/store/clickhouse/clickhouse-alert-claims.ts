import { randomBytes } from 'node:crypto';
import type { FindingsContext } from './clickhouse-findings.js';
import { literal, uint } from './sql.js';

/** What the alert modules need from the store: the findings context plus commands. */
export interface AlertsContext extends FindingsContext {
  /** Raw database name (`db` is its quoted identifier), for system tables. */
  database: string;
  command(sql: string): Promise<void>;
  /** How long a claimer waits between its insert and its verdict; default `DEFAULT_CLAIM_SETTLE_MS`. */
  claimSettleMs?: number;
  /** The cluster the tables live on, if any (see `clickhouse-cluster.ts`). */
  cluster?: string;
}

/**
 * Longer than the grain of the server clock that stamps claims (`now()`: 1 s on 18.16, which has
 * no sub-second clock) plus a margin for a competing insert between its stamp and its commit.
 */
export const DEFAULT_CLAIM_SETTLE_MS = 1_500;

/** `alert_claims`: append-only, one row per attempt; ordered so one key's claims are read together. */
export const CLAIMS_TABLE_DDL = (db: string) => `CREATE TABLE IF NOT EXISTS ${db}.alert_claims (
  project_id String, rule_id String, window_end_ns UInt64, claimed_at DateTime, owner String, nonce String
) ENGINE = MergeTree() ORDER BY (project_id, rule_id, window_end_ns, claimed_at, owner, nonce)`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Claim the evaluation of (project, rule, windowEnd) on ClickHouse, which has no transactions and
 * no insert-if-absent. Protocol:
 *
 * 1. If a claim for the key is already visible, lose at once (nothing is inserted). Safe: losing
 *    never breaks "at most one", and a visible claim's own claimer decides without this one.
 * 2. Insert a claim row stamped by the SERVER (`now()`, so collectors' clocks do not matter) with
 *    the owner and a random nonce (the same owner asking twice is two different claims).
 * 3. Wait the settle delay D, then read every claim of the key. The winner is the smallest
 *    (claimed_at, owner, nonce); this call returns true iff that is its own row.
 *
 * Why exactly one wins. Let G be the grain of `claimed_at` (1 s) and L the time between a claim's
 * stamp and the moment its row is readable; assume L ≤ D − G for every claim.
 * - At most one: take two claimers A, B whose inserts were acknowledged at tA ≤ tB. B reads at
 *   tB + D > tA, so B sees A. If B won, B < A, so B's stamp is at most A's stamp, i.e. B was
 *   stamped before A's second ended: sB < sA + G. B's row was readable by sB + L < sA + G + D − G
 *   = sA + D ≤ tA + D, the moment A read; so A saw B < A and lost. Both cannot win.
 * - At least one: the claimer of the smallest claim that will ever exist sees, at its read, its
 *   own row and only larger ones, so it wins (unless its read fails: then that window is not
 *   evaluated, which is the safe side). A claim made after the winner read sees the winner's
 *   earlier stamp; by the argument above it cannot be smaller, and so it loses: claims are permanent.
 * Limit: a claim insert that takes longer than D − G between its stamp and being readable (a
 * stalled server, a replica lagging behind) can make two claimers win. Raise `claimSettleMs` where
 * that is a risk; on a cluster keep `alert_claims` unsharded and replicated with
 * `insert_quorum` + `select_sequential_consistency`, so every read sees every acknowledged claim.
 */
export async function claimEvaluation(
  ctx: AlertsContext,
  projectId: string,
  ruleId: string,
  windowEndNs: bigint,
  owner: string,
): Promise<boolean> {
  const key = `project_id = ${literal(projectId)} AND rule_id = ${literal(ruleId)} AND window_end_ns = ${uint(windowEndNs)}`;
  const claims = `SELECT owner, nonce FROM ${ctx.db}.alert_claims WHERE ${key}
ORDER BY claimed_at, owner, nonce LIMIT 1`;
  if ((await ctx.select(claims)).length > 0) return false;

  const nonce = randomBytes(12).toString('hex');
  const values = [literal(projectId), literal(ruleId), uint(windowEndNs), 'now()', literal(owner), literal(nonce)];
  await ctx.command(
    `INSERT INTO ${ctx.db}.alert_claims (project_id, rule_id, window_end_ns, claimed_at, owner, nonce)
SELECT ${values.join(', ')}`,
  );
  await sleep(ctx.claimSettleMs ?? DEFAULT_CLAIM_SETTLE_MS);
  const [winner] = await ctx.select(claims);
  return winner !== undefined && String(winner.nonce) === nonce;
}

import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FindingsContext } from './clickhouse-findings.js';
import type { Row } from './clickhouse-rows.js';
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
  /**
   * Insert and read of claims. On a cluster with a write quorum the insert waits for the quorum and the
   * read sees every quorum insert (`select_sequential_consistency`); by default `command` and `select`.
   */
  claimInsert?(sql: string): Promise<void>;
  claimSelect?(sql: string): Promise<Row[]>;
  /** Called when a claim is given up because the store took longer than the settle delay to take it. */
  onClaimDeclined?(elapsedMs: number): void;
}

/** How long a claimer waits between its insert and its verdict, and the longest a claim may take to be sure. */
export const DEFAULT_CLAIM_SETTLE_MS = 1_500;

/** `alert_claims`: append-only, one row per attempt; ordered so one key's claims are read together. */
export const CLAIMS_TABLE_DDL = (db: string) => `CREATE TABLE IF NOT EXISTS ${db}.alert_claims (
  project_id String, rule_id String, window_end_ns UInt64, claimed_at DateTime, owner String, nonce String
) ENGINE = MergeTree() ORDER BY (project_id, rule_id, window_end_ns, claimed_at, owner, nonce)`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Claim the evaluation of (project, rule, windowEnd) on ClickHouse, which has no transactions and
 * no insert-if-absent. Claims are ordered by (owner, nonce) — no clock takes part in the verdict.
 * Protocol, with D the settle delay and times on the claimer's own monotonic clock:
 *
 * 1. Read the key's claims. If any is visible, lose at once (nothing is inserted).
 * 2. At p, send one statement that inserts a claim row with the owner and a random nonce (the same
 *    owner asking twice makes two claims) only if it sees no claim of the key; its acknowledgement
 *    arrives at t. The claim is *fast* if t − p ≤ D, else *slow*. (If it saw one, there is no row
 *    and step 3 loses.)
 * 3. Wait D, read the key's claims again (set V). A fast claim wins iff it is the smallest of V;
 *    a slow claim wins only if V holds nothing but itself.
 *
 * An acknowledged claim is readable by every later read (one server; on a cluster the insert waits
 * for its quorum and reads are sequentially consistent), and a read sees what was readable when it
 * began. Why at most one wins: take winners A, B with tA ≤ tB. B read after tB + D > tA, so B saw A:
 * B is fast and B < A. A read after tA + D; if A had seen B it would have lost (B < A; and not alone),
 * so B became readable after tA + D. B's insert saw no claim, so not A: it began before tA, pB < tA,
 * and tB ≥ (B readable) > tA + D > pB + D — B was slow. Contradiction. This rests on no server speed or
 * clock: a stalled server, a replica catching up or a paused collector can only make claims slow, and
 * a slow claim that is not alone gives the window up. Why one wins when claims are fast: the claimer
 * of the smallest claim ever made sees its own row and only larger ones. When every claim of a key is
 * slow and they meet, none wins: the window is not evaluated in that retry slot and is claimed again
 * in the next (see `alerts/evaluator.ts`); `onClaimDeclined` counts these.
 */
export async function claimEvaluation(
  ctx: AlertsContext,
  projectId: string,
  ruleId: string,
  windowEndNs: bigint,
  owner: string,
): Promise<boolean> {
  const insert = ctx.claimInsert ?? ((sql: string) => ctx.command(sql));
  const select = ctx.claimSelect ?? ((sql: string) => ctx.select(sql));
  const settleMs = ctx.claimSettleMs ?? DEFAULT_CLAIM_SETTLE_MS;
  const key = `project_id = ${literal(projectId)} AND rule_id = ${literal(ruleId)} AND window_end_ns = ${uint(windowEndNs)}`;
  const claims = `SELECT owner, nonce FROM ${ctx.db}.alert_claims WHERE ${key} ORDER BY owner, nonce`;

  // A key already claimed is lost at once, without a row or a wait.
  if ((await select(`${claims} LIMIT 1`)).length > 0) return false;
  const nonce = randomBytes(12).toString('hex');
  const values = [literal(projectId), literal(ruleId), uint(windowEndNs), 'now()', literal(owner), literal(nonce)];
  const statement = `INSERT INTO ${ctx.db}.alert_claims (project_id, rule_id, window_end_ns, claimed_at, owner, nonce)
SELECT ${values.join(', ')} WHERE (SELECT count() FROM ${ctx.db}.alert_claims WHERE ${key}) = 0`;
  const started = performance.now();
  // Sent once more if it fails (a dropped connection): if the first one got in, the second sees it and
  // adds nothing; if the first gets in later still, two rows of ours make the claim "not alone" if slow.
  // Either way `started` is before both, so the claim is measured as slow as it was.
  await insert(statement).catch(() => insert(statement));
  const elapsedMs = performance.now() - started;
  await sleep(settleMs);
  // Every claim of the key: one per claimer that got past its first read, a handful at most.
  const seen = await select(claims);
  const mine = (row: Row | undefined) =>
    row !== undefined && String(row.owner) === owner && String(row.nonce) === nonce;
  // No row of ours: our insert saw a claim (or is not readable yet, which is the safe side).
  if (!seen.some(mine)) return false;
  if (elapsedMs <= settleMs) return mine(seen[0]);
  if (seen.length === 1) return true;
  ctx.onClaimDeclined?.(elapsedMs);
  return false;
}

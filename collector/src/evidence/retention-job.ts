import { type Logger, silentLogger } from '../log/logger.js';
import { type CaseStore, dayStartNs, heldTraceIds, utcDay } from '../store/evidence.js';
import type { ProjectStore, Retention } from '../store/port.js';
import type { ChainRecorder } from './chain-recorder.js';

const NS_PER_DAY = 86_400_000_000_000n;

export interface RetentionJobOptions {
  store: Retention & CaseStore & Pick<ProjectStore, 'listProjects'>;
  chain: Pick<ChainRecorder, 'appendEvent'>;
  /** Days kept in projects without a policy of their own (`CASEFILE_RETENTION_DAYS`); undefined = keep. */
  defaultDays?: number | undefined;
  /** How often every project is purged; 0 = only on request. */
  intervalMs: number;
  /** A warning for each scheduled pass that failed. */
  log?: Logger;
  now?: () => bigint;
}

export interface RetentionOutcome {
  projectId: string;
  /** The days kept, and where that number came from; null = nothing is purged. */
  days: number | null;
  source: 'project' | 'default' | 'none';
  /** Data that started before this (00:00 UTC) is gone, but for held runs. */
  beforeNs?: bigint;
  keptTraceIds: string[];
}

export interface RetentionJob {
  /** Purges one project (or every project) now, and resolves with what was done. */
  run(projectId?: string, actor?: string): Promise<RetentionOutcome[]>;
  close(): Promise<void>;
}

/**
 * Retention on a schedule: for each project, the days of its policy (or the collector's default),
 * rounded down to a UTC day boundary so that every store removes the same days (ClickHouse drops whole
 * day partitions, DuckDB deletes by day). Runs under legal hold are kept. Before anything is removed,
 * a `retention` entry (the tombstone: cutoff and held runs) is appended to the chain, so the chain
 * verifies over what remains; the run is written to the evidence audit log.
 */
export function createRetentionJob(options: RetentionJobOptions): RetentionJob {
  const log = options.log ?? silentLogger;
  const now = options.now ?? (() => BigInt(Date.now()) * 1_000_000n);
  let running: Promise<unknown> = Promise.resolve();
  let closed = false;

  async function purge(projectId: string, actor: string): Promise<RetentionOutcome> {
    const policy = await options.store.getRetentionPolicy(projectId);
    const own = policy?.days ?? null;
    const days = own ?? options.defaultDays ?? null;
    const source = own !== null ? 'project' : days !== null ? 'default' : 'none';
    if (days === null) return { projectId, days: null, source, keptTraceIds: [] };
    const beforeNs = dayStartNs(utcDay(now() - BigInt(days) * NS_PER_DAY));
    const kept = heldTraceIds(await options.store.listCases(projectId));
    const keptTraceIds = [...kept].sort();
    await options.chain.appendEvent(projectId, 'retention', { beforeNs: beforeNs.toString(), days, keptTraceIds });
    await options.store.purgeBefore(projectId, beforeNs, { keepTraceIds: kept });
    await options.store.recordEvidenceAudit({
      projectId,
      timeNs: now(),
      actor,
      action: 'retention.run',
      target: 'retention',
      detail: JSON.stringify({ days, source, beforeNs: beforeNs.toString(), keptTraceIds }),
    });
    return { projectId, days, source, beforeNs, keptTraceIds };
  }

  function run(projectId?: string, actor = 'retention schedule'): Promise<RetentionOutcome[]> {
    // One pass at a time: a request during a scheduled pass waits for it.
    const next = running.then(async () => {
      const ids = projectId !== undefined ? [projectId] : (await options.store.listProjects()).map((p) => p.id);
      const out: RetentionOutcome[] = [];
      for (const id of ids) out.push(await purge(id, actor));
      return out;
    });
    running = next.catch(() => undefined);
    return next;
  }

  const timer =
    options.intervalMs > 0
      ? setInterval(() => {
          if (closed) return;
          run().catch((err: unknown) => log.warn('a scheduled retention pass failed', { err }));
        }, options.intervalMs)
      : undefined;
  timer?.unref();

  return {
    run,
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}

import { overviewParamsSchema } from '@casefile/contract';
import { Hono } from 'hono';
import { resolveProject } from '../auth/authenticator.js';
import { BadInputError } from '../errors/errors.js';
import type { RunSummary } from '../model/step.js';
import { aggregateOverview, pickBucketMs } from '../query/overview.js';
import type { RunQuery, TraceStore } from '../store/port.js';
import type { AppEnv } from './env.js';
import { validQuery } from './validate.js';

/** The overview reads at most this many runs; beyond it the figures cover the newest ones only. */
export const OVERVIEW_MAX_RUNS = 20_000;
// Pages of 2,000: each page is a probe, a summary merge and two reads by trace ID, so fewer, larger pages cost
// less; 2,000 IDs keep those reads well under the server's 256 KiB query size.
const PAGE = 2_000;

/**
 * `GET /api/overview?from=&to=&bucket=minute|hour|day&agent=&project=`: figures per time bucket
 * and per agent. Mounted at /api, behind the app's login authentication.
 */
export function overviewRoutes(deps: { store: TraceStore }): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  api.get('/overview', validQuery(overviewParamsSchema), async (c) => {
    const project = resolveProject(c.get('principal'), c.req.query('project'));
    const params = c.req.valid('query');
    const toNs = params.toNs ?? BigInt(Date.now()) * 1_000_000n;
    // The default window starts a day before `to`, never before the epoch.
    const dayBefore = toNs - 86_400_000n * 1_000_000n;
    const fromNs = params.fromNs ?? (dayBefore > 0n ? dayBefore : 0n);
    if (fromNs >= toNs) throw new BadInputError('from must be before to');
    const { bucket, agentName: agent } = params;

    const runs: RunSummary[] = [];
    let cursor: string | undefined;
    let truncated = false;
    for (;;) {
      const query: RunQuery = { fromNs, toNs, limit: PAGE };
      if (agent) query.agentName = agent;
      if (cursor) query.cursor = cursor;
      const page = await deps.store.listRuns(project, query);
      runs.push(...page.runs);
      cursor = page.nextCursor;
      if (!cursor) break;
      if (runs.length >= OVERVIEW_MAX_RUNS) {
        truncated = true;
        break;
      }
    }
    const fromMs = Number(fromNs / 1_000_000n);
    const toMs = Number(toNs / 1_000_000n);
    const overview = aggregateOverview(runs, fromMs, toMs, pickBucketMs(fromMs, toMs, bucket));
    return c.json({ ...overview, scannedRuns: runs.length, maxRuns: OVERVIEW_MAX_RUNS, truncated });
  });
  return api;
}

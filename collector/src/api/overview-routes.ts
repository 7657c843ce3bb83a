import { overviewParamsSchema } from '@casefile/contract';
import { Hono } from 'hono';
import { resolveProject } from '../auth/authenticator.js';
import { BadInputError } from '../errors/errors.js';
import { pickBucketMs } from '../query/overview.js';
import type { OverviewQuery, RunReader } from '../store/port.js';
import type { AppEnv } from './env.js';
import { validQuery } from './validate.js';

/**
 * `GET /api/overview?from=&to=&bucket=minute|hour|day&agent=&project=`: figures per time bucket
 * and per agent over every run that starts in the range, computed by the store in one aggregate
 * query. Mounted at /api, behind the app's login authentication.
 */
export function overviewRoutes(deps: { store: RunReader }): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  api.get('/overview', validQuery(overviewParamsSchema), async (c) => {
    const project = resolveProject(c.get('principal'), c.req.query('project'));
    const params = c.req.valid('query');
    const toNs = params.toNs ?? BigInt(Date.now()) * 1_000_000n;
    // The default window starts a day before `to`, never before the epoch.
    const dayBefore = toNs - 86_400_000n * 1_000_000n;
    const fromNs = params.fromNs ?? (dayBefore > 0n ? dayBefore : 0n);
    if (fromNs >= toNs) throw new BadInputError('from must be before to');
    const fromMs = Number(fromNs / 1_000_000n);
    const toMs = Number(toNs / 1_000_000n);
    const query: OverviewQuery = { fromNs, toNs, bucketMs: pickBucketMs(fromMs, toMs, params.bucket) };
    if (params.agentName) query.agentName = params.agentName;
    const overview = await deps.store.overview(project, query);
    // Every run of the range is counted: nothing is capped any more (`maxRuns`, `truncated` stay for older clients).
    const runs = overview.totals.runs;
    return c.json({ ...overview, scannedRuns: runs, maxRuns: runs, truncated: false });
  });
  return api;
}

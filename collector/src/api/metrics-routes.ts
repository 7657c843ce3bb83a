import { timingSafeEqual } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { type Authenticator, requireRole } from '../auth/authenticator.js';
import { bearerToken, hashSecret } from '../auth/secrets.js';
import { UnauthorizedError } from '../errors/errors.js';
import type { CollectorMetrics } from '../metrics/collector-metrics.js';
import { EXPOSITION_CONTENT_TYPE } from '../metrics/registry.js';
import type { AppEnv } from './env.js';

export interface MetricsDeps {
  metrics: CollectorMetrics;
  auth: Authenticator;
  /** A bearer token for scrapers (CASEFILE_METRICS_TOKEN); an admin login token is accepted too. */
  metricsToken?: string | undefined;
}

/**
 * `GET /metrics` in Prometheus text format. A scrape needs the metrics token, or an admin's login
 * token: the figures are operational (no project, run or trace content in any label), but request
 * rates and backlog sizes are still nobody else's business.
 */
export function metricsRoutes(deps: MetricsDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const expected = deps.metricsToken ? Buffer.from(hashSecret(deps.metricsToken)) : undefined;
  app.get('/metrics', async (c) => {
    const authorization = c.req.header('authorization');
    const given = bearerToken(authorization);
    const isScraper =
      expected !== undefined && given !== undefined && timingSafeEqual(Buffer.from(hashSecret(given)), expected);
    if (!isScraper) {
      if (!given) throw new UnauthorizedError('missing Authorization: Bearer <metrics token or admin login token>');
      requireRole(await deps.auth.login(authorization), 'admin');
    }
    return c.body(await deps.metrics.registry.render(), 200, {
      'content-type': EXPOSITION_CONTENT_TYPE,
      'cache-control': 'no-store',
    });
  });
  return app;
}

/** Counts every answered request by method and status (no path: the set of series stays small). */
export function countRequests(metrics: CollectorMetrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const method = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].includes(c.req.method)
      ? c.req.method
      : 'OTHER';
    metrics.httpRequests.inc({ method, status: String(c.res.status) });
  };
}

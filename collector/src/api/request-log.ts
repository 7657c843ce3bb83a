import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../log/logger.js';
import type { AppEnv } from './env.js';

/** A caller's request ID is kept when it is a plain token; anything else is replaced by a fresh one. */
const CALLER_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * One line per request, after it is answered: method, path (never the query string, which can hold
 * search text), status, duration in milliseconds, the caller's name for /api requests, and a request
 * ID that is also sent back as `x-request-id` and bound to the request's logger (`c.get('log')`).
 * Server errors are logged as errors, client errors and load shedding (503) as warnings; ingest, health checks and UI files
 * answered normally log at debug so a busy collector's log stays about what matters.
 */
export function requestLog(log: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const given = c.req.header('x-request-id');
    const requestId = given && CALLER_REQUEST_ID.test(given) ? given : randomUUID();
    const requestLogger = log.child({ requestId });
    c.set('log', requestLogger);
    c.header('x-request-id', requestId);
    await next();
    const status = c.res.status;
    const path = c.req.path;
    const fields: Record<string, unknown> = {
      method: c.req.method,
      path: path.length > 512 ? `${path.slice(0, 512)}…` : path,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    const principal = c.get('principal');
    if (principal) fields.caller = principal.name;
    const message = `${c.req.method} ${fields.path} ${status}`;
    if (status >= 500 && status !== 503) requestLogger.error(message, fields);
    else if (status >= 400) requestLogger.warn(message, fields);
    else if (path.startsWith('/api/')) requestLogger.info(message, fields);
    else requestLogger.debug(message, fields);
  };
}

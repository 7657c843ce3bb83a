import type { MiddlewareHandler } from 'hono';
import { type Authenticator, type Principal, requireRole } from '../auth/authenticator.js';
import type { Logger } from '../log/logger.js';
import type { Role } from '../store/port.js';

/**
 * The context every route sees: the request's logger (bound to its request ID, set by `requestLog`)
 * and, under /api, the authenticated caller, set once by `authenticate`.
 */
export type AppEnv = { Variables: { principal: Principal; log: Logger } };

/** Login-token authentication for everything under /api (401 without a valid token, before any route runs). */
export function authenticate(auth: Authenticator): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('principal', await auth.login(c.req.header('authorization')));
    await next();
  };
}

/** The caller must have at least `role` (403 otherwise); registered before a route's body is read. */
export function needs(role: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    requireRole(c.get('principal'), role);
    await next();
  };
}

import { ForbiddenError, UnauthorizedError } from '../errors/errors.js';
import type { Credential, CredentialStore, Role } from '../store/port.js';
import { bearerToken, hashSecret } from './secrets.js';

export interface Principal {
  name: string;
  role: Role;
  projectIds: string[];
  /** The hash of the token the caller signed in with (admins may not revoke their own). */
  credentialHash?: string;
}

const ROLE_RANK: Record<Role, number> = { viewer: 0, investigator: 1, admin: 2 };

export interface Authenticator {
  /** The project an ingest key writes to. Throws UnauthorizedError. */
  ingest(authorization: string | undefined): Promise<string>;
  /** The reader behind a login token. Throws UnauthorizedError. */
  login(authorization: string | undefined): Promise<Principal>;
  /** Forget cached lookups (after a key is created or revoked). */
  invalidate(): void;
}

/**
 * Looks credentials up by hash in the store, with a short cache so that ingest does not pay a store
 * round-trip per request. Revocation takes effect within `ttlMs`.
 */
export function createAuthenticator(store: CredentialStore, ttlMs = 10_000): Authenticator {
  const cache = new Map<string, { credential: Credential | undefined; until: number }>();

  async function find(authorization: string | undefined, kind: Credential['kind']): Promise<Credential> {
    const secret = bearerToken(authorization);
    if (!secret) {
      throw new UnauthorizedError(
        authorization
          ? 'Authorization header must be "Bearer <token>"'
          : 'missing Authorization: Bearer <token> header',
      );
    }
    const hash = hashSecret(secret);
    const now = Date.now();
    let hit = cache.get(hash);
    if (!hit || hit.until < now) {
      hit = { credential: await store.findCredential(hash), until: now + ttlMs };
      if (cache.size > 10_000) cache.clear();
      cache.set(hash, hit);
    }
    const c = hit.credential;
    if (!c || c.revoked) throw new UnauthorizedError('unknown or revoked token');
    if (c.kind !== kind) {
      throw new UnauthorizedError(
        kind === 'ingest'
          ? 'this is a login token, not an ingest key'
          : 'that is an ingest key, for agents to send traces with; sign in with a login token (the admin token printed at first start, or one an admin gave you)',
      );
    }
    return c;
  }

  return {
    async ingest(authorization) {
      const c = await find(authorization, 'ingest');
      const project = c.projectIds[0];
      if (!project) throw new UnauthorizedError('ingest key has no project');
      return project;
    },
    async login(authorization) {
      const c = await find(authorization, 'login');
      return { name: c.name, role: c.role, projectIds: c.projectIds, credentialHash: c.hash };
    },
    invalidate() {
      cache.clear();
    },
  };
}

/** The project a request reads: the one asked for if the principal may see it, else their first. */
export function resolveProject(principal: Principal, requested: string | undefined): string {
  if (requested) {
    if (!principal.projectIds.includes(requested) && !principal.projectIds.includes('*')) {
      throw new ForbiddenError(`no access to project "${requested.slice(0, 64)}"`);
    }
    return requested;
  }
  const first = principal.projectIds.find((p) => p !== '*');
  if (!first) throw new ForbiddenError('this token has no project');
  return first;
}

export function requireRole(principal: Principal, role: Role): void {
  if (ROLE_RANK[principal.role] < ROLE_RANK[role]) {
    throw new ForbiddenError(`this action needs the ${role} role (token has ${principal.role})`);
  }
}

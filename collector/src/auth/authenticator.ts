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
 * round-trip per request. Revocation takes effect within `ttlMs`, and at once on this collector
 * (`invalidate`). Requests with one token that arrive while its lookup is in flight (a burst at
 * start, or when its cache entry has expired) wait for that lookup rather than each asking the store.
 */
export function createAuthenticator(store: CredentialStore, ttlMs = 10_000): Authenticator {
  const cache = new Map<string, { credential: Credential | undefined; until: number }>();
  const lookups = new Map<string, Promise<Credential | undefined>>();
  // Bumped by `invalidate`: a lookup that started before it neither answers later requests nor is cached.
  let generation = 0;

  function lookUp(hash: string): Promise<Credential | undefined> {
    let lookup = lookups.get(hash);
    if (lookup) return lookup;
    const started = generation;
    lookup = store.findCredential(hash).then((credential) => {
      if (generation === started) {
        if (cache.size > 10_000) cache.clear();
        cache.set(hash, { credential, until: Date.now() + ttlMs });
      }
      return credential;
    });
    const shared = lookup.finally(() => {
      if (lookups.get(hash) === shared) lookups.delete(hash);
    });
    lookups.set(hash, shared);
    return shared;
  }

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
    const hit = cache.get(hash);
    const c = hit && hit.until >= Date.now() ? hit.credential : await lookUp(hash);
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
      generation += 1;
      cache.clear();
      lookups.clear();
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

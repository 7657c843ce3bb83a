import {
  type CollectorStatusDto,
  type CredentialDto,
  credentialCreateSchema,
  projectCreateSchema,
} from '@casefile/contract';
import { Hono } from 'hono';
import type { Authenticator, Principal } from '../auth/authenticator.js';
import { generateSecret, hashSecret } from '../auth/secrets.js';
import { BadInputError, NotFoundError } from '../errors/errors.js';
import type { Credential, CredentialStore, ProjectStore } from '../store/port.js';
import { type AppEnv, needs } from './env.js';
import { validJson } from './validate.js';

export interface AdminDeps {
  store: CredentialStore & ProjectStore;
  auth: Authenticator;
  /** How this collector keeps up (detection backlog and lag, ingest queue); `/status` answers 404 without it. */
  status?: () => Promise<CollectorStatusDto>;
}

const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const ID = /^[0-9a-f]{16}$/;

/** A credential's public handle: the start of its hash (the secret is never stored, the hash never shown). */
const idOf = (c: Credential) => c.hash.slice(0, 16);

function toDto(c: Credential, signedWith?: string): CredentialDto {
  return {
    ...(signedWith !== undefined && c.hash === signedWith ? { self: true } : {}),
    id: idOf(c),
    kind: c.kind,
    name: c.name,
    role: c.role,
    projects: c.projectIds,
    createdNs: String(c.createdNs),
    revoked: c.revoked,
  };
}

/**
 * Projects, people and keys, for admins (mounted at /api/admin). An admin manages the projects their
 * token names (every project with `*`): creates projects (which their token then names too), lists
 * the credentials of those projects, issues ingest keys and login tokens, and revokes them. A person
 * is a named login token with a role; disabling them revokes it. Revocation takes effect on this
 * collector at once (its credential cache is dropped) and on other collectors sharing the store
 * within their cache time (10 s). Credentials naming a project the admin does not manage are not
 * shown and cannot be revoked (404, so their existence is not revealed).
 */
export function adminRoutes(deps: AdminDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  api.use('*', needs('admin'));

  const manages = (p: Principal, projectId: string) => p.projectIds.includes('*') || p.projectIds.includes(projectId);
  const managesAll = (p: Principal, c: Credential) =>
    c.projectIds.every((id) => (id === '*' ? p.projectIds.includes('*') : manages(p, id)));

  api.get('/projects', async (c) => {
    const principal = c.get('principal');
    const projects = (await deps.store.listProjects()).filter((p) => manages(principal, p.id));
    return c.json({ projects: projects.map((p) => ({ id: p.id, name: p.name, createdNs: String(p.createdNs) })) });
  });

  const projectBody = validJson(projectCreateSchema, { maxBytes: 16 * 1024, expected: 'JSON {id, name}' });
  api.post('/projects', projectBody, async (c) => {
    const principal = c.get('principal');
    const { id, name } = c.req.valid('json');
    if ((await deps.store.listProjects()).some((p) => p.id === id)) {
      return c.json({ error: 'conflict', message: `a project with the ID "${id}" exists already` }, 409);
    }
    const createdNs = nowNs();
    await deps.store.putProject({ id, name, createdNs });
    // The creator manages what they created: their own token names the new project from now on.
    if (!principal.projectIds.includes('*') && principal.credentialHash) {
      const own = await deps.store.findCredential(principal.credentialHash);
      if (own && !own.revoked) await deps.store.putCredential({ ...own, projectIds: [...own.projectIds, id] });
      deps.auth.invalidate();
    }
    return c.json({ project: { id, name, createdNs: String(createdNs) } }, 201);
  });

  api.get('/credentials', async (c) => {
    const principal = c.get('principal');
    const project = c.req.query('project');
    if (project !== undefined && !manages(principal, project))
      throw new NotFoundError(`no project "${project.slice(0, 64)}"`);
    const all = await deps.store.listCredentials(project);
    return c.json({
      credentials: all.filter((x) => managesAll(principal, x)).map((x) => toDto(x, principal.credentialHash)),
    });
  });

  const credentialBody = validJson(credentialCreateSchema, {
    maxBytes: 16 * 1024,
    expected: 'JSON {kind, name, projects, role?}',
  });
  api.post('/credentials', credentialBody, async (c) => {
    const principal = c.get('principal');
    const body = c.req.valid('json');
    const known = new Set((await deps.store.listProjects()).map((p) => p.id));
    for (const id of body.projects) {
      if (!known.has(id) || !manages(principal, id)) throw new NotFoundError(`no project "${id}"`);
    }
    const secret = generateSecret(body.kind === 'ingest' ? 'cf_ingest' : 'cf_login');
    const credential: Credential = {
      hash: hashSecret(secret),
      kind: body.kind,
      projectIds: [...new Set(body.projects)],
      role: body.role,
      name: body.name,
      createdNs: nowNs(),
      revoked: false,
    };
    await deps.store.putCredential(credential);
    deps.auth.invalidate();
    return c.json({ credential: toDto(credential), secret }, 201);
  });

  api.get('/status', async (c) => {
    if (!deps.status) throw new NotFoundError('this collector does not report its status');
    return c.json(await deps.status(), 200, { 'cache-control': 'no-store' });
  });

  api.post('/credentials/:id/revoke', async (c) => {
    const principal = c.get('principal');
    const id = c.req.param('id');
    if (!ID.test(id)) throw new BadInputError('credential id must be the 16 hex digits the credentials list shows');
    const found = (await deps.store.listCredentials()).find((x) => idOf(x) === id && managesAll(principal, x));
    if (!found) throw new NotFoundError(`no credential ${id}`);
    if (found.hash === principal.credentialHash) {
      throw new BadInputError(
        'that is the token you are signed in with; sign in with another admin token to revoke it',
      );
    }
    const revoked = { ...found, revoked: true };
    if (!found.revoked) await deps.store.putCredential(revoked);
    deps.auth.invalidate();
    return c.json({ credential: toDto(revoked) });
  });
  return api;
}

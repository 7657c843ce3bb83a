import { findingToDto, runToDto, stepToDto } from '@casefile/contract';
import type { Hono, MiddlewareHandler } from 'hono';
import type { Authenticator, Principal } from '../auth/authenticator.js';
import { requireRole, resolveProject } from '../auth/authenticator.js';
import { generateSecret, hashSecret } from '../auth/secrets.js';
import { BadInputError, NotFoundError } from '../errors/errors.js';
import { summarizeRun } from '../model/summarize-run.js';
import { countsTowardRun } from '../store/findings.js';
import type { Touch, TraceStore } from '../store/port.js';
import { parseRunQuery, parseTraceId } from './query-params.js';

export interface QueryDeps {
  store: TraceStore;
  auth: Authenticator;
}

type Env = { Variables: { principal: Principal } };

/** The read API under /api: every route needs a login token and is scoped to one project. */
export function registerQueryRoutes(app: Hono, deps: QueryDeps): void {
  const api = app as unknown as Hono<Env>;
  const authenticate: MiddlewareHandler<Env> = async (c, next) => {
    c.set('principal', await deps.auth.login(c.req.header('authorization')));
    await next();
  };
  api.use('/api/*', authenticate);

  api.get('/api/whoami', async (c) => {
    const p = c.get('principal');
    const all = await deps.store.listProjects();
    const projects = all
      .filter((x) => p.projectIds.includes(x.id) || p.projectIds.includes('*'))
      .map((x) => ({ id: x.id, name: x.name }));
    return c.json({ name: p.name, role: p.role, projects });
  });

  api.get('/api/runs', async (c) => {
    const project = resolveProject(c.get('principal'), c.req.query('project'));
    const page = await deps.store.listRuns(project, parseRunQuery(c.req.query()));
    return c.json({
      runs: page.runs.map(runToDto),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      ...(page.textMatches ? { textMatches: page.textMatches } : {}),
    });
  });

  api.get('/api/runs/:traceId', async (c) => {
    const principal = c.get('principal');
    const project = resolveProject(principal, c.req.query('project'));
    const traceId = parseTraceId(c.req.param('traceId'));
    const steps = await deps.store.getRun(project, traceId);
    if (steps.length === 0) throw new NotFoundError(`run ${traceId} not found`);
    await deps.store.recordAccess({
      projectId: project,
      timeNs: BigInt(Date.now()) * 1_000_000n,
      actor: principal.name,
      action: 'read_run',
      target: traceId,
    });
    const { findings } = await deps.store.listFindings(project, { traceId, limit: 1000 });
    const run = { ...summarizeRun(steps), findingCount: findings.filter(countsTowardRun).length };
    return c.json({ run: runToDto(run), steps: steps.map(stepToDto), findings: findings.map(findingToDto) });
  });

  api.get('/api/lookup/:what/:id', async (c) => {
    const project = resolveProject(c.get('principal'), c.req.query('project'));
    const id = c.req.param('id');
    if (id.length === 0 || id.length > 512) throw new BadInputError('lookup value must be 1 to 512 characters');
    const what = c.req.param('what');
    const touch: Touch | undefined =
      what === 'document'
        ? { documentId: id }
        : what === 'tool'
          ? { toolName: id }
          : what === 'approval'
            ? { approvalId: id }
            : undefined;
    if (!touch) throw new BadInputError('lookup must be one of document, tool, approval');
    const limit = Math.min(Number(c.req.query('limit') ?? 100) || 100, 500);
    const runs = await deps.store.runsTouching(project, touch, limit);
    return c.json({ runs: runs.map(runToDto) });
  });

  api.post('/api/keys', async (c) => {
    const principal = c.get('principal');
    requireRole(principal, 'admin');
    const body = (await c.req.json().catch(() => null)) as {
      project?: unknown;
      name?: unknown;
      kind?: unknown;
      role?: unknown;
    } | null;
    if (!body || typeof body !== 'object') throw new BadInputError('body must be JSON {project?, name, kind, role?}');
    const project = resolveProject(principal, typeof body.project === 'string' ? body.project : undefined);
    const kind = body.kind === 'login' ? 'login' : body.kind === 'ingest' || body.kind === undefined ? 'ingest' : null;
    if (!kind) throw new BadInputError('kind must be "ingest" or "login"');
    const role = body.role ?? 'viewer';
    if (role !== 'viewer' && role !== 'investigator' && role !== 'admin') {
      throw new BadInputError('role must be viewer, investigator or admin');
    }
    const name = typeof body.name === 'string' && body.name.length <= 200 ? body.name : `${kind} key`;
    const secret = generateSecret(kind === 'ingest' ? 'cf_ingest' : 'cf_login');
    await deps.store.putCredential({
      hash: hashSecret(secret),
      kind,
      projectIds: [project],
      role,
      name,
      createdNs: BigInt(Date.now()) * 1_000_000n,
      revoked: false,
    });
    deps.auth.invalidate();
    return c.json({ secret, kind, project, role, name }, 201);
  });

  api.get('/api/access-log', async (c) => {
    const principal = c.get('principal');
    requireRole(principal, 'admin');
    const project = resolveProject(principal, c.req.query('project'));
    const entries = await deps.store.listAccess(project, 500);
    return c.json({ entries: entries.map((e) => ({ ...e, timeNs: e.timeNs.toString() })) });
  });
}

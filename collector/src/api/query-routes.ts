import {
  accessLogParamsSchema,
  findingToDto,
  keyRequestSchema,
  lookupParamsSchema,
  runQueryParamsSchema,
  runToDto,
  stepToDto,
} from '@casefile/contract';
import { Hono } from 'hono';
import type { Authenticator } from '../auth/authenticator.js';
import { requireRole, resolveProject } from '../auth/authenticator.js';
import { generateSecret, hashSecret } from '../auth/secrets.js';
import { BadInputError, NotFoundError } from '../errors/errors.js';
import { summarizeRun } from '../model/summarize-run.js';
import { redactSearchText } from '../query/value-tokens.js';
import { runFindingFacts } from '../store/findings.js';
import type { RunQuery, Touch, TraceStore } from '../store/port.js';
import { type AppEnv, needs } from './env.js';
import { parseTraceId } from './query-params.js';
import { validJson, validQuery } from './validate.js';

export interface QueryDeps {
  store: TraceStore;
  auth: Authenticator;
  /** The pseudonym keys known for a project: search text is logged with its data as tokens. */
  pseudonymKeys?: ((projectId: string) => string[]) | undefined;
}

/** The read API, mounted at /api: every route is scoped to one project (authentication is the app's). */
export function queryRoutes(deps: QueryDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  api.get('/whoami', async (c) => {
    const p = c.get('principal');
    const all = await deps.store.listProjects();
    const projects = all
      .filter((x) => p.projectIds.includes(x.id) || p.projectIds.includes('*'))
      .map((x) => ({ id: x.id, name: x.name }));
    return c.json({ name: p.name, role: p.role, projects });
  });

  api.get('/runs', validQuery(runQueryParamsSchema), async (c) => {
    const project = resolveProject(c.get('principal'), c.req.query('project'));
    const query = c.req.valid('query');
    // A search by content or by what a run touched reveals which runs carried it: logged like a read.
    const searched = searchedFor(query, (text) => redactSearchText(text, deps.pseudonymKeys?.(project) ?? []));
    if (searched) await record(deps.store, project, c.get('principal').name, 'search_runs', searched);
    const page = await deps.store.listRuns(project, query);
    return c.json({
      runs: page.runs.map(runToDto),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      ...(page.textMatches ? { textMatches: page.textMatches } : {}),
      ...(page.total !== undefined ? { total: page.total } : {}),
    });
  });

  api.get('/runs/:traceId', async (c) => {
    const principal = c.get('principal');
    const project = resolveProject(principal, c.req.query('project'));
    const traceId = parseTraceId(c.req.param('traceId'));
    // The run and its findings are read at once; the read is logged before anything is shown.
    const [steps, { findings }] = await Promise.all([
      deps.store.getRun(project, traceId),
      deps.store.listFindings(project, { traceId, limit: 1000 }),
    ]);
    if (steps.length === 0) throw new NotFoundError(`run ${traceId} not found`);
    await deps.store.recordAccess({
      projectId: project,
      timeNs: BigInt(Date.now()) * 1_000_000n,
      actor: principal.name,
      action: 'read_run',
      target: traceId,
    });
    const run = { ...summarizeRun(steps), ...runFindingFacts(findings) };
    return c.json({ run: runToDto(run), steps: steps.map(stepToDto), findings: findings.map(findingToDto) });
  });

  api.get('/lookup/:what/:id', validQuery(lookupParamsSchema), async (c) => {
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
    const { limit } = c.req.valid('query');
    await record(deps.store, project, c.get('principal').name, 'lookup', `${what}:${id}`);
    const runs = await deps.store.runsTouching(project, touch, limit);
    return c.json({ runs: runs.map(runToDto) });
  });

  const keyBody = validJson(keyRequestSchema, { maxBytes: 64 * 1024, expected: 'JSON {project?, name, kind, role?}' });
  api.post('/keys', needs('admin'), keyBody, async (c) => {
    const principal = c.get('principal');
    const body = c.req.valid('json');
    const project = resolveProject(principal, body.project);
    const { kind, role } = body;
    const name = body.name ?? `${kind} key`;
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

  api.get('/access-log', validQuery(accessLogParamsSchema), async (c) => {
    const principal = c.get('principal');
    requireRole(principal, 'admin');
    const project = resolveProject(principal, c.req.query('project'));
    const { limit, filter } = c.req.valid('query');
    const entries = await deps.store.listAccess(project, limit, filter);
    return c.json({ entries: entries.map((e) => ({ ...e, timeNs: e.timeNs.toString() })) });
  });
  return api;
}

function record(store: TraceStore, projectId: string, actor: string, action: string, target: string): Promise<void> {
  return store.recordAccess({ projectId, timeNs: BigInt(Date.now()) * 1_000_000n, actor, action, target });
}

/**
 * The content filters of a runs search, as the access log records them (the free text through
 * `redact`, so a typed e-mail address is logged as its token); undefined for a plain listing.
 */
function searchedFor(q: RunQuery, redact: (text: string) => string): string | undefined {
  const parts = [
    q.text !== undefined ? `q=${redact(q.text)}` : '',
    q.documentId !== undefined ? `documentId=${q.documentId}` : '',
    q.approvalId !== undefined ? `approvalId=${q.approvalId}` : '',
    q.toolName !== undefined ? `tool=${q.toolName}` : '',
  ].filter((p) => p !== '');
  return parts.length === 0 ? undefined : parts.join(' ').slice(0, 1024);
}

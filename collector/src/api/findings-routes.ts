import {
  type DetectionSettingsDto,
  detectionSettingsSchema,
  findingQueryParamsSchema,
  findingStatusBodySchema,
  findingToDto,
} from '@casefile/contract';
import { Hono } from 'hono';
import { requireRole, resolveProject } from '../auth/authenticator.js';
import { RULES } from '../detect/index.js';
import { BadInputError, NotFoundError } from '../errors/errors.js';
import { settingsProblems } from '../ingest/detection-settings.js';
import type { DetectionState } from '../ingest/detection-state.js';
import type { TraceStore } from '../store/port.js';
import { type AppEnv, needs } from './env.js';
import { readBody } from './read-body.js';
import { validJson, validQuery } from './validate.js';

export interface FindingsDeps {
  store: TraceStore;
  detection: DetectionState;
}

const _MAX_LIMIT = 500;
const MAX_SETTINGS_BYTES = 1024 * 1024;
const nowNs = () => BigInt(Date.now()) * 1_000_000n;

/**
 * Findings and detection settings, mounted at /api (behind the app's login authentication). Reading needs any login; changing a status needs investigator; settings need admin.
 * Every change is written to the detection audit log and takes effect on the next detection.
 */
export function findingsRoutes(deps: FindingsDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();

  api.get('/findings', validQuery(findingQueryParamsSchema), async (c) => {
    const project = resolveProject(c.get('principal'), c.req.query('project'));
    const page = await deps.store.listFindings(project, c.req.valid('query'));
    return c.json({
      findings: page.findings.map(findingToDto),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      ...(page.total !== undefined ? { total: page.total } : {}),
    });
  });

  const statusBody = validJson(findingStatusBodySchema, { maxBytes: 4096, expected: 'JSON' });
  api.post('/findings/:id/status', needs('investigator'), statusBody, async (c) => {
    const principal = c.get('principal');
    const project = resolveProject(principal, c.req.query('project'));
    const id = c.req.param('id');
    if (!/^[0-9a-f]{32}$/.test(id)) throw new BadInputError('finding ID must be 32 hex characters');
    const { status } = c.req.valid('json');
    const finding = await deps.store.setFindingStatus(project, id, status);
    if (!finding) throw new NotFoundError(`finding ${id} not found`);
    if (status === 'expected') await deps.detection.markExpected(project, finding);
    await deps.store.recordDetectionAudit({
      projectId: project,
      timeNs: nowNs(),
      actor: principal.name,
      action: 'finding.status',
      target: id,
      detail: JSON.stringify({ status, ruleId: finding.ruleId, traceId: finding.traceId }),
    });
    return c.json({ finding: findingToDto(finding) });
  });

  api.get('/detection/settings', async (c) => {
    const principal = c.get('principal');
    requireRole(principal, 'admin');
    const project = resolveProject(principal, c.req.query('project'));
    const stored = await deps.store.getDetectionSettings(project);
    const parsed = detectionSettingsSchema.safeParse(stored === undefined ? {} : safeJson(stored));
    return c.json({ settings: parsed.success ? parsed.data : {}, rules: RULES.map((r) => ({ id: r.id })) });
  });

  api.put('/detection/settings', async (c) => {
    const principal = c.get('principal');
    requireRole(principal, 'admin');
    const project = resolveProject(principal, c.req.query('project'));
    const settings = validateSettings(await readJson(c.req.raw, MAX_SETTINGS_BYTES));
    const json = JSON.stringify(settings);
    await deps.store.putDetectionSettings(project, json);
    deps.detection.settingsChanged(project);
    await deps.store.recordDetectionAudit({
      projectId: project,
      timeNs: nowNs(),
      actor: principal.name,
      action: 'settings.update',
      target: 'settings',
      detail: json,
    });
    return c.json({ settings });
  });

  api.get('/detection/audit', async (c) => {
    const principal = c.get('principal');
    requireRole(principal, 'admin');
    const project = resolveProject(principal, c.req.query('project'));
    const entries = await deps.store.listDetectionAudit(project, 500);
    return c.json({
      entries: entries.map(({ projectId: _p, timeNs, ...rest }) => ({ ...rest, timeNs: timeNs.toString() })),
    });
  });
  return api;
}

function validateSettings(body: unknown): DetectionSettingsDto {
  const parsed = detectionSettingsSchema.safeParse(body);
  if (!parsed.success) {
    const lines = parsed.error.issues
      .slice(0, 10)
      .map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`);
    throw new BadInputError(`invalid detection settings: ${lines.join('; ')}`);
  }
  const problems = settingsProblems(parsed.data);
  if (problems.length > 0) throw new BadInputError(`invalid detection settings: ${problems.slice(0, 10).join('; ')}`);
  return parsed.data;
}

async function readJson(req: Request, maxBytes: number): Promise<unknown> {
  const text = (await readBody(req, maxBytes)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadInputError('body must be JSON', { cause: error });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

import { randomBytes } from 'node:crypto';
import {
  type CaseDto,
  caseCreateSchema,
  caseHoldSchema,
  erasureRequestSchema,
  retentionPutSchema,
} from '@casefile/contract';
import { TOKEN_SOURCE } from '@casefile/sdk/redact';
import { Hono } from 'hono';
import { resolveProject } from '../auth/authenticator.js';
import { BadInputError, NotFoundError } from '../errors/errors.js';
import type { ChainRecorder } from '../evidence/chain-recorder.js';
import { eraseSubject } from '../evidence/erase-subject.js';
import type { ErasureTarget } from '../evidence/erasure.js';
import type { RetentionJob } from '../evidence/retention-job.js';
import { tokensForValue } from '../query/value-tokens.js';
import type { EvidenceAuditEntry, StoredCase } from '../store/evidence.js';
import type { TraceStore } from '../store/port.js';
import { type AppEnv, needs } from './env.js';
import { validJson } from './validate.js';

export interface EvidenceDeps {
  store: TraceStore;
  chain?: Pick<ChainRecorder, 'appendEvent' | 'flush'> | undefined;
  retention?: RetentionJob | undefined;
  /** Days kept without a project policy (`CASEFILE_RETENTION_DAYS`), shown beside the policy. */
  retentionDefaultDays?: number | undefined;
  pseudonymKeys?: (projectId: string) => string[];
}

const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const WHOLE_TOKEN = new RegExp(`^${TOKEN_SOURCE}$`);

export function caseToDto(c: StoredCase): CaseDto {
  return {
    id: c.id,
    name: c.name,
    note: c.note,
    owner: c.owner,
    createdNs: c.createdNs.toString(),
    updatedNs: c.updatedNs.toString(),
    traceIds: c.traceIds,
    hold: c.hold && { by: c.hold.by, sinceNs: c.hold.sinceNs.toString(), reason: c.hold.reason },
  };
}

function auditToDto(e: EvidenceAuditEntry) {
  let detail: unknown = e.detail;
  try {
    detail = JSON.parse(e.detail);
  } catch {
    // kept as text
  }
  return { timeNs: e.timeNs.toString(), actor: e.actor, action: e.action, target: e.target, detail };
}

/**
 * Cases, legal holds, retention and erasure (mounted at /api):
 *
 * - `GET /cases` (viewer), `POST /cases` (investigator; every run must exist), `GET /cases/:id` (viewer:
 *   the case and its audit trail), `POST /cases/:id/hold` (investigator), `DELETE /cases/:id/hold` (admin).
 * - `GET /retention` (viewer), `PUT /retention` (admin), `POST /retention/run` (admin).
 * - `POST /erasure` (admin): erase a data subject by value or token; `GET /erasure` (admin): the record.
 */
export function evidenceRoutes(deps: EvidenceDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const audit = (projectId: string, actor: string, action: string, target: string, detail: unknown) =>
    deps.store.recordEvidenceAudit({
      projectId,
      timeNs: nowNs(),
      actor,
      action,
      target,
      detail: JSON.stringify(detail),
    });
  const caseOf = async (project: string, id: string) => {
    const c = await deps.store.getCase(project, id);
    if (!c) throw new NotFoundError(`case not found: ${id.slice(0, 64)}`);
    return c;
  };

  api.get('/cases', async (c) => {
    const project = resolveProject(c.get('principal'), c.req.query('project'));
    return c.json({ cases: (await deps.store.listCases(project)).map(caseToDto) });
  });

  const createBody = validJson(caseCreateSchema, {
    maxBytes: 128 * 1024,
    expected: 'JSON {name, note?, traceIds, hold?}',
  });
  api.post('/cases', needs('investigator'), createBody, async (c) => {
    const principal = c.get('principal');
    const body = c.req.valid('json');
    const project = resolveProject(principal, body.project);
    const traceIds = [...new Set(body.traceIds)];
    for (const traceId of traceIds) {
      if ((await deps.store.getRun(project, traceId)).length === 0) {
        throw new NotFoundError(`run ${traceId} not found: a case can only hold stored runs`);
      }
    }
    const now = nowNs();
    const stored: StoredCase = {
      projectId: project,
      id: `case_${randomBytes(6).toString('hex')}`,
      name: body.name,
      note: body.note,
      owner: principal.name,
      createdNs: now,
      updatedNs: now,
      traceIds,
      hold: body.hold ? { by: principal.name, sinceNs: now, reason: body.hold.reason } : null,
    };
    await deps.store.putCase(stored);
    await audit(project, principal.name, 'case.create', stored.id, { name: stored.name, traceIds });
    if (stored.hold)
      await audit(project, principal.name, 'case.hold', stored.id, { reason: stored.hold.reason, traceIds });
    return c.json(caseToDto(stored), 201);
  });

  api.get('/cases/:id', async (c) => {
    const project = resolveProject(c.get('principal'), c.req.query('project'));
    const found = await caseOf(project, c.req.param('id'));
    const trail = await deps.store.listEvidenceAudit(project, { target: found.id, limit: 500 });
    return c.json({ case: caseToDto(found), audit: trail.map(auditToDto) });
  });

  const holdBody = validJson(caseHoldSchema, { maxBytes: 16 * 1024, expected: 'JSON {reason}' });
  api.post('/cases/:id/hold', needs('investigator'), holdBody, async (c) => {
    const principal = c.get('principal');
    const project = resolveProject(principal, c.req.query('project'));
    const found = await caseOf(project, c.req.param('id'));
    const { reason } = c.req.valid('json');
    const now = nowNs();
    const held: StoredCase = { ...found, updatedNs: now, hold: { by: principal.name, sinceNs: now, reason } };
    await deps.store.putCase(held);
    await audit(project, principal.name, 'case.hold', found.id, { reason, traceIds: found.traceIds });
    return c.json(caseToDto(held));
  });

  api.delete('/cases/:id/hold', needs('admin'), async (c) => {
    const principal = c.get('principal');
    const project = resolveProject(principal, c.req.query('project'));
    const found = await caseOf(project, c.req.param('id'));
    if (found.hold === null) throw new BadInputError(`case ${found.id} is not on hold`);
    const released: StoredCase = { ...found, updatedNs: nowNs(), hold: null };
    await deps.store.putCase(released);
    await audit(project, principal.name, 'case.release', found.id, {
      heldSinceNs: found.hold.sinceNs.toString(),
      by: found.hold.by,
    });
    return c.json(caseToDto(released));
  });

  api.get('/retention', async (c) => {
    const project = resolveProject(c.get('principal'), c.req.query('project'));
    const policy = await deps.store.getRetentionPolicy(project);
    const own = policy?.days ?? null;
    const fallback = deps.retentionDefaultDays ?? null;
    return c.json({
      days: own,
      defaultDays: fallback,
      effectiveDays: own ?? fallback,
      ...(policy ? { updatedNs: policy.updatedNs.toString(), updatedBy: policy.updatedBy } : {}),
    });
  });

  const retentionBody = validJson(retentionPutSchema, { maxBytes: 4096, expected: 'JSON {days: number | null}' });
  api.put('/retention', needs('admin'), retentionBody, async (c) => {
    const principal = c.get('principal');
    const body = c.req.valid('json');
    const project = resolveProject(principal, body.project);
    await deps.store.putRetentionPolicy({
      projectId: project,
      days: body.days,
      updatedNs: nowNs(),
      updatedBy: principal.name,
    });
    await audit(project, principal.name, 'retention.set', 'retention', { days: body.days });
    return c.json({
      days: body.days,
      defaultDays: deps.retentionDefaultDays ?? null,
      effectiveDays: body.days ?? deps.retentionDefaultDays ?? null,
    });
  });

  api.post('/retention/run', needs('admin'), async (c) => {
    const principal = c.get('principal');
    const project = resolveProject(principal, c.req.query('project'));
    if (!deps.retention) throw new BadInputError('retention is not available on this collector');
    const [outcome] = await deps.retention.run(project, principal.name);
    return c.json({
      days: outcome?.days ?? null,
      source: outcome?.source ?? 'none',
      ...(outcome?.beforeNs === undefined ? {} : { beforeNs: outcome.beforeNs.toString() }),
      keptTraceIds: outcome?.keptTraceIds ?? [],
    });
  });

  const erasureBody = validJson(erasureRequestSchema, { maxBytes: 16 * 1024, expected: 'JSON {value}' });
  api.post('/erasure', needs('admin'), erasureBody, async (c) => {
    const principal = c.get('principal');
    const body = c.req.valid('json');
    const project = resolveProject(principal, body.project);
    if (!deps.chain) throw new BadInputError('erasure is not available on this collector');
    const target = erasureTarget(body.value, deps.pseudonymKeys?.(project) ?? []);
    const record = await eraseSubject({ store: deps.store, chain: deps.chain }, project, target, principal.name);
    return c.json({
      id: record.id,
      kind: record.kind,
      tokens: record.tokens,
      runs: record.runs,
      spans: record.spans,
      heldRuns: record.heldRuns,
    });
  });

  api.get('/erasure', needs('admin'), async (c) => {
    const project = resolveProject(c.get('principal'), c.req.query('project'));
    const trail = await deps.store.listEvidenceAudit(project, { action: 'erasure', limit: 500 });
    return c.json({ erasures: trail.map(auditToDto) });
  });

  return api;
}

/** A pseudonym token (any of its forms) or a value the redactor recognises; never a free-text phrase. */
function erasureTarget(input: string, keys: readonly string[]): ErasureTarget {
  const value = input.trim();
  const token = WHOLE_TOKEN.exec(value);
  if (token !== null) {
    if (token[2] === undefined)
      throw new BadInputError('a blob token cannot be erased by value; erase the runs instead');
    return { kind: token[1] as string, prefixes: [`[${token[1]}:${token[2]}`] };
  }
  if (keys.length === 0) {
    throw new BadInputError(
      'no pseudonym key is known for this project yet, so the value cannot be turned into its token: give the token itself ([email:…])',
    );
  }
  const found = tokensForValue(value, keys);
  if (found === undefined) {
    throw new BadInputError(
      'value is not one datum the redactor recognises: give an e-mail address, IBAN, phone or card number, or its token',
    );
  }
  return { kind: found.kind, prefixes: found.tokens.map((t) => t.prefix), value };
}

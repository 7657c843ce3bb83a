import { integrityQueryParamsSchema } from '@casefile/contract';
import { type Context, Hono } from 'hono';
import { stream } from 'hono/streaming';
import { resolveProject } from '../auth/authenticator.js';
import { NotFoundError } from '../errors/errors.js';
import type { ChainRecorder } from '../evidence/chain-recorder.js';
import type { Signer } from '../evidence/signing.js';
import { parsePublicKey } from '../evidence/signing.js';
import { type IntegrityScope, verifyIntegrity } from '../evidence/verify.js';
import type { TraceStore } from '../store/port.js';
import { type AppEnv, needs } from './env.js';
import { validQuery } from './validate.js';

export interface IntegrityDeps {
  store: TraceStore;
  /** This collector's chain recorder: flushed before a check, so what it acknowledged is in the chain. */
  chain?: Pick<ChainRecorder, 'flush'> | undefined;
  signer?: Signer | undefined;
}

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

/**
 * `GET /api/integrity?project=&traceId=|from=&to=` (investigator): checks a run, the runs started in a
 * range, or the whole project against the hash chain and answers the report (`integrityReportSchema`).
 * With `Accept: application/x-ndjson` the answer is a stream of `{"progress":…}` lines and a last
 * `{"report":…}` line, for long checks. `GET /api/integrity/heads`: the chain heads and the public key.
 */
export function integrityRoutes(deps: IntegrityDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const publicKey = deps.signer ? parsePublicKey(deps.signer.publicKeyPem) : undefined;
  const key = publicKey && deps.signer ? { key: publicKey, keyId: deps.signer.keyId } : undefined;

  api.get('/', needs('investigator'), validQuery(integrityQueryParamsSchema), async (c) => {
    const principal = c.get('principal');
    const project = resolveProject(principal, c.req.query('project'));
    const q = c.req.valid('query');
    const scope: IntegrityScope = {
      ...(q.traceId === undefined ? {} : { traceId: q.traceId }),
      ...(q.from === undefined ? {} : { fromNs: q.from }),
      ...(q.to === undefined ? {} : { toNs: q.to }),
    };
    await deps.chain?.flush();
    if (scope.traceId !== undefined) {
      const known =
        (await deps.store.readSpans(project, [scope.traceId])).length > 0 ||
        (await deps.store.chainLeaves(project, [scope.traceId])).length > 0;
      if (!known) throw new NotFoundError(`run ${scope.traceId} is not stored and the chain records nothing of it`);
    } else if (scope.fromNs !== undefined || scope.toNs !== undefined) {
      const any = await deps.store.integrityTraceIds(project, { ...scope, limit: 1 });
      if (any.length === 0) {
        throw new NotFoundError(
          `no run started in that range, and the chain records none on its days (${describeRange(scope)})`,
        );
      }
    }
    await deps.store.recordAccess({
      projectId: project,
      timeNs: nowNs(),
      actor: principal.name,
      action: 'verify_integrity',
      target: scope.traceId ?? describeRange(scope),
    });
    const verify = (onProgress?: (p: object) => void) =>
      verifyIntegrity(deps.store, project, scope, { publicKey: key, ...(onProgress ? { onProgress } : {}) });
    if (!(c.req.header('accept') ?? '').includes('application/x-ndjson')) {
      return c.json(await verify());
    }
    c.header('content-type', 'application/x-ndjson; charset=utf-8');
    c.header('cache-control', 'no-store');
    return stream(c, async (out) => {
      let last = 0;
      const report = await verify((progress) => {
        if (Date.now() - last < 250) return;
        last = Date.now();
        void out.write(`${JSON.stringify({ progress })}\n`);
      });
      await out.write(`${JSON.stringify({ report })}\n`);
    });
  });

  api.get('/heads', async (c) => {
    const project = resolveProject(c.get('principal'), c.req.query('project'));
    const heads = await deps.store.chainHeads(project);
    return c.json({
      heads: heads.map((h) => ({
        chainId: h.chainId,
        collectorId: h.collectorId,
        seq: h.seq.toString(),
        hash: h.hash,
        timeNs: h.timeNs.toString(),
        signed: h.signature !== '',
        signatureValid: null,
      })),
      ...(deps.signer ? { keyId: deps.signer.keyId, publicKeyPem: deps.signer.publicKeyPem } : {}),
    });
  });
  return api;
}

/**
 * `GET /api/integrity/public-key` (no login): the collector's Ed25519 public key as PEM (SPKI), its ID
 * in `casefile-key-id`; 404 when no signing key is configured. `casefile verify --endpoint` reads it.
 */
export function publicKeyAnswer(c: Context<AppEnv>, signer: Signer | undefined): Response {
  if (!signer) {
    return c.json(
      { error: 'not_found', message: 'this collector has no signing key (CASEFILE_SIGNING_KEY is not set)' },
      404,
    );
  }
  c.header('casefile-key-id', signer.keyId);
  c.header('content-type', 'application/x-pem-file; charset=utf-8');
  return c.body(signer.publicKeyPem);
}

function describeRange(scope: IntegrityScope): string {
  const at = (ns: bigint | undefined) => (ns === undefined ? '…' : new Date(Number(ns / 1_000_000n)).toISOString());
  return scope.fromNs === undefined && scope.toNs === undefined ? 'project' : `${at(scope.fromNs)} – ${at(scope.toNs)}`;
}

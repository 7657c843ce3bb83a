import { caseExportParamsSchema, findingToDto, MAX_CASE_RUNS, runToDto, stepToDto } from '@casefile/contract';
import { Hono } from 'hono';
import { resolveProject } from '../auth/authenticator.js';
import { NotFoundError } from '../errors/errors.js';
import { proveRuns } from '../evidence/case-proof.js';
import type { ChainRecorder } from '../evidence/chain-recorder.js';
import { sealCaseFile } from '../evidence/seal-case-file.js';
import type { Signer } from '../evidence/signing.js';
import { summarizeRun } from '../model/summarize-run.js';
import { buildCaseFile, type CaseRun, renderCaseHtml } from '../query/case-report.js';
import { runFindingFacts } from '../store/findings.js';
import type { TraceStore } from '../store/port.js';
import type { AppEnv } from './env.js';
import { validQuery } from './validate.js';

/** One case file bundles at most this many runs (each can hold thousands of steps). */
export { MAX_CASE_RUNS };

export interface CaseExportDeps {
  store: TraceStore;
  /** Flushed first, so every span the collector acknowledged has its record in the chain. */
  chain?: Pick<ChainRecorder, 'flush'> | undefined;
  /** Signs the JSON export's digest when a signing key is configured. */
  signer?: Signer | undefined;
}

/**
 * `GET /api/cases/export?traceIds=a,b&format=html|json&project=`: the selected runs as a
 * downloadable case file. The JSON form (`casefile.case/v2`, canonical JSON) carries every step's
 * inclusion proof and, with a signing key, the collector's signature: `casefile verify <file>` checks
 * it offline. Mounted at /api/cases, behind the app's login authentication.
 */
export function caseRoutes(deps: CaseExportDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  api.get('/export', validQuery(caseExportParamsSchema), async (c) => {
    const principal = c.get('principal');
    const project = resolveProject(principal, c.req.query('project'));
    const { format, traceIds } = c.req.valid('query');

    const runs: CaseRun[] = [];
    for (const traceId of traceIds) {
      const steps = await deps.store.getRun(project, traceId);
      if (steps.length === 0) throw new NotFoundError(`run ${traceId} not found`);
      const { findings } = await deps.store.listFindings(project, { traceId, limit: 1000 });
      const run = { ...summarizeRun(steps), ...runFindingFacts(findings) };
      runs.push({ run: runToDto(run), steps: steps.map(stepToDto), findings: findings.map(findingToDto) });
      await deps.store.recordAccess({
        projectId: project,
        timeNs: BigInt(Date.now()) * 1_000_000n,
        actor: principal.name,
        action: 'export_case',
        target: traceId,
      });
    }
    const file = buildCaseFile(project, principal.name, new Date(), runs);
    const stamp = file.generatedAt.replace(/[:.]/g, '-');
    c.header('cache-control', 'no-store');
    if (format === 'json') {
      await deps.chain?.flush();
      const proved = await proveRuns(
        deps.store,
        project,
        runs.map((r) => ({ traceId: r.run.traceId, steps: r.steps })),
      );
      c.header('content-disposition', `attachment; filename="casefile-case-${stamp}.json"`);
      c.header('content-type', 'application/json; charset=utf-8');
      return c.body(sealCaseFile(file, proved, deps.signer));
    }
    c.header('content-disposition', `attachment; filename="casefile-case-${stamp}.html"`);
    return c.html(renderCaseHtml(file));
  });
  return api;
}

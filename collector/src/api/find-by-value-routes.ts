import { findByValueRequestSchema, runToDto } from '@casefile/contract';
import { Hono } from 'hono';
import { resolveProject } from '../auth/authenticator.js';
import { BadInputError } from '../errors/errors.js';
import type { RunSummary } from '../model/step.js';
import { tokensForValue } from '../query/value-tokens.js';
import type { AccessLog, RunReader } from '../store/port.js';
import type { TextMatch } from '../store/text-search.js';
import { type AppEnv, needs } from './env.js';
import { validJson } from './validate.js';

export interface FindByValueDeps {
  store: RunReader & AccessLog;
  /** The pseudonym keys this collector knows for a project (see `RedactionPass.keysFor`). */
  pseudonymKeys(projectId: string): string[];
}

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

/**
 * `POST /api/search/by-value` (investigator): `{value}` — an e-mail address, IBAN, phone or card
 * number, a key — becomes the pseudonym token it would be in the project's data, and the runs that
 * carried that token are the answer. The value comes in the body only (never in a URL), is never
 * stored, and the access log records the token, not the value.
 */
export function findByValueRoutes(deps: FindByValueDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const body = validJson(findByValueRequestSchema, { maxBytes: 16 * 1024, expected: 'JSON {project?, value, limit?}' });
  api.post('/search/by-value', needs('investigator'), body, async (c) => {
    const principal = c.get('principal');
    const request = c.req.valid('json');
    const project = resolveProject(principal, request.project);
    const keys = deps.pseudonymKeys(project);
    if (keys.length === 0) {
      return c.json({
        kind: '',
        tokens: [],
        runs: [],
        more: false,
        note:
          'no pseudonym key is known for this project yet: set CASEFILE_REDACTION_KEY, or send data with the ' +
          "project's ingest key (the collector derives the key from it, and keeps it in memory only)",
      });
    }
    const found = tokensForValue(request.value, keys);
    if (found === undefined) {
      throw new BadInputError(
        'value is not one datum the redactor recognises: type an e-mail address, IBAN, phone or card number, or a key on its own',
      );
    }
    await deps.store.recordAccess({
      projectId: project,
      timeNs: nowNs(),
      actor: principal.name,
      action: 'find_by_value',
      target: found.tokens.map((t) => `${t.prefix}]`).join(' '),
    });
    const runs = new Map<string, { run: RunSummary; match?: TextMatch }>();
    let more = false;
    for (const t of found.tokens) {
      const page = await deps.store.listRuns(project, { text: t.prefix, limit: request.limit });
      if (page.nextCursor !== undefined) more = true;
      page.runs.forEach((run, i) => {
        const match = page.textMatches?.[i];
        if (!runs.has(run.traceId)) runs.set(run.traceId, match === undefined ? { run } : { run, match });
      });
    }
    const ordered = [...runs.values()].sort((a, b) =>
      a.run.startNs < b.run.startNs ? 1 : a.run.startNs > b.run.startNs ? -1 : 0,
    );
    if (ordered.length > request.limit) more = true;
    const page = ordered.slice(0, request.limit);
    return c.json({
      kind: found.kind,
      tokens: found.tokens.map((t) => t.token),
      runs: page.map((r) => runToDto(r.run)),
      textMatches: page.flatMap((r) => (r.match === undefined ? [] : [r.match])),
      more,
    });
  });
  return api;
}

/**
 * Cases and legal holds, as the UI sees them (`GET/POST /api/cases`, `GET /api/cases/:id`,
 * `POST/DELETE /api/cases/:id/hold`). Responses are parsed with the collector's schemas; a refusal
 * (403 for a release by a non-admin, 404 for a run that is not stored) keeps the server's message.
 */
import { type CaseDto, caseSchema, type EvidenceAuditEntryDto, evidenceAuditEntrySchema } from '@casefile/contract';
import { z } from 'zod';
import type { Http } from './http';

export interface CaseDetail {
  case: CaseDto;
  /** The case's evidence audit trail, newest first. */
  audit: EvidenceAuditEntryDto[];
}

export interface CasesApi {
  list(project: string, signal?: AbortSignal): Promise<CaseDto[]>;
  get(project: string, id: string, signal?: AbortSignal): Promise<CaseDetail>;
  create(project: string, input: { name: string; note?: string; traceIds: string[] }): Promise<CaseDto>;
  hold(project: string, id: string, reason: string): Promise<CaseDto>;
  /** Admin only. */
  release(project: string, id: string): Promise<CaseDto>;
}

const listSchema = z.object({ cases: z.array(caseSchema) });
const detailSchema = z.object({ case: caseSchema, audit: z.array(evidenceAuditEntrySchema) });

export function createCasesApi(http: Http): CasesApi {
  const q = (project: string) => (project === '' ? '' : `?${new URLSearchParams({ project })}`);
  const one = (project: string, id: string, tail = '') => `/api/cases/${encodeURIComponent(id)}${tail}${q(project)}`;
  return {
    async list(project, signal) {
      return (await http.get(`/api/cases${q(project)}`, listSchema, signal)).cases;
    },
    get: (project, id, signal) => http.get(one(project, id), detailSchema, signal),
    create: (project, input) =>
      http.request('POST', '/api/cases', caseSchema, {
        body: { ...input, ...(project === '' ? {} : { project }) },
      }),
    hold: (project, id, reason) => http.request('POST', one(project, id, '/hold'), caseSchema, { body: { reason } }),
    release: (project, id) => http.request('DELETE', one(project, id, '/hold'), caseSchema),
  };
}

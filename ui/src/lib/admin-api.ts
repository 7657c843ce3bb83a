/**
 * Projects, people and keys for admins (`/api/admin`): responses parsed with the contract's schemas;
 * a refusal keeps the server's message. A created credential's secret comes back once, from `create`.
 */
import {
  type AdminProjectDto,
  adminProjectListSchema,
  adminProjectSchema,
  type CollectorStatusDto,
  type CredentialCreate,
  type CredentialDto,
  collectorStatusSchema,
  credentialCreatedSchema,
  credentialDtoSchema,
  credentialListSchema,
} from '@casefile/contract';
import { z } from 'zod';
import type { Http } from './http';

export interface AdminApi {
  projects(signal?: AbortSignal): Promise<AdminProjectDto[]>;
  createProject(input: { id: string; name: string }): Promise<AdminProjectDto>;
  credentials(project: string, signal?: AbortSignal): Promise<CredentialDto[]>;
  createCredential(input: CredentialInput): Promise<{ credential: CredentialDto; secret: string }>;
  revoke(id: string): Promise<CredentialDto>;
  /** Detection backlog and lag, and the ingest queue, of the collector that answers. */
  status(signal?: AbortSignal): Promise<CollectorStatusDto>;
}

/** An ingest key (`kind: 'ingest'`, one project) or a person's login token (one or more projects, a role). */
export type CredentialInput = Pick<CredentialCreate, 'kind' | 'name' | 'projects'> & {
  role?: CredentialCreate['role'];
};

export function createAdminApi(http: Http): AdminApi {
  return {
    async projects(signal) {
      return (await http.get('/api/admin/projects', adminProjectListSchema, signal)).projects;
    },
    async createProject(input) {
      const answer = await http.request('POST', '/api/admin/projects', z.object({ project: adminProjectSchema }), {
        body: input,
      });
      return answer.project;
    },
    async credentials(project, signal) {
      const q = project === '' ? '' : `?${new URLSearchParams({ project })}`;
      return (await http.get(`/api/admin/credentials${q}`, credentialListSchema, signal)).credentials;
    },
    createCredential: (input) =>
      http.request('POST', '/api/admin/credentials', credentialCreatedSchema, { body: input }),
    status: (signal) => http.get('/api/admin/status', collectorStatusSchema, signal),
    async revoke(id) {
      const answer = await http.request(
        'POST',
        `/api/admin/credentials/${encodeURIComponent(id)}/revoke`,
        z.object({ credential: credentialDtoSchema }),
        { body: {} },
      );
      return answer.credential;
    },
  };
}

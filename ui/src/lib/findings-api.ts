/**
 * Findings and detection settings, as the UI sees them (`GET /api/findings`, `POST
 * /api/findings/:id/status`, `GET/PUT /api/detection/settings`, `GET /api/detection/audit`).
 * Responses are parsed with the collector's schemas; API errors keep the server's message, which
 * the page shows as text.
 */
import {
  type DetectionAuditDto,
  type DetectionSettingsDto,
  detectionAuditSchema,
  detectionSettingsSchema,
  type FindingDto,
  type FindingPageDto,
  findingPageSchema,
  findingSchema,
} from '@casefile/contract';
import { z } from 'zod';
import type { Http } from './http';

export type FindingStatus = FindingDto['status'];
export type AuditEntry = DetectionAuditDto['entries'][number];

export interface DetectionSettingsView {
  settings: DetectionSettingsDto;
  /** Every rule the collector runs, for pickers. */
  ruleIds: string[];
}

export interface FindingsApi {
  /** `query` holds the API's filter parameters (see findings-filters). */
  list(query: URLSearchParams, signal?: AbortSignal): Promise<FindingPageDto>;
  setStatus(project: string, id: string, status: FindingStatus): Promise<FindingDto>;
  /** Admin only: a 403 from a lower role surfaces as an ApiError with status 403. */
  settings(project: string, signal?: AbortSignal): Promise<DetectionSettingsView>;
  saveSettings(project: string, settings: DetectionSettingsDto): Promise<DetectionSettingsDto>;
  audit(project: string, signal?: AbortSignal): Promise<AuditEntry[]>;
}

const settingsResponse = z.object({
  settings: detectionSettingsSchema,
  rules: z.array(z.object({ id: z.string() })),
});
const statusResponse = z.object({ finding: findingSchema });
const saveResponse = z.object({ settings: detectionSettingsSchema });

export function createFindingsApi(http: Http): FindingsApi {
  const projectQuery = (project: string) => (project === '' ? '' : `?${new URLSearchParams({ project })}`);

  return {
    list: (query, signal) => http.get(`/api/findings?${query}`, findingPageSchema, signal),
    async setStatus(project, id, status) {
      const path = `/api/findings/${encodeURIComponent(id)}/status${projectQuery(project)}`;
      return (await http.request('POST', path, statusResponse, { body: { status } })).finding;
    },
    async settings(project, signal) {
      const res = await http.get(`/api/detection/settings${projectQuery(project)}`, settingsResponse, signal);
      return { settings: res.settings, ruleIds: res.rules.map((r) => r.id) };
    },
    async saveSettings(project, settings) {
      const path = `/api/detection/settings${projectQuery(project)}`;
      return (await http.request('PUT', path, saveResponse, { body: settings })).settings;
    },
    async audit(project, signal) {
      return (await http.get(`/api/detection/audit${projectQuery(project)}`, detectionAuditSchema, signal)).entries;
    },
  };
}

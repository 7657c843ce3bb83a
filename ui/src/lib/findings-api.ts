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
  errorSchema,
  type FindingDto,
  type FindingPageDto,
  findingPageSchema,
  findingSchema,
} from '@casefile/contract';
import { z } from 'zod';
import { type ApiClientOptions, ApiError, UnauthorizedError } from './api-client';

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

export function createFindingsApi(options: ApiClientOptions): FindingsApi {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = options.baseUrl ?? '';

  async function send<T>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    schema: z.ZodType<T>,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${options.token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await doFetch(`${base}${path}`, {
      method,
      headers,
      credentials: 'omit',
      signal: signal ?? null,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const route = path.split('?')[0];
    if (res.status === 401) {
      options.onUnauthorized?.();
      throw new UnauthorizedError('The session token was rejected; sign in again.');
    }
    const json: unknown = await res.json().catch(() => undefined);
    if (!res.ok) {
      const err = errorSchema.safeParse(json);
      if (err.success) throw new ApiError(res.status, err.data.error, err.data.message);
      throw new ApiError(res.status, 'http', `${route} answered HTTP ${res.status}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'unexpected shape';
      throw new ApiError(res.status, 'bad-response', `Unexpected response from ${route} (${where})`, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  const projectQuery = (project: string) => (project === '' ? '' : `?${new URLSearchParams({ project })}`);

  return {
    list(query, signal) {
      return send('GET', `/api/findings?${query}`, findingPageSchema, undefined, signal);
    },
    async setStatus(project, id, status) {
      const path = `/api/findings/${encodeURIComponent(id)}/status${projectQuery(project)}`;
      return (await send('POST', path, statusResponse, { status })).finding;
    },
    async settings(project, signal) {
      const res = await send(
        'GET',
        `/api/detection/settings${projectQuery(project)}`,
        settingsResponse,
        undefined,
        signal,
      );
      return { settings: res.settings, ruleIds: res.rules.map((r) => r.id) };
    },
    async saveSettings(project, settings) {
      return (await send('PUT', `/api/detection/settings${projectQuery(project)}`, saveResponse, settings)).settings;
    },
    async audit(project, signal) {
      const res = await send(
        'GET',
        `/api/detection/audit${projectQuery(project)}`,
        detectionAuditSchema,
        undefined,
        signal,
      );
      return res.entries;
    },
  };
}

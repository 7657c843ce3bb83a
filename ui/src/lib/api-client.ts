/**
 * The query API, as the UI sees it. Every response is parsed with the collector's own schemas, so
 * a server that drifts from the contract fails loudly here instead of rendering half a run.
 */
import {
  errorSchema,
  type OverviewDto,
  overviewSchema,
  runDetailSchema,
  runPageSchema,
  runSummarySchema,
  type WhoamiDto,
  whoamiSchema,
} from '@casefile/collector/api-schemas';
import { z } from 'zod';
import { toRunDetail, toRunSummary, type UiRunDetail, type UiRunSummary } from './model';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
  }
}

/** The token is missing, expired or revoked; the app returns to the login screen. */
export class UnauthorizedError extends ApiError {
  constructor(message: string) {
    super(401, 'unauthorized', message);
    this.name = 'UnauthorizedError';
  }
}

export interface RunPage {
  runs: UiRunSummary[];
  nextCursor: string | undefined;
}

export type LookupKind = 'document' | 'tool' | 'approval';

export interface ApiClient {
  whoami(signal?: AbortSignal): Promise<WhoamiDto>;
  /** `query` holds the API's filter parameters (already validated); `cursor` continues a page. */
  listRuns(query: URLSearchParams, signal?: AbortSignal): Promise<RunPage>;
  /** `null` when the run does not exist in this project. */
  getRun(project: string, traceId: string, signal?: AbortSignal): Promise<UiRunDetail | null>;
  lookup(project: string, kind: LookupKind, id: string, signal?: AbortSignal): Promise<UiRunSummary[]>;
  overview(query: URLSearchParams, signal?: AbortSignal): Promise<OverviewDto>;
  /** The selected runs as a case file (an attachment), with the file name the server chose. */
  exportCase(project: string, traceIds: readonly string[], format: 'html' | 'json'): Promise<CaseDownload>;
}

export interface CaseDownload {
  blob: Blob;
  fileName: string;
}

export interface ApiClientOptions {
  token: string;
  fetch?: typeof globalThis.fetch;
  /** Called once per 401 response, before the error is thrown. */
  onUnauthorized?: () => void;
  baseUrl?: string;
}

const lookupSchema = z.object({ runs: z.array(runSummarySchema) });

export function createApiClient(options: ApiClientOptions): ApiClient {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = options.baseUrl ?? '';

  async function get<T>(path: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T | null> {
    const res = await doFetch(`${base}${path}`, {
      headers: { Authorization: `Bearer ${options.token}`, Accept: 'application/json' },
      credentials: 'omit',
      signal: signal ?? null,
    });
    if (res.status === 401) {
      options.onUnauthorized?.();
      throw new UnauthorizedError('The session token was rejected; sign in again.');
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (res.status === 404 && path.startsWith('/api/runs/')) return null;
    if (!res.ok) {
      const err = errorSchema.safeParse(body);
      if (err.success) throw new ApiError(res.status, err.data.error, err.data.message);
      throw new ApiError(res.status, 'http', `${path.split('?')[0]} answered HTTP ${res.status}`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'unexpected shape';
      throw new ApiError(res.status, 'bad-response', `Unexpected response from ${path.split('?')[0]} (${where})`, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  const withProject = (project: string) => `?${new URLSearchParams({ project })}`;

  return {
    async overview(query, signal) {
      return (await get(`/api/overview?${query}`, overviewSchema, signal))!;
    },
    async exportCase(project, traceIds, format) {
      const query = new URLSearchParams({ traceIds: traceIds.join(','), format });
      if (project !== '') query.set('project', project);
      const res = await doFetch(`${base}/api/cases/export?${query}`, {
        headers: { Authorization: `Bearer ${options.token}` },
        credentials: 'omit',
      });
      if (res.status === 401) {
        options.onUnauthorized?.();
        throw new UnauthorizedError('The session token was rejected; sign in again.');
      }
      if (!res.ok) {
        const err = errorSchema.safeParse(await res.json().catch(() => undefined));
        if (err.success) throw new ApiError(res.status, err.data.error, err.data.message);
        throw new ApiError(res.status, 'http', `/api/cases/export answered HTTP ${res.status}`);
      }
      const disposition = res.headers.get('content-disposition') ?? '';
      const name = /filename="([\w.-]+)"/.exec(disposition)?.[1] ?? `casefile-case.${format}`;
      return { blob: await res.blob(), fileName: name };
    },
    async whoami(signal) {
      return (await get('/api/whoami', whoamiSchema, signal))!;
    },
    async listRuns(query, signal) {
      const page = (await get(`/api/runs?${query}`, runPageSchema, signal))!;
      return { runs: page.runs.map(toRunSummary), nextCursor: page.nextCursor };
    },
    async getRun(project, traceId, signal) {
      const detail = await get(
        `/api/runs/${encodeURIComponent(traceId)}${withProject(project)}`,
        runDetailSchema,
        signal,
      );
      return detail === null ? null : toRunDetail(detail);
    },
    async lookup(project, kind, id, signal) {
      const res = (await get(
        `/api/lookup/${kind}/${encodeURIComponent(id)}${withProject(project)}`,
        lookupSchema,
        signal,
      ))!;
      return res.runs.map(toRunSummary);
    },
  };
}

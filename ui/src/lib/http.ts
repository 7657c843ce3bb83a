/**
 * The one place the UI talks HTTP to the collector: the bearer token, the 401 hand-off to the login
 * screen, error bodies turned into a typed `ApiError` that carries the server's message, and every
 * response parsed with the contract's Zod schema before anything renders it.
 */
import { errorSchema } from '@casefile/contract';
import type { z } from 'zod';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The server's error code (`bad_request`, `forbidden`, …), `http` without a JSON body, `bad-response` for a contract mismatch. */
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
  /** The collector's own words for the refusal (e.g. that the token is an ingest key), when it gave any. */
  readonly reason: string | undefined;
  constructor(message: string, reason?: string) {
    super(401, 'unauthorized', message);
    this.name = 'UnauthorizedError';
    this.reason = reason;
  }
}

export interface HttpOptions {
  token: string;
  fetch?: typeof globalThis.fetch;
  /** Called once per 401 response, before the error is thrown. */
  onUnauthorized?: () => void;
  baseUrl?: string;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Http {
  /** `schema` parses the JSON body of a 2xx answer; anything else throws an `ApiError`. */
  request<T>(
    method: Method,
    path: string,
    schema: z.ZodType<T>,
    options?: { body?: unknown; signal?: AbortSignal | undefined },
  ): Promise<T>;
  get<T>(path: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T>;
  /** A file the server sends as an attachment, with the name it chose (else `fallbackName`). */
  download(path: string, fallbackName: string): Promise<{ blob: Blob; fileName: string }>;
}

/** `path` without its query, for messages (a query may hold a search term). */
const routeOf = (path: string) => path.split('?')[0] ?? path;

export function createHttp(options: HttpOptions): Http {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = options.baseUrl ?? '';

  async function call(method: Method, path: string, init: { body?: unknown; signal?: AbortSignal | undefined }) {
    const headers: Record<string, string> = { Authorization: `Bearer ${options.token}`, Accept: 'application/json' };
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await doFetch(`${base}${path}`, {
      method,
      headers,
      credentials: 'omit',
      signal: init.signal ?? null,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    if (res.status === 401) {
      options.onUnauthorized?.();
      const body = errorSchema.safeParse(await res.json().catch(() => undefined));
      throw new UnauthorizedError(
        'The session token was rejected; sign in again.',
        body.success ? body.data.message : undefined,
      );
    }
    if (!res.ok) {
      const err = errorSchema.safeParse(await res.json().catch(() => undefined));
      if (err.success) throw new ApiError(res.status, err.data.error, err.data.message);
      const what = method === 'GET' ? routeOf(path) : `${method} ${routeOf(path)}`;
      throw new ApiError(res.status, 'http', `${what} answered HTTP ${res.status}`);
    }
    return res;
  }

  async function request<T>(
    method: Method,
    path: string,
    schema: z.ZodType<T>,
    init: { body?: unknown; signal?: AbortSignal | undefined } = {},
  ): Promise<T> {
    const res = await call(method, path, init);
    const body: unknown = res.status === 204 ? undefined : await res.json().catch(() => undefined);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'unexpected shape';
      throw new ApiError(res.status, 'bad-response', `Unexpected response from ${routeOf(path)} (${where})`, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  return {
    request,
    get: (path, schema, signal) => request('GET', path, schema, { signal }),
    async download(path, fallbackName) {
      const res = await call('GET', path, {});
      const disposition = res.headers.get('content-disposition') ?? '';
      const fileName = /filename="([\w.-]+)"/.exec(disposition)?.[1] ?? fallbackName;
      return { blob: await res.blob(), fileName };
    },
  };
}

/** A 404 as `null` (an unknown run or rule is an answer, not a failure); other errors pass. */
export async function nullIfNotFound<T>(pending: Promise<T>): Promise<T | null> {
  try {
    return await pending;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

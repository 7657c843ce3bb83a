/**
 * One in-process app for the API tests: the real `createApp` over an in-memory store, with a project
 * and the credentials a test names, answering `app.request()` without a socket.
 */
import type { Hono } from 'hono';
import { type AppDeps, createApp } from '../api/app.js';
import type { AppEnv } from '../api/env.js';
import { createAuthenticator } from '../auth/authenticator.js';
import { hashSecret } from '../auth/secrets.js';
import { silentLogger } from '../log/logger.js';
import { NO_REDACTION } from '../normalize/normalize-span.js';
import { DEFAULT_DECODE_LIMITS } from '../otlp/decoded.js';
import type { Role } from '../store/port.js';
import { createMemoryStore } from './memory-store.js';

type MemoryStore = ReturnType<typeof createMemoryStore>;

export interface TestCredential {
  /** The secret a request sends as `Authorization: Bearer …`. */
  token: string;
  kind?: 'ingest' | 'login';
  role?: Role;
  /** Default: the test app's project. */
  projectIds?: string[];
  name?: string;
}

export interface TestAppOptions extends Partial<Omit<AppDeps, 'store' | 'auth'>> {
  /** The project created for the test (default `p1`). */
  project?: string;
  credentials?: TestCredential[];
  store?: MemoryStore;
}

export interface TestApp {
  app: Hono<AppEnv>;
  store: MemoryStore;
  project: string;
  /** A request with a bearer token and a JSON content type (both overridable through `init.headers`). */
  request(token: string, path: string, init?: RequestInit): Promise<Response>;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const { project = 'p1', credentials = [], store = createMemoryStore(), ...deps } = options;
  await store.putProject({ id: project, name: project.toUpperCase(), createdNs: 0n });
  for (const c of credentials) {
    await store.putCredential({
      hash: hashSecret(c.token),
      kind: c.kind ?? 'login',
      projectIds: c.projectIds ?? [project],
      role: c.role ?? 'viewer',
      name: c.name ?? `${c.role ?? 'viewer'} user`,
      createdNs: 0n,
      revoked: false,
    });
  }
  const app = createApp({
    writer: { write: (steps) => store.writeSteps(steps) },
    redactorFor: () => NO_REDACTION,
    limits: DEFAULT_DECODE_LIMITS,
    maxBodyBytes: 1024 * 1024,
    log: silentLogger,
    ...deps,
    store,
    auth: createAuthenticator(store),
  });
  const request = async (token: string, path: string, init: RequestInit = {}) =>
    app.request(path, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headersOf(init.headers) },
    });
  return { app, store, project, request };
}

function headersOf(headers: RequestInit['headers']): Record<string, string> {
  return headers === undefined ? {} : Object.fromEntries(new Headers(headers).entries());
}

/** Login tokens by role (`{admin: token, viewer: token}`) as credentials of the test project. */
export function logins(tokens: Partial<Record<Role, string>>): TestCredential[] {
  return Object.entries(tokens).map(([role, token]) => ({ token: token as string, role: role as Role }));
}

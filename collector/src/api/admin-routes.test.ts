import { credentialCreatedSchema, credentialListSchema } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import { jsonRequest } from '../testing/otlp-fixtures.js';
import { createTestApp } from '../testing/test-app.js';

const ADMIN = 'cf_login_admin_admin_routes_0123';
const OTHER_ADMIN = 'cf_login_other_admin_routes_012';
const VIEWER = 'cf_login_viewer_admin_routes_01';

async function setup() {
  const t = await createTestApp({
    credentials: [
      { token: ADMIN, role: 'admin', name: 'ada' },
      { token: OTHER_ADMIN, role: 'admin', name: 'otto', projectIds: ['elsewhere'] },
      { token: VIEWER, role: 'viewer', name: 'vic' },
    ],
  });
  await t.store.putProject({ id: 'elsewhere', name: 'Elsewhere', createdNs: 0n });
  const post = (token: string, path: string, body: unknown) =>
    t.request(token, path, { method: 'POST', body: JSON.stringify(body) });
  const ingest = (key: string) =>
    t.app.request('/v1/traces', {
      method: 'POST',
      body: JSON.stringify(jsonRequest([{ name: 'root' }])),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    });
  return { ...t, post, ingest };
}

describe('admin: projects, people and keys', () => {
  it('creates a project its creator then manages, with its own ingest key and a person who reads it', async () => {
    const t = await setup();
    const created = await t.post(ADMIN, '/api/admin/projects', { id: 'claims', name: 'Claims bot' });
    expect(created.status).toBe(201);
    const whoami = (await (await t.request(ADMIN, '/api/whoami')).json()) as { projects: { id: string }[] };
    expect(whoami.projects.map((p) => p.id).sort()).toEqual(['claims', 'p1']);

    const key = credentialCreatedSchema.parse(
      await (
        await t.post(ADMIN, '/api/admin/credentials', { kind: 'ingest', name: 'claims agent', projects: ['claims'] })
      ).json(),
    );
    expect(key.secret).toMatch(/^cf_ingest_/);
    expect((await t.ingest(key.secret)).status).toBe(200);

    const person = await t.post(ADMIN, '/api/admin/credentials', {
      kind: 'login',
      name: 'Ines',
      projects: ['claims'],
      role: 'investigator',
    });
    expect(person.status).toBe(201);
    const ines = credentialCreatedSchema.parse(await person.json());
    const runs = (await (await t.request(ines.secret, '/api/runs?project=claims')).json()) as { runs: unknown[] };
    expect(runs.runs).toHaveLength(1);
    // Ines reads only her project.
    expect((await t.request(ines.secret, '/api/runs?project=p1')).status).toBe(403);

    const list = credentialListSchema.parse(
      await (await t.request(ADMIN, '/api/admin/credentials?project=claims')).json(),
    );
    // Ada's own token names the project she created.
    expect(list.credentials.map((c) => [c.name, c.kind, c.role, c.revoked])).toEqual([
      ['ada', 'login', 'admin', false],
      ['claims agent', 'ingest', 'viewer', false],
      ['Ines', 'login', 'investigator', false],
    ]);
    expect(JSON.stringify(list)).not.toContain(key.secret);
  });

  it('revokes a key and a person at once: the next request gets 401', async () => {
    const t = await setup();
    const key = credentialCreatedSchema.parse(
      await (await t.post(ADMIN, '/api/admin/credentials', { kind: 'ingest', name: 'agent', projects: ['p1'] })).json(),
    );
    const person = credentialCreatedSchema.parse(
      await (await t.post(ADMIN, '/api/admin/credentials', { kind: 'login', name: 'Pat', projects: ['p1'] })).json(),
    );
    // Both used once, so the authenticator has them cached.
    expect((await t.ingest(key.secret)).status).toBe(200);
    expect((await t.request(person.secret, '/api/runs')).status).toBe(200);
    for (const c of [key.credential, person.credential]) {
      const res = await t.post(ADMIN, `/api/admin/credentials/${c.id}/revoke`, {});
      expect(res.status).toBe(200);
      expect(
        credentialCreatedSchema.shape.credential.parse(((await res.json()) as { credential: unknown }).credential)
          .revoked,
      ).toBe(true);
    }
    expect((await t.ingest(key.secret)).status).toBe(401);
    expect((await t.request(person.secret, '/api/runs')).status).toBe(401);
  });

  it('keeps admins to their own projects, viewers out, and answers bad input with 400 naming the field', async () => {
    const t = await setup();
    expect((await t.request(VIEWER, '/api/admin/projects')).status).toBe(403);
    expect((await t.post(VIEWER, '/api/admin/projects', { id: 'x', name: 'X' })).status).toBe(403);
    // Otto manages "elsewhere" only: p1's credentials are not his to see or revoke.
    const mine = credentialListSchema.parse(await (await t.request(ADMIN, '/api/admin/credentials')).json());
    const viewer = mine.credentials.find((c) => c.name === 'vic');
    expect(viewer).toBeDefined();
    expect(
      credentialListSchema
        .parse(await (await t.request(OTHER_ADMIN, '/api/admin/credentials')).json())
        .credentials.map((c) => c.name),
    ).toEqual(['otto']);
    expect((await t.post(OTHER_ADMIN, `/api/admin/credentials/${viewer?.id}/revoke`, {})).status).toBe(404);
    expect(
      (await t.post(OTHER_ADMIN, '/api/admin/credentials', { kind: 'login', name: 'm', projects: ['p1'] })).status,
    ).toBe(404);
    expect((await t.request(OTHER_ADMIN, '/api/admin/credentials?project=p1')).status).toBe(404);
    // Not one's own token: the list marks it, and a revoke is refused.
    const ada = mine.credentials.find((c) => c.name === 'ada');
    expect(mine.credentials.filter((c) => c.self).map((c) => c.name)).toEqual(['ada']);
    const own = await t.post(ADMIN, `/api/admin/credentials/${ada?.id}/revoke`, {});
    expect(own.status).toBe(400);
    expect(((await own.json()) as { message: string }).message).toMatch(/signed in with/);

    for (const [path, body, message] of [
      ['/api/admin/projects', { id: 'Bad ID', name: 'x' }, /^id must be/],
      ['/api/admin/projects', { id: 'ok', name: '' }, /^name must not be empty/],
      ['/api/admin/credentials', { kind: 'ingest', name: 'k', projects: ['p1', 'elsewhere'] }, /exactly one project/],
      ['/api/admin/credentials', { kind: 'login', name: 'k', projects: [] }, /at least one project/],
      ['/api/admin/credentials', { kind: 'login', name: 'k', projects: ['p1'], role: 'root' }, /^role must be/],
    ] as const) {
      const res = await t.post(ADMIN, path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(message);
    }
    expect((await t.post(ADMIN, '/api/admin/credentials/not-an-id/revoke', {})).status).toBe(400);
    expect((await t.post(ADMIN, '/api/admin/projects', { id: 'p1', name: 'again' })).status).toBe(409);
  });
});

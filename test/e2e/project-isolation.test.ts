import { randomBytes } from 'node:crypto';
import { credentialCreatedSchema } from '@casefile/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorProcess, startCollectorProcess } from '../lib/collector-process.js';
import { faultBatch, waitDetected } from '../lib/fault-load.js';
import { dropStore, E2E_STORES, skipTitle, storeEnv } from '../lib/requirements.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const EMAIL = 'Ana.Alpha-Customer@initech.example';

interface Tenant {
  project: string;
  ingestKey: string;
  user: string;
  traceIds: string[];
  findingId: string;
  caseId: string;
  ruleId: string;
  /** Text only this project's runs carry. */
  marker: string;
  /** The hash of the customer's address as this project's data holds it (its pseudonym token). */
  emailHash: string;
}

/**
 * Two projects created through the admin API, each with its own ingest key and its own person (an
 * investigator of that project only), each with runs, findings, a case and an alert rule. The person of
 * one project, on every read route — runs, one run, search, find-by-value, lookups, findings and their
 * triage, overview, drift, alerts, cases, export, integrity, access log — sees nothing of the other,
 * and a foreign ID answers 404 (as an ID that does not exist would), never 403 or the data.
 */
for (const { store, missing } of E2E_STORES) {
  describe.skipIf(missing)(skipTitle(`two projects on ${store}`, missing), () => {
    const database = `casefile_iso_${hex(6)}`;
    let collector: CollectorProcess;
    let a: Tenant;
    let b: Tenant;

    const call = (token: string, path: string, init: RequestInit = {}) =>
      fetch(`${collector.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
    const post = (token: string, path: string, body: unknown) =>
      call(token, path, { method: 'POST', body: JSON.stringify(body) });

    async function tenant(project: string): Promise<Tenant> {
      const admin = collector.adminToken;
      expect((await post(admin, '/api/admin/projects', { id: project, name: `Project ${project}` })).status).toBe(201);
      const key = credentialCreatedSchema.parse(
        await (
          await post(admin, '/api/admin/credentials', { kind: 'ingest', name: `${project} agent`, projects: [project] })
        ).json(),
      );
      const user = credentialCreatedSchema.parse(
        await (
          await post(admin, '/api/admin/credentials', {
            kind: 'login',
            name: `${project} investigator`,
            projects: [project],
            role: 'investigator',
          })
        ).json(),
      );
      const traceIds = [hex(16), hex(16)];
      const marker = `marker-${project}-${hex(4)}`;
      // The runs carry the project's marker and (in alpha) a customer's address in a tool call.
      const body = faultBatch(traceIds).replaceAll(
        '"gen_ai.agent.name","value":{"stringValue":"support"}',
        `"gen_ai.agent.name","value":{"stringValue":"support"}},{"key":"gen_ai.input.messages","value":{"stringValue":"${marker} ${project === 'alpha' ? EMAIL : ''}"}`,
      );
      const res = await fetch(`${collector.url}/v1/traces`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key.secret}` },
      });
      expect(res.status).toBe(200);
      const detected = await waitDetected(collector.url, user.secret, new Set(traceIds), 60_000);
      expect(detected.undetected).toEqual([]);
      const findings = (await (await call(user.secret, '/api/findings?limit=50')).json()) as {
        findings: { id: string; traceId: string }[];
      };
      const findingId = findings.findings.find((f) => traceIds.includes(f.traceId))?.id as string;
      const made = await post(user.secret, '/api/cases', { name: `case of ${project}`, traceIds });
      expect(made.status).toBe(201);
      const caseId = ((await made.json()) as { id: string }).id;
      const rule = await post(admin, `/api/alerts/rules?project=${project}`, {
        kind: 'threshold',
        name: `errors of ${project}`,
        metric: 'error_rate',
        aggregate: 'rate',
        operator: '>',
        value: 0.5,
        windowMs: 3_600_000,
        intervalMs: 3_600_000,
      });
      expect(rule.status, await rule.clone().text()).toBe(201);
      const ruleId = ((await rule.json()) as { rule: { id: string } }).rule.id;
      const byValue = (await (await post(user.secret, '/api/search/by-value', { value: EMAIL })).json()) as {
        tokens: string[];
      };
      const emailHash = /^\[email:([0-9a-f]+)/.exec(byValue.tokens[0] ?? '')?.[1] ?? '';
      return {
        project,
        ingestKey: key.secret,
        user: user.secret,
        traceIds,
        findingId,
        caseId,
        ruleId,
        marker,
        emailHash,
      };
    }

    beforeAll(async () => {
      collector = await startCollectorProcess({ ...storeEnv(store, database), CASEFILE_DETECT_DELAY_MS: '200' });
      a = await tenant('alpha');
      b = await tenant('beta');
    }, 180_000);
    afterAll(async () => {
      await collector?.stop();
      await dropStore(store, database);
    });

    it("a person of one project reads nothing of the other's on any route, and foreign IDs answer 404", async () => {
      const leaks: string[] = [];
      const checked: string[] = [];
      /** `path` as `viewer`: a 2xx body must hold none of `other`'s IDs or text; anything else must be `status`. */
      const expectNothingOf = async (
        viewer: Tenant,
        other: Tenant,
        path: string,
        init?: RequestInit,
        status?: number,
      ) => {
        const res = await call(viewer.user, path, init);
        const text = await res.text();
        checked.push(`${init?.method ?? 'GET'} ${path} → ${res.status}`);
        if (status !== undefined && res.status !== status)
          leaks.push(`${path}: ${res.status}, expected ${status}: ${text.slice(0, 200)}`);
        if (res.status >= 500) leaks.push(`${path}: ${res.status}`);
        // An error names only what the caller asked for; a 2xx body must hold nothing of the other project.
        if (!res.ok) return;
        const secrets = [
          ...other.traceIds,
          other.findingId,
          other.caseId,
          other.ruleId,
          other.marker,
          other.project === 'alpha' ? other.emailHash : '',
        ];
        for (const s of secrets.filter((x) => x !== '')) {
          if (text.toLowerCase().includes(s.toLowerCase())) leaks.push(`${path} shows ${s}: ${text.slice(0, 200)}`);
        }
      };
      for (const [me, other] of [
        [b, a],
        [a, b],
      ] as const) {
        const [t1, t2] = other.traceIds as [string, string];
        const routes: Array<[string, RequestInit?, number?]> = [
          ['/api/runs?limit=500'],
          [`/api/runs?q=${encodeURIComponent(other.marker)}`],
          [`/api/runs?q=${t1.slice(0, 12)}`],
          ['/api/runs?tool=close_account'],
          [`/api/runs/${t1}`, undefined, 404],
          [`/api/runs/${t2}?project=${me.project}`, undefined, 404],
          ['/api/lookup/tool/close_account'],
          ['/api/search/by-value', { method: 'POST', body: JSON.stringify({ value: EMAIL }) }],
          ['/api/findings?limit=500'],
          [`/api/findings?traceId=${t1}`],
          [
            `/api/findings/${other.findingId}/status`,
            { method: 'POST', body: JSON.stringify({ status: 'muted' }) },
            404,
          ],
          ['/api/overview?range=24h'],
          ['/api/drift/series?metric=error_rate&agent=support'],
          ['/api/drift/versions?agent=support'],
          ['/api/alerts/rules'],
          [`/api/alerts/rules/${other.ruleId}`, undefined, 404],
          [`/api/alerts/rules/${other.ruleId}/evaluate`, { method: 'POST', body: '{}' }, 404],
          // Deleting needs the admin role: refused before the rule is looked up, the same for every ID.
          [`/api/alerts/rules/${other.ruleId}`, { method: 'DELETE' }, 403],
          ['/api/alerts/events'],
          ['/api/cases'],
          [`/api/cases/${other.caseId}`, undefined, 404],
          [`/api/cases/${other.caseId}/hold`, { method: 'POST', body: JSON.stringify({ reason: 'x' }) }, 404],
          [`/api/cases/export?traceIds=${t1}&format=json`, undefined, 404],
          [`/api/cases/export?traceIds=${t1}&format=html`, undefined, 404],
          [`/api/integrity?traceId=${t1}`, undefined, 404],
          ['/api/integrity/heads'],
          [`/api/runs?project=${other.project}`, undefined, 403],
        ];
        for (const [path, init, status] of routes) await expectNothingOf(me, other, path, init, status);
      }
      console.log(`project isolation on ${store}: ${checked.length} checks; ${leaks.length} leaks`);
      expect(leaks).toEqual([]);
      // The person's own data is there (the routes above are not empty by accident).
      const own = (await (await call(a.user, '/api/runs?limit=500')).json()) as { runs: { traceId: string }[] };
      expect(own.runs.map((r) => r.traceId).sort()).toEqual([...a.traceIds].sort());
      const byValue = await post(a.user, '/api/search/by-value', { value: EMAIL });
      expect(((await byValue.json()) as { runs: unknown[] }).runs.length).toBe(2);
      expect((await call(a.user, `/api/cases/${a.caseId}`)).status).toBe(200);
      expect((await call(a.user, `/api/alerts/rules/${a.ruleId}`)).status).toBe(200);
    }, 120_000);

    it('an ingest key writes only to its own project, and a revoked one is refused at once', async () => {
      const id = hex(16);
      const res = await fetch(`${collector.url}/v1/traces?project=${a.project}`, {
        method: 'POST',
        body: faultBatch([id]),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${b.ingestKey}` },
      });
      expect(res.status).toBe(200);
      expect((await call(a.user, `/api/runs/${id}`)).status).toBe(404);
      await waitDetected(collector.url, b.user, new Set([id]), 60_000);
      const list = (await (await call(collector.adminToken, '/api/admin/credentials?project=beta')).json()) as {
        credentials: { id: string; kind: string }[];
      };
      const key = list.credentials.find((c) => c.kind === 'ingest');
      expect((await post(collector.adminToken, `/api/admin/credentials/${key?.id}/revoke`, {})).status).toBe(200);
      const after = await fetch(`${collector.url}/v1/traces`, {
        method: 'POST',
        body: faultBatch([hex(16)]),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${b.ingestKey}` },
      });
      expect(after.status).toBe(401);
    }, 90_000);
  });
}

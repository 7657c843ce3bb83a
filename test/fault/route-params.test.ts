import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorProcess, startCollectorProcess } from '../lib/collector-process.js';
import { dropStore, E2E_STORES, skipTitle, storeEnv } from '../lib/requirements.js';

const TRACE = 'ab'.repeat(16);

/** Every API route a login can read, with the query (and path) parameters it takes. */
const ROUTES: { path: string; params: string[] }[] = [
  { path: '/api/whoami', params: ['project'] },
  {
    path: '/api/runs',
    params: [
      'project',
      'limit',
      'cursor',
      'from',
      'to',
      'status',
      'hasFindings',
      'agent',
      'tool',
      'model',
      'promptVersion',
      'policyVersion',
      'documentId',
      'approvalId',
      'q',
    ],
  },
  { path: `/api/runs/${TRACE}`, params: ['project'] },
  { path: '/api/runs/{v}', params: ['project'] },
  { path: '/api/lookup/document/{v}', params: ['project', 'limit'] },
  { path: '/api/lookup/tool/x', params: ['project', 'limit'] },
  { path: '/api/lookup/{v}/x', params: ['limit'] },
  {
    path: '/api/findings',
    params: ['project', 'limit', 'cursor', 'traceId', 'severity', 'status', 'from', 'to', 'rule', 'agent', 'tool'],
  },
  { path: '/api/detection/settings', params: ['project'] },
  { path: '/api/detection/audit', params: ['project'] },
  { path: '/api/access-log', params: ['project'] },
  { path: '/api/overview', params: ['project', 'from', 'to', 'bucket', 'agent'] },
  { path: '/api/cases/export', params: ['project', 'format', 'traceIds'] },
  { path: '/api/cases', params: ['project'] },
  { path: '/api/cases/{v}', params: ['project'] },
  { path: '/api/integrity', params: ['project', 'traceId', 'from', 'to'] },
  { path: '/api/integrity/heads', params: ['project'] },
  { path: '/api/retention', params: ['project'] },
  { path: '/api/erasure', params: ['project'] },
  { path: '/api/alerts/rules', params: ['project'] },
  { path: '/api/alerts/rules/{v}', params: ['project'] },
  { path: '/api/alerts/events', params: ['project', 'limit', 'rule', 'before'] },
  { path: '/api/alerts/deliveries', params: ['project', 'limit', 'rule', 'event'] },
  { path: '/api/drift/series', params: ['project', 'metric', 'agent', 'tool', 'from', 'to', 'bucket'] },
  { path: '/api/drift/compare', params: ['project', 'metric', 'agent', 'tool', 'window', 'end', 'reference', 'test'] },
  { path: '/api/drift/versions', params: ['project', 'dimension', 'agent'] },
  { path: '/api/admin/projects', params: ['project'] },
  { path: '/api/admin/credentials', params: ['project'] },
];

/** Values (URL-encoded) that have broken parsers: signs, fractions, exponents, huge numbers, quotes, NUL, odd Unicode. */
const HOSTILE = [
  '',
  '-1',
  '0',
  '1.5',
  '1e3',
  '-0',
  'NaN',
  'Infinity',
  '99999999999999999999999999',
  '18446744073709551616',
  '0x10',
  ' 5',
  "' OR 1=1 --",
  '"; DROP TABLE spans; --',
  '\\',
  '%00',
  '\u0000',
  '😀'.repeat(300),
  'a'.repeat(5000),
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '2026-13-45T99:99:99Z',
  '-9999-01-01T00:00:00Z',
  'baseline:5-1',
  'previous-window:-1h',
  'latency_ms',
  ',,,,',
  `${TRACE},${'zz'.repeat(16)}`,
].map(encodeURIComponent);
// Already encoded: invalid UTF-8 (a lone surrogate, a stray byte) and a broken escape.
HOSTILE.push('%ED%A0%80', '%FF', '%', '%E0%A4%A');

/**
 * Route-parameter fuzz against the real collector on each store: every route × parameter ×
 * hostile value answers below 500 (a 4xx for what it cannot use, with a message), and the same
 * parameter given twice changes nothing. A 5xx here is a crash path an attacker can reach.
 */
for (const { store, missing } of E2E_STORES) {
  describe.skipIf(missing)(skipTitle(`route-parameter fuzz on ${store}`, missing), () => {
    let collector: CollectorProcess;
    const database = `casefile_fuzz_${randomBytes(6).toString('hex')}`;

    beforeAll(async () => {
      collector = await startCollectorProcess(storeEnv(store, database));
    });
    afterAll(async () => {
      await collector?.stop();
      await dropStore(store, database);
    });

    it('answers no request with 5xx, and every 4xx says what is wrong', async () => {
      const requests: string[] = [];
      for (const route of ROUTES) {
        for (const value of HOSTILE) {
          const path = route.path.replace('{v}', value);
          if (route.path.includes('{v}')) requests.push(path);
          for (const param of route.params) {
            requests.push(`${path}?${param}=${value}`);
            requests.push(`${path}?${param}=1&${param}=${value}`);
          }
        }
      }
      const failures: string[] = [];
      const statuses = new Map<number, number>();
      let next = 0;
      async function lane(): Promise<void> {
        while (next < requests.length) {
          const path = requests[next++] as string;
          const res = await fetch(`${collector.url}${path}`, {
            headers: { authorization: `Bearer ${collector.adminToken}` },
          });
          const text = await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status >= 500) failures.push(`${res.status} ${path.slice(0, 160)}: ${text.slice(0, 200)}`);
          else if (res.status >= 400 && !/"message":"[^"]{8,}/.test(text)) {
            failures.push(`${res.status} without a message: ${path.slice(0, 160)}: ${text.slice(0, 200)}`);
          }
        }
      }
      await Promise.all(Array.from({ length: 8 }, lane));
      console.log(
        `route fuzz (${store}): ${requests.length} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
      );
      expect(failures.slice(0, 20)).toEqual([]);
      // The collector still serves.
      const res = await fetch(`${collector.url}/api/runs?limit=1`, {
        headers: { authorization: `Bearer ${collector.adminToken}` },
      });
      expect(res.status).toBe(200);
    }, 240_000);

    it('answers a lookup limit that is not a page size with a 400 naming limit', async () => {
      for (const limit of ['-1', '1.5', '0', '501', '1e2']) {
        const res = await fetch(`${collector.url}/api/lookup/document/doc-1?limit=${limit}`, {
          headers: { authorization: `Bearer ${collector.adminToken}` },
        });
        expect(res.status, `limit=${limit}`).toBe(400);
        expect(((await res.json()) as { message: string }).message).toMatch(/^limit must be an integer from 1 to 500/);
      }
    });
  });
}

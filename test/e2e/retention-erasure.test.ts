import { type FindByValueAnswerDto, findByValueAnswerSchema, integrityReportSchema } from '@casefile/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../lib/api-client.js';
import { launchBrowser, signIn } from '../lib/browser.js';
import { type CollectorProcess, runCli, sendDemo, startCollectorProcess } from '../lib/collector-process.js';
import { chromiumMissing, skipTitle } from '../lib/requirements.js';

const CUSTOMER_EMAILS = [
  'maria.gonzalez@example.com',
  'tom.becker@example.com',
  'aiko.tanaka@example.com',
  'samuel.okafor@example.com',
  'lena.fischer@example.com',
  'priya.raman@example.com',
  'jonas.berg@example.com',
];

/**
 * Retention and erasure as an admin sees them, on a real collector process: the demo's backdated days
 * go when retention runs, except the run a case holds; a dropped run's page says it is not found while
 * the held one still replays; one customer's e-mail erased is found in no run afterwards; the chain
 * verifies throughout, through the API and with `casefile verify` on the store.
 */
describe.skipIf(chromiumMissing)(skipTitle('retention and erasure as a user sees them', chromiumMissing), () => {
  let collector: CollectorProcess;
  beforeAll(async () => {
    collector = await startCollectorProcess({ CASEFILE_RETENTION_INTERVAL_MS: '0' });
  });
  afterAll(async () => {
    await collector?.stop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${collector.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${collector.adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return JSON.parse(text) as unknown;
  };
  const byValue = async (value: string): Promise<FindByValueAnswerDto> =>
    findByValueAnswerSchema.parse(await call('POST', '/api/search/by-value', { value }));

  it('drops old days but keeps the held run, erases one e-mail everywhere, and the chain still verifies', async () => {
    const demo = await sendDemo(collector, ['--runs', '5', '--history-days', '3']);
    expect(demo.code).toBe(0);
    const api = createApiClient(collector.url, collector.adminToken);
    const dayAgoNs = BigInt(Date.now() - 36 * 3_600_000) * 1_000_000n;
    const before = await api.waitForRuns((p) => p.runs.some((r) => BigInt(r.startNs) < dayAgoNs) && p.runs.length > 30);
    // The oldest run (the demo's history reaches 3 days back): older than any cutoff of one kept day.
    const old = before.runs
      .filter((r) => BigInt(r.startNs) < dayAgoNs)
      .sort((a, b) => (BigInt(a.startNs) < BigInt(b.startNs) ? -1 : 1));
    const held = old[0];
    if (!held) throw new Error('the demo sent no backdated run');

    // Hold one old run, keep one day, run retention now.
    await call('POST', '/api/cases', { name: 'held for review', traceIds: [held.traceId], hold: { reason: 'audit' } });
    await call('PUT', '/api/retention', { days: 1 });
    const outcome = (await call('POST', '/api/retention/run')) as { beforeNs: string; keptTraceIds: string[] };
    const cutoff = BigInt(outcome.beforeNs);
    expect(outcome.keptTraceIds).toContain(held.traceId);
    const dropped = before.runs.filter((r) => BigInt(r.startNs) < cutoff && r.traceId !== held.traceId);
    expect(dropped.length).toBeGreaterThan(0);

    const after = await api.runs({ limit: '500' });
    const left = new Set(after.runs.map((r) => r.traceId));
    expect(dropped.filter((r) => left.has(r.traceId))).toEqual([]);
    expect(left.has(held.traceId)).toBe(true);
    expect(after.runs.filter((r) => BigInt(r.startNs) < cutoff).map((r) => r.traceId)).toEqual([held.traceId]);

    const retained = integrityReportSchema.parse(await call('GET', '/api/integrity'));
    expect(retained.problems).toEqual([]);
    expect(retained.droppedSpans).toBeGreaterThan(0);

    // Erase the first demo customer whose e-mail some run still carries.
    let email = '';
    let carried: FindByValueAnswerDto | undefined;
    for (const candidate of CUSTOMER_EMAILS) {
      const found = await byValue(candidate);
      if (found.runs.length > 0) {
        email = candidate;
        carried = found;
        break;
      }
    }
    if (!carried) throw new Error('no run carries a demo customer e-mail');
    const erased = (await call('POST', '/api/erasure', { value: email })) as { runs: string[]; spans: number };
    expect(new Set(erased.runs)).toEqual(new Set(carried.runs.map((r) => r.traceId)));
    expect((await byValue(email)).runs).toEqual([]);
    const erasedReport = integrityReportSchema.parse(await call('GET', '/api/integrity'));
    expect(erasedReport.problems).toEqual([]);
    expect(erasedReport.erasedSpans).toBeGreaterThan(0);
    const token = carried.tokens[0] as string;
    const hash = /:([0-9a-f]{6,})/.exec(token)?.[1] as string;

    const browser = await launchBrowser();
    try {
      const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await signIn(tab, collector.url, collector.adminToken);
      const gone = dropped[0]?.traceId as string;
      await tab.goto(`${collector.url}/runs/${gone}`);
      await tab.getByTestId('run-not-found').waitFor();
      await tab.goto(`${collector.url}/runs/${held.traceId}`);
      await tab.getByTestId('player').waitFor();
      // A run that carried the e-mail shows the erasure mark and nothing of the token any more.
      await tab.goto(`${collector.url}/runs/${erased.runs[0]}`);
      await tab.getByTestId('player').waitFor();
      const rows = tab.getByTestId('step-row');
      let sawErased = false;
      for (let i = 0; i < (await rows.count()); i++) {
        await rows.nth(i).click();
        const text = await tab.getByTestId('step-detail').innerText();
        expect(text).not.toContain(hash);
        expect(text.toLowerCase()).not.toContain(email);
        if (text.includes('[email:erased]')) sawErased = true;
      }
      expect(sawErased).toBe(true);
    } finally {
      await browser.close();
    }

    // Offline, on the store itself: still verifies (the collector holds the DuckDB file until it stops).
    await collector.stop({ keepData: true });
    const verified = await runCli(['verify', '--data-dir', collector.dataDir, '-q']);
    expect(verified.output).toMatch(/verified: \d+ runs, \d+ spans, .*spans erased, \d+ spans dropped by retention/);
    expect(verified.code).toBe(0);
  }, 300_000);
});

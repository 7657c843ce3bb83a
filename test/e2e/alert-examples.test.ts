import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { alertRuleAnswerSchema } from '@casefile/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../lib/api-client.js';
import { ARTIFACTS, launchBrowser } from '../lib/browser.js';
import { type CollectorProcess, sendDemo, startCollectorProcess } from '../lib/collector-process.js';
import { chromiumMissing, skipTitle } from '../lib/requirements.js';

/**
 * An alert on the finding rate names, as its example runs, the runs that had findings in its window
 * (not any runs of the window): in the webhook it sends and on the event in the browser, where each
 * example opens a run that shows its findings.
 */

function startReceiver(): Promise<{ server: Server; url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      ok({ server, url: `http://127.0.0.1:${port}/hooks/casefile`, bodies });
    }),
  );
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe.skipIf(chromiumMissing)(skipTitle('alert example runs in the browser', chromiumMissing), () => {
  let collector: CollectorProcess;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    [collector, receiver] = await Promise.all([
      startCollectorProcess({ CASEFILE_ALERT_TICK_MS: '1000', CASEFILE_DETECT_DELAY_MS: '200' }),
      startReceiver(),
    ]);
    await mkdir(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await collector?.stop();
    receiver?.server.close();
  });

  it('a finding-rate alert gives the runs with findings as its examples, in the webhook and on the event', async () => {
    const demo = await sendDemo(collector, ['--history-days', '0']);
    expect(demo.code).toBe(0);
    const api = createApiClient(collector.url, collector.adminToken);
    // Detection runs once a run has been quiet for 200 ms: wait until the incidents have findings.
    await api.waitForRuns((p) => p.runs.filter((r) => r.findingCount > 0).length >= 2);
    const runs = (await api.runs({ limit: '500' })).runs;
    const clean = runs.filter((r) => r.findingCount === 0);
    expect(clean.length).toBeGreaterThan(0);

    const res = await fetch(`${collector.url}/api/alerts/rules`, {
      method: 'POST',
      headers: { authorization: `Bearer ${collector.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'threshold',
        name: 'Runs with findings',
        metric: 'finding_rate',
        aggregate: 'rate',
        operator: '>',
        value: 0.01,
        windowMs: 30 * 60_000,
        intervalMs: 2_000,
        channel: { type: 'webhook', url: receiver.url },
      }),
    });
    expect(res.status).toBe(201);
    const rule = alertRuleAnswerSchema.parse(await res.json()).rule;

    const hook = (await until('the webhook', () => receiver.bodies[0])) as {
      state: string;
      exampleRuns: { current: string[]; reference: string[] };
    };
    expect(hook.state).toBe('firing');
    expect(hook.exampleRuns.current.length).toBeGreaterThan(0);
    const now = new Map((await api.runs({ limit: '500' })).runs.map((r) => [r.traceId, r]));
    for (const id of hook.exampleRuns.current) expect(now.get(id)?.findingCount).toBeGreaterThan(0);

    const browser = await launchBrowser();
    try {
      const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      await tab.goto(collector.url);
      await tab.getByTestId('token-input').fill(collector.adminToken);
      await tab.getByTestId('token-input').press('Enter');
      await tab.getByTestId('user-name').waitFor();
      await tab.goto(`${collector.url}/alerts/${rule.id}`);
      const event = tab.locator('[data-testid="alert-event"][data-to="firing"]').first();
      await event.waitFor({ timeout: 30_000 });
      await event.getByTestId('event-toggle').click();
      const examples = tab.getByTestId('event-examples');
      await examples.waitFor();
      const shown = await examples
        .getByTestId('event-example-run')
        .evaluateAll((links) => links.map((a) => a.getAttribute('data-trace-id') ?? ''));
      expect(shown).toEqual(hook.exampleRuns.current);
      for (const c of clean) expect(shown).not.toContain(c.traceId);
      await tab.screenshot({ path: join(ARTIFACTS, 'first-hour-alert-examples.png'), fullPage: true });
      // An example opens its run, which shows the findings that made it one.
      await examples.getByTestId('event-example-run').first().click();
      await tab.getByTestId('run-header').waitFor();
      expect(await tab.getByTestId('run-findings').innerText()).toMatch(/^\d+ findings? on \d+ steps?$/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);
});

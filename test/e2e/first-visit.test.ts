import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../lib/api-client.js';
import { ARTIFACTS, launchBrowser } from '../lib/browser.js';
import { type CollectorProcess, sendDemo, startCollectorProcess } from '../lib/collector-process.js';
import { chromiumMissing, skipTitle } from '../lib/requirements.js';

/**
 * Small things a new user trips over on a first visit, in Chromium against a real collector: the ingest key pasted
 * at sign-in, overview lines that must not invent runs between points, and a tool step's detail that shows only
 * what a tool step has (no retrieval section for its output trust, no "unset" badge).
 */
describe.skipIf(chromiumMissing)(skipTitle('a first visit in the browser', chromiumMissing), () => {
  let collector: CollectorProcess;
  beforeAll(async () => {
    collector = await startCollectorProcess();
    const demo = await sendDemo(collector, ['--runs', '6', '--history-days', '1']);
    expect(demo.code, demo.output).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await collector?.stop();
  });

  it('names a pasted ingest key, draws overview lines straight, loads a page’s code while the session is checked, shows a tool step without retrieval or unset, and words alert-rule errors and secrets truthfully', async () => {
    const api = createApiClient(collector.url, collector.adminToken);
    const page = await api.waitForRuns((p) => p.runs.length >= 10);
    const withTool = page.runs.find((r) => r.toolNames.includes('lookup_order') && r.errorCount === 0) ?? page.runs[0];
    const detail = await api.run(withTool?.traceId as string);
    const tool = detail.steps.find((s) => s.kind === 'tool' && s.status === 'unset' && s.contentTrust !== '');
    if (!tool) throw new Error('no unset tool step with a content trust in the demo run');

    const browser = await launchBrowser();
    try {
      const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      await mkdir(ARTIFACTS, { recursive: true });

      // The ingest key pasted where a login token goes: the page says what it is and what to use.
      await tab.goto(collector.url);
      await tab.getByTestId('token-input').fill(collector.ingestKey);
      await tab.getByTestId('token-input').press('Enter');
      const banner = tab.getByTestId('error-banner');
      await banner.waitFor();
      expect(await banner.innerText()).toMatch(/ingest key.*sign in with a login token/);
      await tab.screenshot({ path: join(ARTIFACTS, 'login-ingest-key.png') });
      await tab.getByTestId('token-input').fill(collector.adminToken);
      await tab.getByTestId('token-input').press('Enter');
      await tab.getByTestId('run-row').first().waitFor();

      // Overview: straight segments between buckets (an SVG path of M/L commands, no Bézier curves).
      await tab.goto(`${collector.url}/overview?range=7d`);
      await tab.locator('.recharts-line-curve').first().waitFor();
      expect(await tab.title()).toMatch(/^Overview/);
      const paths = await tab.locator('.recharts-line-curve').evaluateAll((els) => els.map((e) => e.getAttribute('d')));
      expect(paths.length).toBeGreaterThan(0);
      for (const d of paths) expect(d).not.toMatch(/[CcSsQq]/);
      await tab.screenshot({ path: join(ARTIFACTS, 'overview-straight-lines.png'), fullPage: true });

      // A tool step: its output trust in the tool section, no retrieval section, no "unset" badge.
      // Opened afresh, the run page's code is fetched while the session is checked, not after its answer.
      const order: string[] = [];
      const named = (url: string) =>
        url.includes('/api/whoami') ? 'whoami' : /\/assets\/RunPage-[^/]*\.js$/.test(url) ? 'run page code' : '';
      const onRequest = (r: { url(): string }) => named(r.url()) && order.push(`request ${named(r.url())}`);
      const onResponse = (r: { url(): string }) => named(r.url()) && order.push(`answer ${named(r.url())}`);
      tab.on('request', onRequest);
      tab.on('response', onResponse);
      await tab.goto(`${collector.url}/runs/${detail.run.traceId}?step=${tool.spanId}`);
      const step = tab.locator(`[data-testid="step-detail"][data-span-id="${tool.spanId}"]`);
      await step.waitFor();
      tab.off('request', onRequest);
      tab.off('response', onResponse);
      expect(order).toContain('request run page code');
      expect(order.indexOf('request run page code'), order.join(', ')).toBeLessThan(order.indexOf('answer whoami'));
      expect(await tab.getByTestId('tool-output-trust').innerText()).toBe(tool.contentTrust);
      expect(await tab.getByTestId('step-retrieval').isVisible()).toBe(false);
      expect(await tab.getByTestId('step-status').count()).toBe(0);
      await tab.screenshot({ path: join(ARTIFACTS, 'tool-step-detail.png'), fullPage: true });

      // The player's "no next error" notice belongs to the step it was given at: a move clears it.
      await tab.keyboard.press('e');
      expect(await tab.getByTestId('player-notice').innerText()).toBe('No next error step');
      await tab.keyboard.press('ArrowRight');
      await tab.waitForURL((u) => !u.search.includes(tool.spanId));
      expect(await tab.getByTestId('player-notice').count()).toBe(0);

      // A new alert rule: what is missing is said in words; a webhook with the user's own secret is not called
      // "no webhook" once the rule is created.
      await tab.goto(`${collector.url}/alerts/new`);
      await tab.getByTestId('rule-save').click();
      const nameError = tab.locator('[data-testid="field-error"][data-field="name"]');
      await nameError.waitFor();
      expect(await nameError.innerText()).toBe('enter a name (up to 200 characters)');
      await tab.screenshot({ path: join(ARTIFACTS, 'alert-rule-validation.png'), fullPage: true });
      await tab.getByTestId('rule-name').fill('tool mix of the support agent');
      await tab.getByTestId('rule-channel').selectOption('webhook');
      await tab.getByTestId('rule-webhook-url').fill('http://127.0.0.1:9/casefile-hook');
      await tab.getByTestId('rule-webhook-secret').fill('my-own-signing-secret-0001');
      await tab.getByTestId('rule-save').click();
      await tab.getByTestId('rule-created').waitFor();
      expect(await tab.getByTestId('rule-secret-given').innerText()).toMatch(
        /signs its deliveries with the secret you entered/,
      );
      expect(await tab.getByTestId('rule-created').innerText()).not.toMatch(/no webhook/);
      await tab.screenshot({ path: join(ARTIFACTS, 'alert-rule-created-own-secret.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});

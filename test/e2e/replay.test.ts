import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../lib/api-client.js';
import { ARTIFACTS, launchBrowser } from '../lib/browser.js';
import { type CollectorProcess, sendDemo, startCollectorProcess } from '../lib/collector-process.js';
import { chromiumMissing, skipTitle } from '../lib/requirements.js';

const XSS_IMG = '<img src=x onerror=window.__pwned=1>';
const XSS_SCRIPT = '</script><script>window.__pwned=1</script>';
const XSS_LINK = '<a href="javascript:alert(1)">javascript:alert(1)</a>';

/** A run whose every readable field is an XSS attempt, as plain OTLP JSON. */
function hostileRun(traceId: string) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const span = (spanId: string, parentSpanId: string, name: string, attributes: unknown[], offset: bigint) => ({
    traceId,
    spanId,
    parentSpanId,
    name,
    kind: 1,
    startTimeUnixNano: String(now + offset),
    endTimeUnixNano: String(now + offset + 1_000_000n),
    attributes,
    status: { code: 2, message: XSS_SCRIPT },
  });
  return {
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', 'xss-probe')] },
        scopeSpans: [
          {
            scope: { name: 'xss', version: '1' },
            spans: [
              span('a1a1a1a1a1a1a1a1', '', XSS_IMG, [attr('gen_ai.agent.name', XSS_IMG)], 0n),
              span(
                'b2b2b2b2b2b2b2b2',
                'a1a1a1a1a1a1a1a1',
                XSS_LINK,
                [
                  attr('gen_ai.tool.name', 'send_email'),
                  attr('gen_ai.tool.call.arguments', JSON.stringify({ body: XSS_SCRIPT, link: 'javascript:alert(1)' })),
                  attr('gen_ai.tool.call.result', XSS_IMG),
                ],
                2_000_000n,
              ),
            ],
          },
        ],
      },
    ],
  };
}

async function login(tab: Page, url: string, token: string) {
  await tab.goto(url);
  await tab.getByTestId('token-input').fill(token);
  await tab.getByTestId('token-input').press('Enter');
  await tab.getByTestId('run-row').first().waitFor();
}

async function download(tab: Page, testId: string, name: string): Promise<string> {
  const [file] = await Promise.all([tab.waitForEvent('download'), tab.getByTestId(testId).click()]);
  const path = join(ARTIFACTS, name);
  await file.saveAs(path);
  return path;
}

describe.skipIf(chromiumMissing)(
  skipTitle('replay, compare, search and case export in the browser', chromiumMissing),
  () => {
    let collector: CollectorProcess;
    beforeAll(async () => {
      collector = await startCollectorProcess();
      await mkdir(ARTIFACTS, { recursive: true });
    });
    afterAll(async () => {
      await collector?.stop();
    });

    it('replays the incident, shows the approval mismatch, compares, searches and exports a case', async () => {
      const demo = await sendDemo(collector, ['--history-days', '0']);
      expect(demo.code).toBe(0);
      const api = createApiClient(collector.url, collector.adminToken);
      const page = await api.waitForRuns(
        (p) =>
          p.runs.some((r) => r.toolNames.includes('send_email')) &&
          p.runs.some((r) => r.runInput.includes('Refund request for 20.00')),
      );
      const incident = page.runs.find((r) => r.toolNames.includes('send_email'))!;
      const mismatch = page.runs.find((r) => r.runInput.includes('Refund request for 20.00'))!;
      const normal = page.runs.find(
        (r) => r.status === 'ok' && r.agentName === incident.agentName && !r.toolNames.includes('send_email'),
      )!;
      const detail = await api.run(incident.traceId);
      const sendEmail = detail.steps.find((s) => s.toolName === 'send_email')!;

      const browser = await launchBrowser();
      try {
        const tab = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
        const errors: string[] = [];
        tab.on('pageerror', (e) => errors.push(e.message));
        await login(tab, collector.url, collector.adminToken);

        // Replay: open the incident from the list and jump tool call by tool call to send_email.
        await tab.locator(`[data-testid="run-row"][data-trace-id="${incident.traceId}"]`).click();
        await tab.getByTestId('player').waitFor();
        await tab.getByTestId('step-row').first().click();
        for (let i = 0; i < 20 && !tab.url().includes(`step=${sendEmail.spanId}`); i++) await tab.keyboard.press('t');
        expect(tab.url()).toContain(`step=${sendEmail.spanId}`);
        expect(await tab.getByTestId('step-detail').innerText()).toContain('send_email');
        // The data flow names the poisoned document read before the external call.
        // Its list is rendered once the panel is opened.
        await tab.locator('[data-testid="data-flow"] summary').click();
        await tab.getByTestId('data-flow-call').first().waitFor();
        expect(await tab.getByTestId('data-flow').innerText()).toContain('kb-7731');
        await tab.keyboard.press('?');
        await tab.getByTestId('shortcuts-help').waitFor();
        await tab.screenshot({ path: join(ARTIFACTS, 'replay-player.png'), fullPage: true });
        await tab.keyboard.press('Escape');

        // Approval mismatch: approved 20.00, refunded 2000.00.
        await tab.goto(`${collector.url}/runs/${mismatch.traceId}`);
        await tab.getByTestId('player').waitFor();
        await tab.getByTestId('step-row').first().click();
        await tab.getByTestId('jump-approval').click();
        await tab.getByTestId('approval-binding').waitFor();
        expect(await tab.getByTestId('approval-binding').innerText()).toContain('does not equal');
        await tab.screenshot({ path: join(ARTIFACTS, 'replay-approval-mismatch.png'), fullPage: true });

        // Compare: from the incident's page, pick the normal run; send_email is only in one of them.
        await tab.goto(`${collector.url}/runs/${incident.traceId}`);
        await tab.getByTestId('compare-with').click();
        await tab.locator(`[data-testid="compare-candidate"][data-trace-id="${normal.traceId}"]`).click();
        await tab.getByTestId('compare').waitFor();
        const emailCell = tab.locator('[data-testid="compare-cell"][data-tool="send_email"]');
        expect(await emailCell.getAttribute('data-differs')).toBe('true');
        expect(await tab.locator('[data-testid="compare-facts"] tr[data-differs="true"]').count()).toBeGreaterThan(0);
        await tab.screenshot({ path: join(ARTIFACTS, 'compare.png'), fullPage: true });

        // The one run on prompt support-v13 is flagged against the agent's usual support-v12.
        const odd = page.runs.find((r) => r.promptVersion === 'support-v13');
        if (!odd) throw new Error('the demo sent no run on prompt support-v13');
        await tab.goto(`${collector.url}/runs/${odd.traceId}`);
        await tab.getByTestId('version-deviation-prompt').waitFor();
        expect(await tab.getByTestId('version-deviation-prompt').innerText()).toContain('usual support-v12');

        // Search by document ID (the search page keeps the query in its own URL).
        await tab.goto(`${collector.url}/search?documentId=kb-7731`);
        await tab.getByTestId('search-page').waitFor();
        await tab.locator(`[data-testid="run-row"][data-trace-id="${incident.traceId}"]`).waitFor();

        // Case export of the incident: HTML and JSON.
        await tab
          .locator(`[data-testid="run-row"][data-trace-id="${incident.traceId}"] [data-testid="run-select"]`)
          .check();
        const htmlPath = await download(tab, 'export-html', 'case-incident.html');
        const html = await readFile(htmlPath, 'utf8');
        expect(html).toContain('send_email');
        expect(html).toContain('kb-7731');
        expect(html).not.toMatch(/<script/i);
        const json = JSON.parse(await readFile(await download(tab, 'export-json', 'case-incident.json'), 'utf8'));
        expect(json.runs[0].run.traceId).toBe(incident.traceId);
        expect(json.runs[0].steps.some((s: { toolName: string }) => s.toolName === 'send_email')).toBe(true);
        // Overview: trends over the last hour; a click on a point opens that bucket's runs.
        await tab.goto(`${collector.url}/overview?range=1h`);
        await tab.getByTestId('overview-meta').waitFor();
        expect(await tab.getByTestId('overview-meta').innerText()).toMatch(/^\d+ runs/);
        expect(await tab.getByTestId('overview-agents').innerText()).toContain(incident.agentName);
        await tab.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true });
        const chart = tab.locator('[data-testid="chart-runs"] .recharts-surface');
        const box = (await chart.boundingBox())!;
        // The newest bucket (right edge) holds the demo's runs.
        await tab.mouse.move(box.x + box.width - 6, box.y + box.height / 2);
        await tab.mouse.click(box.x + box.width - 6, box.y + box.height / 2);
        await tab.waitForURL(/\/runs\?.*from=/);
        await tab.getByTestId('run-row').first().waitFor();
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 120_000);

    it('renders hostile trace content as text in the app and in the exported HTML', async () => {
      const traceId = 'c3'.repeat(16);
      const res = await fetch(`${collector.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${collector.ingestKey}` },
        body: JSON.stringify(hostileRun(traceId)),
      });
      expect(res.status).toBe(200);
      const api = createApiClient(collector.url, collector.adminToken);
      await api.waitForRuns((p) => p.runs.some((r) => r.traceId === traceId));

      const browser = await launchBrowser();
      try {
        const tab = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
        await login(tab, collector.url, collector.adminToken);
        await tab.goto(`${collector.url}/runs/${traceId}?step=b2b2b2b2b2b2b2b2`);
        await tab.getByTestId('step-detail').waitFor();
        await tab.getByTestId('json-tree-toggle').first().click();
        await tab.getByTestId('json-tree').waitFor();
        const text = await tab.locator('body').innerText();
        expect(text).toContain(XSS_IMG);
        expect(text).toContain('javascript:alert(1)');
        expect(await tab.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
        expect(await tab.locator('a[href^="javascript:"]').count()).toBe(0);

        const exported = await tab.evaluate(
          async ([id, token]) => {
            const r = await fetch(`/api/cases/export?traceIds=${id}&format=html`, {
              headers: { authorization: `Bearer ${token}` },
            });
            return r.text();
          },
          [traceId, collector.adminToken] as const,
        );
        const path = join(ARTIFACTS, 'case-xss.html');
        await writeFile(path, exported);
        await tab.goto(pathToFileURL(path).href);
        const reportText = await tab.locator('body').innerText();
        expect(reportText).toContain(XSS_IMG);
        expect(reportText).toContain(XSS_SCRIPT);
        expect(await tab.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
        // The only links are the report's own, to its steps; nothing the trace planted became an element.
        expect(await tab.locator('script, img').count()).toBe(0);
        const hrefs = await tab.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
        expect(hrefs.filter((h) => !/^#step-[0-9a-f]{32}-[0-9a-f]{16}$/.test(h))).toEqual([]);
        await tab.screenshot({ path: join(ARTIFACTS, 'case-xss.png'), fullPage: true });
      } finally {
        await browser.close();
      }
    }, 120_000);
  },
);

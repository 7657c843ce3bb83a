import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../lib/api-client.js';
import { ARTIFACTS, launchBrowser } from '../lib/browser.js';
import { type CollectorProcess, sendDemo, startCollectorProcess } from '../lib/collector-process.js';
import { chromiumMissing, skipTitle } from '../lib/requirements.js';

/**
 * The README's promise, end to end: a real collector process on the embedded store, the demo agent
 * sending runs through the SDK, the runs listed by the API, and the incident run replayed in Chromium.
 */
describe.skipIf(chromiumMissing)(
  skipTitle('quick start: demo runs → API → replay in the browser', chromiumMissing),
  () => {
    let collector: CollectorProcess;

    beforeAll(async () => {
      collector = await startCollectorProcess();
    });
    afterAll(async () => {
      await collector?.stop();
    });

    it('the demo sends runs that the API lists, and the incident run replays step by step', async () => {
      const demo = await sendDemo(collector, ['--history-days', '0']);
      expect(demo.output).toMatch(/Sent \d+ runs/);
      expect(demo.code).toBe(0);

      const api = createApiClient(collector.url, collector.adminToken);
      const page = await api.waitForRuns((p) => p.runs.some((r) => r.toolNames.includes('send_email')));
      expect(page.runs.length).toBeGreaterThanOrEqual(20);
      expect(page.runs.some((r) => r.status === 'error')).toBe(true);
      const incident = page.runs.find((r) => r.toolNames.includes('send_email'));
      if (!incident) throw new Error('no incident run');
      const detail = await api.run(incident.traceId);
      const sendEmail = detail.steps.find((s) => s.toolName === 'send_email');
      expect(sendEmail?.toolRisk).toBe('external');

      const browser = await launchBrowser();
      try {
        const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } });
        const errors: string[] = [];
        tab.on('pageerror', (e) => errors.push(e.message));
        await tab.goto(collector.url);
        await tab.getByTestId('token-input').fill(collector.adminToken);
        await tab.getByTestId('token-input').press('Enter');
        await tab.getByTestId('run-row').first().waitFor();
        expect(await tab.getByTestId('run-row').count()).toBeGreaterThanOrEqual(20);
        await mkdir(ARTIFACTS, { recursive: true });
        await tab.screenshot({ path: join(ARTIFACTS, 'runs-list.png'), fullPage: true });

        await tab.locator(`[data-testid="run-row"][data-trace-id="${incident.traceId}"]`).click();
        await tab.waitForURL(new RegExp(`/runs/${incident.traceId}`));
        await tab.getByTestId('step-row').first().waitFor();
        expect(await tab.getByTestId('step-row').count()).toBe(detail.steps.length);
        await tab.getByTestId('step-row').first().click();
        // Walk the timeline with the keyboard until the send_email step is selected.
        for (let i = 0; i < detail.steps.length; i++) {
          if (tab.url().includes(`step=${sendEmail?.spanId}`)) break;
          await tab.keyboard.press('ArrowDown');
        }
        const text = await tab.getByTestId('step-detail').innerText();
        expect(text).toContain('send_email');
        expect(text).toContain('external');
        expect(tab.url()).toContain(`step=${sendEmail?.spanId}`);
        await tab.screenshot({ path: join(ARTIFACTS, 'run-replay.png'), fullPage: true });
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 120_000);
  },
);

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../lib/api-client.js';
import { ARTIFACTS, launchBrowser, signIn } from '../lib/browser.js';
import { type CollectorProcess, sendDemo, startCollectorProcess } from '../lib/collector-process.js';
import { chromiumMissing, skipTitle } from '../lib/requirements.js';

describe.skipIf(chromiumMissing)(skipTitle('what was approved, on the run page', chromiumMissing), () => {
  let collector: CollectorProcess;
  beforeAll(async () => {
    collector = await startCollectorProcess();
  });
  afterAll(async () => {
    await collector?.stop();
  });

  it('shows the demo refund approved at 20.00 and executed at 2000.00 on both steps, the amount marked', async () => {
    const demo = await sendDemo(collector, ['--runs', '0', '--history-days', '0']);
    expect(demo.code).toBe(0);
    const api = createApiClient(collector.url, collector.adminToken);
    const page = await api.waitForRuns((p) => p.runs.some((r) => r.runInput.includes('Refund request for 20.00')));
    const mismatch = page.runs.find((r) => r.runInput.includes('Refund request for 20.00'));
    if (!mismatch) throw new Error('the demo sent no approval mismatch');
    const steps = (await api.run(mismatch.traceId)).steps;
    const refund = steps.find((s) => s.kind === 'tool' && s.toolName === 'issue_refund');
    const approval = steps.find((s) => s.kind === 'approval');
    if (!refund || !approval) throw new Error('the mismatch run has no refund or no approval step');

    const browser = await launchBrowser();
    try {
      const tab = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      await signIn(tab, collector.url, collector.adminToken);

      // The tool step: the approval it ran under, and the amount that changed, marked.
      await tab.goto(`${collector.url}/runs/${mismatch.traceId}?step=${refund.spanId}`);
      const section = tab.getByTestId('approved-action');
      await section.waitFor();
      expect(await tab.getByTestId('approved-action-verdict').innerText()).toMatch(
        /differs from what was approved: amount/,
      );
      const rows = tab.locator('[data-testid="approved-argument"]');
      const amount = rows.filter({ hasText: 'amount' });
      expect(await amount.getAttribute('data-differs')).toBe('true');
      const cells = await amount.locator('td').allInnerTexts();
      expect(cells).toEqual(['20.00', '2000.00']);
      // Only the amount differs: order, currency and reason read the same on both sides.
      expect(await rows.count()).toBeGreaterThan(1);
      expect(await tab.locator('[data-testid="approved-argument"][data-differs="true"]').count()).toBe(1);
      expect(await section.innerText()).toContain(approval.approvalId);
      await tab.screenshot({ path: join(ARTIFACTS, 'approved-vs-executed.png'), fullPage: true });

      // The approval step names the call it bound and shows the same two amounts.
      await tab.goto(`${collector.url}/runs/${mismatch.traceId}?step=${approval.spanId}`);
      await tab.getByTestId('approved-action').waitFor();
      const fromApproval = await tab.getByTestId('approved-action').innerText();
      expect(fromApproval).toContain('20.00');
      expect(fromApproval).toContain('2000.00');
      expect(fromApproval).toContain(refund.name);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);
});

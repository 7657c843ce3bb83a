import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchBrowser, signIn } from '../lib/browser.js';
import { type CollectorProcess, runCli, startCollectorProcess } from '../lib/collector-process.js';
import { chromiumMissing, skipTitle } from '../lib/requirements.js';

/**
 * Cases as an investigator uses them: two runs selected on the runs page saved as a case, the case
 * placed on legal hold and released (the audit trail says so), and its JSON export downloaded and
 * verified offline with `casefile verify` against the collector's published key.
 */
describe.skipIf(chromiumMissing)(skipTitle('cases in the browser', chromiumMissing), () => {
  let collector: CollectorProcess;
  beforeAll(async () => {
    const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    collector = await startCollectorProcess({ CASEFILE_SIGNING_KEY: key });
  });
  afterAll(async () => {
    await collector?.stop();
  });

  it('saves selected runs as a case, holds and releases it, and exports a file that verifies', async () => {
    const demo = await runCli(
      ['demo', '--endpoint', collector.url, '--api-key', collector.ingestKey, '--runs', '0', '--history-days', '0'],
      {},
    );
    expect(demo.code).toBe(0);
    const traceOf = (scenario: string) =>
      new RegExp(`\\]\\s+${scenario}\\s+\\S+\\s+trace ([0-9a-f]{32})`).exec(demo.output)?.[1] as string;
    const picked = [traceOf('prompt-injection'), traceOf('approval-mismatch')];
    expect(picked.every((t) => /^[0-9a-f]{32}$/.test(t))).toBe(true);

    const browser = await launchBrowser();
    try {
      const tab = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      await signIn(tab, collector.url, collector.adminToken);
      for (const t of picked) {
        await tab.locator(`[data-testid="run-row"][data-trace-id="${t}"] [data-testid="run-select"]`).check();
      }
      await tab.getByTestId('case-name').fill('Refund over the approved amount');
      await tab.getByTestId('create-case').click();

      // The case page: its runs, not held yet, created in the audit trail.
      await tab.getByTestId('case-page').waitFor();
      expect(await tab.locator('h1').innerText()).toBe('Refund over the approved amount');
      expect((await tab.getByTestId('case-run').allInnerTexts()).sort()).toEqual([...picked].sort());
      expect(await tab.getByTestId('case-hold-badge').innerText()).toBe('not held');

      await tab.getByTestId('hold-reason').fill('litigation notice 2026-114');
      await tab.getByTestId('hold-case').click();
      await tab.getByText('on legal hold', { exact: true }).waitFor();
      expect(await tab.getByTestId('case-hold').innerText()).toContain('litigation notice 2026-114');
      await tab.locator('[data-testid="case-audit-row"][data-action="case.hold"]').waitFor();

      // The list shows it held.
      await tab.getByTestId('cases-link').click();
      const row = tab.locator('[data-testid="case-row"]').filter({ hasText: 'Refund over the approved amount' });
      await row.waitFor();
      expect(await row.getAttribute('data-held')).toBe('true');
      await row.getByTestId('case-link').click();
      await tab.getByTestId('case-page').waitFor();

      // The JSON export carries its proofs and the collector's signature: verify it offline.
      const [download] = await Promise.all([tab.waitForEvent('download'), tab.getByTestId('export-json').click()]);
      const file = join(ARTIFACTS, 'case-with-proofs.json');
      await download.saveAs(file);
      const verified = await runCli(['verify', file, '--endpoint', collector.url, '-q']);
      expect(verified.output).toMatch(
        /verified: project \S+, 2 runs, \d+ spans, \d+ chain entries; signed, signature valid/,
      );
      expect(verified.code).toBe(0);
      await tab.screenshot({ path: join(ARTIFACTS, 'case-page.png'), fullPage: true });

      // An admin releases the hold; the trail records who placed it.
      await tab.getByTestId('release-case').click();
      await tab.locator('[data-testid="case-audit-row"][data-action="case.release"]').waitFor();
      expect(await tab.getByTestId('case-hold-badge').innerText()).toBe('not held');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 240_000);
});

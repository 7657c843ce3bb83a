import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { initCasefile, run, toolCall } from '@casefile/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../lib/api-client.js';
import { ARTIFACTS, launchBrowser, signIn } from '../lib/browser.js';
import { type CollectorProcess, startCollectorProcess } from '../lib/collector-process.js';
import { chromiumMissing, dropStore, E2E_STORES, firstMissing, skipTitle, storeEnv } from '../lib/requirements.js';

// Made-up people and accounts; the IBAN is a valid test number (German format, correct check digits).
const EMAIL = 'Maria.Kowalska84@globex.example';
const OTHER_EMAIL = 'j.novak@initech.example';
const IBAN = 'DE89 3704 0044 0532 0130 00';

/** Three runs through the Casefile SDK: two carry the address (one in a tool call, one in the input). */
async function sendRuns(endpoint: string, apiKey: string): Promise<{ withEmail: string[]; without: string }> {
  const casefile = initCasefile({
    endpoint,
    apiKey,
    agent: { name: 'billing-agent', version: '1.0.0' },
    exportIntervalMs: 50,
  });
  const traces: string[] = [];
  try {
    await run('refund', { input: 'customer asks for a refund' }, async ({ traceId }) => {
      traces.push(traceId);
      await toolCall(
        { name: 'send_email', risk: 'external', arguments: { to: EMAIL, body: `Refund sent to ${IBAN}.` } },
        async () => ({ queued: true }),
      );
    });
    await run('follow-up', { input: `Any news? — ${EMAIL.toLowerCase()}` }, async ({ traceId }) => {
      traces.push(traceId);
    });
    await run('other customer', { input: `Any news? — ${OTHER_EMAIL}` }, async ({ traceId }) => {
      traces.push(traceId);
    });
  } finally {
    await casefile.shutdown();
  }
  return { withEmail: [traces[0]!, traces[1]!], without: traces[2]! };
}

for (const { store, missing: storeMissing } of E2E_STORES) {
  const missing = firstMissing(chromiumMissing, storeMissing);
  describe.skipIf(missing)(skipTitle(`find by value in the browser on ${store}`, missing), () => {
    let collector: CollectorProcess;
    const database = `casefile_byvalue_${randomBytes(6).toString('hex')}`;
    beforeAll(async () => {
      collector = await startCollectorProcess(storeEnv(store, database));
      await mkdir(ARTIFACTS, { recursive: true });
    });
    afterAll(async () => {
      await collector?.stop();
      await dropStore(store, database);
    });

    it('finds every run that carried a typed e-mail address or IBAN, without the value leaving the form', async () => {
      const { withEmail, without } = await sendRuns(collector.url, collector.ingestKey);
      const api = createApiClient(collector.url, collector.adminToken);
      await api.waitForRuns((p) => [...withEmail, without].every((t) => p.runs.some((r) => r.traceId === t)));
      // Stored: tokens that keep the domain and the IBAN's country, never the value.
      const sent = JSON.stringify((await api.run(withEmail[0]!)).steps);
      expect(sent).toMatch(/\[email:[0-9a-f]{8}@globex\.example\]/);
      expect(sent).toMatch(/\[iban:[0-9a-f]{8}·DE\]/);
      expect(sent.toLowerCase()).not.toContain('kowalska');

      const browser = await launchBrowser();
      try {
        const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } });
        const errors: string[] = [];
        tab.on('pageerror', (e) => errors.push(e.message));
        const posted: string[] = [];
        tab.on('request', (r) => {
          if (r.url().includes('/api/')) posted.push(`${r.method()} ${r.url()}`);
        });
        await signIn(tab, collector.url, collector.adminToken);
        await tab.getByTestId('search-link').click();
        await tab.getByTestId('search-page').waitFor();

        // Typed in another case than it was sent in: the same token, both runs.
        await tab.getByTestId('find-by-value-input').fill(EMAIL.toUpperCase());
        await tab.getByTestId('find-by-value-submit').click();
        await tab.getByTestId('find-by-value-count').waitFor();
        const token = await tab.getByTestId('find-by-value-token').innerText();
        expect(token).toMatch(/^\[email:[0-9a-f]{8}@globex\.example\]$/);
        const rows = tab.locator('[data-testid="find-by-value-result"] [data-testid="run-row"]');
        const found = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-trace-id')));
        expect(found.sort()).toEqual([...withEmail].sort());
        expect(await tab.getByTestId('find-by-value-result').getAttribute('data-kind')).toBe('email');
        await tab.screenshot({ path: join(ARTIFACTS, `find-by-value-${store}.png`), fullPage: true });

        // The value never went into a URL (the page's, or any request's).
        expect(tab.url().toLowerCase()).not.toContain('kowalska');
        expect(posted.join('\n').toLowerCase()).not.toContain('kowalska');
        expect(posted).toContain(`POST ${collector.url}/api/search/by-value`);

        // An IBAN, typed in lower case: the run whose e-mail carried it.
        await tab.getByTestId('find-by-value-input').fill(IBAN.toLowerCase());
        await tab.getByTestId('find-by-value-submit').click();
        await tab.locator('[data-testid="find-by-value-result"][data-kind="iban"]').waitFor();
        expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-trace-id')))).toEqual([
          withEmail[0],
        ]);

        // "matched in tool arguments" opens that step of the run, which shows the tokens with their context.
        await rows.first().getByTestId('text-match').click();
        await tab.waitForURL((url) => url.pathname === `/runs/${withEmail[0]}` && url.searchParams.has('step'));
        await tab.getByTestId('player').waitFor();
        await tab.waitForFunction(() => document.body.innerText.includes('@globex.example]'));
        expect(await tab.locator('body').innerText()).toMatch(/\[iban:[0-9a-f]{8}·DE\]/);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }

      // A runs search with the address typed as free text is logged with its token too.
      const typed = await fetch(`${collector.url}/api/runs?q=${encodeURIComponent(EMAIL)}`, {
        headers: { authorization: `Bearer ${collector.adminToken}` },
      });
      expect(typed.status).toBe(200);

      // The access log has the search with the token looked for, never the value.
      const res = await fetch(`${collector.url}/api/access-log`, {
        headers: { authorization: `Bearer ${collector.adminToken}` },
      });
      const log = (await res.json()) as { entries: { action: string; target: string }[] };
      const searches = log.entries.filter((e) => e.action === 'find_by_value');
      expect(searches.map((e) => e.target)).toEqual([
        expect.stringMatching(/^\[iban:[0-9a-f]{8}\]$/),
        expect.stringMatching(/^\[email:[0-9a-f]{8}\]$/),
      ]);
      expect(log.entries.find((e) => e.action === 'search_runs')?.target).toMatch(
        /^q=\[email:[0-9a-f]{8}@globex\.example\]$/,
      );
      expect(JSON.stringify(log.entries).toLowerCase()).not.toContain('kowalska');

      // The case export keeps the same tokens.
      const exported = await fetch(`${collector.url}/api/cases/export?traceIds=${withEmail.join(',')}&format=json`, {
        headers: { authorization: `Bearer ${collector.adminToken}` },
      });
      const text = await exported.text();
      expect(text).toMatch(/\[email:[0-9a-f]{8}@globex\.example\]/);
      expect(text.toLowerCase()).not.toContain('kowalska');
    }, 180_000);
  });
}

import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { findingPageSchema, type RunPageDto } from '@casefile/contract';
import { TOKEN_SOURCE } from '@casefile/sdk/redact';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../lib/api-client.js';
import { ARTIFACTS, launchBrowser, signIn } from '../lib/browser.js';
import { type CollectorProcess, sendDemo, startCollectorProcess } from '../lib/collector-process.js';
import { chromiumMissing, dropStore, E2E_STORES, firstMissing, skipTitle, storeEnv } from '../lib/requirements.js';

/** A pseudonym token as the redactor writes it, e.g. `[email:7f3a9c12@globex.example]`. */
const TOKEN = new RegExp(TOKEN_SOURCE);

const rowIds = async (tab: Page): Promise<string[]> =>
  tab.locator('[data-testid="run-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trace-id') ?? ''));

/** The results once they answer the query in the URL (not the previous one still on screen). */
async function results(tab: Page): Promise<string[]> {
  await tab.locator('[data-testid="runs-count"][data-settled="true"]').waitFor();
  return rowIds(tab);
}

for (const { store, missing: storeMissing } of E2E_STORES) {
  const missing = firstMissing(chromiumMissing, storeMissing);
  describe.skipIf(missing)(skipTitle(`search across runs in the browser on ${store}`, missing), () => {
    let collector: CollectorProcess;
    const database = `casefile_search_${randomBytes(6).toString('hex')}`;
    beforeAll(async () => {
      collector = await startCollectorProcess({ CASEFILE_DETECT_DELAY_MS: '200', ...storeEnv(store, database) });
      await mkdir(ARTIFACTS, { recursive: true });
    });
    afterAll(async () => {
      await collector?.stop();
      await dropStore(store, database);
    });

    it('finds runs by document ID, findings and a pasted pseudonym token; the URL keeps the query', async () => {
      const demo = await sendDemo(collector, ['--history-days', '0']);
      expect(demo.code).toBe(0);
      const scenarioOf = new Map<string, string>();
      for (const m of demo.output.matchAll(/\]\s+([a-z-]+)\s+\S+\s+trace ([0-9a-f]{32})/g)) {
        scenarioOf.set(m[2] as string, m[1] as string);
      }
      const injection = [...scenarioOf].find(([, s]) => s === 'prompt-injection')?.[0] as string;
      expect(injection).toBeDefined();

      const api = createApiClient(collector.url, collector.adminToken);
      await api.waitForRuns((p) => p.runs.some((r) => r.traceId === injection) && p.runs.length >= scenarioOf.size);
      // Detection runs once a run has been quiet for 200 ms: wait until every run has been looked at
      // and the flagged set stops changing.
      const flaggedNow = async () => {
        const page: RunPageDto = await api.runs({ limit: '500', hasFindings: 'true' });
        return page.runs.map((r) => r.traceId).sort();
      };
      let flagged: string[] = [];
      for (let stable = 0, last = '', t0 = Date.now(); stable < 3 && Date.now() - t0 < 20_000; ) {
        await new Promise((r) => setTimeout(r, 500));
        flagged = await flaggedNow();
        const now = JSON.stringify(flagged);
        stable = now === last && flagged.includes(injection) ? stable + 1 : 0;
        last = now;
      }
      expect(flagged).toContain(injection);
      const total = (await api.runs({ limit: '500' })).runs.length;
      expect(flagged.length).toBeLessThan(total);

      // A token copied from the injection run's outbound email.
      const steps = (await api.run(injection)).steps;
      const token =
        TOKEN.exec(steps.map((s) => s.toolArguments).join('\n'))?.[0] ?? TOKEN.exec(JSON.stringify(steps))?.[0];
      if (token === undefined) throw new Error('the injection run carries no pseudonym token');

      const browser = await launchBrowser();
      try {
        const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } });
        const errors: string[] = [];
        tab.on('pageerror', (e) => errors.push(e.message));
        await signIn(tab, collector.url, collector.adminToken);

        // The nav link opens the search page; a document ID typed into the form finds the injection run.
        await tab.getByTestId('search-link').click();
        await tab.getByTestId('search-page').waitFor();
        expect(await tab.getByTestId('filter-q-hint').innerText()).toContain('pseudonym token');
        await tab.getByTestId('filter-documentId').fill('kb-7731');
        await tab.getByTestId('apply-filters').click();
        await tab.waitForURL((url) => url.pathname === '/search' && url.searchParams.get('documentId') === 'kb-7731');
        const byDocument = await results(tab);
        expect(byDocument).toContain(injection);
        expect(byDocument.length).toBeLessThan(total);

        // Has findings: exactly the flagged runs, each with its findings badge.
        await tab.getByTestId('filter-documentId').fill('');
        await tab.getByTestId('filter-hasFindings').selectOption('true');
        await tab.getByTestId('apply-filters').click();
        await tab.waitForURL(
          (url) => url.searchParams.get('hasFindings') === 'true' && !url.searchParams.has('documentId'),
        );
        expect((await results(tab)).sort()).toEqual(flagged);
        expect(await tab.locator('[data-testid="run-row"] .badge.findings').count()).toBe(flagged.length);

        // A pasted pseudonym token finds the runs that carried it, the injection run among them.
        await tab.getByTestId('filter-hasFindings').selectOption('');
        await tab.getByTestId('filter-q').fill(token);
        await tab.getByTestId('apply-filters').click();
        await tab.waitForURL((url) => url.pathname === '/search' && url.searchParams.get('q') === token);
        const byToken = await results(tab);
        expect(byToken).toContain(injection);
        for (const traceId of byToken) {
          expect(JSON.stringify((await api.run(traceId)).steps)).toContain(token);
        }
        await tab.screenshot({ path: join(ARTIFACTS, `search-token-${store}.png`), fullPage: true });
        // Each hit says where it matched and links to that step of the replay.
        const hit = tab.locator(`[data-testid="run-row"][data-trace-id="${injection}"] [data-testid="text-match"]`);
        expect(await hit.innerText()).toMatch(/^matched in /);
        const matchedField = (await hit.getAttribute('data-field')) as string;
        await hit.click();
        await tab.waitForURL((url) => url.pathname === `/runs/${injection}` && url.searchParams.has('step'));
        const spanId = new URL(tab.url()).searchParams.get('step');
        const matchedStep = steps.find((s) => s.spanId === spanId);
        expect(JSON.stringify(matchedStep?.[matchedField as keyof typeof matchedStep])).toContain(token);
        await tab.goBack();
        await tab.getByTestId('search-page').waitFor();

        // Reload shows the same query and the same results.
        await tab.reload();
        expect(await tab.getByTestId('filter-q').inputValue()).toBe(token);
        expect(await results(tab)).toEqual(byToken);

        // Each result opens its replay; back returns to the same search.
        await tab.locator(`[data-testid="run-row"][data-trace-id="${injection}"] a.row-link`).click();
        await tab.waitForURL(new RegExp(`/runs/${injection}`));
        await tab.getByTestId('player').waitFor();
        await tab.goBack();
        await tab.getByTestId('search-page').waitFor();
        expect(new URL(tab.url()).searchParams.get('q')).toBe(token);
        expect(await results(tab)).toEqual(byToken);

        // The findings API agrees with what the page called flagged.
        const findings = findingPageSchema.parse(
          await (
            await fetch(`${collector.url}/api/findings?limit=500`, {
              headers: { authorization: `Bearer ${collector.adminToken}` },
            })
          ).json(),
        ).findings;
        for (const traceId of flagged) {
          expect(findings.some((f) => f.traceId === traceId && f.status === 'open' && f.severity !== 'low')).toBe(true);
        }
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 90_000);
  });
}

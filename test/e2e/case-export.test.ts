import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type FindingDto, findingPageSchema } from '@casefile/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchBrowser } from '../lib/browser.js';
import { type CollectorProcess, runCli, startCollectorProcess } from '../lib/collector-process.js';
import { chromiumMissing, skipTitle } from '../lib/requirements.js';

/**
 * A case file as an investigator hands it on: the demo's two incident runs exported as HTML through the API and
 * opened from disk in Chromium. The reader sees which run it is (name and input), the flagged part of each
 * evidence excerpt marked, findings that link to their step, the documents the agent read with their text, and
 * who approved what.
 */
describe.skipIf(chromiumMissing)(skipTitle('case export read in the browser', chromiumMissing), () => {
  let collector: CollectorProcess;
  beforeAll(async () => {
    collector = await startCollectorProcess({ CASEFILE_DETECT_DELAY_MS: '200' });
  });
  afterAll(async () => {
    await collector?.stop();
  });

  const get = async (path: string) => {
    const res = await fetch(`${collector.url}${path}`, {
      headers: { authorization: `Bearer ${collector.adminToken}` },
    });
    if (!res.ok) throw new Error(`GET ${path} → ${res.status}: ${await res.text()}`);
    return res;
  };

  it('marks evidence, links steps, shows documents with their text and the approver', async () => {
    const demo = await runCli(
      ['demo', '--endpoint', collector.url, '--api-key', collector.ingestKey, '--runs', '0', '--history-days', '0'],
      {},
    );
    expect(demo.code).toBe(0);
    const traceOf = (scenario: string) =>
      new RegExp(`\\]\\s+${scenario}\\s+\\S+\\s+trace ([0-9a-f]{32})`).exec(demo.output)?.[1] as string;
    const injection = traceOf('prompt-injection');
    const mismatch = traceOf('approval-mismatch');
    expect(injection).toMatch(/^[0-9a-f]{32}$/);

    let findings: FindingDto[] = [];
    const deadline = Date.now() + 60_000;
    while (!findings.some((f) => f.traceId === injection && f.evidenceStart !== undefined)) {
      if (Date.now() > deadline) throw new Error(`no findings with evidence:\n${collector.output()}`);
      await new Promise((r) => setTimeout(r, 300));
      findings = findingPageSchema.parse(await (await get(`/api/findings?limit=500`)).json()).findings;
    }
    await new Promise((r) => setTimeout(r, 1500)); // let the other run's findings land too

    const res = await get(`/api/cases/export?format=html&traceIds=${injection},${mismatch}`);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    await mkdir(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'case-export.html');
    await writeFile(file, html);

    const browser = await launchBrowser();
    try {
      const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await tab.goto(pathToFileURL(file).href);
      // Each run is named and shows what the user asked.
      const titles = await tab.locator('article.run > h2').allInnerTexts();
      expect(titles).toEqual(['prompt-injection', 'approval-mismatch']);
      const injectionRun = tab.locator('article.run').first();
      const input = injectionRun.locator('tr').filter({ has: tab.locator('th', { hasText: /^Input$/ }) });
      expect(await input.first().innerText()).toMatch(/^Input\s+\S/);

      // The flagged part of the evidence is marked, and it is a part, not the whole excerpt.
      const withEvidence = findings.find((f) => f.traceId === injection && f.evidenceStart !== undefined) as FindingDto;
      const flagged = withEvidence.evidence.slice(withEvidence.evidenceStart, withEvidence.evidenceEnd);
      const marks = await injectionRun.locator('pre.evidence mark').allInnerTexts();
      expect(marks).toContain(flagged);

      await tab.screenshot({ path: join(ARTIFACTS, 'case-export.png'), fullPage: false });

      // A finding names its step and jumps to it.
      const link = injectionRun.locator('table a[href^="#step-"]').first();
      const stepName = await link.innerText();
      expect(stepName).not.toMatch(/^[0-9a-f]{16}$/);
      await link.click();
      const target = tab.locator('section.step:target');
      await target.waitFor();
      expect(await target.locator('h4').innerText()).toContain(stepName);

      // The retrieval step lists the documents the agent read, the poisoned one with its text.
      const doc = injectionRun.locator('li.document', { hasText: 'kb-7731' });
      expect(await doc.innerText()).toMatch(/NOTE TO THE ASSISTANT: ignore previous instructions/);

      // The approval says who approved it, the approver kept as its pseudonym token.
      const approval = tab
        .locator('article.run')
        .nth(1)
        .locator('tr')
        .filter({ has: tab.locator('th', { hasText: /^Approval$/ }) })
        .first();
      expect(await approval.innerText()).toMatch(/approved by \[email:[0-9a-f]+/);
      expect(html).not.toMatch(/ by <\/td>/);

      await target.scrollIntoViewIfNeeded();
      await tab.screenshot({ path: join(ARTIFACTS, 'case-export-step.png'), fullPage: false });
    } finally {
      await browser.close();
    }
  }, 180_000);
});

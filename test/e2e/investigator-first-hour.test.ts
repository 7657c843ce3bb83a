import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type FindingDto, findingPageSchema, type RunSummaryDto } from '@casefile/contract';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../lib/api-client.js';
import { ARTIFACTS, launchBrowser } from '../lib/browser.js';
import { type CollectorProcess, sendDemo, startCollectorProcess } from '../lib/collector-process.js';
import { chromiumMissing, skipTitle } from '../lib/requirements.js';

/**
 * What an investigator meets in the first hour, in Chromium at 1440×900 against a real collector fed
 * by the demo: steps in the order they happened, runs called by their names, the bad run standing
 * out in a table that fits, findings worst first with the noise folded, compare sides that say which
 * run they are, search that says where it matched, every leaked value marked, and bulk triage that
 * says what it will change before it changes anything.
 */
describe.skipIf(chromiumMissing)(skipTitle('the investigator’s first hour in the browser', chromiumMissing), () => {
  let collector: CollectorProcess;
  let browser: Browser;
  let runs: RunSummaryDto[];
  let findings: FindingDto[];

  const api = async (path: string): Promise<unknown> => {
    const res = await fetch(`${collector.url}${path}`, {
      headers: { authorization: `Bearer ${collector.adminToken}` },
    });
    if (!res.ok) throw new Error(`GET ${path} → ${res.status}: ${await res.text()}`);
    return res.json();
  };
  const allFindings = async () => findingPageSchema.parse(await api('/api/findings?limit=500')).findings;
  const byName = (name: string) => runs.filter((r) => r.runName === name);

  beforeAll(async () => {
    collector = await startCollectorProcess({ CASEFILE_DETECT_DELAY_MS: '200' });
    await mkdir(ARTIFACTS, { recursive: true });
    const demo = await sendDemo(collector, ['--history-days', '0']);
    if (demo.code !== 0) throw new Error(`demo failed:\n${demo.output}`);
    const client = createApiClient(collector.url, collector.adminToken);
    runs = (
      await client.waitForRuns(
        (p) =>
          p.runs.filter((r) => r.runName === 'refund').length >= 2 &&
          p.runs.some((r) => r.runName === 'prompt-injection'),
      )
    ).runs;
    // Detection runs once each run has been quiet for 200 ms; wait until the findings stop changing.
    const deadline = Date.now() + 60_000;
    let last = '';
    for (let stable = 0; stable < 3 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 500));
      findings = await allFindings();
      const now = JSON.stringify(findings.map((f) => `${f.id}:${f.status}`).sort());
      stable = now === last && findings.length > 0 ? stable + 1 : 0;
      last = now;
    }
    runs = (await client.runs({ limit: '500' })).runs;
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await collector?.stop();
  });

  async function openTab(): Promise<{ tab: Page; errors: string[] }> {
    const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(collector.url);
    await tab.getByTestId('token-input').fill(collector.adminToken);
    await tab.getByTestId('token-input').press('Enter');
    await tab.getByTestId('run-row').first().waitFor();
    return { tab, errors };
  }

  const stepNames = (tab: Page) =>
    tab.getByTestId('step-row').evaluateAll((rows) => rows.map((r) => r.querySelector('.wf-name')?.textContent ?? ''));

  it('shows the refund run’s steps in the order they happened, in the run page and in compare', async () => {
    const refunds = byName('refund').filter((r) => !r.toolNames.includes('send_email'));
    expect(refunds.length).toBeGreaterThanOrEqual(2);
    const [a, b] = refunds as [RunSummaryDto, RunSummaryDto];
    const { tab, errors } = await openTab();

    for (const run of [a, b]) {
      await tab.goto(`${collector.url}/runs/${run.traceId}`);
      await tab.getByTestId('step-row').first().waitFor();
      const names = await stepNames(tab);
      // The root first, the policy check before the refund it guarded, the refund before the notice.
      expect(names[0]).toMatch(/^invoke_agent /);
      const policy = names.findIndex((n) => n.includes('refund-limits'));
      const refund = names.findIndex((n) => n.includes('issue_refund'));
      const notify = names.findIndex((n) => n.includes('notify_customer'));
      expect(policy).toBeGreaterThan(0);
      expect(policy).toBeLessThan(refund);
      expect(refund).toBeLessThan(notify);
      // The root's bar covers its children's: no child bar sticks out to the right of it.
      const rights = await tab
        .locator('[data-testid="step-row"] .wf-bar')
        .evaluateAll((bars) => bars.map((b) => b.getBoundingClientRect().right));
      expect(Math.max(...rights.slice(1))).toBeLessThanOrEqual((rights[0] as number) + 0.5);
      // The player walks the same order: from the policy check, "next" is the refund.
      await tab.locator('[data-testid="step-row"]').nth(policy).click();
      await tab.keyboard.press('n');
      await expect.poll(() => tab.url()).toContain('step=');
      const selected = await tab.locator('[data-testid="step-row"][aria-selected="true"] .wf-name').innerText();
      expect(selected).toContain('issue_refund');
    }
    await tab.goto(`${collector.url}/runs/${a.traceId}`);
    await tab.getByTestId('step-row').first().waitFor();
    await tab.screenshot({ path: join(ARTIFACTS, 'first-hour-refund-order.png'), fullPage: true });

    // Compare: both sides in the same order, so the policy checks pair up and so do the refunds.
    await tab.goto(`${collector.url}/compare?a=${a.traceId}&b=${b.traceId}`);
    await tab.getByTestId('compare-steps').waitFor();
    const sides = await tab
      .getByTestId('compare-cell')
      .evaluateAll((cells) =>
        cells.map((c) => ({ kind: c.getAttribute('data-kind'), tool: c.getAttribute('data-tool') })),
      );
    const left = sides.filter((_, i) => i % 2 === 0);
    const policyAt = left.findIndex((c) => c.kind === 'policy');
    const refundAt = left.findIndex((c) => c.tool === 'issue_refund');
    expect(policyAt).toBeGreaterThan(0);
    expect(policyAt).toBeLessThan(refundAt);
    expect(left[0]?.kind).toBe('agent');
    await tab.screenshot({ path: join(ARTIFACTS, 'first-hour-compare-order.png'), fullPage: true });
    expect(errors).toEqual([]);
    await tab.close();
  }, 120_000);

  it('calls runs by their names in the list, the run header, compare and the case export', async () => {
    const injection = byName('prompt-injection')[0] as RunSummaryDto;
    const { tab, errors } = await openTab();
    const titles = await tab.getByTestId('run-title').allInnerTexts();
    expect(titles).toContain('prompt-injection');
    expect(titles).toContain('refund');
    expect(titles.some((t) => t.startsWith('invoke_agent'))).toBe(false);

    await tab
      .locator(`[data-testid="run-row"][data-trace-id="${injection.traceId}"] [data-testid="run-title"]`)
      .click();
    await tab.getByTestId('run-header').waitFor();
    expect(await tab.getByTestId('run-header').getByTestId('run-title').innerText()).toBe('prompt-injection');
    expect(await tab.title()).toContain('prompt-injection');
    await tab.screenshot({ path: join(ARTIFACTS, 'first-hour-run-name.png') });

    // A run without a name (plain OpenTelemetry, no casefile.run.name) is called by its agent and input.
    const traceId = 'd4'.repeat(16);
    const now = BigInt(Date.now()) * 1_000_000n;
    const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const res = await fetch(`${collector.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${collector.ingestKey}` },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [attr('service.name', 'weather')] },
            scopeSpans: [
              {
                scope: { name: 'plain' },
                spans: [
                  {
                    traceId,
                    spanId: 'e5'.repeat(8),
                    name: 'invoke_agent weather-bot',
                    kind: 1,
                    startTimeUnixNano: String(now),
                    endTimeUnixNano: String(now + 5_000_000n),
                    attributes: [
                      attr('gen_ai.operation.name', 'invoke_agent'),
                      attr('gen_ai.agent.name', 'weather-bot'),
                      attr(
                        'casefile.run.input',
                        'Will it rain in Lisbon tomorrow afternoon, and should I cancel the picnic?',
                      ),
                    ],
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    await createApiClient(collector.url, collector.adminToken).waitForRuns((p) =>
      p.runs.some((r) => r.traceId === traceId),
    );
    await tab.goto(`${collector.url}/runs/${traceId}`);
    expect(await tab.getByTestId('run-header').getByTestId('run-title').innerText()).toBe(
      'weather-bot: Will it rain in Lisbon tomorrow afternoon, and…',
    );

    // Compare names both sides; the case export carries the name.
    const refund = byName('refund')[0] as RunSummaryDto;
    await tab.goto(`${collector.url}/compare?a=${injection.traceId}&b=${refund.traceId}`);
    await tab.getByTestId('compare-side-a').waitFor();
    expect(await tab.getByTestId('compare-side-a').getByTestId('compare-side-title').innerText()).toBe(
      'prompt-injection',
    );
    expect(await tab.getByTestId('compare-side-b').getByTestId('compare-side-title').innerText()).toBe('refund');
    const exported = (await api(`/api/cases/export?traceIds=${injection.traceId}&format=json`)) as {
      runs: { run: RunSummaryDto }[];
    };
    expect(exported.runs[0]?.run.runName).toBe('prompt-injection');
    expect(errors).toEqual([]);
    await tab.close();
  }, 120_000);

  it('makes the bad run stand out in a runs table that fits 1440 px and sorts', async () => {
    const { tab, errors } = await openTab();
    // No horizontal scrolling: the table fits the page at 1440 px, the findings column included.
    const fit = await tab.getByTestId('runs-table').evaluate((t) => ({
      table: t.getBoundingClientRect().right,
      viewport: document.documentElement.clientWidth,
      scroll: (t.parentElement as HTMLElement).scrollWidth - (t.parentElement as HTMLElement).clientWidth,
    }));
    expect(fit.scroll).toBeLessThanOrEqual(0);
    expect(fit.table).toBeLessThanOrEqual(fit.viewport);
    // The worst open finding is a badge beside the run's name.
    const injection = byName('prompt-injection')[0] as RunSummaryDto;
    const badge = tab.locator(
      `[data-testid="run-row"][data-trace-id="${injection.traceId}"] [data-testid="run-severity"]`,
    );
    expect(['critical', 'high']).toContain((await badge.innerText()).toLowerCase());
    expect(injection.worstSeverity).toBe((await badge.innerText()).toLowerCase());
    // A run whose only findings are low hygiene notes gets no badge: the bad runs stand out.
    const lowOnly = runs.find((r) => r.worstSeverity === 'low');
    if (lowOnly !== undefined) {
      const row = tab.locator(`[data-testid="run-row"][data-trace-id="${lowOnly.traceId}"]`);
      expect(await row.getByTestId('run-severity').count()).toBe(0);
    }
    await tab.screenshot({ path: join(ARTIFACTS, 'first-hour-runs-table.png') });

    // The user chooses the columns; the choice holds on the next visit.
    const headers = () => tab.locator('[data-testid="runs-table"] thead th').allInnerTexts();
    expect((await headers()).some((h) => h.startsWith('Tools'))).toBe(true);
    await tab.getByTestId('column-picker').locator('summary').click();
    await tab.locator('[data-testid="column-toggle"][data-column="tools"]').uncheck();
    await tab.locator('[data-testid="column-toggle"][data-column="versions"]').uncheck();
    expect((await headers()).some((h) => h.startsWith('Tools') || h.startsWith('Prompt'))).toBe(false);
    await tab.screenshot({ path: join(ARTIFACTS, 'first-hour-runs-columns.png') });
    await tab.reload();
    await tab.getByTestId('run-row').first().waitFor();
    const kept = await headers();
    expect(kept.some((h) => h.startsWith('Tools') || h.startsWith('Prompt'))).toBe(false);
    expect(kept.some((h) => h.startsWith('Duration'))).toBe(true);
    expect(await tab.getByTestId('column-picker').locator('summary').innerText()).toBe('Columns (2 hidden)');
    await tab.getByTestId('column-picker').locator('summary').click();
    await tab.locator('[data-testid="column-toggle"][data-column="tools"]').check();
    await tab.locator('[data-testid="column-toggle"][data-column="versions"]').check();
    expect((await headers()).some((h) => h.startsWith('Tools'))).toBe(true);
    // A click elsewhere closes the menu, so it no longer covers the headers.
    await tab.getByTestId('runs-count').click();
    await tab.locator('[data-testid="column-picker"]:not([open])').waitFor();

    // Sort by worst finding: the critical runs come first; by duration: longest first.
    await tab.getByTestId('sort-severity').click();
    await tab.waitForURL(/sort=-severity/);
    // The server sends the runs in the new order: wait for its answer.
    await expect
      .poll(() => tab.getByTestId('runs-count').innerText(), { timeout: 20_000 })
      .toContain('worst findings first');
    await tab.locator('[data-testid="runs-count"][data-settled="true"]').waitFor();
    const severities = await tab
      .getByTestId('run-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-severity') ?? ''));
    const rank = (s: string) => ['', 'low', 'medium', 'high', 'critical'].indexOf(s);
    expect(severities.map(rank)).toEqual([...severities.map(rank)].sort((x, y) => y - x));
    expect(severities[0]).toBe('critical');
    await tab.screenshot({ path: join(ARTIFACTS, 'first-hour-runs-sorted.png') });
    await tab.getByTestId('sort-duration').click();
    await tab.waitForURL(/sort=-duration/);
    await expect.poll(() => tab.getByTestId('runs-count').innerText(), { timeout: 20_000 }).toContain('longest first');
    await tab.locator('[data-testid="runs-count"][data-settled="true"]').waitFor();
    const order = await tab
      .getByTestId('run-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trace-id')));
    const duration = new Map(runs.map((r) => [r.traceId, BigInt(r.endNs) - BigInt(r.startNs)]));
    const shown = order.map((id) => duration.get(id ?? '') ?? 0n);
    expect(shown).toEqual([...shown].sort((x, y) => (x < y ? 1 : x > y ? -1 : 0)));

    expect(errors).toEqual([]);
    await tab.close();
  }, 120_000);

  it('lists findings worst first with low ones folded, and the run header counts what the waterfall flags', async () => {
    findings = await allFindings(); // with those of the unnamed run sent above
    const { tab, errors } = await openTab();
    await tab.goto(`${collector.url}/findings`);
    await tab.getByTestId('finding-row').first().waitFor();
    const severity = (t: Page) =>
      t
        .getByTestId('finding-row')
        .evaluateAll((rows) => rows.map((r) => /\bsev-(low|medium|high|critical)\b/.exec(r.className)?.[1] ?? ''));
    const rank = (s: string) => ['low', 'medium', 'high', 'critical'].indexOf(s);
    const shown = await severity(tab);
    expect(shown.map(rank)).toEqual([...shown.map(rank)].sort((x, y) => y - x));
    const lows = findings.filter((f) => f.severity === 'low').length;
    if (lows > 0) {
      expect(shown).not.toContain('low');
      expect(await tab.getByTestId('show-low').innerText()).toBe(`${lows} low · show`);
      await tab.screenshot({ path: join(ARTIFACTS, 'first-hour-findings-folded.png') });
      await tab.getByTestId('show-low').click();
      await expect.poll(async () => (await severity(tab)).filter((s) => s === 'low').length).toBe(lows);
    }

    // The run header's count is the waterfall's flags.
    const injection = byName('prompt-injection')[0] as RunSummaryDto;
    const own = findings.filter((f) => f.traceId === injection.traceId);
    await tab.goto(`${collector.url}/runs/${injection.traceId}`);
    await tab.getByTestId('run-findings').waitFor();
    const header = await tab.getByTestId('run-findings').innerText();
    const flaggedSteps = new Set(own.map((f) => f.spanId)).size;
    expect(header.replace(/\s+/g, ' ')).toBe(
      `${own.length} finding${own.length === 1 ? '' : 's'} on ${flaggedSteps} step${flaggedSteps === 1 ? '' : 's'}`,
    );
    expect(await tab.getByTestId('finding-marker').count()).toBe(flaggedSteps);
    await tab.screenshot({ path: join(ARTIFACTS, 'first-hour-run-header-findings.png') });
    expect(errors).toEqual([]);
    await tab.close();
  }, 120_000);

  it('identifies each side of a comparison and picks the other run by name or input', async () => {
    const mismatch = byName('approval-mismatch')[0] as RunSummaryDto;
    const { tab, errors } = await openTab();
    await tab.goto(`${collector.url}/runs/${mismatch.traceId}`);
    await tab.getByTestId('run-header').waitFor();
    await tab.goto(`${collector.url}/compare?a=${mismatch.traceId}`);
    await tab.getByTestId('compare-pick').waitFor();
    await tab.getByTestId('compare-candidate').first().waitFor();
    await tab.getByTestId('compare-filter').fill('refund request');
    const candidates = await tab.getByTestId('compare-candidate').allInnerTexts();
    expect(candidates.length).toBeGreaterThan(0);
    expect(candidates.every((c) => c === 'refund' || c === 'approval-mismatch')).toBe(true);
    await tab.screenshot({ path: join(ARTIFACTS, 'first-hour-compare-pick.png'), fullPage: true });
    const other = tab
      .locator('[data-testid="compare-candidate"]')
      .filter({ hasText: /^refund$/ })
      .first();
    const otherId = await other.getAttribute('data-trace-id');
    await other.click();
    await tab.getByTestId('compare-side-b').waitFor();
    const sideA = await tab.getByTestId('compare-side-a').innerText();
    expect(sideA).toContain('approval-mismatch');
    expect(await tab.getByTestId('compare-side-a').getByTestId('compare-side-input').innerText()).toBe(
      'Refund request for 20.00 USD',
    );
    expect(await tab.getByTestId('compare-side-a').getByTestId('compare-side-findings').innerText()).toMatch(
      /\d+ findings? · worst critical/i,
    );
    const b = runs.find((r) => r.traceId === otherId) as RunSummaryDto;
    expect(await tab.getByTestId('compare-side-b').getByTestId('compare-side-input').innerText()).toBe(b.runInput);
    expect(await tab.getByTestId('compare-side-b').innerText()).toContain(b.status);
    await tab.screenshot({ path: join(ARTIFACTS, 'first-hour-compare-sides.png'), fullPage: true });
    expect(errors).toEqual([]);
    await tab.close();
  }, 120_000);

  it('says where a free-text search matched: the tool arguments of notify_customer', async () => {
    const { tab, errors } = await openTab();
    // The notice template is only in the arguments of notify_customer (the model never wrote it).
    await tab.goto(`${collector.url}/search?q=refund_issued`);
    const hit = tab.getByTestId('text-match').first();
    await hit.waitFor();
    expect(await hit.innerText()).toBe('matched in tool arguments of notify_customer');
    expect(await hit.getAttribute('data-field')).toBe('toolArguments');
    // Text the model wrote into its tool call first is found in that model call's output, named by its step.
    await tab.goto(`${collector.url}/search?q=${encodeURIComponent('Customer list for compliance')}`);
    await tab.getByTestId('text-match').first().waitFor();
    expect(await tab.getByTestId('text-match').first().innerText()).toMatch(
      /^matched in output messages of step “chat /,
    );
    await tab.screenshot({ path: join(ARTIFACTS, 'first-hour-search-where.png') });
    await tab.getByTestId('text-match').first().click();
    await tab.getByTestId('step-detail').waitFor();
    expect(await tab.getByTestId('step-detail').innerText()).toContain('Customer list for compliance');
    expect(errors).toEqual([]);
    await tab.close();
  }, 120_000);

  it('marks every value outbound.sensitive_data counted, in the finding and in the tool arguments', async () => {
    const injection = byName('prompt-injection')[0] as RunSummaryDto;
    const leak = findings.find((f) => f.traceId === injection.traceId && f.ruleId === 'outbound.sensitive_data');
    expect(leak).toBeDefined();
    const counted = JSON.parse(String(leak?.details?.values)) as string[];
    expect(counted.length).toBe(Number(leak?.details?.pii) + Number(leak?.details?.secrets));
    expect(counted.length).toBeGreaterThan(1);
    const { tab, errors } = await openTab();
    await tab.goto(`${collector.url}/runs/${injection.traceId}?step=${leak?.spanId}`);
    const detail = tab.locator(`[data-testid="step-detail"][data-span-id="${leak?.spanId}"]`);
    await detail.waitFor();
    const marks = await detail.locator('[data-testid="tool-arguments"] mark').allInnerTexts();
    for (const value of counted) expect(marks.some((m) => m.includes(value))).toBe(true);
    // The finding's own excerpt marks the counted values it shows, more than the first one.
    const excerptMarks = await detail
      .locator(
        '[data-testid="step-finding"][data-rule="outbound.sensitive_data"] [data-testid="finding-evidence"] mark',
      )
      .allInnerTexts();
    expect(excerptMarks.length).toBeGreaterThan(1);
    await tab.screenshot({ path: join(ARTIFACTS, 'first-hour-sensitive-marks.png'), fullPage: true });
    expect(errors).toEqual([]);
    await tab.close();
  }, 120_000);

  it('shows what a bulk mute will change and leaves a finding just marked expected alone', async () => {
    const injection = byName('prompt-injection')[0] as RunSummaryDto;
    const { tab, errors } = await openTab();
    await tab.goto(`${collector.url}/findings?run=${injection.traceId}`);
    await tab.getByTestId('finding-row').first().waitFor();
    if ((await tab.getByTestId('show-low').count()) > 0) await tab.getByTestId('show-low').click();
    const first = tab.getByTestId('finding-row').first();
    const expectedId = await first.getAttribute('data-finding-id');
    await first.getByTestId('mark-expected').click();
    await tab.locator(`[data-testid="finding-row"][data-finding-id="${expectedId}"][data-status="expected"]`).waitFor();
    const rows = await tab.getByTestId('finding-row').count();

    await tab.getByTestId('finding-select-all').check();
    await tab.getByTestId('bulk-mute').click();
    const plan = await tab.getByTestId('bulk-plan-text').innerText();
    expect(plan).toBe(
      `Mute ${rows - 1} finding${rows - 1 === 1 ? '' : 's'} (${rows - 1} open → muted); 1 marked expected stay as they are.`,
    );
    await tab.screenshot({ path: join(ARTIFACTS, 'first-hour-bulk-plan.png') });
    await tab.getByTestId('bulk-confirm').click();
    await tab.getByTestId('bulk-bar').waitFor({ state: 'detached' });
    const after = (await allFindings()).filter((f) => f.traceId === injection.traceId);
    expect(after.find((f) => f.id === expectedId)?.status).toBe('expected');
    expect(after.filter((f) => f.id !== expectedId).every((f) => f.status === 'muted')).toBe(true);
    expect(errors).toEqual([]);
    await tab.close();
  }, 120_000);
  // Last: the extra runs it sends would otherwise change what the tests above count.
  it('says how many runs the list holds in words, and that more match, instead of "50+"', async () => {
    const { tab, errors } = await openTab();
    // A page that does not hold every run says so in words, not "50+": send 60 more small runs.
    const now = BigInt(Date.now()) * 1_000_000n;
    const spans = Array.from({ length: 60 }, (_, i) => ({
      traceId: (i + 1).toString(16).padStart(32, 'f'),
      spanId: (i + 1).toString(16).padStart(16, 'a'),
      name: 'invoke_agent batch-bot',
      kind: 1,
      startTimeUnixNano: String(now + BigInt(i) * 1_000_000n),
      endTimeUnixNano: String(now + BigInt(i) * 1_000_000n + 500_000n),
      attributes: [{ key: 'casefile.run.name', value: { stringValue: `batch ${i + 1}` } }],
    }));
    const res = await fetch(`${collector.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${collector.ingestKey}` },
      body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] }),
    });
    expect(res.status).toBe(200);
    await createApiClient(collector.url, collector.adminToken).waitForRuns(
      (p) => p.runs.filter((r) => r.runName.startsWith('batch ')).length === 60,
    );
    const all = (await createApiClient(collector.url, collector.adminToken).runs({ limit: '500' })).runs;
    const total = all.length;
    await tab.goto(`${collector.url}/runs`);
    await tab.locator('[data-testid="runs-count"][data-settled="true"]').waitFor();
    const count = await tab.getByTestId('runs-count').innerText();
    expect(count).toBe(`${total} runs · showing the first 50 · times in UTC`);
    expect(count).not.toContain('+');

    // The newest 50 are the small batch runs; sorting asks the server for every run in that order, so
    // the longest run of all and the one with most tokens come first although no loaded page held them.
    const rowIds = () =>
      tab.getByTestId('run-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trace-id') ?? ''));
    const firstPage = await rowIds();
    const longest = [...all].sort((a, b) => {
      const d = BigInt(b.endNs) - BigInt(b.startNs) - (BigInt(a.endNs) - BigInt(a.startNs));
      return d > 0n ? 1 : d < 0n ? -1 : Number(BigInt(b.startNs) - BigInt(a.startNs));
    })[0] as RunSummaryDto;
    expect(firstPage).not.toContain(longest.traceId);
    await tab.getByTestId('sort-duration').click();
    await tab.waitForURL(/sort=-duration/);
    await expect.poll(async () => (await rowIds())[0], { timeout: 20_000 }).toBe(longest.traceId);
    expect(await tab.getByTestId('runs-count').innerText()).toBe(
      `${total} runs · showing the first 50 · longest first · times in UTC`,
    );
    const mostTokens = Math.max(...all.map((r) => r.inputTokens + r.outputTokens));
    await tab.getByTestId('sort-tokens').click();
    await tab.waitForURL(/sort=-tokens/);
    await expect
      .poll(
        async () => {
          const first = (await rowIds())[0];
          const top = all.find((r) => r.traceId === first);
          return top === undefined ? -1 : top.inputTokens + top.outputTokens;
        },
        { timeout: 20_000 },
      )
      .toBe(mostTokens);
    await tab.screenshot({ path: join(ARTIFACTS, 'first-hour-runs-server-sort.png') });

    // Back to newest first; every run loads with "Load more".
    await tab.goto(`${collector.url}/runs`);
    await tab.locator('[data-testid="runs-count"][data-settled="true"]').waitFor();
    await tab.getByTestId('load-more').click();
    await expect
      .poll(() => tab.getByTestId('runs-count').innerText(), { timeout: 20_000 })
      .toBe(`${total} runs · times in UTC`);
    expect(errors).toEqual([]);
    await tab.close();
  }, 120_000);
});

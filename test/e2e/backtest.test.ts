/**
 * Back-testing a drift rule in the browser, on a real collector (DuckDB): two days of history are
 * sent over OTLP (~40 runs an hour; from hour 24 on, a tool the agent never used shows up in half of
 * the runs), a rule is typed into the form and back-tested over those 48 hours before it is saved.
 * The strip shows the windows before the change quiet and the first window after it firing; clicking
 * that window opens its comparison on the drift page. Bad ranges are refused with the server's words.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../lib/api-client.js';
import { ARTIFACTS, launchBrowser, signIn } from '../lib/browser.js';
import { type CollectorProcess, startCollectorProcess } from '../lib/collector-process.js';
import { chromiumMissing, dropStore, skipTitle, storeEnv } from '../lib/requirements.js';

const AGENT = 'backtest-e2e-agent';
const HOUR = 3_600_000;
const RUNS_PER_HOUR = 40;
const CHANGE_AT = 24;

const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const ns = (ms: number) => String(BigInt(Math.floor(ms)) * 1_000_000n);

/** One run as OTLP/JSON (GenAI conventions): an agent span and one span per tool call. */
function run(startMs: number, tools: string[]) {
  const traceId = hex(16);
  const rootId = hex(8);
  const span = (name: string, spanId: string, parent: string, from: number, to: number, attrs: unknown[]) => ({
    traceId,
    spanId,
    parentSpanId: parent,
    name,
    kind: 1,
    startTimeUnixNano: ns(from),
    endTimeUnixNano: ns(to),
    attributes: attrs,
    status: { code: 1 },
  });
  return [
    span(`invoke_agent ${AGENT}`, rootId, '', startMs, startMs + 10 + tools.length * 5, [
      attr('gen_ai.agent.name', AGENT),
      attr('gen_ai.operation.name', 'invoke_agent'),
      attr('casefile.step.kind', 'agent'),
    ]),
    ...tools.map((tool, i) =>
      span(`execute_tool ${tool}`, hex(8), rootId, startMs + 5 + i * 5, startMs + 8 + i * 5, [
        attr('gen_ai.agent.name', AGENT),
        attr('gen_ai.operation.name', 'execute_tool'),
        attr('casefile.step.kind', 'tool'),
        attr('gen_ai.tool.name', tool),
      ]),
    ),
  ];
}

/** Tools of run `i` of hour `h`: a steady mix that varies from hour to hour; translate_text after the change. */
function toolsOf(h: number, i: number): string[] {
  const k = (i * 7 + h * 3) % 10;
  const tools = k < 6 ? ['search_kb'] : k < 9 ? ['search_kb', 'lookup_order'] : ['lookup_order'];
  return h >= CHANGE_AT && i % 2 === 0 ? [...tools, 'translate_text'] : tools;
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);

const missing = chromiumMissing;
describe.skipIf(missing)(skipTitle('back-testing a rule in the browser', missing), () => {
  let collector: CollectorProcess;
  const database = `casefile_backtest_${randomBytes(6).toString('hex')}`;
  // 48 whole hours ending at least an hour ago.
  const start = Math.floor(Date.now() / HOUR) * HOUR - 49 * HOUR;
  beforeAll(async () => {
    collector = await startCollectorProcess({ CASEFILE_ALERT_TICK_MS: '0', ...storeEnv('duckdb', database) });
    await mkdir(ARTIFACTS, { recursive: true });
    const spans = [];
    for (let h = 0; h < 48; h++) {
      for (let i = 0; i < RUNS_PER_HOUR; i++) spans.push(run(start + h * HOUR + i * 89_000, toolsOf(h, i)));
    }
    for (let i = 0; i < spans.length; i += 100) {
      const res = await fetch(`${collector.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${collector.ingestKey}` },
        body: JSON.stringify({
          resourceSpans: [
            {
              resource: { attributes: [attr('service.name', AGENT)] },
              scopeSpans: [{ scope: { name: 'backtest-e2e' }, spans: spans.slice(i, i + 100).flat() }],
            },
          ],
        }),
      });
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    }
    const api = createApiClient(collector.url, collector.adminToken);
    // The newest runs were sent last: once they are listed, the history is stored.
    const lastHourNs = BigInt(start + 47 * HOUR) * 1_000_000n;
    await api.waitForRuns((p) => p.runs.length === 500 && BigInt(p.runs[0]?.startNs ?? '0') >= lastHourNs, {
      limit: '500',
      agent: AGENT,
    });
  }, 180_000);
  afterAll(async () => {
    await collector?.stop();
    await dropStore('duckdb', database);
  });

  it('a rule typed in the form, back-tested over 48 h: quiet before the change, firing on the first window after it', async () => {
    const browser = await launchBrowser();
    try {
      const tab = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      await signIn(tab, collector.url, collector.adminToken);
      await tab.goto(`${collector.url}/alerts/new`);
      await tab.getByTestId('rule-form').waitFor();
      await tab.getByTestId('rule-name').fill('Tool mix against the first half day');
      await tab.getByTestId('rule-agent').fill(AGENT);
      expect(await tab.getByTestId('rule-metric-tool_mix').isChecked()).toBe(true);
      await tab.getByTestId('rule-window').fill('60');
      await tab.getByTestId('rule-interval').fill('3600');
      await tab.getByTestId('rule-reference').selectOption('baseline');
      await tab.getByTestId('rule-baseline-from').fill(iso(start));
      await tab.getByTestId('rule-baseline-to').fill(iso(start + 12 * HOUR));

      // A range over 90 days is refused in the server's words.
      await tab.getByTestId('backtest-from').fill('100 days ago');
      await tab.getByTestId('backtest-run').click();
      await tab.getByTestId('backtest-error').waitFor();
      expect(await tab.getByTestId('backtest-error').innerText()).toMatch(/at most 90 days/);

      // The 48 hours of history, typed as ISO dates.
      await tab.getByTestId('backtest-from').fill(new Date(start).toISOString());
      await tab.getByTestId('backtest-to').fill(new Date(start + 48 * HOUR).toISOString());
      await tab.getByTestId('backtest-run').click();
      const result = tab.getByTestId('backtest-result');
      await result.waitFor({ timeout: 60_000 });
      expect(await tab.getByTestId('backtest-error').count()).toBe(0);
      expect(await tab.getByTestId('backtest-headline').innerText()).toMatch(
        /This rule would have fired once in 48 windows/,
      );
      const cells = await tab
        .getByTestId('backtest-window')
        .evaluateAll((els) =>
          els.map((e) => [
            Number(e.getAttribute('data-window-end')),
            e.getAttribute('data-state'),
            e.getAttribute('data-fired'),
          ]),
        );
      expect(cells).toHaveLength(48);
      const at = new Map(cells.map(([end, state, fired]) => [(Number(end) - start) / HOUR, { state, fired }]));
      // Windows ending at hours 13–24 hold no change: quiet (the first 12 are the baseline itself).
      for (let h = 13; h <= CHANGE_AT; h++)
        expect(at.get(h), `window ending at hour ${h}`).toEqual({ state: 'ok', fired: 'false' });
      // The window ending at hour 25 is the first after the change: it fires.
      expect(at.get(CHANGE_AT + 1)).toEqual({ state: 'firing', fired: 'true' });
      for (let h = CHANGE_AT + 2; h <= 48; h++) expect(at.get(h)?.state, `window ending at hour ${h}`).toBe('firing');
      await tab.screenshot({ path: join(ARTIFACTS, 'backtest-strip.png'), fullPage: true });

      // Nothing was saved: the back-test is a dry run.
      expect(await tab.getByTestId('rule-created').count()).toBe(0);

      // Click the first firing window: the drift page compares it with the baseline.
      const firstFiring = start + (CHANGE_AT + 1) * HOUR;
      await tab.locator(`[data-testid="backtest-window"][data-window-end="${firstFiring}"]`).click();
      await tab.getByTestId('drift-page').waitFor();
      const url = new URL(tab.url());
      // The link carries dates, not epoch milliseconds, and the page shows the baseline as dates.
      const linkDate = (ms: number) => `${new Date(ms).toISOString().slice(0, 16)}Z`;
      const shownDate = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
      expect(url.searchParams.get('end')).toBe(linkDate(firstFiring));
      expect(url.searchParams.get('reference')).toBe(`baseline:${linkDate(start)}/${linkDate(start + 12 * HOUR)}`);
      expect(url.search).not.toMatch(/\d{12}/);
      expect(await tab.getByTestId('drift-baseline-from').inputValue()).toBe(shownDate(start));
      expect(await tab.getByTestId('drift-window').textContent()).toContain(
        `baseline ${shownDate(start)} – ${shownDate(start + 12 * HOUR)} UTC`,
      );
      await tab.locator('[data-testid="drift-verdict"][data-state="drift"]').waitFor({ timeout: 30_000 });
      await tab.locator('[data-testid="distribution-row"][data-label="translate_text"]').waitFor();
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);
});

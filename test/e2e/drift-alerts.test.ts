/**
 * Drift alerting end to end, on DuckDB and (with CLICKHOUSE_URL) on ClickHouse: a rule created in the
 * browser fires on a real collector when a new tool shows up in most runs, the UI shows the state and
 * the event, and the webhook arrives signed with the secret the UI showed once. The signature is
 * checked here with node:crypto, independently of the collector's own verifier. A second agent sends
 * plain OpenInference spans that name the agent on the root span only; its rule must fire too.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  alertEvaluateAnswerSchema,
  alertEventListSchema,
  alertRuleAnswerSchema,
  runDetailSchema,
} from '@casefile/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../lib/api-client.js';
import { ARTIFACTS, launchBrowser, signIn } from '../lib/browser.js';
import { type CollectorProcess, startCollectorProcess } from '../lib/collector-process.js';
import { chromiumMissing, dropStore, E2E_STORES, firstMissing, skipTitle, storeEnv } from '../lib/requirements.js';

const AGENT = 'drift-e2e-agent';
/** An agent instrumented with plain OpenInference: only its root span carries the agent name. */
const OTEL_AGENT = 'drift-e2e-otel-agent';
const MIN = 60_000;

interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      ok({ server, url: `http://127.0.0.1:${port}/hooks/casefile`, received });
    }),
  );
}

/** `casefile-signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. */
function signatureValid(header: string, secret: string, raw: Buffer, nowS: number): boolean {
  const parts = new Map<string, string[]>();
  for (const item of header.split(',')) {
    const [k, v] = item.split('=', 2);
    if (k && v) parts.set(k.trim(), [...(parts.get(k.trim()) ?? []), v.trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  if (!Number.isInteger(t) || Math.abs(nowS - t) > 300) return false;
  const expected = createHmac('sha256', secret)
    .update(Buffer.concat([Buffer.from(`${t}.`), raw]))
    .digest();
  return (parts.get('v1') ?? []).some((hex) => {
    const given = Buffer.from(hex, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

const XSS_TOOL = '<img src=x onerror=window.__pwned=1>';

/**
 * One run as OTLP/JSON: an agent span (on a prompt version) and one tool span per tool, 5 ms apart.
 * `genai`: GenAI semantic conventions with the agent named on every span, as the SDK writes them.
 * `openinference`: span kinds and tool names only, the agent named on the root span alone.
 */
function run(startMs: number, tools: string[], prompt = 'support-v1', dialect: 'genai' | 'openinference' = 'genai') {
  const traceId = hex(16);
  const rootId = hex(8);
  const ns = (ms: number) => String(BigInt(Math.floor(ms)) * 1_000_000n);
  const end = startMs + 10 + tools.length * 5;
  const genai = dialect === 'genai';
  const spans = [
    {
      traceId,
      spanId: rootId,
      parentSpanId: '',
      name: genai ? `invoke_agent ${AGENT}` : OTEL_AGENT,
      kind: 1,
      startTimeUnixNano: ns(startMs),
      endTimeUnixNano: ns(end),
      attributes: genai
        ? [
            attr('gen_ai.agent.name', AGENT),
            attr('casefile.prompt.version', prompt),
            attr('gen_ai.operation.name', 'invoke_agent'),
            attr('casefile.step.kind', 'agent'),
          ]
        : [
            attr('openinference.span.kind', 'AGENT'),
            attr('agent.name', OTEL_AGENT),
            attr('llm.prompt_template.version', prompt),
          ],
      status: { code: 1 },
    },
    ...tools.map((tool, i) => ({
      traceId,
      spanId: hex(8),
      parentSpanId: rootId,
      name: genai ? `execute_tool ${tool}` : tool,
      kind: 1,
      startTimeUnixNano: ns(startMs + 5 + i * 5),
      endTimeUnixNano: ns(startMs + 8 + i * 5),
      attributes: genai
        ? [
            attr('gen_ai.agent.name', AGENT),
            attr('gen_ai.operation.name', 'execute_tool'),
            attr('casefile.step.kind', 'tool'),
            attr('gen_ai.tool.name', tool),
            attr('gen_ai.tool.call.arguments', JSON.stringify({ q: `question ${i}` })),
          ]
        : [attr('openinference.span.kind', 'TOOL'), attr('tool.name', tool)],
      status: { code: 1 },
    })),
  ];
  return { scope: { name: 'drift-e2e', version: '1' }, spans };
}

async function send(url: string, key: string, runs: ReturnType<typeof run>[], service = AGENT): Promise<void> {
  for (let i = 0; i < runs.length; i += 50) {
    const res = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        resourceSpans: [
          { resource: { attributes: [attr('service.name', service)] }, scopeSpans: runs.slice(i, i + 50) },
        ],
      }),
    });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  }
}

/** A datetime-local value in UTC, which is how the app reads it. */
const utcInput = (ms: number) => new Date(ms).toISOString().slice(0, 16);

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

for (const { store, missing: storeMissing } of E2E_STORES) {
  const missing = firstMissing(chromiumMissing, storeMissing);
  describe.skipIf(missing)(skipTitle(`drift alerts in the browser on ${store}`, missing), () => {
    let collector: CollectorProcess;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    const database = `casefile_drift_${randomBytes(6).toString('hex')}`;
    beforeAll(async () => {
      // On ClickHouse one collector claims every evaluation: no peer's insert to wait for.
      const settle: Record<string, string> = store === 'clickhouse' ? { CASEFILE_ALERT_CLAIM_SETTLE_MS: '200' } : {};
      [collector, receiver] = await Promise.all([
        startCollectorProcess({ CASEFILE_ALERT_TICK_MS: '1000', ...storeEnv(store, database), ...settle }),
        startReceiver(),
      ]);
      await mkdir(ARTIFACTS, { recursive: true });
    });
    afterAll(async () => {
      await collector?.stop();
      receiver?.server.close();
      await dropStore(store, database);
    });

    /** An admin API call; the answer's JSON, or an error naming the status and body. */
    const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
      const res = await fetch(`${collector.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${collector.adminToken}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${await res.text()}`);
      return res.json();
    };
    /** Screenshots document the UI, which is the same on every store: taken once. */
    const shot = (tab: { screenshot: (o: { path: string; fullPage: boolean }) => Promise<unknown> }, name: string) =>
      store === 'duckdb' ? tab.screenshot({ path: join(ARTIFACTS, name), fullPage: true }) : Promise.resolve();

    it('a drift rule made in the UI fires on a new tool, shows the event and sends a signed webhook', async () => {
      // Baseline: 160 runs spread over an hour that ended 30 minutes ago, two tools in a stable mix;
      // the same again from the OpenInference agent.
      const now = Date.now();
      const baseFrom = Math.floor((now - 100 * MIN) / MIN) * MIN;
      const baseTo = Math.ceil((now - 25 * MIN) / MIN) * MIN;
      const baselineTools = (i: number) => (i % 4 === 0 ? ['search_kb'] : ['search_kb', 'lookup_order']);
      const baseline = Array.from({ length: 160 }, (_, i) => run(now - 90 * MIN + i * 22_000, baselineTools(i)));
      const otelBaseline = Array.from({ length: 160 }, (_, i) =>
        run(now - 90 * MIN + i * 22_000 + 1_000, baselineTools(i), 'support-v1', 'openinference'),
      );
      await send(collector.url, collector.ingestKey, baseline);
      await send(collector.url, collector.ingestKey, otelBaseline, OTEL_AGENT);
      const api = createApiClient(collector.url, collector.adminToken);
      await api.waitForRuns((p) => p.runs.length >= 160, { limit: '500', agent: AGENT });
      const otelRuns = await api.waitForRuns((p) => p.runs.length >= 160, { limit: '500', agent: OTEL_AGENT });
      // As stored, its tool steps name no agent: only their run does.
      const sample = runDetailSchema.parse(await call('GET', `/api/runs/${otelRuns.runs[0]?.traceId}`));
      expect(sample.steps.filter((s) => s.kind === 'tool').map((s) => s.agentName)).toContain('');
      expect(sample.steps.filter((s) => s.kind === 'tool').every((s) => s.agentName === '')).toBe(true);

      // The same rule for the OpenInference agent, made through the API.
      const otelRule = alertRuleAnswerSchema.parse(
        await call('POST', '/api/alerts/rules', {
          kind: 'drift',
          name: 'Tool mix of the OpenInference agent',
          agentName: OTEL_AGENT,
          metrics: ['tool_mix'],
          windowMs: MIN,
          intervalMs: 2_000,
          reference: { type: 'baseline', fromMs: baseFrom, toMs: baseTo },
        }),
      ).rule;

      const browser = await launchBrowser();
      try {
        const tab = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
        const errors: string[] = [];
        tab.on('pageerror', (e) => errors.push(e.message));
        await signIn(tab, collector.url, collector.adminToken);

        // Create the rule in the form: tool_mix of this agent, 1-minute window every 2 s, fixed baseline.
        await tab.getByTestId('alerts-link').click();
        await tab.getByTestId('alerts-page').waitFor();
        await tab.getByTestId('new-rule').click();
        await tab.getByTestId('rule-form').waitFor();
        await tab.getByTestId('rule-name').fill('Tool mix of the drift agent');
        await tab.getByTestId('rule-agent').fill(AGENT);
        expect(await tab.getByTestId('rule-metric-tool_mix').isChecked()).toBe(true);
        await tab.getByTestId('rule-window').fill('1');
        await tab.getByTestId('rule-interval').fill('2');
        await tab.getByTestId('rule-reference').selectOption('baseline');
        await tab.getByTestId('rule-baseline-from').fill(utcInput(baseFrom));
        await tab.getByTestId('rule-baseline-to').fill(utcInput(baseTo));
        await tab.getByTestId('rule-channel').selectOption('webhook');
        // A bad URL is refused next to the field before anything is sent.
        await tab.getByTestId('rule-webhook-url').fill('javascript:alert(1)');
        await tab.getByTestId('rule-save').click();
        await tab.locator('[data-testid="field-error"][data-field="webhookUrl"]').waitFor();
        await tab.getByTestId('rule-webhook-url').fill(receiver.url);
        await tab.getByTestId('rule-save').click();
        await tab.getByTestId('rule-created').waitFor();
        const secret = (await tab.getByTestId('rule-secret').innerText()).trim();
        const ruleId = (await tab.getByTestId('rule-created').getAttribute('data-rule-id')) ?? '';
        expect(secret.length).toBeGreaterThanOrEqual(16);
        await shot(tab, 'drift-alerts-secret-once.png');
        // The baseline typed as dates is stored to the minute typed, and shown back as dates.
        const saved = alertRuleAnswerSchema.parse(await call('GET', `/api/alerts/rules/${ruleId}`)).rule;
        expect(saved.kind === 'drift' && saved.reference).toEqual({ type: 'baseline', fromMs: baseFrom, toMs: baseTo });
        const readable = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
        await tab.getByTestId('open-created-rule').click();
        await tab.getByTestId('rule-reference-text').waitFor();
        expect(await tab.getByTestId('rule-reference-text').innerText()).toContain(
          `baseline ${readable(baseFrom)} – ${readable(baseTo)} UTC`,
        );

        // The server refuses what only it can check (a webhook to the cloud metadata address): its
        // message shows next to the form, as text.
        await tab.getByTestId('alerts-link').click();
        await tab.getByTestId('new-rule').click();
        await tab.getByTestId('rule-name').fill('metadata probe');
        await tab.getByTestId('rule-channel').selectOption('webhook');
        await tab.getByTestId('rule-webhook-url').fill('http://169.254.169.254/latest/meta-data');
        await tab.getByTestId('rule-save').click();
        await tab.getByTestId('rule-api-error').waitFor();
        expect(await tab.getByTestId('rule-api-error').innerText()).toMatch(/169\.254|blocked|link-local/i);

        // Drift: in the current minute most runs call a tool the baseline never saw.
        const t = Date.now();
        // A new prompt version ships with it; one run carries a tool name that is an XSS attempt.
        const drifted = Array.from({ length: 40 }, (_, i) =>
          run(
            t - 20_000 + i * 400,
            i === 1
              ? [XSS_TOOL, 'send_email']
              : i % 8 === 0
                ? ['search_kb', 'lookup_order']
                : ['send_email', 'search_kb'],
            'support-v2',
          ),
        );
        await send(collector.url, collector.ingestKey, drifted);
        const otelDrifted = Array.from({ length: 40 }, (_, i) =>
          run(
            t - 20_000 + i * 400 + 100,
            i % 8 === 0 ? ['search_kb', 'lookup_order'] : ['send_email', 'search_kb'],
            'support-v2',
            'openinference',
          ),
        );
        await send(collector.url, collector.ingestKey, otelDrifted, OTEL_AGENT);

        // Evaluate now: a dry run over the window ending now already sees the drift.
        await tab.goto(`${collector.url}/alerts/${ruleId}`);
        await tab.getByTestId('alert-rule').waitFor();
        await tab.getByTestId('evaluate-now').click();
        await tab.locator('[data-testid="evaluation"][data-would-be="firing"]').waitFor();
        await shot(tab, 'drift-alerts-rule.png');

        // The rule turns firing in the list (it polls) and the event shows in the history.
        await tab.getByTestId('alerts-link').click();
        const firingRow = tab.locator(`[data-testid="alert-rule-row"][data-rule-id="${ruleId}"][data-state="firing"]`);
        await firingRow.waitFor({ timeout: 45_000 }).catch(async (cause: unknown) => {
          // Say what the rule saw, so a failure here is not just a timeout.
          const dry = await fetch(`${collector.url}/api/alerts/rules/${ruleId}/evaluate`, {
            method: 'POST',
            headers: { authorization: `Bearer ${collector.adminToken}` },
          });
          throw new Error(`the rule never fired; evaluated now: ${await dry.text()}`, { cause });
        });
        const event = tab.locator('[data-testid="alert-event"][data-to="firing"]').first();
        await event.waitFor({ timeout: 15_000 });
        const summary = await event.getByTestId('event-summary').innerText();
        expect(summary).toContain('send_email');
        await shot(tab, 'drift-alerts-firing.png');

        // The OpenInference agent names itself on its root spans only; its tool calls are still its own,
        // so its rule sees the same drift (no data at all, not "ok", if they were not counted).
        const dry = alertEvaluateAnswerSchema.parse(await call('POST', `/api/alerts/rules/${otelRule.id}/evaluate`));
        expect(dry.evaluation.results.map((r) => [r.metric, r.state])).toEqual([['tool_mix', 'drift']]);
        await until(
          'the OpenInference agent rule to fire',
          async () => {
            const { rule } = alertRuleAnswerSchema.parse(await call('GET', `/api/alerts/rules/${otelRule.id}`));
            return rule.state === 'firing' ? rule : undefined;
          },
          45_000,
        );
        const otelEvents = alertEventListSchema.parse(await call('GET', `/api/alerts/events?rule=${otelRule.id}`));
        const otelFiring = otelEvents.events.find((e) => e.to === 'firing');
        expect(otelFiring?.summary).toContain('send_email');

        // The webhook: signed with the secret shown once, naming the event it carries.
        const hook = await until('the webhook', () => receiver.received[0]);
        const body = JSON.parse(hook.raw.toString('utf8')) as { eventId: string; state: string; rule: { id: string } };
        expect(body.state).toBe('firing');
        expect(body.rule.id).toBe(ruleId);
        expect(hook.headers['casefile-event-id']).toBe(body.eventId);
        const signature = String(hook.headers['casefile-signature'] ?? '');
        expect(signatureValid(signature, secret, hook.raw, Date.now() / 1000)).toBe(true);
        expect(signatureValid(signature, `${secret}x`, hook.raw, Date.now() / 1000)).toBe(false);
        const tampered = Buffer.from(hook.raw.toString('utf8').replace('firing', 'resolved'));
        expect(signatureValid(signature, secret, tampered, Date.now() / 1000)).toBe(false);

        // Expanded: both windows, the delivery, and the links to compare and to the drift page.
        await tab
          .locator(`[data-testid="alert-event"][data-event-id="${body.eventId}"]`)
          .getByTestId('event-toggle')
          .click();
        const detail = tab.getByTestId('event-detail');
        await detail.waitFor();
        await detail.locator('[data-testid="delivery-row"][data-ok="true"]').first().waitFor({ timeout: 15_000 });
        expect(await detail.innerText()).toContain('Reference');
        expect(await detail.getByTestId('event-compare-link').count()).toBe(1);
        await shot(tab, 'drift-alerts-event.png');

        await detail.getByTestId('event-drift-link').click();
        await tab.getByTestId('drift-page').waitFor();
        await tab.getByTestId('drift-chart').waitFor();
        await tab.getByTestId('alert-marker').first().waitFor();
        const verdict = tab.getByTestId('drift-verdict');
        await verdict.waitFor();
        expect(await verdict.getAttribute('data-state')).toBe('drift');
        await tab.locator('[data-testid="distribution-row"][data-label="send_email"]').waitFor();
        expect(new URL(tab.url()).searchParams.get('agent')).toBe(AGENT);
        // The hostile tool name is a row of text, not markup.
        await tab.locator('[data-testid="distribution-row"]', { hasText: XSS_TOOL }).waitFor();
        await shot(tab, 'drift-page.png');

        // What changed when prompt support-v2 shipped: one click compares it with support-v1.
        await tab.getByTestId('drift-version-prev-prompt').click();
        await tab.waitForURL(/reference=previous-version%3Aprompt/);
        await tab.locator('[data-testid="drift-verdict"][data-state="drift"]').waitFor();
        await shot(tab, 'drift-version-shipped.png');
        // A numeric metric: latency per tool call, histograms of both windows.
        await tab.getByTestId('drift-metric').selectOption('latency_ms');
        await tab.getByTestId('drift-distributions').getByText('histogram').waitFor();
        expect(await tab.getByTestId('distribution-row').count()).toBeGreaterThan(0);
        await shot(tab, 'drift-numeric.png');
        expect(await tab.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

        // A threshold rule: create, edit, delete (with confirmation).
        await tab.goto(`${collector.url}/alerts/new`);
        await tab.getByTestId('rule-kind').selectOption('threshold');
        await tab.getByTestId('rule-name').fill('Error rate');
        await tab.getByTestId('rule-agent').fill(AGENT);
        await tab.getByTestId('rule-metric').selectOption('error_rate');
        await tab.getByTestId('rule-aggregate').selectOption('rate');
        await tab.getByTestId('rule-operator').selectOption('>');
        await tab.getByTestId('rule-value').fill('0.5');
        await tab.getByTestId('rule-window').fill('15');
        await tab.getByTestId('rule-save').click();
        await tab.getByTestId('rule-created').waitFor();
        const thresholdId = (await tab.getByTestId('rule-created').getAttribute('data-rule-id')) ?? '';
        await tab.getByTestId('open-created-rule').click();
        await tab.locator('.rule-edit summary').click();
        await tab.getByTestId('rule-name').fill('Error rate above half');
        await tab.getByTestId('rule-save').click();
        await tab.locator('h1', { hasText: 'Error rate above half' }).waitFor();
        await tab.getByTestId('delete-rule').click();
        await tab.getByTestId('confirm-delete').click();
        await tab.getByTestId('alerts-page').waitFor();
        await tab.locator(`[data-testid="alert-rule-row"][data-rule-id="${ruleId}"]`).waitFor();
        expect(await tab.locator(`[data-testid="alert-rule-row"][data-rule-id="${thresholdId}"]`).count()).toBe(0);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 240_000);
  });
}

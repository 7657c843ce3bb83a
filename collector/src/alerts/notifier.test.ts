import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertEventDto } from '@casefile/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../testing/memory-store.js';
import { createNotifier, redactTarget } from './notifier.js';
import { type AlertRule, parseRuleInput } from './rule-model.js';
import { verifySignature } from './signature.js';

const P = 'proj-test';
const SECRET = 'whsec_test_0123456789abcdef';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
  server = undefined;
});

/** A receiver answering with the given statuses in turn (the last one repeats). */
async function receiver(statuses: number[], headers: Record<string, string> = {}) {
  const received: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(statuses[Math.min(received.length - 1, statuses.length - 1)] as number, headers);
      res.end('{}');
    });
  });
  await new Promise<void>((ok) => server?.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/casefile`, received };
}

function rule(url: string, format: 'casefile' | 'slack' = 'casefile', secret: string | undefined = SECRET): AlertRule {
  const spec = parseRuleInput({
    kind: 'drift',
    name: 'Tool mix <!channel>',
    metrics: ['tool_mix'],
    agentName: 'support-bot',
    windowMs: 3_600_000,
    intervalMs: 3_600_000,
    reference: { type: 'previous-window' },
    channel: { type: 'webhook', url, format, ...(secret ? { secret } : {}) },
  });
  return { ...spec, id: 'rule1', createdNs: '0', updatedNs: '0' };
}

const EVENT: AlertEventDto = {
  id: 'rule1:7200000000000',
  ruleId: 'rule1',
  ruleName: 'Tool mix',
  timeNs: '7200000000001',
  from: 'ok',
  to: 'firing',
  window: { fromNs: '3600000000000', toNs: '7200000000000' },
  reference: { fromNs: '0', toNs: '3600000000000', label: 'previous 1h' },
  results: [],
  exampleRuns: { reference: ['a'.repeat(32)], current: ['b'.repeat(32)] },
  summary: 'support-bot: tool_mix drifted: <https://evil.example|click> 0% → 18% of tool calls (chi2 p=3e-9)',
};

/** The drift page's URL state for EVENT: a day of chart, the 1 h window ending at 7,200,000 ms, as dates. */
const DRIFT_QUERY = `project=${P}&agent=support-bot&metric=tool_mix&from=1970-01-01T00%3A00Z&to=1970-01-01T03%3A00Z&reference=previous-window&window=1h&end=1970-01-01T02%3A00Z`;

const fast = { baseDelayMs: 1, maxDelayMs: 20, timeoutMs: 2_000 };

describe('webhook notifier', () => {
  it('signs the body so a receiver can verify it, and names the event', async () => {
    const { url, received } = await receiver([200]);
    const store = createMemoryStore();
    const notifier = createNotifier({ store, ...fast, publicUrl: 'https://casefile.example.com/' });
    const outcome = await notifier.notify({ projectId: P, rule: rule(url), event: EVENT, renotification: false });
    expect(outcome).toEqual({ delivered: true, attempts: 1 });
    const [r] = received;
    expect(r?.headers['casefile-event-id']).toBe(EVENT.id);
    const check = verifySignature(
      SECRET,
      r?.headers['casefile-signature'] as string,
      r?.body as string,
      Date.now() / 1000,
    );
    expect(check.ok).toBe(true);
    const body = JSON.parse(r?.body as string);
    expect(body).toMatchObject({
      type: 'casefile.alert',
      state: 'firing',
      previousState: 'ok',
      summary: EVENT.summary,
    });
    expect(body.links.compare).toEqual([
      `https://casefile.example.com/compare?project=${P}&a=${'a'.repeat(32)}&b=${'b'.repeat(32)}`,
    ]);
    expect(body.links.drift).toBe(`https://casefile.example.com/drift?${DRIFT_QUERY}`);
    expect(r?.body).not.toContain(SECRET);
  });

  it('retries 5xx with backoff, then records every attempt', async () => {
    const { url, received } = await receiver([503, 502, 200]);
    const store = createMemoryStore();
    const notifier = createNotifier({ store, ...fast });
    const outcome = await notifier.notify({ projectId: P, rule: rule(url), event: EVENT, renotification: false });
    expect(outcome).toEqual({ delivered: true, attempts: 3 });
    expect(received.map((r) => r.headers['casefile-delivery-attempt'])).toEqual(['1', '2', '3']);
    const log = await store.listAlertDeliveries(P, { eventId: EVENT.id, limit: 10 });
    expect(log.map((d) => [d.attempt, d.statusCode, d.ok]).sort()).toEqual([
      [1, 503, false],
      [2, 502, false],
      [3, 200, true],
    ]);
    expect(log.find((d) => d.attempt === 1)?.error).toMatch(/^HTTP 503/);
  });

  it('does not retry a 400 (the receiver refused the request itself)', async () => {
    const { url, received } = await receiver([400, 200]);
    const store = createMemoryStore();
    const outcome = await createNotifier({ store, ...fast }).notify({
      projectId: P,
      rule: rule(url),
      event: EVENT,
      renotification: false,
    });
    expect(outcome).toEqual({ delivered: false, attempts: 1 });
    expect(received).toHaveLength(1);
  });

  it('retries 429 and gives up after maxAttempts', async () => {
    const { url, received } = await receiver([429], { 'retry-after': '0' });
    const store = createMemoryStore();
    const outcome = await createNotifier({ store, ...fast, maxAttempts: 3 }).notify({
      projectId: P,
      rule: rule(url),
      event: EVENT,
      renotification: false,
    });
    expect(outcome).toEqual({ delivered: false, attempts: 3 });
    expect(received).toHaveLength(3);
  });

  it('retries when nothing answers, and records status 0 with the network error', async () => {
    const { url } = await receiver([200]);
    await new Promise<void>((ok) => server?.close(() => ok()));
    server = undefined;
    const store = createMemoryStore();
    const outcome = await createNotifier({ store, ...fast, maxAttempts: 2 }).notify({
      projectId: P,
      rule: rule(url),
      event: EVENT,
      renotification: false,
    });
    expect(outcome).toEqual({ delivered: false, attempts: 2 });
    const log = await store.listAlertDeliveries(P, { limit: 10 });
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({ statusCode: 0, ok: false });
    expect(log[0]?.error).toMatch(/ECONNREFUSED/);
  });

  it('refuses the cloud metadata address without retrying, and loopback when private targets are blocked', async () => {
    const store = createMemoryStore();
    const notifier = createNotifier({ store, ...fast });
    const meta = {
      ...rule('http://127.0.0.1/'),
      channel: {
        type: 'webhook' as const,
        url: 'http://169.254.169.254/latest/meta-data/',
        format: 'casefile' as const,
      },
    };
    expect(await notifier.notify({ projectId: P, rule: meta, event: EVENT, renotification: false })).toEqual({
      delivered: false,
      attempts: 1,
    });
    const { url, received } = await receiver([200]);
    const strict = createNotifier({ store, ...fast, blockPrivate: true });
    const local = {
      ...rule(url),
      channel: { ...rule(url).channel, url: url.replace('127.0.0.1', 'localhost') },
    } as AlertRule;
    expect((await strict.notify({ projectId: P, rule: local, event: EVENT, renotification: false })).delivered).toBe(
      false,
    );
    expect(received).toHaveLength(0);
    const errors = (await store.listAlertDeliveries(P, { limit: 10 })).map((d) => d.error);
    expect(errors.some((e) => /169\.254\.169\.254 is in a blocked range/.test(e))).toBe(true);
    expect(errors.some((e) => /refused webhook target localhost/.test(e))).toBe(true);
  });

  it('sends Slack messages with trace text escaped, so it cannot ping or link', async () => {
    const { url, received } = await receiver([200]);
    const store = createMemoryStore();
    await createNotifier({ store, ...fast, publicUrl: 'https://cf.example' }).notify({
      projectId: P,
      rule: rule(url, 'slack'),
      event: EVENT,
      renotification: true,
    });
    const body = JSON.parse(received[0]?.body as string);
    expect(body.text).toContain('&lt;!channel&gt;');
    expect(body.text).toContain('&lt;https://evil.example|click&gt;');
    expect(body.text).toMatch(/^\[warning\] Tool mix &lt;!channel&gt;: FIRING \(still\) — /);
    expect(JSON.stringify(body.blocks)).not.toMatch(/<!channel>|<https:\/\/evil/);
    expect(body.blocks.at(-1).elements.map((e: { url: string }) => e.url)).toEqual([
      `https://cf.example/drift?${DRIFT_QUERY}`,
      `https://cf.example/compare?project=${P}&a=${'a'.repeat(32)}&b=${'b'.repeat(32)}`,
    ]);
  });

  it('keeps credentials out of the recorded target', () => {
    expect(redactTarget('https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX')).toBe(
      'https://hooks.slack.com/services/…',
    );
    expect(redactTarget('https://user:pw@example.com/hooks/a1b2c3d4e5f6a7b8c9d0?token=abc')).toBe(
      'https://example.com/hooks/…?…',
    );
    expect(redactTarget('http://localhost:9000/alerts')).toBe('http://localhost:9000/alerts');
  });
});

describe('webhook notifier timeouts', () => {
  it('gives up on an answer whose body never ends, and retries', async () => {
    let calls = 0;
    server = createServer((_req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial'); // never finished
        return;
      }
      res.writeHead(200).end();
    });
    await new Promise<void>((ok) => server?.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const store = createMemoryStore();
    const started = Date.now();
    const outcome = await createNotifier({ store, ...fast, timeoutMs: 200 }).notify({
      projectId: P,
      rule: rule(url),
      event: EVENT,
      renotification: false,
    });
    expect(outcome).toEqual({ delivered: true, attempts: 2 });
    expect(Date.now() - started).toBeLessThan(2_000);
    const first = (await store.listAlertDeliveries(P, { limit: 10 })).find((d) => d.attempt === 1);
    expect(first).toMatchObject({ ok: false, error: 'timed out after 200 ms' });
  });

  it('times out a receiver that never answers', async () => {
    server = createServer(() => {});
    await new Promise<void>((ok) => server?.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const store = createMemoryStore();
    const outcome = await createNotifier({ store, ...fast, timeoutMs: 100, maxAttempts: 2 }).notify({
      projectId: P,
      rule: rule(url),
      event: EVENT,
      renotification: false,
    });
    expect(outcome).toEqual({ delivered: false, attempts: 2 });
    server.closeAllConnections();
  });
});

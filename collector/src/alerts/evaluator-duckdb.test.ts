import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertEventSchema } from '@casefile/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore } from '../store/create-store.js';
import type { TraceStore } from '../store/port.js';
import { createAlertEvaluator } from './evaluator.js';
import { createNotifier } from './notifier.js';
import { parseRuleInput, toStoredRule } from './rule-model.js';
import { spread } from './runs.fixtures.js';
import { verifySignature } from './signature.js';

const P = 'proj-test';
const H = 3_600_000;
const END = 500 * H;
const SECRET = 'whsec_duckdb_0123456789abcdef';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

describe('alert evaluator on DuckDB (the default store)', () => {
  it('two collectors on one database: one evaluation, a BH-corrected drift verdict, one signed delivery after a retry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'casefile-alerts-'));
    const store: TraceStore = await createStore({ kind: 'duckdb', dataDir: dir });
    cleanup.push(
      () => rmSync(dir, { recursive: true, force: true }),
      () => store.close(),
    );
    await store.migrate();
    await store.putProject({ id: P, name: 'Test', createdNs: 0n });
    const latency = (i: number) => 900 + (i % 30) * 10;
    await store.writeSteps(spread(200, END - 2 * H, END - H, (i) => ({ tools: ['search_kb'], latencyMs: latency(i) })));
    await store.writeSteps(
      spread(200, END - H, END, (i) => ({
        tools: i % 5 ? ['search_kb'] : ['search_kb', 'send_email'],
        latencyMs: latency(i),
      })),
    );

    const bodies: Array<{ signature: string; body: string }> = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        bodies.push({ signature: String(req.headers['casefile-signature']), body });
        res.writeHead(bodies.length === 1 ? 503 : 200).end();
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    cleanup.push(() => new Promise<void>((ok) => server.close(() => ok())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

    const spec = parseRuleInput({
      kind: 'drift',
      name: 'Tool mix',
      metrics: ['tool_mix', 'latency_ms', 'error_rate'],
      windowMs: H,
      intervalMs: H,
      reference: { type: 'previous-window' },
      channel: { type: 'webhook', url, secret: SECRET },
    });
    await store.putAlertRule(toStoredRule(P, { ...spec, id: 'mix', createdNs: '1', updatedNs: '1' }));
    const make = (owner: string) =>
      createAlertEvaluator({
        store,
        owner,
        tickMs: 0,
        notifier: createNotifier({ store, baseDelayMs: 5 }),
        now: () => END + 1_000,
      });
    const [a, b] = [make('a'), make('b')];
    const reports = await Promise.all([a.tick(), b.tick()]);
    await Promise.all([a.close(), b.close()]);

    expect(reports.map((r) => r.evaluated).sort()).toEqual([0, 1]);
    const events = await store.listAlertEvents(P, { limit: 10 });
    expect(events).toHaveLength(1);
    const detail = alertEventSchema.parse(JSON.parse(events[0]?.detail as string));
    expect(detail.summary).toMatch(
      /^tool_mix drifted: send_email 0% → 20% of runs \(chi2 p=\de-\d+, adjusted \de-\d+\) vs previous 1h$/,
    );
    expect(detail.results.map((r) => [r.metric, r.state])).toEqual([
      ['tool_mix', 'drift'],
      ['latency_ms', 'ok'],
      ['error_rate', 'ok'],
    ]);
    expect(detail.results.every((r) => r.adjustedPValue !== undefined)).toBe(true);
    expect(detail.exampleRuns.current).toHaveLength(3);

    const deliveries = await store.listAlertDeliveries(P, { ruleId: 'mix', limit: 10 });
    expect(deliveries.map((d) => [d.attempt, d.statusCode, d.ok]).sort()).toEqual([
      [1, 503, false],
      [2, 200, true],
    ]);
    expect(bodies.every((x) => verifySignature(SECRET, x.signature, x.body, Date.now() / 1000).ok)).toBe(true);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { alertEventSchema } from '@casefile/contract';
import { afterEach, describe, expect, it } from 'vitest';
import type { TraceStore } from '../store/port.js';
import { captureLogger } from '../testing/capture-logger.js';
import { createMemoryStore } from '../testing/memory-store.js';
import { createAlertEvaluator } from './evaluator.js';
import { createNotifier } from './notifier.js';
import { parseRuleInput, toStoredRule } from './rule-model.js';
import { spread } from './runs.fixtures.js';
import { verifySignature } from './signature.js';
import { parseStateDoc } from './state-machine.js';

const P = 'proj-test';
const HOUR = 3_600_000;
const SECRET = 'whsec_evaluator_0123456789';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
  server = undefined;
});

async function setup() {
  const store = createMemoryStore();
  await store.putProject({ id: P, name: 'Test', createdNs: 0n });
  return store;
}

async function putRule(store: TraceStore, id: string, input: Record<string, unknown>) {
  const spec = parseRuleInput({
    kind: 'threshold',
    name: id,
    metric: 'error_rate',
    aggregate: 'rate',
    operator: '>',
    value: 0.2,
    minCount: 10,
    windowMs: HOUR,
    intervalMs: HOUR,
    ...input,
  });
  await store.putAlertRule(toStoredRule(P, { ...spec, id, createdNs: '1', updatedNs: '1' }));
}

const noNotifier = () => createNotifier({ store: createMemoryStore() });

describe('alert evaluator', () => {
  it('evaluates each rule-window once even with two collectors ticking at the same time', async () => {
    const store = await setup();
    let t = 10 * HOUR + 5_000;
    await store.writeSteps(spread(40, 9 * HOUR, 10 * HOUR, (i) => ({ error: i % 2 === 0 })));
    await putRule(store, 'errors', {});
    const a = createAlertEvaluator({ store, owner: 'a', tickMs: 0, notifier: noNotifier(), now: () => t });
    const b = createAlertEvaluator({ store, owner: 'b', tickMs: 0, notifier: noNotifier(), now: () => t });
    const [ra, rb] = await Promise.all([a.tick(), b.tick()]);
    expect(ra.evaluated + rb.evaluated).toBe(1);
    expect(ra.claimedElsewhere + rb.claimedElsewhere).toBe(1);
    const events = await store.listAlertEvents(P, { limit: 10 });
    expect(events.map((e) => [e.id, e.from, e.to])).toEqual([
      [`errors:${10n * BigInt(HOUR) * 1_000_000n}`, 'ok', 'firing'],
    ]);
    // Same window again: nothing to do. Next window: evaluated again (and still firing, so no new event).
    expect((await a.tick()).evaluated + (await b.tick()).evaluated).toBe(0);
    t += HOUR;
    await store.writeSteps(spread(40, 10 * HOUR, 11 * HOUR, (i) => ({ error: i % 2 === 0 })));
    const [ra2, rb2] = await Promise.all([a.tick(), b.tick()]);
    expect(ra2.evaluated + rb2.evaluated).toBe(1);
    expect(await store.listAlertEvents(P, { limit: 10 })).toHaveLength(1);
  });

  it('looks up example runs only for evaluations that become events', async () => {
    const store = await setup();
    let t = 10 * HOUR + 5_000;
    await store.writeSteps(spread(40, 9 * HOUR, 10 * HOUR, (i) => ({ error: i % 2 === 0 })));
    await putRule(store, 'errors', {});
    let lookups = 0;
    const counting: TraceStore = {
      ...store,
      async listRuns(project, q) {
        lookups++;
        return store.listRuns(project, q);
      },
    };
    const evaluator = createAlertEvaluator({
      store: counting,
      owner: 'a',
      tickMs: 0,
      notifier: noNotifier(),
      now: () => t,
    });
    await evaluator.tick(); // ok → firing: an event, with failed runs as examples
    expect(lookups).toBeGreaterThan(0);
    const [event] = await store.listAlertEvents(P, { limit: 1 });
    expect(alertEventSchema.parse(JSON.parse(event?.detail ?? '{}')).exampleRuns.current.length).toBeGreaterThan(0);
    const before = lookups;
    t += HOUR;
    await store.writeSteps(spread(40, 10 * HOUR, 11 * HOUR, (i) => ({ error: i % 2 === 0 })));
    expect((await evaluator.tick()).evaluated).toBe(1); // still firing: nothing recorded, nothing looked up
    expect(lookups).toBe(before);
    await evaluator.close();
  });

  it('keeps going when one rule fails, and leaves the failing rule in its state', async () => {
    const store = await setup();
    await store.writeSteps(spread(40, 9 * HOUR, 10 * HOUR, (i) => ({ error: i % 2 === 0 })));
    await putRule(store, 'broken', { metric: 'latency_ms', aggregate: 'p95', value: 1 });
    await putRule(store, 'errors', {});
    const failing: TraceStore = {
      ...store,
      async metricSample(project, q) {
        if (q.metric === 'latency_ms') throw new Error('backend timed out');
        return store.metricSample(project, q);
      },
    };
    const { log, lines } = captureLogger();
    const ev = createAlertEvaluator({
      store: failing,
      owner: 'a',
      tickMs: 0,
      notifier: noNotifier(),
      log,
      now: () => 10 * HOUR,
    });
    const report = await ev.tick();
    expect(report).toMatchObject({ evaluated: 1, failed: 1 });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'evaluating a rule failed',
        projectId: P,
        ruleId: 'broken',
        windowEndNs: expect.stringMatching(/^\d+$/),
        err: expect.objectContaining({ message: 'backend timed out' }),
      }),
    );
    const states = new Map((await store.listAlertStates(P)).map((s) => [s.ruleId, parseStateDoc(s)]));
    expect(states.get('errors')?.state).toBe('firing');
    // The failure is counted (the window is retried in the next retry slot); the state is untouched.
    expect(states.get('broken')).toMatchObject({ state: 'ok', failures: 1, lastWindowEndNs: '' });
  });

  it('fires, notifies with a verifiable signature, then resolves and notifies again', async () => {
    const bodies: Array<{ signature: string; body: string }> = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        bodies.push({ signature: String(req.headers['casefile-signature']), body });
        res.end();
      });
    });
    await new Promise<void>((ok) => server?.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

    const store = await setup();
    await putRule(store, 'errors', { channel: { type: 'webhook', url, secret: SECRET } });
    let t = 10 * HOUR;
    const ev = createAlertEvaluator({
      store,
      owner: 'a',
      tickMs: 0,
      notifier: createNotifier({ store }),
      now: () => t,
    });

    await store.writeSteps(spread(40, 9 * HOUR, 10 * HOUR, (i) => ({ error: i % 2 === 0 })));
    expect((await ev.tick()).transitions).toEqual([{ projectId: P, ruleId: 'errors', from: 'ok', to: 'firing' }]);
    t += HOUR;
    await store.writeSteps(spread(40, 10 * HOUR, 11 * HOUR, () => ({})));
    expect((await ev.tick()).transitions.map((x) => x.to)).toEqual(['resolved']);
    t += HOUR;
    await store.writeSteps(spread(40, 11 * HOUR, 12 * HOUR, () => ({})));
    expect((await ev.tick()).transitions.map((x) => x.to)).toEqual(['ok']);
    await ev.close();

    expect(bodies.map((b) => JSON.parse(b.body).state)).toEqual(['firing', 'resolved']);
    for (const b of bodies) expect(verifySignature(SECRET, b.signature, b.body, Date.now() / 1000).ok).toBe(true);
    const events = await store.listAlertEvents(P, { ruleId: 'errors', limit: 10 });
    expect(events.map((e) => e.to)).toEqual(['ok', 'resolved', 'firing']);
    for (const e of events) expect(alertEventSchema.safeParse(JSON.parse(e.detail)).success).toBe(true);
    const firing = JSON.parse(events[2]?.detail as string);
    expect(firing.summary).toBe('error_rate rate 50% > 20% over the last 1h (40 trials)');
    const deliveries = await store.listAlertDeliveries(P, { ruleId: 'errors', limit: 10 });
    expect(deliveries.map((d) => [d.eventId, d.ok])).toHaveLength(2);
    expect(deliveries.every((d) => d.ok && d.target === url)).toBe(true);
  });

  it('skips disabled rules and rules whose stored document no longer validates', async () => {
    const store = await setup();
    await putRule(store, 'off', { enabled: false });
    await store.putAlertRule({ projectId: P, id: 'junk', json: '{"kind":"drift"}', updatedNs: 1n });
    const { log, lines } = captureLogger();
    const ev = createAlertEvaluator({
      store,
      owner: 'a',
      tickMs: 0,
      notifier: noNotifier(),
      log,
    });
    expect(await ev.tick()).toMatchObject({ evaluated: 0, failed: 0 });
    await ev.tick();
    expect(lines).toMatchObject([{ level: 'warn', msg: 'a rule is not valid; skipped', projectId: P, ruleId: 'junk' }]);
  });

  it('ticks on its timer once started and stops on close', async () => {
    const store = await setup();
    await putRule(store, 'errors', { minCount: 0, value: 0.99 });
    const ev = createAlertEvaluator({ store, owner: 'a', tickMs: 20, notifier: noNotifier() });
    ev.start();
    await new Promise((r) => setTimeout(r, 120));
    await ev.close();
    const states = await store.listAlertStates(P);
    expect(states).toHaveLength(1);
    const before = states[0]?.updatedNs;
    await new Promise((r) => setTimeout(r, 60));
    expect((await store.listAlertStates(P))[0]?.updatedNs).toBe(before);
  });
});

describe('alert evaluator delay', () => {
  it('evaluates a window only delayMs after it ended, so late spans are counted', async () => {
    const store = await setup();
    await putRule(store, 'errors', {});
    let t = 10 * HOUR + 1_000;
    const ev = createAlertEvaluator({
      store,
      owner: 'a',
      tickMs: 0,
      notifier: noNotifier(),
      now: () => t,
      delayMs: 5_000,
    });
    await ev.tick();
    // 1 s after 10:00 the due window is still the one ending at 9:00.
    expect(parseStateDoc((await store.listAlertStates(P))[0]).lastWindowEndNs).toBe(
      String(9n * BigInt(HOUR) * 1_000_000n),
    );
    // Spans of the 9:00–10:00 window arrive late; at 10:00:05 that window is evaluated with them.
    await store.writeSteps(spread(40, 9 * HOUR, 10 * HOUR, (i) => ({ error: i % 2 === 0 })));
    t = 10 * HOUR + 5_000;
    expect((await ev.tick()).transitions.map((x) => x.to)).toEqual(['firing']);
  });
});

describe('alert evaluator renotification', () => {
  it('records a firing → firing event and notifies again once renotifyMs has passed', async () => {
    const states: string[] = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const b = JSON.parse(body);
        states.push(`${b.previousState}→${b.state}${b.renotification ? ' (again)' : ''}`);
        res.end();
      });
    });
    await new Promise<void>((ok) => server?.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const store = await setup();
    await putRule(store, 'errors', { renotifyMs: 2 * HOUR, channel: { type: 'webhook', url } });
    let t = 10 * HOUR;
    const ev = createAlertEvaluator({
      store,
      owner: 'a',
      tickMs: 0,
      notifier: createNotifier({ store }),
      now: () => t,
    });
    for (let h = 9; h < 13; h++) {
      await store.writeSteps(spread(40, h * HOUR, (h + 1) * HOUR, (i) => ({ error: i % 2 === 0 })));
      await ev.tick();
      t += HOUR;
    }
    await ev.close();
    expect(states).toEqual(['ok→firing', 'firing→firing (again)']);
    const events = await store.listAlertEvents(P, { limit: 10 });
    expect(events.map((e) => `${e.from}→${e.to}@${BigInt(e.windowEndNs) / (BigInt(HOUR) * 1_000_000n)}h`)).toEqual([
      'firing→firing@12h',
      'ok→firing@10h',
    ]);
  });
});

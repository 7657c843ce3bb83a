import { describe, expect, it } from 'vitest';
import type { TraceStore } from '../store/port.js';
import { captureLogger } from '../testing/capture-logger.js';
import { createMemoryStore } from '../testing/memory-store.js';
import { claimKey, createAlertEvaluator } from './evaluator.js';
import { createNotifier } from './notifier.js';
import { parseRuleInput, toStoredRule } from './rule-model.js';
import { spread } from './runs.fixtures.js';
import { parseStateDoc } from './state-machine.js';

const P = 'proj-test';
const HOUR = 3_600_000;
const H = (n: number) => BigInt(n) * BigInt(HOUR) * 1_000_000n;

async function setup() {
  const store = createMemoryStore();
  await store.putProject({ id: P, name: 'Test', createdNs: 0n });
  const spec = parseRuleInput({
    kind: 'threshold',
    name: 'errors',
    metric: 'error_rate',
    aggregate: 'rate',
    operator: '>',
    value: 0.2,
    minCount: 10,
    windowMs: HOUR,
    intervalMs: HOUR,
  });
  await store.putAlertRule(toStoredRule(P, { ...spec, id: 'errors', createdNs: '1', updatedNs: '1' }));
  return store;
}

/** Hour `h` of traffic: 40 runs, half of them failing when `bad`. */
const hour = (h: number, bad = false) => spread(40, h * HOUR, (h + 1) * HOUR, (i) => ({ error: bad && i % 2 === 0 }));

async function state(store: TraceStore) {
  return parseStateDoc((await store.listAlertStates(P)).find((s) => s.ruleId === 'errors'));
}

describe('alert evaluator: catch-up', () => {
  it('evaluates the windows missed while no collector ran, in order, and records what happened in them', async () => {
    const store = await setup();
    for (let h = 9; h < 16; h++) await store.writeSteps(hour(h, h === 12 || h === 13));
    let t = 10 * HOUR + 1_000;
    const ev = createAlertEvaluator({
      store,
      owner: 'a',
      tickMs: 0,
      notifier: createNotifier({ store }),
      now: () => t,
    });
    expect((await ev.tick()).evaluated).toBe(1); // window ending 10:00
    // Down from 10:00 to 16:00: six windows ended meanwhile.
    t = 16 * HOUR + 1_000;
    const report = await ev.tick();
    expect(report).toMatchObject({ evaluated: 6, caughtUp: 5, failed: 0, skipped: 0 });
    // Errors at 12:00–14:00 fired at the window ending 13:00 and resolved at 15:00.
    const events = await store.listAlertEvents(P, { limit: 10 });
    expect(events.map((e) => [e.id, e.to]).reverse()).toEqual([
      [`errors:${H(13)}`, 'firing'],
      [`errors:${H(15)}`, 'resolved'],
      [`errors:${H(16)}`, 'ok'],
    ]);
    expect((await state(store)).lastWindowEndNs).toBe(String(H(16)));
    await ev.close();
  });

  it('catches up at most catchUpMs back and windowsPerTick at a time, and says what it skipped', async () => {
    const store = await setup();
    for (let h = 9; h < 82; h++) await store.writeSteps(hour(h));
    let t = 10 * HOUR + 1_000;
    const { log, lines } = captureLogger();
    const ev = createAlertEvaluator({
      store,
      owner: 'a',
      tickMs: 0,
      notifier: createNotifier({ store }),
      now: () => t,
      catchUpMs: 24 * HOUR,
      windowsPerTick: 12,
      log,
    });
    await ev.tick();
    t = 82 * HOUR + 1_000; // three days later: 72 windows ended; those of the last 24 hours are caught up
    const first = await ev.tick();
    expect(first).toMatchObject({ evaluated: 12, caughtUp: 12, skipped: 47 });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'a rule missed windows beyond the catch-up bound',
        missedWindows: 47,
      }),
    );
    expect((await state(store)).lastWindowEndNs).toBe(String(H(69)));
    expect(await ev.tick()).toMatchObject({ evaluated: 12, caughtUp: 12, skipped: 0 });
    expect(await ev.tick()).toMatchObject({ evaluated: 1, caughtUp: 0 });
    expect((await state(store)).lastWindowEndNs).toBe(String(H(82)));
    expect((await ev.tick()).evaluated).toBe(0);
    await ev.close();
  });

  it('a sliding window that fell behind catches up on windows a window length apart, not on every end', async () => {
    const store = await setup();
    // The rule: a 1-hour window evaluated every 10 minutes.
    const stored = (await store.listAlertRules(P))[0];
    const rule = { ...JSON.parse(stored?.json ?? '{}'), intervalMs: 600_000 };
    await store.putAlertRule({ ...(stored as NonNullable<typeof stored>), json: JSON.stringify(rule) });
    for (let h = 9; h < 16; h++) await store.writeSteps(hour(h));
    let t = 10 * HOUR + 1_000;
    const ev = createAlertEvaluator({
      store,
      owner: 'a',
      tickMs: 0,
      notifier: createNotifier({ store }),
      now: () => t,
    });
    await ev.tick();
    // Down for three hours: 18 window ends passed; the three hourly ones are judged, ending at the latest.
    t = 13 * HOUR + 1_000;
    expect(await ev.tick()).toMatchObject({ evaluated: 3, caughtUp: 2, skipped: 0 });
    expect((await state(store)).lastWindowEndNs).toBe(String(H(13)));
    await ev.close();
  });

  it('a second collector does not interleave with a rule another one is catching up', async () => {
    const store = await setup();
    for (let h = 9; h < 16; h++) await store.writeSteps(hour(h));
    let t = 10 * HOUR + 1_000;
    const make = (owner: string) =>
      createAlertEvaluator({ store, owner, tickMs: 0, notifier: createNotifier({ store }), now: () => t });
    const [a, b] = [make('a'), make('b')];
    await a.tick();
    t = 16 * HOUR + 1_000;
    const [ra, rb] = await Promise.all([a.tick(), b.tick()]);
    expect([ra.evaluated, rb.evaluated].sort()).toEqual([0, 6]);
    expect(ra.claimedElsewhere + rb.claimedElsewhere).toBe(1);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('alert evaluator: retries', () => {
  /** The store fails metric queries while `failing` says so. */
  function flaky(store: TraceStore, failing: () => boolean): TraceStore {
    return {
      ...store,
      async metricSample(project, q) {
        if (failing()) throw new Error('backend timed out');
        return store.metricSample(project, q);
      },
    };
  }

  it('retries a window whose evaluation failed after its claim, once the retry slot has passed', async () => {
    const store = await setup();
    await store.writeSteps(hour(9, true));
    let t = 10 * HOUR + 1_000;
    let failing = true;
    const ev = createAlertEvaluator({
      store: flaky(store, () => failing),
      owner: 'a',
      tickMs: 0,
      notifier: createNotifier({ store }),
      now: () => t,
      retryMs: 60_000,
    });
    expect(await ev.tick()).toMatchObject({ evaluated: 0, failed: 1 });
    expect(await state(store)).toMatchObject({ failures: 1, failedWindowEndNs: String(H(10)), state: 'ok' });
    expect((await state(store)).lastError).toMatch(/backend timed out/);
    failing = false;
    // Same retry slot: the window stays claimed.
    t += 30_000;
    expect(await ev.tick()).toMatchObject({ evaluated: 0, claimedElsewhere: 1 });
    // Next slot: claimed again and evaluated.
    t += 40_000;
    expect(await ev.tick()).toMatchObject({ evaluated: 1, failed: 0 });
    expect(await state(store)).toMatchObject({ state: 'firing', failures: 0, lastWindowEndNs: String(H(10)) });
    await ev.close();
  });

  it('a window claimed by a collector that died before evaluating it is evaluated in the next slot', async () => {
    const store = await setup();
    await store.writeSteps(hour(9, true));
    // A collector claimed the window and then disappeared.
    expect(await store.claimEvaluation(P, claimKey('errors', 0n), H(10), 'dead')).toBe(true);
    let t = 10 * HOUR + 1_000;
    const ev = createAlertEvaluator({
      store,
      owner: 'a',
      tickMs: 0,
      notifier: createNotifier({ store }),
      now: () => t,
      retryMs: 60_000,
    });
    expect(await ev.tick()).toMatchObject({ evaluated: 0, claimedElsewhere: 1 });
    t += 60_000;
    expect(await ev.tick()).toMatchObject({ evaluated: 1 });
    expect((await state(store)).state).toBe('firing');
    await ev.close();
  });

  it('gives a window up after maxAttempts failures and moves on, keeping the state', async () => {
    const store = await setup();
    await store.writeSteps(hour(9, true));
    await store.writeSteps(hour(10, true));
    let t = 10 * HOUR + 1_000;
    let failing = true;
    const { log, lines } = captureLogger();
    const ev = createAlertEvaluator({
      store: flaky(store, () => failing),
      owner: 'a',
      tickMs: 0,
      notifier: createNotifier({ store }),
      now: () => t,
      retryMs: 60_000,
      maxAttempts: 3,
      log,
    });
    for (let i = 0; i < 3; i++) {
      expect((await ev.tick()).failed).toBe(1);
      t += 60_000;
    }
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'a window was skipped after failed attempts',
        windowEndNs: String(H(10)),
        attempts: 3,
      }),
    );
    expect(await state(store)).toMatchObject({ state: 'ok', lastWindowEndNs: String(H(10)), failures: 0 });
    // The next window is judged normally.
    failing = false;
    t = 11 * HOUR + 1_000;
    expect(await ev.tick()).toMatchObject({ evaluated: 1 });
    expect(await state(store)).toMatchObject({ state: 'firing', lastWindowEndNs: String(H(11)) });
    await ev.close();
  });
});

import { describe, expect, it } from 'vitest';
import type { WindowSignal } from './alarm-policy.js';
import {
  advance,
  INITIAL_STATE,
  nextState,
  persistenceEnds,
  type RuleStateDoc,
  type StatePolicy,
} from './state-machine.js';

const MIN = 60_000_000_000n;
const EVERY_BREACH: StatePolicy['persistence'] = { breaches: 1, of: 1 };
const TWO_OF_THREE: StatePolicy['persistence'] = { breaches: 2, of: 3 };

/** Runs a sequence of window signals one minute apart (1-minute windows) and returns what happened after each. */
function walk(signals: WindowSignal[], persistence = EVERY_BREACH, renotifyMs = 0) {
  let doc: RuleStateDoc = INITIAL_STATE;
  const policy: StatePolicy = { persistence, windowMs: 60_000, intervalMs: 60_000, renotifyMs };
  return signals.map((signal, i) => {
    const now = BigInt(i + 1) * MIN;
    const t = nextState(doc, signal, now, now, policy);
    doc = advance(doc, t, {
      windowEndNs: now,
      nowNs: now,
      eventId: `r:${now}`,
      summary: signal,
      notified: t.notify !== undefined,
    });
    return { state: doc.state, record: t.record, notify: t.notify };
  });
}
const states = (signals: WindowSignal[], persistence = EVERY_BREACH) => walk(signals, persistence).map((s) => s.state);

describe('alert state machine', () => {
  it('goes ok → firing → resolved → ok, recording each change and notifying firing and resolved', () => {
    expect(walk(['clear', 'breach', 'breach', 'clear', 'clear', 'clear'])).toEqual([
      { state: 'ok', record: false, notify: undefined },
      { state: 'firing', record: true, notify: 'state-change' },
      { state: 'firing', record: false, notify: undefined },
      { state: 'resolved', record: true, notify: 'state-change' },
      { state: 'ok', record: true, notify: undefined },
      { state: 'ok', record: false, notify: undefined },
    ]);
  });

  it('fires straight from insufficient_data and from resolved', () => {
    expect(states(['none', 'breach', 'clear', 'breach'])).toEqual([
      'insufficient_data',
      'firing',
      'resolved',
      'firing',
    ]);
  });

  it('keeps firing when the data runs out, and resolves only on evidence', () => {
    const steps = walk(['breach', 'none', 'none', 'clear']);
    expect(steps.map((s) => s.state)).toEqual(['firing', 'firing', 'firing', 'resolved']);
    expect(steps[1]).toMatchObject({ record: false, notify: undefined });
  });

  it('records insufficient_data without notifying anyone', () => {
    expect(walk(['clear', 'none', 'clear'])).toEqual([
      { state: 'ok', record: false, notify: undefined },
      { state: 'insufficient_data', record: true, notify: undefined },
      { state: 'ok', record: true, notify: undefined },
    ]);
  });

  it('re-notifies while firing once renotifyMs has passed since the last notification', () => {
    const steps = walk(['breach', 'breach', 'breach', 'breach', 'breach'], EVERY_BREACH, 120_000); // 2 min, steps 1 min apart
    expect(steps.map((s) => s.notify)).toEqual(['state-change', undefined, 'renotify', undefined, 'renotify']);
  });

  it('keeps the time of the last state change across evaluations that do not change it', () => {
    const policy: StatePolicy = { persistence: EVERY_BREACH, windowMs: 1, intervalMs: 1, renotifyMs: 0 };
    let doc = INITIAL_STATE;
    const t1 = nextState(doc, 'breach', 5n, 5n, policy);
    doc = advance(doc, t1, { windowEndNs: 5n, nowNs: 5n, eventId: 'a', summary: '', notified: true });
    const t2 = nextState(doc, 'breach', 9n, 9n, policy);
    doc = advance(doc, t2, { windowEndNs: 9n, nowNs: 9n, eventId: 'b', summary: '', notified: false });
    expect(doc).toMatchObject({
      state: 'firing',
      sinceNs: '5',
      lastWindowEndNs: '9',
      lastNotifiedNs: '5',
      lastEventId: 'a',
    });
  });
});

describe('persistence', () => {
  it('a lone breaching window does not fire; a second one within three windows does', () => {
    expect(states(['breach', 'clear', 'clear', 'breach', 'ok', 'breach'], TWO_OF_THREE)).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
      'firing',
    ]);
  });

  it('breaches further apart than the persistence span never add up', () => {
    expect(states(['breach', 'clear', 'clear', 'breach', 'clear', 'clear', 'breach'], TWO_OF_THREE)).not.toContain(
      'firing',
    );
  });

  it('a window far past the threshold fires on its own', () => {
    expect(states(['clear', 'strong'], TWO_OF_THREE)).toEqual(['ok', 'firing']);
  });

  it('says how many of the last windows breached, for the UI', () => {
    let doc = INITIAL_STATE;
    const policy: StatePolicy = { persistence: TWO_OF_THREE, windowMs: 60_000, intervalMs: 60_000, renotifyMs: 0 };
    const t = nextState(doc, 'breach', MIN, MIN, policy);
    doc = advance(doc, t, { windowEndNs: MIN, nowNs: MIN, eventId: 'x', summary: '', notified: false });
    expect(doc).toMatchObject({ state: 'ok', recentBreaches: 1, breachEnds: [String(MIN)] });
  });

  it('counts windows a window length apart: sliding 1 h windows every 5 min look back 1 h and 2 h', () => {
    const HOUR_NS = 60n * MIN;
    const ends = persistenceEnds(10n * HOUR_NS, { windowMs: 3_600_000, intervalMs: 300_000 }, 3);
    expect(ends).toEqual([10n * HOUR_NS, 9n * HOUR_NS, 8n * HOUR_NS]);
    const policy: StatePolicy = { persistence: TWO_OF_THREE, windowMs: 3_600_000, intervalMs: 300_000, renotifyMs: 0 };
    // Two breaches 5 minutes apart are two views of the same hour: not yet two windows.
    let doc = INITIAL_STATE;
    for (const end of [10n * HOUR_NS, 10n * HOUR_NS + 5n * MIN]) {
      const t = nextState(doc, 'breach', end, end, policy);
      doc = advance(doc, t, { windowEndNs: end, nowNs: end, eventId: 'x', summary: '', notified: false });
    }
    expect(doc.state).toBe('ok');
    // A breach an hour after the first one is a second window.
    const t = nextState(doc, 'breach', 11n * HOUR_NS, 11n * HOUR_NS, policy);
    expect(t.to).toBe('firing');
  });

  it('forgets breaches older than the persistence span', () => {
    let doc = INITIAL_STATE;
    const policy: StatePolicy = { persistence: TWO_OF_THREE, windowMs: 60_000, intervalMs: 60_000, renotifyMs: 0 };
    for (let i = 1; i <= 30; i += 3) {
      const end = BigInt(i) * MIN;
      const t = nextState(doc, 'breach', end, end, policy);
      doc = advance(doc, t, { windowEndNs: end, nowNs: end, eventId: 'x', summary: '', notified: false });
    }
    expect(doc.breachEnds).toEqual([String(28n * MIN)]);
  });
});

describe('hysteresis', () => {
  it('a firing rule stays firing through windows that are not clear, and through recent breaches', () => {
    // ok = no breach but close to the threshold; clear = far from it.
    expect(states(['strong', 'ok', 'ok', 'breach', 'clear', 'clear', 'clear'], TWO_OF_THREE)).toEqual([
      'firing',
      'firing',
      'firing',
      'firing',
      'firing', // the breach one window back is still in the span
      'firing', // … and two windows back
      'resolved',
    ]);
  });

  it('with every-breach persistence a clear window resolves at once', () => {
    expect(states(['breach', 'ok', 'clear'])).toEqual(['firing', 'firing', 'resolved']);
  });
});

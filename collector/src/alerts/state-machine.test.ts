import { describe, expect, it } from 'vitest';
import type { Outcome } from './evaluation.js';
import { advance, INITIAL_STATE, nextState, type RuleStateDoc } from './state-machine.js';

const MIN = 60_000_000_000n;

/** Runs a sequence of outcomes one minute apart and returns the state after each and what was notified. */
function walk(outcomes: Outcome[], renotifyMs = 0) {
  let doc: RuleStateDoc = INITIAL_STATE;
  return outcomes.map((outcome, i) => {
    const now = BigInt(i + 1) * MIN;
    const t = nextState(doc, outcome, now, renotifyMs);
    doc = advance(doc, t, {
      windowEndNs: now,
      nowNs: now,
      eventId: `r:${now}`,
      summary: outcome,
      notified: t.notify !== undefined,
    });
    return { state: doc.state, record: t.record, notify: t.notify };
  });
}

describe('alert state machine', () => {
  it('goes ok → firing → resolved → ok, recording each change and notifying firing and resolved', () => {
    expect(walk(['ok', 'breach', 'breach', 'ok', 'ok', 'ok'])).toEqual([
      { state: 'ok', record: false, notify: undefined },
      { state: 'firing', record: true, notify: 'state-change' },
      { state: 'firing', record: false, notify: undefined },
      { state: 'resolved', record: true, notify: 'state-change' },
      { state: 'ok', record: true, notify: undefined },
      { state: 'ok', record: false, notify: undefined },
    ]);
  });

  it('fires straight from insufficient_data and from resolved', () => {
    const states = walk(['insufficient_data', 'breach', 'ok', 'breach']).map((s) => s.state);
    expect(states).toEqual(['insufficient_data', 'firing', 'resolved', 'firing']);
  });

  it('keeps firing when the data runs out, and resolves only on evidence', () => {
    const steps = walk(['breach', 'insufficient_data', 'insufficient_data', 'ok']);
    expect(steps.map((s) => s.state)).toEqual(['firing', 'firing', 'firing', 'resolved']);
    expect(steps[1]).toMatchObject({ record: false, notify: undefined });
  });

  it('records insufficient_data without notifying anyone', () => {
    expect(walk(['ok', 'insufficient_data', 'ok'])).toEqual([
      { state: 'ok', record: false, notify: undefined },
      { state: 'insufficient_data', record: true, notify: undefined },
      { state: 'ok', record: true, notify: undefined },
    ]);
  });

  it('re-notifies while firing once renotifyMs has passed since the last notification', () => {
    const steps = walk(['breach', 'breach', 'breach', 'breach', 'breach'], 120_000); // 2 min, steps 1 min apart
    expect(steps.map((s) => s.notify)).toEqual(['state-change', undefined, 'renotify', undefined, 'renotify']);
  });

  it('keeps the time of the last state change across evaluations that do not change it', () => {
    let doc = INITIAL_STATE;
    const t1 = nextState(doc, 'breach', 5n, 0);
    doc = advance(doc, t1, { windowEndNs: 5n, nowNs: 5n, eventId: 'a', summary: '', notified: true });
    const t2 = nextState(doc, 'breach', 9n, 0);
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

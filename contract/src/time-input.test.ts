import { describe, expect, it } from 'vitest';
import { parseTimeInput } from './time-input.js';

const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);
const ms = (v: unknown) => {
  const r = parseTimeInput(v, NOW);
  return r.ok ? r.ms : r.message;
};

describe('parseTimeInput', () => {
  it('reads ISO dates and date-times, without an offset as UTC', () => {
    expect(ms('2026-03-02')).toBe(Date.UTC(2026, 2, 2));
    expect(ms('2026-03-02T14:00')).toBe(Date.UTC(2026, 2, 2, 14));
    expect(ms('2026-03-02 14:00:30')).toBe(Date.UTC(2026, 2, 2, 14, 0, 30));
    expect(ms('2026-03-02T14:00:00.250Z')).toBe(Date.UTC(2026, 2, 2, 14, 0, 0, 250));
    expect(ms('2026-03-02T14:00+01:00')).toBe(Date.UTC(2026, 2, 2, 13));
    expect(ms('2026-03-02T14:00-0230')).toBe(Date.UTC(2026, 2, 2, 16, 30));
  });

  it('reads now and times relative to it', () => {
    expect(ms('now')).toBe(NOW);
    expect(ms(' NOW ')).toBe(NOW);
    expect(ms('7d ago')).toBe(NOW - 7 * 86_400_000);
    expect(ms('7 days ago')).toBe(NOW - 7 * 86_400_000);
    expect(ms('last 7 days')).toBe(NOW - 7 * 86_400_000);
    expect(ms('now-36h')).toBe(NOW - 36 * 3_600_000);
    expect(ms('now - 15 min')).toBe(NOW - 15 * 60_000);
    expect(ms('-2w')).toBe(NOW - 14 * 86_400_000);
    expect(ms('last 1 hour')).toBe(NOW - 3_600_000);
  });

  it('still takes epoch milliseconds', () => {
    expect(ms(1_772_409_600_000)).toBe(1_772_409_600_000);
    expect(ms('1772409600000')).toBe(1_772_409_600_000);
  });

  it('says what to type instead of guessing', () => {
    for (const bad of [
      'yesterday',
      '2026-02-31',
      '2026-13-01',
      '7 fortnights ago',
      '',
      '2026/03/02',
      -5,
      1.5,
      null,
      {},
    ]) {
      expect(ms(bad), JSON.stringify(bad)).toMatch(/is not a date: use ISO 8601/);
    }
  });
});

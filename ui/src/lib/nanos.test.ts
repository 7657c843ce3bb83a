import { describe, expect, it } from 'vitest';
import {
  durationNs,
  formatDuration,
  formatOffset,
  formatTimestamp,
  formatTimestampExact,
  formatTimestampParts,
  parseNanos,
} from './nanos';

describe('parseNanos', () => {
  it('keeps every digit of a 19-digit epoch time', () => {
    const ns = parseNanos('1763743387123456789');
    expect(ns).toBe(1763743387123456789n);
    // A float would round this to ...123456768; the difference must survive arithmetic.
    expect(ns - parseNanos('1763743387123456788')).toBe(1n);
  });

  it('rejects anything that is not a decimal string', () => {
    expect(() => parseNanos('-5')).toThrow();
    expect(() => parseNanos('1e9')).toThrow();
    expect(() => parseNanos('')).toThrow();
  });
});

describe('durationNs', () => {
  it('clamps a clock-skewed span to zero', () => {
    expect(durationNs(10n, 5n)).toBe(0n);
    expect(durationNs(5n, 10n)).toBe(5n);
  });
});

describe('formatDuration', () => {
  it.each([
    [0n, '0 ns'],
    [850n, '850 ns'],
    [1_234n, '1.23 µs'],
    [12_345n, '12.3 µs'],
    [4_560_000n, '4.56 ms'],
    [999_940_000n, '999.9 ms'],
    [1_234_567_890n, '1.235 s'],
    [123_000_000_000n, '2m 03s'],
    [3_720_000_000_000n, '1h 02m'],
    [-2_000_000n, '-2.00 ms'],
  ])('%s ns → %s', (ns, text) => {
    expect(formatDuration(ns)).toBe(text);
  });
});

describe('formatOffset', () => {
  it('signs positive and negative offsets', () => {
    expect(formatOffset(12_300_000n)).toBe('+12.3 ms');
    expect(formatOffset(-500n)).toBe('-500 ns');
  });
});

describe('timestamps', () => {
  const ns = 1763743387123456789n;

  it('formats a table timestamp in UTC to the millisecond', () => {
    expect(formatTimestamp(ns)).toBe('2025-11-21 16:43:07.123');
  });

  it('formats the exact value with all nine fractional digits', () => {
    expect(formatTimestampExact(ns)).toBe('2025-11-21T16:43:07.123456789Z');
    expect(formatTimestampExact(1_000_000_000n)).toBe('1970-01-01T00:00:01.000000000Z');
  });

  it('splits a table timestamp into date and time of day', () => {
    expect(formatTimestampParts(ns)).toEqual({ date: '2025-11-21', time: '16:43:07.123' });
  });

  it('shows a dash for a missing time', () => {
    expect(formatTimestamp(0n)).toBe('—');
    expect(formatTimestampParts(0n)).toEqual({ date: '—', time: '—' });
  });
});

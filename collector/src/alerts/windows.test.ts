import { describe, expect, it } from 'vitest';
import type { VersionSeen } from '../store/metrics.js';
import { parseRuleInput } from './rule-model.js';
import { currentWindow, formatDuration, MS, resolveWindows, windowEndAt } from './windows.js';

const HOUR = 3_600_000;
const rule = (reference: unknown, extra: Record<string, unknown> = {}) => ({
  ...parseRuleInput({
    kind: 'drift',
    name: 'r',
    metrics: ['latency_ms'],
    windowMs: HOUR,
    intervalMs: 15 * 60_000,
    reference,
    ...extra,
  }),
  id: 'r1',
  createdNs: '0',
  updatedNs: '0',
});
const versions = (list: VersionSeen[]) => ({ listVersions: async () => list });

describe('evaluation windows', () => {
  it('ends windows on multiples of the interval, whatever the current time', () => {
    const interval = 15 * 60_000;
    const t = BigInt(Date.UTC(2026, 0, 1, 10, 7, 30)) * MS;
    expect(windowEndAt(t, interval)).toBe(BigInt(Date.UTC(2026, 0, 1, 10, 0)) * MS);
    const exact = BigInt(Date.UTC(2026, 0, 1, 10, 15)) * MS;
    expect(windowEndAt(exact, interval)).toBe(exact);
    expect(windowEndAt(exact - 1n, interval)).toBe(BigInt(Date.UTC(2026, 0, 1, 10, 0)) * MS);
  });

  it('makes the current window [end − windowMs, end)', () => {
    expect(currentWindow(10n * BigInt(HOUR) * MS, HOUR)).toEqual({
      fromNs: 9n * BigInt(HOUR) * MS,
      toNs: 10n * BigInt(HOUR) * MS,
    });
  });

  it('places a previous-window reference right before the current one, with its own length', async () => {
    const end = 100n * BigInt(HOUR) * MS;
    const same = await resolveWindows(versions([]), 'p', rule({ type: 'previous-window' }), end);
    expect(same.ok && same.reference).toMatchObject({
      fromNs: end - 2n * BigInt(HOUR) * MS,
      toNs: end - BigInt(HOUR) * MS,
    });
    const day = await resolveWindows(versions([]), 'p', rule({ type: 'previous-window', windowMs: 24 * HOUR }), end);
    expect(day.reference).toMatchObject({
      fromNs: end - 25n * BigInt(HOUR) * MS,
      toNs: end - BigInt(HOUR) * MS,
      label: 'previous 1d',
    });
  });

  it('uses a fixed baseline as given', async () => {
    const w = await resolveWindows(
      versions([]),
      'p',
      rule({ type: 'baseline', fromMs: 1_000, toMs: 5_000 }),
      10n ** 18n,
    );
    expect(w.reference).toMatchObject({ fromNs: 1_000n * MS, toNs: 5_000n * MS });
  });

  it('compares the latest version in the window with every run of the version before it', async () => {
    const end = 1_000n * BigInt(HOUR) * MS;
    const seen: VersionSeen[] = [
      { value: 'v11', firstNs: 1n, lastNs: 50n, runs: 10 },
      { value: 'v12', firstNs: 60n, lastNs: 900n, runs: 500 },
      { value: 'v13', firstNs: 901n, lastNs: end - 5n, runs: 80 },
      { value: 'v14', firstNs: end + 1n, lastNs: end + 9n, runs: 1 }, // after the window: ignored
    ];
    const w = await resolveWindows(versions(seen), 'p', rule({ type: 'previous-version', dimension: 'prompt' }), end);
    expect(w.ok).toBe(true);
    expect(w.current).toMatchObject({ version: { dimension: 'prompt', value: 'v13' }, toNs: end });
    expect(w.reference).toMatchObject({ fromNs: 60n, toNs: end, version: { dimension: 'prompt', value: 'v12' } });
  });

  it('says why when there is no previous version', async () => {
    const w = await resolveWindows(
      versions([{ value: 'v1', firstNs: 1n, lastNs: 2n, runs: 3 }]),
      'p',
      rule({ type: 'previous-version', dimension: 'model' }),
      10n,
    );
    expect(w.ok).toBe(false);
    if (!w.ok) expect(w.reason).toMatch(/only one model version \(v1\)/);
  });

  it('formats durations for labels', () => {
    expect([formatDuration(60_000), formatDuration(HOUR), formatDuration(26 * HOUR), formatDuration(90_000)]).toEqual([
      '1m',
      '1h',
      '1d 2h',
      '1m 30s',
    ]);
  });
});

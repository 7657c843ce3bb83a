import { describe, expect, it } from 'vitest';
import {
  compareQuery,
  driftStateHref,
  formatReference,
  parseDriftState,
  parseReference,
  pickBucketMs,
  selectBucket,
  seriesQuery,
  shippedState,
} from './drift-url';

const NOW = 1_763_700_000_000;

describe('drift URL state', () => {
  it('defaults to tool_mix over the last 24 hours against the previous window', () => {
    const s = parseDriftState(new URLSearchParams(''), NOW);
    expect(s).toMatchObject({ agent: '', metric: 'tool_mix', tool: '', toMs: NOW, fromMs: NOW - 86_400_000 });
    expect(s.reference).toEqual({ type: 'previous-window' });
    expect(s.endMs).toBe(NOW);
    expect(s.windowMs).toBe(pickBucketMs(s.fromMs, s.toMs));
  });

  it('reads links written with epoch milliseconds, and round-trips every field', () => {
    const s = parseDriftState(
      new URLSearchParams(
        'agent=support&metric=latency_ms&tool=send_email&from=1000000&to=5000000&reference=baseline:100-900&window=60000&end=4000000',
      ),
      NOW,
    );
    expect(s).toEqual({
      agent: 'support',
      metric: 'latency_ms',
      tool: 'send_email',
      fromMs: 1_000_000,
      toMs: 5_000_000,
      reference: { type: 'baseline', fromMs: 100, toMs: 900 },
      windowMs: 60_000,
      endMs: 4_000_000,
    });
    const href = driftStateHref('p1', s);
    expect(href.startsWith('/drift?project=p1&')).toBe(true);
    expect(parseDriftState(new URL(href, 'http://x').searchParams, NOW)).toEqual(s);
  });

  it('writes instants as ISO dates and windows as durations, and reads them back', () => {
    const day = Date.UTC(2026, 2, 2);
    const s = parseDriftState(new URLSearchParams(''), NOW);
    const dated = {
      ...s,
      fromMs: day,
      toMs: day + 86_400_000,
      reference: { type: 'baseline' as const, fromMs: day - 7 * 86_400_000, toMs: day },
      windowMs: 3_600_000,
      endMs: day + 14 * 3_600_000 + 30_000,
    };
    const url = new URL(driftStateHref('p', dated), 'http://x');
    expect(url.searchParams.get('from')).toBe('2026-03-02T00:00Z');
    expect(url.searchParams.get('to')).toBe('2026-03-03T00:00Z');
    expect(url.searchParams.get('reference')).toBe('baseline:2026-02-23T00:00Z/2026-03-02T00:00Z');
    expect(url.searchParams.get('window')).toBe('1h');
    expect(url.searchParams.get('end')).toBe('2026-03-02T14:00:30Z');
    expect(url.search).not.toMatch(/\d{12}/);
    expect(parseDriftState(url.searchParams, NOW)).toEqual(dated);
  });

  it('takes dates as people type them: no zone = UTC, offsets, relative to now', () => {
    const s = parseDriftState(
      new URLSearchParams('from=7d ago&to=now&reference=baseline:2026-03-02/2026-03-09T12:00+01:00&window=90m&end=-1h'),
      NOW,
    );
    expect(s.fromMs).toBe(NOW - 7 * 86_400_000);
    expect(s.toMs).toBe(NOW);
    expect(s.endMs).toBe(NOW - 3_600_000);
    expect(s.windowMs).toBe(90 * 60_000);
    expect(s.reference).toEqual({ type: 'baseline', fromMs: Date.UTC(2026, 2, 2), toMs: Date.UTC(2026, 2, 9, 11) });
    expect(parseReference('baseline:14d ago/last 7 days', NOW)).toEqual({
      type: 'baseline',
      fromMs: NOW - 14 * 86_400_000,
      toMs: NOW - 7 * 86_400_000,
    });
    // A date that does not exist, or a baseline that ends before it starts, is not a baseline.
    expect(parseReference('baseline:2026-02-31/2026-03-09', NOW)).toEqual({ type: 'previous-window' });
    expect(parseReference('baseline:2026-03-09/2026-03-02', NOW)).toEqual({ type: 'previous-window' });
  });

  it('drops a tool for metrics without a tool scope and ignores malformed values', () => {
    const s = parseDriftState(
      new URLSearchParams('metric=tool_mix&tool=x&from=abc&to=-5&reference=baseline:9-3&window=10'),
      NOW,
    );
    expect(s.tool).toBe('');
    expect(s.toMs).toBe(NOW);
    expect(s.reference).toEqual({ type: 'previous-window' });
    expect(s.windowMs).toBe(60_000);
    expect(parseDriftState(new URLSearchParams('metric=<script>'), NOW).metric).toBe('tool_mix');
  });

  it('parses the three reference kinds the compare API takes', () => {
    expect(parseReference('previous-version:policy')).toEqual({ type: 'previous-version', dimension: 'policy' });
    expect(parseReference('previous-version:secret')).toEqual({ type: 'previous-window' });
    expect(parseReference('baseline:1-2')).toEqual({ type: 'baseline', fromMs: 1, toMs: 2 });
    // A rule's reference window of its own length, as alert links carry it.
    expect(parseReference('previous-window:2h')).toEqual({ type: 'previous-window', windowMs: 7_200_000 });
    expect(parseReference('previous-window:7200000')).toEqual({ type: 'previous-window', windowMs: 7_200_000 });
    expect(parseReference('previous-window:soon')).toEqual({ type: 'previous-window' });
    expect(formatReference({ type: 'previous-window', windowMs: 5_400_000 })).toBe('previous-window:90m');
  });

  it('builds the series and compare queries with a round bucket', () => {
    const s = parseDriftState(new URLSearchParams('agent=a&metric=error_rate&tool=t&from=0&to=3600000'), NOW);
    expect(Object.fromEntries(seriesQuery('p', s))).toEqual({
      project: 'p',
      metric: 'error_rate',
      agent: 'a',
      tool: 't',
      from: '0',
      to: '3600000',
      bucket: '60000',
    });
    expect(Object.fromEntries(compareQuery('', s))).toEqual({
      metric: 'error_rate',
      agent: 'a',
      tool: 't',
      reference: 'previous-window',
      window: '60000',
      end: '3600000',
    });
  });

  it('keeps charts at about 60 buckets or fewer', () => {
    expect(pickBucketMs(0, 3_600_000)).toBe(60_000);
    expect(pickBucketMs(0, 86_400_000)).toBe(1_800_000);
    expect((86_400_000 * 30) / pickBucketMs(0, 86_400_000 * 30)).toBeLessThanOrEqual(60);
  });

  it('makes a clicked bucket the current window', () => {
    const s = parseDriftState(new URLSearchParams('from=0&to=3600000'), NOW);
    const next = selectBucket(s, 600_000, 60_000);
    expect(next.endMs).toBe(660_000);
    expect(next.windowMs).toBe(60_000);
    expect(next.fromMs).toBe(0);
  });
});

describe('what changed when a version shipped', () => {
  it('compares with the previous version over the time since the latest one was first seen', () => {
    const s = parseDriftState(new URLSearchParams('from=0&to=7200000&end=600000&window=60000'), NOW);
    const next = shippedState(s, 'prompt', 3_600_000);
    expect(next.reference).toEqual({ type: 'previous-version', dimension: 'prompt' });
    expect(next.endMs).toBe(7_200_000);
    expect(next.windowMs).toBe(3_600_000);
    expect(shippedState(s, 'model', 7_199_999).windowMs).toBe(60_000);
  });
});

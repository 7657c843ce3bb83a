import { describe, expect, it } from 'vitest';
import { toRunSummary } from '../lib/model';
import { runSummary } from '../test/fixtures';
import { DEFAULT_SORT, formatSort, nextSort, parseSort, sortRuns } from './run-sort';

const run = (traceId: string, startMs: number, durationMs: number, tokens: number, worst = '', findings = 0) =>
  toRunSummary(
    runSummary({
      traceId,
      startNs: String(BigInt(startMs) * 1_000_000n),
      endNs: String(BigInt(startMs + durationMs) * 1_000_000n),
      inputTokens: tokens,
      outputTokens: 0,
      worstSeverity: worst as never,
      findingCount: findings,
    }),
  );

// Newest first, as the server lists them.
const runs = [run('c', 3000, 10, 500), run('b', 2000, 900, 50, 'critical', 1), run('a', 1000, 90, 5000, 'low')];
const ids = (list: { traceId: string }[]) => list.map((r) => r.traceId);

describe('sortRuns', () => {
  it('keeps the server order by default and sorts by duration, tokens or worst finding on request', () => {
    expect(ids(sortRuns(runs, DEFAULT_SORT))).toEqual(['c', 'b', 'a']);
    expect(ids(sortRuns(runs, { key: 'duration', descending: true }))).toEqual(['b', 'a', 'c']);
    expect(ids(sortRuns(runs, { key: 'tokens', descending: true }))).toEqual(['a', 'c', 'b']);
    expect(ids(sortRuns(runs, { key: 'severity', descending: true }))).toEqual(['b', 'a', 'c']);
    expect(ids(sortRuns(runs, { key: 'start', descending: false }))).toEqual(['a', 'b', 'c']);
  });

  it('reads and writes the sort in the URL, ignoring values it does not know', () => {
    expect(parseSort('-duration')).toEqual({ key: 'duration', descending: true });
    expect(parseSort('tokens')).toEqual({ key: 'tokens', descending: false });
    expect(parseSort('-__proto__')).toEqual(DEFAULT_SORT);
    expect(formatSort(DEFAULT_SORT)).toBeNull();
    expect(formatSort(nextSort(DEFAULT_SORT, 'severity'))).toBe('-severity');
    expect(formatSort(nextSort({ key: 'severity', descending: true }, 'severity'))).toBe('severity');
  });
});

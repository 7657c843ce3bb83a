import { describe, expect, it } from 'vitest';
import { DEFAULT_SORT, formatSort, nextSort, parseSort } from './run-sort';

describe('run sort', () => {
  it('reads and writes the sort in the URL, ignoring values it does not know', () => {
    expect(parseSort('-duration')).toEqual({ key: 'duration', descending: true });
    expect(parseSort('tokens')).toEqual({ key: 'tokens', descending: false });
    expect(parseSort('-__proto__')).toEqual(DEFAULT_SORT);
    expect(parseSort(null)).toEqual(DEFAULT_SORT);
    expect(formatSort(DEFAULT_SORT)).toBeNull();
    expect(formatSort({ key: 'start', descending: false })).toBe('start');
    expect(formatSort(nextSort(DEFAULT_SORT, 'severity'))).toBe('-severity');
    expect(formatSort(nextSort({ key: 'severity', descending: true }, 'severity'))).toBe('severity');
  });
});

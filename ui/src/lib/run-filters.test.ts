import { describe, expect, it } from 'vitest';
import {
  dateInputToIso,
  EMPTY_FILTERS,
  filtersFromSearch,
  filtersToSearch,
  isoToDateInput,
  presetRange,
  runsApiQuery,
  runsCountApiQuery,
} from './run-filters';

describe('filters in the URL', () => {
  it('round-trips every filter through the query string', () => {
    const filters = {
      ...EMPTY_FILTERS,
      from: '2026-11-20T00:00:00.000Z',
      agent: 'billing-agent',
      status: 'error',
      tool: 'send_email',
      promptVersion: 'p-7',
      policyVersion: 'pol-2',
      model: 'gpt-4.1-2025-04-14',
      documentId: 'doc:42',
      approvalId: 'apr-1',
      q: 'refund & "wire"',
      hasFindings: 'true',
    };
    const search = filtersToSearch('acme', filters);
    expect(search.get('project')).toBe('acme');
    expect(filtersFromSearch(new URLSearchParams(search.toString()))).toEqual(filters);
  });

  it('omits empty filters so links stay short', () => {
    expect(filtersToSearch('acme', { ...EMPTY_FILTERS, agent: 'a' }).toString()).toBe('project=acme&agent=a');
  });

  it('drops values a crafted link could use to break the query', () => {
    const f = filtersFromSearch(new URLSearchParams('status=pending&from=yesterday&to=2026-13-45T00:00&agent=x'));
    expect(f.status).toBe('');
    expect(f.from).toBe('');
    expect(f.to).toBe('');
    expect(f.agent).toBe('x');
    expect(filtersFromSearch(new URLSearchParams({ q: 'x'.repeat(501) })).q).toBe('');
    expect(filtersFromSearch(new URLSearchParams('hasFindings=yes')).hasFindings).toBe('');
    expect(filtersFromSearch(new URLSearchParams('hasFindings=false')).hasFindings).toBe('false');
  });

  it('keeps a pasted pseudonym token exactly as typed', () => {
    const search = filtersToSearch('acme', { ...EMPTY_FILTERS, q: '[email:7f3a9c12]' });
    expect(search.toString()).toBe('project=acme&q=%5Bemail%3A7f3a9c12%5D');
    expect(filtersFromSearch(new URLSearchParams(search.toString())).q).toBe('[email:7f3a9c12]');
  });
});

describe('runsApiQuery', () => {
  it('adds the page size and the cursor and the order when there is one; the total is a query of its own', () => {
    const q = runsApiQuery('acme', { ...EMPTY_FILTERS, status: 'ok' }, 50, 'abc==');
    expect(Object.fromEntries(q)).toEqual({ project: 'acme', status: 'ok', limit: '50', cursor: 'abc==' });
    const first = runsApiQuery('acme', EMPTY_FILTERS, 50, undefined, '-duration');
    expect(Object.fromEntries(first)).toEqual({ project: 'acme', limit: '50', sort: '-duration' });
    const count = runsCountApiQuery('acme', { ...EMPTY_FILTERS, status: 'ok' });
    expect(Object.fromEntries(count)).toEqual({ project: 'acme', status: 'ok', limit: '1', count: 'true' });
  });
});

describe('date inputs', () => {
  it('reads a datetime-local value as UTC and writes it back', () => {
    expect(dateInputToIso('2026-11-21T16:43')).toBe('2026-11-21T16:43:00.000Z');
    expect(isoToDateInput('2026-11-21T16:43:59.999Z')).toBe('2026-11-21T16:43');
    expect(dateInputToIso('')).toBe('');
    expect(dateInputToIso('not a date')).toBe('');
  });

  it('builds a preset range that ends now', () => {
    const now = Date.parse('2026-11-21T12:00:00Z');
    expect(presetRange('24h', now)).toEqual({ from: '2026-11-20T12:00:00.000Z', to: '' });
  });
});

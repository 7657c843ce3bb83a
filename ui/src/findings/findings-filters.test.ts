import { describe, expect, it } from 'vitest';
import { findingsHref, findingsSettingsHref, matchRoute } from '../lib/routes';
import {
  EMPTY_FINDING_FILTERS,
  findingFiltersFromSearch,
  findingFiltersToSearch,
  findingsApiQuery,
  hasFindingFilters,
  pageSize,
  withFilter,
} from './findings-filters';

const RUN = '0af7651916cd43dd8448eb211c80319c';

describe('findings filters', () => {
  it('reads valid filters from the URL and drops crafted ones', () => {
    const f = findingFiltersFromSearch(
      new URLSearchParams({
        severity: 'critical',
        status: 'nope',
        run: RUN.toUpperCase(),
        from: 'yesterday',
        rule: ' approval.hash_mismatch ',
      }),
    );
    expect(f).toEqual({ ...EMPTY_FINDING_FILTERS, severity: 'critical', run: RUN, rule: 'approval.hash_mismatch' });
  });

  it('writes the page URL with the project first and maps run to the API traceId', () => {
    const f = { ...EMPTY_FINDING_FILTERS, rule: 'outbound.data_url', run: RUN, from: '2026-11-21T10:00:00.000Z' };
    expect(findingFiltersToSearch('p1', f).toString()).toBe(
      `project=p1&rule=outbound.data_url&run=${RUN}&from=2026-11-21T10%3A00%3A00.000Z`,
    );
    const api = findingsApiQuery('p1', f, 50, 'c1');
    expect(api.get('traceId')).toBe(RUN);
    expect(api.get('run')).toBeNull();
    expect(api.get('limit')).toBe('50');
    expect(api.get('cursor')).toBe('c1');
  });

  it('keeps a known page size in the link but never sends it as a filter', () => {
    const f = findingFiltersFromSearch(new URLSearchParams({ limit: '10', rule: 'x.y' }));
    expect(pageSize(f)).toBe(10);
    expect(findingFiltersToSearch('', f).get('limit')).toBe('10');
    expect(findingsApiQuery('', f, pageSize(f)).toString()).toBe('rule=x.y&limit=10');
    expect(hasFindingFilters({ ...EMPTY_FINDING_FILTERS, limit: '10' })).toBe(false);
    expect(pageSize(findingFiltersFromSearch(new URLSearchParams({ limit: '9999' })))).toBe(50);
  });

  it('toggles one filter from a clicked value', () => {
    const f = withFilter(EMPTY_FINDING_FILTERS, 'tool', 'send_email');
    expect(f.tool).toBe('send_email');
    expect(withFilter(f, 'tool', 'send_email').tool).toBe('');
  });
});

describe('findings routes', () => {
  it('matches the findings page and its settings and builds links that stay in the app', () => {
    expect(matchRoute('/findings')).toEqual({ name: 'findings' });
    expect(matchRoute('/findings/settings/')).toEqual({ name: 'findings-settings' });
    expect(findingsHref(new URLSearchParams())).toBe('/findings');
    const href = findingsSettingsHref('p1', { rule: 'outbound.sensitive_data', tool: '//evil.example' });
    expect(href).toBe('/findings/settings?project=p1&muteRule=outbound.sensitive_data&muteTool=%2F%2Fevil.example');
    expect(new URL(href, 'http://app.local').host).toBe('app.local');
  });
});

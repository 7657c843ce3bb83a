import { describe, expect, it } from 'vitest';
import { compareHref, matchRoute, overviewHref, runHref, runsFilteredHref, searchHref } from './routes';

describe('matchRoute', () => {
  it('matches the runs list and a run page', () => {
    expect(matchRoute('/')).toEqual({ name: 'home' });
    expect(matchRoute('/runs')).toEqual({ name: 'runs' });
    expect(matchRoute('/runs/')).toEqual({ name: 'runs' });
    expect(matchRoute('/runs/0af7651916cd43dd8448eb211c80319c')).toEqual({
      name: 'run',
      traceId: '0af7651916cd43dd8448eb211c80319c',
    });
  });

  it('does not crash on a malformed escape in the path', () => {
    expect(matchRoute('/runs/%E0%A4%A')).toEqual({ name: 'not-found', pathname: '/runs/%E0%A4%A' });
    expect(matchRoute('/runs/a/b').name).toBe('not-found');
  });
});

describe('links', () => {
  it('round-trips a trace ID with unusual characters through a run link', () => {
    const href = runHref('p1', 'a/b?c', 'b7ad6b7169203331');
    expect(href).toBe('/runs/a%2Fb%3Fc?project=p1&step=b7ad6b7169203331');
    const url = new URL(href, 'http://x');
    expect(matchRoute(url.pathname)).toEqual({ name: 'run', traceId: 'a/b?c' });
    expect(url.searchParams.get('step')).toBe('b7ad6b7169203331');
  });

  it('builds a filtered runs link that cannot escape the app', () => {
    const href = runsFilteredHref('p1', 'documentId', '//evil.example/x');
    expect(href.startsWith('/runs?')).toBe(true);
    expect(new URL(href, 'http://app.local').host).toBe('app.local');
    expect(new URL(href, 'http://app.local').searchParams.get('documentId')).toBe('//evil.example/x');
  });
});

describe('compare, search and overview routes', () => {
  it('matches the new pages and builds their links', () => {
    expect(matchRoute('/compare').name).toBe('compare');
    expect(matchRoute('/search/').name).toBe('search');
    expect(matchRoute('/overview').name).toBe('overview');
    expect(compareHref('p1', 'aa', 'bb')).toBe('/compare?project=p1&a=aa&b=bb');
    expect(compareHref('', 'a&b=c', '')).toBe('/compare?a=a%26b%3Dc');
    expect(overviewHref(new URLSearchParams({ range: '7d' }))).toBe('/overview?range=7d');
  });

  it('keeps a search query, pseudonym tokens included, in the search link', () => {
    expect(searchHref(new URLSearchParams())).toBe('/search');
    const href = searchHref(new URLSearchParams({ project: 'p1', q: '[email:7f3a9c12]', hasFindings: 'true' }));
    const url = new URL(href, 'http://app.local');
    expect(matchRoute(url.pathname).name).toBe('search');
    expect(url.searchParams.get('q')).toBe('[email:7f3a9c12]');
    expect(url.searchParams.get('hasFindings')).toBe('true');
  });
});

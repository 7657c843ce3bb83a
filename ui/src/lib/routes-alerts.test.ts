import { describe, expect, it } from 'vitest';
import { alertRuleHref, alertsHref, driftHref, matchRoute } from './routes';

describe('drift and alert routes', () => {
  it('matches the drift page, the rules list and one rule', () => {
    expect(matchRoute('/drift')).toEqual({ name: 'drift' });
    expect(matchRoute('/alerts/')).toEqual({ name: 'alerts' });
    expect(matchRoute('/alerts/r%2F1')).toEqual({ name: 'alert', id: 'r/1' });
    expect(matchRoute('/alerts/%E0%A4%A').name).toBe('not-found');
    expect(matchRoute('/alerts/a/b').name).toBe('not-found');
  });

  it('builds links that stay inside the app and keep the project', () => {
    expect(alertsHref('p1')).toBe('/alerts?project=p1');
    expect(alertsHref('')).toBe('/alerts');
    const href = alertRuleHref('p1', '//evil.example');
    expect(href).toBe('/alerts/%2F%2Fevil.example?project=p1');
    expect(matchRoute(new URL(href, 'http://app.local').pathname)).toEqual({ name: 'alert', id: '//evil.example' });
    expect(driftHref(new URLSearchParams({ agent: 'a b' }))).toBe('/drift?agent=a+b');
  });
});

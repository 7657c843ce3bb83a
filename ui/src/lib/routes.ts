/** The app's routes and the links it builds. Only these functions produce hrefs. */

export type Route =
  | { name: 'home' }
  | { name: 'runs' }
  | { name: 'run'; traceId: string }
  | { name: 'compare' }
  | { name: 'search' }
  | { name: 'overview' }
  | { name: 'findings' }
  | { name: 'findings-settings' }
  | { name: 'drift' }
  | { name: 'alerts' }
  | { name: 'alert'; id: string }
  | { name: 'cases' }
  | { name: 'case'; id: string }
  | { name: 'admin' }
  | { name: 'not-found'; pathname: string };

export function matchRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (path === '/' || path === '') return { name: 'home' };
  if (path === '/runs') return { name: 'runs' };
  if (path === '/compare') return { name: 'compare' };
  if (path === '/search') return { name: 'search' };
  if (path === '/overview') return { name: 'overview' };
  if (path === '/findings') return { name: 'findings' };
  if (path === '/findings/settings') return { name: 'findings-settings' };
  if (path === '/drift') return { name: 'drift' };
  if (path === '/alerts') return { name: 'alerts' };
  if (path === '/cases') return { name: 'cases' };
  if (path === '/admin') return { name: 'admin' };
  const kase = /^\/cases\/([^/]+)$/.exec(path);
  if (kase) {
    try {
      return { name: 'case', id: decodeURIComponent(kase[1] as string) };
    } catch {
      return { name: 'not-found', pathname };
    }
  }
  const alert = /^\/alerts\/([^/]+)$/.exec(path);
  if (alert) {
    try {
      return { name: 'alert', id: decodeURIComponent(alert[1]!) };
    } catch {
      return { name: 'not-found', pathname };
    }
  }
  const run = /^\/runs\/([^/]+)$/.exec(path);
  if (run) {
    try {
      return { name: 'run', traceId: decodeURIComponent(run[1]!) };
    } catch {
      return { name: 'not-found', pathname };
    }
  }
  return { name: 'not-found', pathname };
}

export function runsHref(search: URLSearchParams): string {
  const query = search.toString();
  return query === '' ? '/runs' : `/runs?${query}`;
}

export function searchHref(search: URLSearchParams): string {
  const query = search.toString();
  return query === '' ? '/search' : `/search?${query}`;
}

export function runHref(project: string, traceId: string, spanId?: string): string {
  const params = new URLSearchParams();
  if (project !== '') params.set('project', project);
  if (spanId !== undefined && spanId !== '') params.set('step', spanId);
  const query = params.toString();
  return `/runs/${encodeURIComponent(traceId)}${query === '' ? '' : `?${query}`}`;
}

/** A runs-list link filtered on one field, e.g. every run that read a document. */
export function runsFilteredHref(project: string, key: string, value: string): string {
  const params = new URLSearchParams();
  if (project !== '') params.set('project', project);
  params.set(key, value);
  return runsHref(params);
}

/** Two runs side by side; `b` may be empty (the page then offers runs of the same agent). */
export function compareHref(project: string, a: string, b: string): string {
  const params = new URLSearchParams();
  if (project !== '') params.set('project', project);
  params.set('a', a);
  if (b !== '') params.set('b', b);
  return `/compare?${params}`;
}

export function overviewHref(search: URLSearchParams): string {
  const query = search.toString();
  return query === '' ? '/overview' : `/overview?${query}`;
}

/** The findings list; `search` holds the project and the filters (see findings/findings-filters). */
export function findingsHref(search: URLSearchParams): string {
  const query = search.toString();
  return query === '' ? '/findings' : `/findings?${query}`;
}

/** Detection settings (mutes, rules, thresholds) and their audit log; `mute` pre-fills a new mute. */
export function findingsSettingsHref(project: string, mute?: { rule: string; tool?: string; agent?: string }): string {
  const params = new URLSearchParams();
  if (project !== '') params.set('project', project);
  if (mute !== undefined) {
    params.set('muteRule', mute.rule);
    if (mute.tool !== undefined && mute.tool !== '') params.set('muteTool', mute.tool);
    if (mute.agent !== undefined && mute.agent !== '') params.set('muteAgent', mute.agent);
  }
  const query = params.toString();
  return query === '' ? '/findings/settings' : `/findings/settings?${query}`;
}

export function driftHref(search: URLSearchParams): string {
  const query = search.toString();
  return query === '' ? '/drift' : `/drift?${query}`;
}

export function alertsHref(project: string): string {
  return project === '' ? '/alerts' : `/alerts?${new URLSearchParams({ project })}`;
}

/** One rule's page (edit, evaluate, history); `id` = 'new' opens the create form. */
export function alertRuleHref(project: string, id: string): string {
  const query = project === '' ? '' : `?${new URLSearchParams({ project })}`;
  return `/alerts/${encodeURIComponent(id)}${query}`;
}

export function casesHref(project: string): string {
  return project === '' ? '/cases' : `/cases?${new URLSearchParams({ project })}`;
}

export function caseHref(project: string, id: string): string {
  const query = project === '' ? '' : `?${new URLSearchParams({ project })}`;
  return `/cases/${encodeURIComponent(id)}${query}`;
}

/** Projects, people and keys (admins). */
export function adminHref(project: string): string {
  return project === '' ? '/admin' : `/admin?${new URLSearchParams({ project })}`;
}

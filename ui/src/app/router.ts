/**
 * A minimal history-API router: the location is an external store that React subscribes to, so
 * every component sees the same URL and the back button just works.
 */
import { useSyncExternalStore } from 'react';

const CHANGE = 'casefile:navigate';

export interface AppLocation {
  pathname: string;
  search: string;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

/**
 * Focus follows navigation: after the path changes (a link, `navigate`, back/forward), the new page's
 * main heading takes focus once it is shown (`PageHeading`), so a screen reader announces the page and
 * Tab starts from its top. A change of the query alone (a filter, the selected step) moves nothing.
 */
let shownPath = typeof window === 'undefined' ? '' : window.location.pathname;
let focusPath: string | null = null;

/** `moveFocus` false for a redirect (`replace`), which is not a page the user went to. */
function pathChanged(moveFocus: boolean): void {
  const path = window.location.pathname;
  if (path !== shownPath) focusPath = moveFocus ? path : null;
  shownPath = path;
}

if (typeof window !== 'undefined') window.addEventListener('popstate', () => pathChanged(true));

/** True once for the first heading shown after a navigation to `pathname`. */
export function takeNavigationFocus(pathname: string): boolean {
  if (focusPath !== pathname) return false;
  focusPath = null;
  return true;
}

// useSyncExternalStore compares snapshots with Object.is, so the snapshot is a string.
const snapshot = (): string => `${window.location.pathname}${window.location.search}`;

export function useLocation(): AppLocation {
  const href = useSyncExternalStore(subscribe, snapshot);
  const q = href.indexOf('?');
  return q === -1 ? { pathname: href, search: '' } : { pathname: href.slice(0, q), search: href.slice(q) };
}

export function useSearchParams(): URLSearchParams {
  return new URLSearchParams(useLocation().search);
}

/** Navigates within the app. `to` must be an app path built by `lib/routes`. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (!to.startsWith('/') || to.startsWith('//')) throw new Error(`not an app path: ${to}`);
  if (`${window.location.pathname}${window.location.search}` === to) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  pathChanged(options.replace !== true);
  window.dispatchEvent(new Event(CHANGE));
}

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
  window.dispatchEvent(new Event(CHANGE));
}

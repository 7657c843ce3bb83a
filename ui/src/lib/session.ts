/**
 * The login token lives in sessionStorage: it survives a reload but not the tab, and is never
 * written to a cookie (so the API cannot be driven cross-site).
 */
const KEY = 'casefile.token';

export function loadToken(): string | null {
  try {
    const token = sessionStorage.getItem(KEY);
    return token !== null && token !== '' ? token : null;
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  try {
    sessionStorage.setItem(KEY, token);
  } catch {
    // Storage disabled: the session then lasts until the page is reloaded.
  }
}

export function clearToken(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing stored.
  }
}

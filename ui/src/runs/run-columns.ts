/**
 * Which optional columns the runs table shows. Start and the run itself always show; the user hides
 * the others, and the choice is kept in the browser (localStorage) for every later visit. What is
 * stored is the hidden set, so a column added later shows until someone hides it.
 */
import { useCallback, useState } from 'react';

export const RUN_COLUMNS = [
  { id: 'status', label: 'Status' },
  { id: 'steps', label: 'Steps' },
  { id: 'tools', label: 'Tools' },
  { id: 'versions', label: 'Prompt · policy · model' },
  { id: 'tokens', label: 'Tokens' },
  { id: 'duration', label: 'Duration' },
  { id: 'findings', label: 'Findings' },
] as const;
export type RunColumn = (typeof RUN_COLUMNS)[number]['id'];

export const COLUMNS_STORAGE_KEY = 'casefile.runs.hiddenColumns';

const known = new Set<string>(RUN_COLUMNS.map((c) => c.id));

/** The hidden columns from what was stored; anything unreadable or unknown is dropped. */
export function parseHidden(stored: string | null): ReadonlySet<RunColumn> {
  if (stored === null) return new Set();
  try {
    const value: unknown = JSON.parse(stored);
    if (!Array.isArray(value)) return new Set();
    return new Set(value.filter((v): v is RunColumn => typeof v === 'string' && known.has(v)));
  } catch {
    return new Set();
  }
}

export function toggleHidden(hidden: ReadonlySet<RunColumn>, column: RunColumn, show: boolean): Set<RunColumn> {
  const next = new Set(hidden);
  if (show) next.delete(column);
  else next.add(column);
  return next;
}

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    // Storage can be switched off; the choice then lasts as long as the page.
    return undefined;
  }
}

/** The hidden columns and a setter that keeps the choice for later visits. */
export function useRunColumns(): {
  hidden: ReadonlySet<RunColumn>;
  setShown: (column: RunColumn, show: boolean) => void;
} {
  const [hidden, setHidden] = useState(() => parseHidden(storage()?.getItem(COLUMNS_STORAGE_KEY) ?? null));
  const setShown = useCallback((column: RunColumn, show: boolean) => {
    setHidden((prev) => {
      const next = toggleHidden(prev, column, show);
      try {
        storage()?.setItem(COLUMNS_STORAGE_KEY, JSON.stringify([...next]));
      } catch {
        // Full or refused storage: the choice still holds for this page.
      }
      return next;
    });
  }, []);
  return { hidden, setShown };
}

import type { Baseline } from './baseline-model.js';

type Used = Baseline['approvals'][number];

interface Index {
  /** The list as indexed: its length and its first and last entries (objects, not IDs). */
  length: number;
  first: Used | undefined;
  last: Used | undefined;
  byId: Map<string, Used[]>;
}

/**
 * The approval IDs a baseline remembers (up to `baseline.maxApprovalIds`, 10,000 by default), by ID.
 * Every run with an approval looks its IDs up there, so a scan of the list per run would cost as much
 * as the list is long. The index belongs to the list object; `rememberApproval` keeps it current, and
 * a list changed any other way (or a new one: a parsed or copied baseline) is indexed again.
 */
const indexes = new WeakMap<readonly Used[], Index>();

function indexOf(list: readonly Used[]): Index {
  const hit = indexes.get(list);
  if (hit && hit.length === list.length && hit.first === list[0] && hit.last === list[list.length - 1]) return hit;
  const byId = new Map<string, Used[]>();
  for (const u of list) {
    const same = byId.get(u.id);
    if (same) same.push(u);
    else byId.set(u.id, [u]);
  }
  const index = { length: list.length, first: list[0], last: list[list.length - 1], byId };
  indexes.set(list, index);
  return index;
}

/** The remembered uses of one approval ID, oldest first. */
export function usesOfApproval(list: readonly Used[], id: string): readonly Used[] {
  return indexOf(list).byId.get(id) ?? [];
}

/** Remembers an approval ID (once), dropping the oldest beyond `max`. */
export function rememberApproval(list: Used[], used: Used, max: number): void {
  const index = indexOf(list);
  if (index.byId.has(used.id)) return;
  list.push(used);
  index.byId.set(used.id, [used]);
  if (list.length > max) {
    for (const old of list.splice(0, list.length - max)) {
      const same = index.byId.get(old.id)?.filter((u) => u !== old) ?? [];
      if (same.length > 0) index.byId.set(old.id, same);
      else index.byId.delete(old.id);
    }
  }
  index.length = list.length;
  index.first = list[0];
  index.last = list[list.length - 1];
}

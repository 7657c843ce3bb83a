/** Items (steps, findings) of many runs, grouped by run in the order they come; `order` sorts each group. */
export function groupByTrace<T extends { traceId: string }>(
  items: Iterable<T>,
  order?: (items: T[]) => T[],
): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const list = out.get(item.traceId);
    if (list) list.push(item);
    else out.set(item.traceId, [item]);
  }
  if (order) for (const [traceId, list] of out) out.set(traceId, order(list));
  return out;
}

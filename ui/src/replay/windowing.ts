/**
 * Fixed-row-height windowing: which rows of a long list intersect the viewport. Only those (plus an
 * overscan margin) are mounted, so a 5,000-step run renders a few dozen rows, not thousands.
 */

export interface WindowInput {
  count: number;
  rowHeight: number;
  scrollTop: number;
  viewportHeight: number;
  overscan: number;
}

export interface WindowRange {
  /** First mounted row (inclusive). */
  start: number;
  /** Last mounted row (exclusive). */
  end: number;
  /** Height of the whole list, so the scrollbar reflects every row. */
  totalHeight: number;
}

export function windowRange({ count, rowHeight, scrollTop, viewportHeight, overscan }: WindowInput): WindowRange {
  const totalHeight = Math.max(0, count) * rowHeight;
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, totalHeight: 0 };
  const top = Math.max(0, Math.min(scrollTop, totalHeight));
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, totalHeight };
}

/**
 * The scrollTop that brings row `index` into view with the least movement, or `null` when it is
 * already fully visible.
 */
export function scrollToReveal(index: number, rowHeight: number, scrollTop: number, viewportHeight: number) {
  const rowTop = index * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowBottom > scrollTop + viewportHeight) return Math.max(0, rowBottom - viewportHeight);
  return null;
}

/**
 * Typo-tolerant word comparison for trigger words ("iunstructions", "ignroe"): optimal string
 * alignment distance (Damerau–Levenshtein with adjacent swaps), bounded so that a long word costs
 * no more than a short one.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a === b) return 0;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1);
    row[0] = i;
    rows.push(row);
  }
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    let best = Number.POSITIVE_INFINITY;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
      if (d < best) best = d;
    }
    if (best > max) return max + 1;
  }
  return rows[a.length]![b.length]!;
}

/** Whether `word` is one of `targets` or a near miss of one (one edit from 5 letters, two from 9). */
export function nearWord(word: string, targets: readonly string[]): boolean {
  if (word.length > 24) return false;
  for (const t of targets) {
    if (word === t) return true;
    const max = t.length >= 9 ? 2 : t.length >= 5 ? 1 : 0;
    if (max > 0 && word[0] === t[0] && editDistance(word, t, max) <= max) return true;
  }
  return false;
}

/** Small helpers so every bench reports the same way: medians over repetitions, ratios to a baseline. */
export function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

/** The `q` quantile (0–1) of `values` by the nearest-rank method (p95 of 20 values is the 19th); 0 when empty. */
export function percentile(values: number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  return v.length ? (v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))] as number) : 0;
}

/**
 * A distribution-free confidence interval for the median of `values` (order statistics of the
 * binomial, as the sign test uses): the true median lies between the two values it returns with at
 * least `confidence` (0.95 by default). Too few values for that confidence give the whole range.
 */
export function medianInterval(values: number[], confidence = 0.95): [number, number] {
  const v = [...values].sort((a, b) => a - b);
  const n = v.length;
  // P(Binomial(n, 1/2) <= j) for j = 0, 1, …: the largest k with P(X < k) ≤ (1 - confidence) / 2.
  let k = 0;
  let cumulative = 0;
  let term = 0.5 ** n;
  for (let j = 0; j < n; j++) {
    if (cumulative + term > (1 - confidence) / 2) break;
    cumulative += term;
    term = (term * (n - j)) / (j + 1);
    k = j + 1;
  }
  if (k === 0) return [v[0] as number, v[n - 1] as number];
  return [v[k - 1] as number, v[n - k] as number];
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export async function repeat<T>(times: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < times; i++) out.push(await fn(i));
  return out;
}

export function table(rows: (string | number)[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, c) => String(cell).padEnd(widths[c] ?? 0)).join('  ')).join('\n');
}

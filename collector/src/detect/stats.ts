/** Small robust statistics over bounded samples; everything here is pure and allocation-light. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  // A typed array sorts numerically without a comparator call per pair (samples are up to 200 long).
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median absolute deviation around the median. */
export function mad(values: readonly number[], centre = median(values)): number {
  const deviations = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) deviations[i] = Math.abs(values[i]! - centre);
  deviations.sort();
  const mid = deviations.length >> 1;
  if (deviations.length === 0) return 0;
  return deviations.length % 2 === 1 ? deviations[mid]! : (deviations[mid - 1]! + deviations[mid]!) / 2;
}

/**
 * Robust z-score (modified z of Iglewicz–Hoaglin, MAD scaled to σ). A constant history has MAD 0,
 * which would make any change infinitely surprising, so the scale has a floor: a fraction of the
 * median and an absolute minimum. `centre` is the sample's median, when the caller has it already.
 */
export function robustZ(
  value: number,
  sample: readonly number[],
  floorFraction = 0.1,
  floorAbsolute = 1,
  centre = median(sample),
): number {
  if (sample.length === 0) return 0;
  const scale = Math.max(1.4826 * mad(sample, centre), floorFraction * Math.abs(centre), floorAbsolute);
  return (value - centre) / scale;
}

/** Appends to a bounded sample, keeping the most recent `max` values (recency beats reservoir here: agents change). */
export function pushBounded<T>(sample: T[], value: T, max: number): void {
  sample.push(value);
  if (sample.length > max) sample.splice(0, sample.length - max);
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  const n = [...text].length;
  for (const c of counts.values()) {
    const p = c / n;
    bits -= p * Math.log2(p);
  }
  return bits;
}

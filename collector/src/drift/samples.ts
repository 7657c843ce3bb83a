/**
 * Turns window samples into what the tests need. Samples are built from traces, which anyone can
 * write, so nothing here trusts a value's type: non-finite numbers are dropped and counted, labels are
 * only Map keys, and malformed counts are a BadInputError rather than a NaN further down.
 */
import { BadInputError } from '../errors/errors.js';
import type { RateCounts } from './categorical-tests.js';
import { sortedCopy } from './numeric-tests.js';

/** Raw category labels, or counts per label (a Map: labels come from traces and must not be object keys). */
export type CategoricalSample = readonly string[] | ReadonlyMap<string, number>;
/** Per-event outcomes, or already-aggregated counts. */
export type RateSample = readonly boolean[] | RateCounts;

/** Finite values in ascending order, and how many were dropped. */
export function finiteSorted(values: readonly number[]): { sorted: number[]; nonFinite: number } {
  if (!Array.isArray(values)) throw new BadInputError('numeric samples must be arrays of numbers');
  const finite = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  return { sorted: sortedCopy(finite), nonFinite: values.length - finite.length };
}

/** Counts per label; labels repeated in a Map merge after String(), zero counts vanish. */
export function toCounts(sample: CategoricalSample): Map<string, number> {
  const counts = new Map<string, number>();
  if (sample instanceof Map) {
    for (const [k, v] of sample) {
      if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0))
        throw new BadInputError(`bad count for a category: ${v}`);
      if (v > 0) counts.set(String(k), (counts.get(String(k)) ?? 0) + v);
    }
  } else if (Array.isArray(sample)) {
    for (const label of sample) counts.set(String(label), (counts.get(String(label)) ?? 0) + 1);
  } else {
    throw new BadInputError('categorical samples must be arrays of labels or Maps of counts');
  }
  return counts;
}

/** Successes and trials, from booleans (only `true` counts) or validated counts. */
export function toRate(sample: RateSample): RateCounts {
  if (Array.isArray(sample)) return { successes: sample.filter((b) => b === true).length, trials: sample.length };
  if (typeof sample !== 'object' || sample === null) throw new BadInputError('rate samples must be booleans or counts');
  const { successes, trials } = sample as RateCounts;
  if (!(Number.isFinite(trials) && Number.isFinite(successes) && successes >= 0 && successes <= trials)) {
    throw new BadInputError(`rate counts need 0 <= successes <= trials, got ${successes}/${trials}`);
  }
  return { successes, trials };
}

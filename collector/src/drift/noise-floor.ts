/**
 * How often a distance statistic crosses its threshold when nothing changed, at given window sizes.
 * Fixed distance thresholds (PSI 0.2, JS 0.1, Wasserstein 0.1σ) are sample-size blind: with small
 * windows sampling noise alone crosses them (PSI > 0.1 fires 85% of the time at 100 samples and 10
 * bins). The verdict refuses to judge when this chance is above NOISE_ALARM_MAX and says so.
 */

import { createRandom, type Random } from '../random/random.js';
import { populationStd, WASSERSTEIN_MIN_STD, wassersteinSorted } from './numeric-tests.js';
import { regularizedGammaQ } from './special-functions.js';

/** Largest tolerated chance that noise alone crosses a distance threshold. */
export const NOISE_ALARM_MAX = 0.01;

function inverseSizes(n: number, m: number): number {
  return 1 / n + 1 / m;
}

/**
 * PSI under no change ≈ (1/n + 1/m)·χ²_{B−1} (PSI is a symmetrised χ² divergence; quantile bins cut
 * from the reference carry the reference's sampling noise too). Returns P(PSI ≥ threshold).
 */
export function psiNullExceedance(threshold: number, bins: number, n: number, m: number): number {
  if (bins < 2) return 0;
  return regularizedGammaQ((bins - 1) / 2, threshold / inverseSizes(n, m) / 2);
}

/**
 * JS divergence (nats, equal weights) under no change ≈ (1/n + 1/m)·χ²_{K−1} / 8. A base-2 distance d
 * is a divergence of d² bits = d²·ln 2 nats. Returns P(distance ≥ threshold) over K categories.
 */
export function jsNullExceedance(distanceThreshold: number, categories: number, n: number, m: number): number {
  if (categories < 2) return 0;
  const nats = distanceThreshold * distanceThreshold * Math.LN2;
  return regularizedGammaQ((categories - 1) / 2, (8 * nats) / inverseSizes(n, m) / 2);
}

export const WASSERSTEIN_RESAMPLES = 200;

/** A sorted bootstrap resample: sorted uniforms from normalised exponential spacings, so no sort is needed. */
function sortedResample(sorted: readonly number[], size: number, rng: Random): number[] {
  const spacings = new Float64Array(size + 1);
  let total = 0;
  for (let i = 0; i <= size; i++) {
    total -= Math.log(1 - rng.next());
    spacings[i] = total;
  }
  const n = sorted.length;
  const out = new Array<number>(size);
  for (let i = 0; i < size; i++) out[i] = sorted[Math.min(n - 1, Math.floor((spacings[i]! / total) * n))]!;
  return out;
}

/** Above this combined size, resamples are drawn smaller and their distances rescaled (see below). */
export const WASSERSTEIN_RESAMPLE_CAP = 2000;

/**
 * Normalised Wasserstein under no change has no usable closed form: heavy-tailed metrics (latency,
 * cost) make both W₁ and the σ it is divided by noisy, and the Brownian-bridge limit understates that
 * several-fold at the 1% level. So this draws both windows from the reference (bootstrap, fixed seed:
 * the same data always gets the same answer) and counts how often W₁/σ reaches the threshold.
 * Large windows are resampled at sizes scaled down to WASSERSTEIN_RESAMPLE_CAP in total (same ratio),
 * and each distance is scaled by √((1/n + 1/m) / (1/n′ + 1/m′)), the rate at which noise shrinks; this
 * bounds the cost to ~resamples × cap element steps whatever the window sizes.
 */
export function wassersteinNullExceedance(
  sortedReference: readonly number[],
  threshold: number,
  m: number,
  resamples = WASSERSTEIN_RESAMPLES,
): number {
  const n = sortedReference.length;
  if (n < 2 || m < 1) return 0;
  const shrink = Math.min(1, WASSERSTEIN_RESAMPLE_CAP / (n + m));
  const nPilot = Math.max(2, Math.round(n * shrink));
  const mPilot = Math.max(1, Math.round(m * shrink));
  const rescale = Math.sqrt(inverseSizes(n, m) / inverseSizes(nPilot, mPilot));
  const rng = createRandom(0x5eed);
  let hits = 0;
  for (let r = 0; r < resamples; r++) {
    const a = sortedResample(sortedReference, nPilot, rng);
    const b = sortedResample(sortedReference, mPilot, rng);
    const distance = (wassersteinSorted(a, b) / Math.max(populationStd(a), WASSERSTEIN_MIN_STD)) * rescale;
    if (distance >= threshold) hits++;
  }
  return hits / resamples;
}

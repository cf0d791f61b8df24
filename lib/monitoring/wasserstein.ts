/**
 * First Wasserstein (earth mover's) distance between two 1-D samples, as scipy's
 * `stats.wasserstein_distance(u, v)`: the integral of |U - V| over the merged values. Evidently's default for
 * numerical columns with more than 1,000 reference values divides it by the reference's standard deviation
 * (population, floored at 0.001) and calls drift at >= 0.1.
 *
 * @example
 * ```ts
 * import { wassersteinDistance } from "./wasserstein.ts";
 * import { sampleFromValues } from "./sample.ts";
 * wassersteinDistance(sampleFromValues(Float64Array.from([0, 1, 3])), sampleFromValues(Float64Array.from([5, 6, 8])));
 * ```
 * @module
 */
import type { NumericSample } from "./sample.ts";

/** Evidently's floor for the reference standard deviation in the normed distance. */
export const WASSERSTEIN_MIN_STD = 0.001;

/**
 * W1 distance by one merge of the two sorted samples (counts respected).
 *
 * @example
 * ```ts
 * import { wassersteinDistance } from "./wasserstein.ts";
 * import { sampleFromValues } from "./sample.ts";
 * wassersteinDistance(sampleFromValues(Float64Array.from([1])), sampleFromValues(Float64Array.from([3]))); // 2
 * ```
 */
export function wassersteinDistance(u: NumericSample, v: NumericSample): number {
  const vu = u.values, vv = v.values, cu = u.counts, cv = v.counts;
  const nu = u.n, nv = v.n;
  if (nu === 0 || nv === 0) throw new Error("The Wasserstein distance needs at least one value in each sample");
  let i = 0, j = 0, su = 0, sv = 0;
  let total = 0;
  let x = vu[0] <= vv[0] ? vu[0] : vv[0];
  while (i < vu.length || j < vv.length) {
    while (i < vu.length && vu[i] === x) su += cu ? cu[i++] : (i++, 1);
    while (j < vv.length && vv[j] === x) sv += cv ? cv[j++] : (j++, 1);
    if (i >= vu.length && j >= vv.length) break;
    const next = j >= vv.length || (i < vu.length && vu[i] <= vv[j]) ? vu[i] : vv[j];
    total += Math.abs(su / nu - sv / nv) * (next - x);
    x = next;
  }
  return total;
}

/**
 * Evidently's normed distance: W1 / max(reference std, 0.001).
 *
 * @example
 * ```ts
 * import { normedWasserstein } from "./wasserstein.ts";
 * import { sampleFromValues } from "./sample.ts";
 * normedWasserstein(sampleFromValues(Float64Array.from([0, 2])), sampleFromValues(Float64Array.from([1, 3])), 1); // 1
 * ```
 */
export function normedWasserstein(reference: NumericSample, current: NumericSample, referenceStd: number): number {
  return wassersteinDistance(reference, current) / Math.max(referenceStd, WASSERSTEIN_MIN_STD);
}

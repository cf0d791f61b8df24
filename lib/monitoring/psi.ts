/**
 * Population Stability Index as credit risk teams report it: sum over bins of (current share - reference share)
 * * ln(current share / reference share). Numerical values go into bins cut at the reference's quantiles (deciles by
 * default, numpy's linear interpolation; repeated cut points are merged, so heavy ties give fewer bins), right-closed
 * (a, b], with open outer bins so current values outside the reference's range still count. Categorical values use
 * one bin per category (a category new in current data counts 0 in reference). Empty bins get Evidently's epsilon:
 * the side's smallest non-zero share / 10^6 when that share is <= 1e-4, else 1e-4. Thresholds: 0.1 (drift,
 * Evidently's default; "moderate shift" in credit practice) and 0.25 ("major shift"). On features it is the CSI
 * (characteristic stability index).
 *
 * @example
 * ```ts
 * import { psiFromCounts } from "./psi.ts";
 * psiFromCounts([500, 300, 200], [400, 300, 300]);
 * ```
 * @module
 */
import { countAtMost, type NumericSample, quantile } from "./sample.ts";
import { pairwiseSum } from "../numeric/special.ts";

/** Default number of quantile bins (deciles). */
export const PSI_DEFAULT_BINS = 10;
/** PSI at or above this is drift (Evidently) / a moderate shift. */
export const PSI_THRESHOLD = 0.1;
/** PSI at or above this is a major shift. */
export const PSI_MAJOR = 0.25;

/**
 * Evidently's replacement of zero shares (in a copy).
 *
 * @example
 * ```ts
 * import { fillZeroShares } from "./psi.ts";
 * fillZeroShares([0.5, 0.5, 0]); // [0.5, 0.5, 0.0001]
 * ```
 */
export function fillZeroShares(shares: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(shares);
  let min = Infinity;
  for (const s of out) if (s !== 0 && s < min) min = s;
  if (min === Infinity) return out;
  const eps = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
  for (let i = 0; i < out.length; i++) if (out[i] === 0) out[i] = eps;
  return out;
}

/**
 * PSI from aligned bin counts (or shares) of reference and current.
 *
 * @example
 * ```ts
 * import { psiFromCounts } from "./psi.ts";
 * psiFromCounts([70, 30, 0], [50, 0, 50]);
 * ```
 */
export function psiFromCounts(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  return pairwiseSum(psiTerms(reference, current));
}

/**
 * Each bin's contribution to the PSI.
 *
 * @example
 * ```ts
 * import { psiTerms } from "./psi.ts";
 * psiTerms([50, 50], [40, 60]);
 * ```
 */
export function psiTerms(reference: ArrayLike<number>, current: ArrayLike<number>): number[] {
  const k = reference.length;
  if (current.length !== k) throw new Error(`Bin vectors differ in length (${k} and ${current.length})`);
  let rt = 0, ct = 0;
  for (let i = 0; i < k; i++) {
    rt += reference[i];
    ct += current[i];
  }
  const r = fillZeroShares(Array.from(reference, (x) => x / rt));
  const c = fillZeroShares(Array.from(current, (x) => x / ct));
  const out: number[] = [];
  for (let i = 0; i < k; i++) out.push((c[i] - r[i]) * Math.log(c[i] / r[i]));
  return out;
}

/**
 * Inner cut points at the reference's quantiles i / bins (i = 1..bins-1), duplicates removed.
 *
 * @example
 * ```ts
 * import { quantileEdges } from "./psi.ts";
 * import { sampleFromValues } from "./sample.ts";
 * quantileEdges(sampleFromValues(Float64Array.from([1, 2, 3, 4, 5])), 4); // [2, 3, 4]
 * ```
 */
export function quantileEdges(reference: NumericSample, bins = PSI_DEFAULT_BINS): number[] {
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const e = quantile(reference, i / bins);
    if (edges.length === 0 || e !== edges[edges.length - 1]) edges.push(e);
  }
  return edges;
}

/**
 * Counts in the right-closed bins (-inf, e0], (e0, e1], ..., (e_last, inf).
 *
 * @example
 * ```ts
 * import { binCounts } from "./psi.ts";
 * import { sampleFromValues } from "./sample.ts";
 * binCounts(sampleFromValues(Float64Array.from([1, 2, 3])), [1.5]); // [1, 2]
 * ```
 */
export function binCounts(s: NumericSample, edges: readonly number[]): number[] {
  const out: number[] = [];
  let prev = 0;
  for (const e of edges) {
    const c = countAtMost(s, e);
    out.push(c - prev);
    prev = c;
  }
  out.push(s.n - prev);
  return out;
}

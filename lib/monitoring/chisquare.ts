/**
 * Pearson's chi-square test of the current category counts against the reference shares, as Evidently calls
 * scipy: `chisquare(f_obs=current counts, f_exp=reference counts * (current total / reference total))`, p-value
 * from the chi-square distribution with (categories - 1) degrees of freedom. A category absent from the reference
 * but present in current data has an expected count of 0, so the statistic is infinite and p = 0 (scipy agrees).
 * Evidently's default for categorical columns with more than two values and at most 1,000 reference rows; drift
 * when p < 0.05.
 *
 * @example
 * ```ts
 * import { chiSquareTest } from "./chisquare.ts";
 * chiSquareTest([500, 300, 200], [480, 330, 190]).pvalue; // 0.116...
 * ```
 * @module
 */
import { chi2Sf, pairwiseSum } from "../numeric/special.ts";

/** Statistic and p-value. */
export interface ChiSquareResult {
  statistic: number;
  pvalue: number;
}

/**
 * Chi-square test on aligned count vectors (same category at the same index); NaN p-value with one category.
 *
 * @example
 * ```ts
 * import { chiSquareTest } from "./chisquare.ts";
 * chiSquareTest([40, 35], [30, 30]).statistic;
 * ```
 */
export function chiSquareTest(reference: ArrayLike<number>, current: ArrayLike<number>): ChiSquareResult {
  const k = reference.length;
  if (current.length !== k) throw new Error(`Count vectors differ in length (${k} and ${current.length})`);
  const refTotal = pairwiseSum(reference), curTotal = pairwiseSum(current);
  const kNorm = curTotal / refTotal;
  const terms = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const expected = reference[i] * kNorm;
    const d = current[i] - expected;
    terms[i] = (d * d) / expected;
  }
  const statistic = pairwiseSum(terms);
  return { statistic, pvalue: chi2Sf(k - 1, statistic) };
}

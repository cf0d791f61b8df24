/**
 * Two-proportion Z-test, as Evidently's `z` stattest: the share of values that are not the first category (in
 * sorted order) in reference vs current, pooled standard error, two-sided normal p-value. One identical value on
 * both sides gives p = 1. The tail is computed accurately (Evidently writes `2 * (1 - cdf(|z|))`, which rounds to 0
 * below about 1e-16). Evidently's default for categorical columns with at most two values and at most 1,000
 * reference rows; drift when p < 0.05.
 *
 * @example
 * ```ts
 * import { zTest } from "./two_proportion_z.ts";
 * zTest([600, 400], [560, 440]).pvalue;
 * ```
 * @module
 */
import { normalSf } from "../numeric/special.ts";

/** z statistic and p-value. */
export interface ZTestResult {
  z: number;
  pvalue: number;
}

/**
 * Z-test on aligned count vectors whose index 0 is the first category in sorted order.
 *
 * @example
 * ```ts
 * import { zTest } from "./two_proportion_z.ts";
 * zTest([20], [30]); // { z: 0, pvalue: 1 }
 * ```
 */
export function zTest(reference: ArrayLike<number>, current: ArrayLike<number>): ZTestResult {
  let n1 = 0, n2 = 0, nonZeroRef = 0, nonZeroCur = 0, sameSingle = true;
  for (let i = 0; i < reference.length; i++) {
    n1 += reference[i];
    n2 += current[i];
    if (reference[i] > 0) nonZeroRef++;
    if (current[i] > 0) nonZeroCur++;
    if ((reference[i] > 0) !== (current[i] > 0)) sameSingle = false;
  }
  if (n1 === 0 || n2 === 0) throw new Error("The Z-test needs at least one value in each sample");
  if (nonZeroRef === 1 && nonZeroCur === 1 && sameSingle) return { z: 0, pvalue: 1 };
  const p1 = (n1 - reference[0]) / n1;
  const p2 = (n2 - current[0]) / n2;
  const P = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2));
  return { z, pvalue: 2 * normalSf(Math.abs(z)) };
}

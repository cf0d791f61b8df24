/**
 * Summary statistics used to learn and replay distributions without keeping rows: quantile grids
 * (marginals), Gaussian copulas (rank correlation structure) and the normal quantile they need (the normal CDF is
 * lib/numeric/special.ts's).
 *
 * @module
 */
import { normalCdf } from "../numeric/special.ts";

/** The probabilities at which marginals are summarised: 0.1%, 0.5%, 1%, 2%, ..., 98%, 99%, 99.5%, 99.9%. */
export const QUANTILE_GRID: readonly number[] = [
  0.001,
  0.005,
  ...Array.from({ length: 99 }, (_, i) => (i + 1) / 100),
  0.995,
  0.999,
];

/** A Gaussian copula: per column a quantile grid, plus the lower Cholesky factor of the normal-score correlation. */
export interface Copula {
  /** Column names, in the order of `quantiles` and of the correlation matrix. */
  columns: string[];
  /** Per column, the values at {@link QUANTILE_GRID}. */
  quantiles: number[][];
  /** Correlation matrix of the normal scores (row-major, rounded). */
  correlation: number[][];
}

/**
 * Inverse of the standard normal distribution (Acklam's rational approximation, relative error < 1.2e-9).
 *
 * @example
 * ```ts
 * import { normalQuantile } from "./copula.ts";
 * console.assert(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
 * ```
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`Probability "${p}" is outside (0, 1)`);
  const a = [
    -39.69683028665376,
    220.9460984245205,
    -275.9285104469687,
    138.357751867269,
    -30.66479806614716,
    2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293,
    -0.3223964580411365,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * The values of a sample at the given probabilities (type-7 linear interpolation between order statistics).
 *
 * @example
 * ```ts
 * import { quantiles } from "./copula.ts";
 * console.assert(quantiles([1, 2, 3, 4, 5], [0.5])[0] === 3);
 * ```
 */
export function quantiles(values: ArrayLike<number>, probs: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError("Cannot take quantiles of an empty sample");
  const sorted = Float64Array.from(values).sort();
  return probs.map((p) => {
    const h = (sorted.length - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  });
}

/**
 * Maps a probability through a quantile grid by linear interpolation; values beyond the grid are clamped to its ends.
 *
 * @example
 * ```ts
 * import { fromQuantiles } from "./copula.ts";
 * console.assert(fromQuantiles([0.25, 0.75], [10, 20], 0.5) === 15);
 * ```
 */
export function fromQuantiles(probs: readonly number[], values: readonly number[], u: number): number {
  if (u <= probs[0]) return values[0];
  const last = probs.length - 1;
  if (u >= probs[last]) return values[last];
  let lo = 0, hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (probs[mid] <= u) lo = mid;
    else hi = mid;
  }
  const w = (u - probs[lo]) / (probs[hi] - probs[lo]);
  return values[lo] + w * (values[hi] - values[lo]);
}

/**
 * Normal scores of a sample: the inverse normal of the mid-ranks (ties share their average rank).
 *
 * @example
 * ```ts
 * import { normalScores } from "./copula.ts";
 * const s = normalScores([3, 1, 2]);
 * console.assert(s[1] < s[2] && s[2] < s[0] && Math.abs(s[2]) < 1e-9);
 * ```
 */
export function normalScores(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const scores = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const score = normalQuantile(((i + j) / 2 + 0.5) / n);
    for (let k = i; k <= j; k++) scores[order[k]] = score;
    i = j + 1;
  }
  return scores;
}

/**
 * Pearson correlation of two equally long samples (0 when either is constant).
 *
 * @example
 * ```ts
 * import { correlation } from "./copula.ts";
 * console.assert(Math.abs(correlation([1, 2, 3], [2, 4, 6]) - 1) < 1e-12);
 * ```
 */
export function correlation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

/**
 * Lower Cholesky factor of a symmetric positive (semi-)definite matrix; a tiny ridge keeps it defined.
 *
 * @example
 * ```ts
 * import { cholesky } from "./copula.ts";
 * const l = cholesky([[1, 0.5], [0.5, 1]]);
 * console.assert(Math.abs(l[1][0] - 0.5) < 1e-6 && l[0][1] === 0);
 * ```
 */
export function cholesky(matrix: readonly number[][]): number[][] {
  const n = matrix.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i][j] + (i === j ? 1e-9 : 0);
      for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
      if (i === j) {
        if (sum <= 0) throw new RangeError(`Matrix is not positive definite at row "${i}"`);
        l[i][i] = Math.sqrt(sum);
      } else {
        l[i][j] = sum / l[j][j];
      }
    }
  }
  return l;
}

/**
 * Fits a Gaussian copula: quantile grids of each column and the correlation of their normal scores.
 *
 * @example
 * ```ts
 * import { fitCopula } from "./copula.ts";
 * const c = fitCopula({ a: [1, 2, 3, 4], b: [10, 20, 30, 45] });
 * console.assert(c.correlation[0][1] > 0.99 && c.quantiles.length === 2);
 * ```
 */
export function fitCopula(columns: Record<string, ArrayLike<number>>, opts: { digits?: number } = {}): Copula {
  const names = Object.keys(columns);
  const digits = opts.digits ?? 4;
  const round = (v: number) => Number(v.toPrecision(digits + 2));
  const scores = names.map((n) => normalScores(columns[n]));
  return {
    columns: names,
    quantiles: names.map((n) => quantiles(columns[n], QUANTILE_GRID).map(round)),
    correlation: names.map((_, i) =>
      names.map((_, j) => (i === j ? 1 : Number(correlation(scores[i], scores[j]).toFixed(digits))))
    ),
  };
}

/**
 * Draws from a fitted copula: turns independent standard normals `z` into values of every column, in place order.
 * `factor` is `cholesky(copula.correlation)`, computed once by the caller.
 *
 * @example
 * ```ts
 * import { cholesky, copulaValues, fitCopula } from "./copula.ts";
 * const c = fitCopula({ a: [1, 2, 3, 4], b: [4, 3, 2, 1] });
 * const [a, b] = copulaValues(c, cholesky(c.correlation), [0, 0]);
 * console.assert(Math.abs(a - 2.5) < 1e-6 && Math.abs(b - 2.5) < 1e-6);
 * ```
 */
export function copulaValues(copula: Copula, factor: readonly number[][], z: readonly number[]): number[] {
  const out = new Array<number>(factor.length);
  for (let i = 0; i < factor.length; i++) {
    let x = 0;
    for (let k = 0; k <= i; k++) x += factor[i][k] * z[k];
    out[i] = fromQuantiles(QUANTILE_GRID, copula.quantiles[i], normalCdf(x));
  }
  return out;
}

/**
 * Numeric samples as the tests see them: sorted values, optionally distinct values with their counts (a saved
 * reference profile keeps that form, or a weighted quantile sketch of it). Counting helpers answer "how many values
 * are <= x" in O(log n), so one sort per column serves KS, Wasserstein, PSI bins and the charts.
 *
 * @example
 * ```ts
 * import { countAtMost, sampleFromValues } from "./sample.ts";
 * const s = sampleFromValues(Float64Array.from([3, 1, 2, 2]));
 * countAtMost(s, 2); // 3
 * ```
 * @module
 */
import { sortFloat64 } from "./sort.ts";

/** Sorted values, each counted once, or distinct values with counts. */
export interface NumericSample {
  /** Ascending values (distinct when `counts` is set). */
  values: Float64Array;
  /** How many times each value occurs (may be fractional only in sketches); null: once each. */
  counts: Float64Array | null;
  /** Total count: `values.length` or the sum of `counts`. */
  n: number;
  /** Cumulative counts (`cum[i]` = count of the first i values), built on demand when `counts` is set. */
  cum?: Float64Array;
}

/**
 * Sorts `values` (which must hold no NaN; the array is reused) into a sample.
 *
 * @example
 * ```ts
 * import { sampleFromValues } from "./sample.ts";
 * sampleFromValues(Float64Array.from([2, 1])).values; // [1, 2]
 * ```
 */
export function sampleFromValues(values: Float64Array): NumericSample {
  return { values: sortFloat64(values), counts: null, n: values.length };
}

/**
 * A sample from already sorted values, or from distinct sorted values and their counts.
 *
 * @example
 * ```ts
 * import { sampleFromSorted } from "./sample.ts";
 * sampleFromSorted(Float64Array.from([1, 5]), Float64Array.from([3, 1])).n; // 4
 * ```
 */
export function sampleFromSorted(values: Float64Array, counts: Float64Array | null = null): NumericSample {
  let n = values.length;
  if (counts) {
    n = 0;
    for (let i = 0; i < counts.length; i++) n += counts[i];
  }
  return { values, counts, n };
}

function cumulative(s: NumericSample): Float64Array {
  if (!s.cum) {
    const c = s.counts!;
    const cum = new Float64Array(c.length + 1);
    for (let i = 0; i < c.length; i++) cum[i + 1] = cum[i] + c[i];
    s.cum = cum;
  }
  return s.cum;
}

/** Index of the first value > x in ascending `a`. */
export function upperBound(a: Float64Array, x: number, lo = 0, hi = a.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first value >= x in ascending `a`. */
export function lowerBound(a: Float64Array, x: number, lo = 0, hi = a.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * How many values are <= x.
 *
 * @example
 * ```ts
 * import { countAtMost, sampleFromValues } from "./sample.ts";
 * countAtMost(sampleFromValues(Float64Array.from([1, 2, 3])), 2.5); // 2
 * ```
 */
export function countAtMost(s: NumericSample, x: number): number {
  const i = upperBound(s.values, x);
  return s.counts ? cumulative(s)[i] : i;
}

/**
 * How many values are < x.
 *
 * @example
 * ```ts
 * import { countBelow, sampleFromValues } from "./sample.ts";
 * countBelow(sampleFromValues(Float64Array.from([1, 2, 3])), 2); // 1
 * ```
 */
export function countBelow(s: NumericSample, x: number): number {
  const i = lowerBound(s.values, x);
  return s.counts ? cumulative(s)[i] : i;
}

/**
 * The value at 0-based rank `r` (0 <= r < n).
 *
 * @example
 * ```ts
 * import { valueAtRank, sampleFromSorted } from "./sample.ts";
 * valueAtRank(sampleFromSorted(Float64Array.from([1, 5]), Float64Array.from([3, 1])), 3); // 5
 * ```
 */
export function valueAtRank(s: NumericSample, r: number): number {
  if (!s.counts) return s.values[r];
  const cum = cumulative(s);
  // first i with cum[i + 1] > r
  let lo = 0, hi = s.values.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid + 1] > r) hi = mid;
    else lo = mid + 1;
  }
  return s.values[lo];
}

/**
 * Quantile with numpy's default linear interpolation (position `(n - 1) q` between order statistics).
 *
 * @example
 * ```ts
 * import { quantile, sampleFromValues } from "./sample.ts";
 * quantile(sampleFromValues(Float64Array.from([1, 2, 3, 4])), 0.5); // 2.5
 * ```
 */
export function quantile(s: NumericSample, q: number): number {
  const pos = (s.n - 1) * q;
  const lo = Math.floor(pos);
  const a = valueAtRank(s, lo);
  const b = valueAtRank(s, Math.min(lo + 1, s.n - 1));
  const t = pos - lo;
  const diff = b - a;
  // numpy's _lerp: from the far end when t >= 0.5
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Summary statistics of a sample: population standard deviation (ddof 0), as `np.std`. */
export interface SampleStats {
  n: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  /** Number of distinct values. */
  distinct: number;
}

/**
 * Count, min, max, mean, population std (two passes) and distinct values of a non-empty sample.
 *
 * @example
 * ```ts
 * import { sampleStats, sampleFromValues } from "./sample.ts";
 * sampleStats(sampleFromValues(Float64Array.from([1, 2, 3]))).std; // 0.816...
 * ```
 */
export function sampleStats(s: NumericSample): SampleStats {
  const v = s.values, c = s.counts;
  const k = v.length;
  if (k === 0) return { n: 0, min: NaN, max: NaN, mean: NaN, std: NaN, distinct: 0 };
  let sum = 0;
  if (c) { for (let i = 0; i < k; i++) sum += c[i] * v[i]; }
  else for (let i = 0; i < k; i++) sum += v[i];
  const mean = sum / s.n;
  let ss = 0;
  if (c) {
    for (let i = 0; i < k; i++) {
      const d = v[i] - mean;
      ss += c[i] * d * d;
    }
  } else {
    for (let i = 0; i < k; i++) {
      const d = v[i] - mean;
      ss += d * d;
    }
  }
  let distinct = 1;
  if (c) distinct = k;
  else for (let i = 1; i < k; i++) if (v[i] !== v[i - 1]) distinct++;
  return { n: s.n, min: v[0], max: v[k - 1], mean, std: Math.sqrt(ss / s.n), distinct };
}

/**
 * Distinct values and their counts (run lengths of the sorted values).
 *
 * @example
 * ```ts
 * import { runLengths, sampleFromValues } from "./sample.ts";
 * runLengths(sampleFromValues(Float64Array.from([2, 1, 2]))); // { values: [1, 2], counts: [1, 2] }
 * ```
 */
export function runLengths(s: NumericSample): { values: Float64Array; counts: Float64Array } {
  if (s.counts) return { values: s.values, counts: s.counts };
  const v = s.values;
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < v.length;) {
    let j = i + 1;
    while (j < v.length && v[j] === v[i]) j++;
    values.push(v[i]);
    counts.push(j - i);
    i = j;
  }
  return { values: Float64Array.from(values), counts: Float64Array.from(counts) };
}

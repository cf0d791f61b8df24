/**
 * Distributions of columns: equal-width histograms of numeric columns (optionally in log space or cut at a
 * quantile so a long tail does not squash the rest; what falls outside is counted, not hidden) and value counts
 * of categorical columns.
 *
 * @example
 * ```ts
 * import { histogram, valueCounts } from "./distribution.ts";
 * const h = histogram(loans, "person_income", { bins: 30, upperQuantile: 0.99 });
 * h.bins.length; // 30
 * valueCounts(loans, "loan_intent")[0]; // { value: "EDUCATION", count: 6453, share: 0.198 }
 * ```
 * @module
 */
import type * as arrow from "apache-arrow";
import { numericColumn, textColumn } from "./columns.ts";
import { quantileSorted, sortedValues } from "./summary.ts";

/** One bin: [start, end) (the last bin includes its end). */
export interface HistogramBin {
  start: number;
  end: number;
  count: number;
  /** Count over all non-missing values. */
  share: number;
}

/** A histogram of one column. */
export interface Histogram {
  column: string;
  bins: HistogramBin[];
  /** Non-missing values. */
  values: number;
  missing: number;
  /** Values below the first bin / above the last (only with quantile cuts). */
  below: number;
  above: number;
  /** Whether the bins are equal-width in log10 space. */
  log: boolean;
}

/** Options of {@linkcode histogram}. */
export interface HistogramOptions {
  /** Number of bins (default 30). */
  bins?: number;
  /** Fixed range [min, max] (default: the values' range, or the quantile cuts). */
  range?: [number, number];
  /** Cut the range at this quantile from above (e.g. 0.99); values above are counted in `above`. */
  upperQuantile?: number;
  /** Cut the range at this quantile from below (e.g. 0.01). */
  lowerQuantile?: number;
  /** Equal-width bins of log10(value) (values <= 0 are counted in `below`). */
  log?: boolean;
}

/**
 * The histogram of a numeric column of a table, or of plain values (then `column` names them).
 *
 * @example
 * ```ts
 * histogram(Float64Array.of(1, 2, 2, 3), "x", { bins: 2 }).bins.map((b) => b.count); // [1, 3]
 * ```
 */
export function histogram(
  source: arrow.Table | Float64Array | number[],
  column: string,
  opts: HistogramOptions = {},
): Histogram {
  const raw = source instanceof Float64Array
    ? source
    : Array.isArray(source)
    ? Float64Array.from(source as number[], (v) => v ?? NaN)
    : numericColumn(source as arrow.Table, column);
  const bins = opts.bins ?? 30;
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`Histogram bins is "${bins}"; expected a whole number >= 1`);
  const log = opts.log ?? false;
  const sortedAll = sortedValues(raw);
  const missing = raw.length - sortedAll.length;
  let below = 0;
  let sorted = sortedAll;
  if (log) {
    let k = 0;
    while (k < sortedAll.length && sortedAll[k] <= 0) k++;
    below = k;
    sorted = sortedAll.subarray(k).map(Math.log10);
  }
  let lo: number;
  let hi: number;
  if (opts.range) {
    [lo, hi] = log ? opts.range.map((v) => Math.log10(v)) as [number, number] : opts.range;
    if (!(hi > lo)) throw new Error(`Histogram range of "${column}" is [${opts.range}]; expected min < max`);
  } else {
    lo = opts.lowerQuantile === undefined ? sorted[0] : quantileSorted(sorted, opts.lowerQuantile);
    hi = opts.upperQuantile === undefined ? sorted[sorted.length - 1] : quantileSorted(sorted, opts.upperQuantile);
  }
  const out: HistogramBin[] = [];
  let above = 0;
  if (sorted.length === 0 || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    return { column, bins: out, values: sortedAll.length, missing, below, above, log };
  }
  if (hi === lo) hi = lo + 1;
  const width = (hi - lo) / bins;
  const counts = new Float64Array(bins);
  for (const v of sorted) {
    if (v < lo) below++;
    else if (v > hi) above++;
    else counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  }
  const n = sortedAll.length;
  for (let b = 0; b < bins; b++) {
    const s = lo + b * width;
    const e = b === bins - 1 ? hi : lo + (b + 1) * width;
    out.push({
      start: log ? 10 ** s : s,
      end: log ? 10 ** e : e,
      count: counts[b],
      share: n ? Number((counts[b] / n).toFixed(6)) : 0,
    });
  }
  return { column, bins: out, values: n, missing, below, above, log };
}

/** One value's count. */
export interface ValueCount {
  value: string;
  count: number;
  share: number;
}

/**
 * Counts of each value of a column, most frequent first; past `top` values the rest are summed as `(other)`;
 * missing values count as `(missing)`.
 *
 * @example
 * ```ts
 * valueCounts(zipcodes, "state", { top: 10 });
 * ```
 */
export function valueCounts(table: arrow.Table, column: string, opts: { top?: number } = {}): ValueCount[] {
  const values = textColumn(table, column);
  const counts = new Map<string, number>();
  for (const v of values) {
    const key = v ?? "(missing)";
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const top = opts.top ?? Infinity;
  const kept = sorted.slice(0, top);
  const rest = sorted.slice(top).reduce((s, [, c]) => s + c, 0);
  if (rest > 0) kept.push(["(other)", rest]);
  const n = values.length;
  return kept.map(([value, count]) => ({ value, count, share: n ? Number((count / n).toFixed(4)) : 0 }));
}

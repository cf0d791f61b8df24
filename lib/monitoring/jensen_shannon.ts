/**
 * Jensen-Shannon distance (natural log), as scipy's `spatial.distance.jensenshannon(p, q)`: both vectors are
 * normalized to sum 1, then sqrt((KL(p||m) + KL(q||m)) / 2) with m = (p + q) / 2. Between 0 and sqrt(ln 2).
 * Evidently's default for categorical columns with more than 1,000 reference rows (on value shares, new categories
 * counted 0 in reference); drift when >= 0.1. For numerical columns Evidently bins both samples on Sturges' rule
 * over their combined range when the reference has more than 20 distinct values ({@link sturgesEdges}).
 *
 * @example
 * ```ts
 * import { jensenShannonDistance } from "./jensen_shannon.ts";
 * jensenShannonDistance([0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]);
 * ```
 * @module
 */
import { countAtMost, countBelow, type NumericSample } from "./sample.ts";
import { pairwiseSum } from "../numeric/special.ts";

/** x log(x / y) with scipy's `rel_entr` conventions. */
function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/**
 * The distance between two non-negative vectors of the same length (shares or counts).
 *
 * @example
 * ```ts
 * import { jensenShannonDistance } from "./jensen_shannon.ts";
 * jensenShannonDistance([1, 0], [0, 1]); // sqrt(ln 2)
 * ```
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const k = p.length;
  if (q.length !== k) throw new Error(`Distributions differ in length (${k} and ${q.length})`);
  const sp = pairwiseSum(p), sq = pairwiseSum(q);
  const left = new Float64Array(k), right = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const pi = p[i] / sp, qi = q[i] / sq;
    const m = (pi + qi) / 2.0;
    left[i] = relEntr(pi, m);
    right[i] = relEntr(qi, m);
  }
  const js = pairwiseSum(left) + pairwiseSum(right);
  return Math.sqrt(js / 2.0);
}

/**
 * numpy's `histogram_bin_edges(concat(a, b), bins="sturges")` from the combined min, max and size: `ceil(range /
 * (range / (log2(n) + 1)))` equal bins (one bin, widened by 0.5 each side, when the range is 0).
 *
 * @example
 * ```ts
 * import { sturgesEdges } from "./jensen_shannon.ts";
 * sturgesEdges(0, 1, 1000).length; // 12 edges
 * ```
 */
export function sturgesEdges(min: number, max: number, n: number): Float64Array {
  let first = min, last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  let bins = 1;
  const width = (max - min) / (Math.log2(n) + 1.0);
  if (width) bins = Math.ceil((last - first) / width);
  // numpy.linspace: i * step + start, last edge exactly `last`
  const edges = new Float64Array(bins + 1);
  const step = (last - first) / bins;
  for (let i = 0; i <= bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
}

/**
 * Counts per bin as `np.histogram(sample, edges)`: [e_i, e_i+1), the last bin closed.
 *
 * @example
 * ```ts
 * import { histogramCounts } from "./jensen_shannon.ts";
 * import { sampleFromValues } from "./sample.ts";
 * histogramCounts(sampleFromValues(Float64Array.from([0, 0.5, 1])), Float64Array.from([0, 0.5, 1])); // [1, 2]
 * ```
 */
export function histogramCounts(s: NumericSample, edges: ArrayLike<number>): Float64Array {
  const k = edges.length - 1;
  const out = new Float64Array(k);
  let prev = countBelow(s, edges[0]);
  for (let i = 0; i < k; i++) {
    const next = i === k - 1 ? countAtMost(s, edges[k]) : countBelow(s, edges[i + 1]);
    out[i] = next - prev;
    prev = next;
  }
  return out;
}

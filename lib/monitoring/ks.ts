/**
 * Two-sample Kolmogorov-Smirnov test, as scipy's `stats.ks_2samp(reference, current)` with its defaults
 * (two-sided, `method="auto"`): the statistic is the largest distance between the two empirical CDFs; the p-value
 * is exact when both samples have at most 10,000 values, else asymptotic (`kstwo.sf(d, round(m n / (m + n)))`).
 * When the exact computation fails scipy (and this) falls back to the asymptotic one. Evidently's default for
 * numerical columns with at most 1,000 reference values; drift when p <= 0.05.
 *
 * @example
 * ```ts
 * import { ks2samp } from "./ks.ts";
 * import { sampleFromValues } from "./sample.ts";
 * const r = ks2samp(sampleFromValues(Float64Array.from([1, 2, 3])), sampleFromValues(Float64Array.from([4, 5])));
 * r.statistic; // 1
 * ```
 * @module
 */
import { ks2sampExact, kstwoSf } from "./ks_distribution.ts";
import type { NumericSample } from "./sample.ts";
import { roundHalfEven } from "../numeric/special.ts";

/** scipy's `MAX_AUTO_N`: exact p-values when both samples are at most this large. */
export const KS_MAX_EXACT_N = 10000;

/** Result of {@link ks2samp}. */
export interface KsResult {
  /** Largest absolute difference of the empirical CDFs (snapped to the lattice h / lcm(n1, n2) when exact). */
  statistic: number;
  pvalue: number;
  method: "exact" | "asymp";
}

/**
 * The KS statistic by one merge of the two sorted samples (counts respected), as scipy computes it.
 *
 * @example
 * ```ts
 * import { ksStatistic } from "./ks.ts";
 * import { sampleFromValues } from "./sample.ts";
 * ksStatistic(sampleFromValues(Float64Array.from([1, 2])), sampleFromValues(Float64Array.from([2, 3]))); // 0.5
 * ```
 */
export function ksStatistic(a: NumericSample, b: NumericSample): number {
  const va = a.values, vb = b.values, ca = a.counts, cb = b.counts;
  const na = a.n, nb = b.n;
  let i = 0, j = 0, sa = 0, sb = 0;
  let maxS = -Infinity, minS = Infinity;
  while (i < va.length || j < vb.length) {
    const x = j >= vb.length || (i < va.length && va[i] <= vb[j]) ? va[i] : vb[j];
    while (i < va.length && va[i] === x) sa += ca ? ca[i++] : (i++, 1);
    while (j < vb.length && vb[j] === x) sb += cb ? cb[j++] : (j++, 1);
    const diff = sa / na - sb / nb;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  const negMin = Math.min(Math.max(-minS, 0), 1);
  return negMin > maxS ? negMin : maxS;
}

/**
 * Two-sided two-sample KS test with scipy's method choice; both samples must be non-empty.
 *
 * @example
 * ```ts
 * import { ks2samp } from "./ks.ts";
 * import { sampleFromValues } from "./sample.ts";
 * ks2samp(sampleFromValues(Float64Array.from([1, 2, 3])), sampleFromValues(Float64Array.from([1.5, 2.5]))).pvalue;
 * ```
 */
export function ks2samp(reference: NumericSample, current: NumericSample): KsResult {
  const n1 = reference.n, n2 = current.n;
  if (n1 === 0 || n2 === 0) throw new Error("The KS test needs at least one value in each sample");
  let d = ksStatistic(reference, current);
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const exact = ks2sampExact(n1, n2, d);
    if (exact) return { statistic: exact.d, pvalue: exact.p, method: "exact" };
    // scipy keeps the lattice-snapped statistic when it falls back
    d = ks2sampExactSnap(n1, n2, d);
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  const p = kstwoSf(roundHalfEven(en), d);
  return { statistic: d, pvalue: Math.min(Math.max(p, 0), 1), method: "asymp" };
}

function ks2sampExactSnap(n1: number, n2: number, d: number): number {
  let a = n1, b = n2;
  while (b) [a, b] = [b, a % b];
  const lcm = Math.floor(n1 / a) * n2;
  return roundHalfEven(d * lcm) / lcm;
}

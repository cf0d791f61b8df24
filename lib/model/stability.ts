/**
 * Feature stability between two samples (train and test rows): the PSI (CSI on features) of each column, numeric
 * columns binned at the first sample's deciles, text columns by category (lib/monitoring/psi.ts's rules: right-closed
 * bins, open outer bins, Evidently's epsilon for empty bins). 0.1 is a moderate shift, 0.25 a major one; missing values
 * are a bin of their own (a column that goes missing more often in test is a shift too).
 *
 * @example
 * ```ts
 * import { featureStability } from "./stability.ts";
 * featureStability(trainRows, testRows, ["person_income", "loan_intent"]);
 * // [{ feature: "person_income", kind: "numeric", psi: 0.02, verdict: "stable", ... }, ...]
 * ```
 * @module
 */
import { PSI_MAJOR, PSI_THRESHOLD, psiFromCounts } from "../monitoring/psi.ts";
import type { RawRow } from "./preprocess.ts";

/** One column's stability. */
export interface FeatureStability {
  feature: string;
  kind: "numeric" | "categorical";
  psi: number;
  verdict: "stable" | "moderate shift" | "major shift";
  /** Share of missing values in the first and second sample. */
  missing_reference: number;
  missing_current: number;
}

function quantileCuts(values: number[], bins: number): number[] {
  const s = [...values].sort((a, b) => a - b);
  const cuts: number[] = [];
  for (let k = 1; k < bins; k++) {
    const pos = (s.length - 1) * k / bins;
    const lo = Math.floor(pos);
    const v = s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
    if (!cuts.length || v > cuts[cuts.length - 1]) cuts.push(v);
  }
  return cuts;
}

function binOf(v: number, cuts: number[]): number {
  let k = 0;
  while (k < cuts.length && v > cuts[k]) k++;
  return k;
}

/**
 * PSI per column between `reference` and `current` rows, largest first.
 *
 * @example
 * ```ts
 * featureStability([{ a: 1 }, { a: 2 }], [{ a: 5 }, { a: 6 }], ["a"])[0].verdict; // "major shift"
 * ```
 */
export function featureStability(
  reference: readonly RawRow[],
  current: readonly RawRow[],
  columns: readonly string[],
  opts: { bins?: number } = {},
): FeatureStability[] {
  const out: FeatureStability[] = [];
  for (const c of columns) {
    const isMissing = (v: unknown) => v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));
    const ref = reference.map((r) => r[c]);
    const cur = current.map((r) => r[c]);
    const present = ref.filter((v) => !isMissing(v));
    const numeric = present.length > 0 && present.every((v) => typeof v === "number");
    let refCounts: number[], curCounts: number[];
    if (numeric) {
      const cuts = quantileCuts(present as number[], opts.bins ?? 10);
      const count = (vs: unknown[]) => {
        const n = new Array(cuts.length + 2).fill(0);
        for (const v of vs) n[isMissing(v) ? cuts.length + 1 : binOf(v as number, cuts)]++;
        return n;
      };
      refCounts = count(ref);
      curCounts = count(cur);
    } else {
      const levels = new Map<string, number>();
      for (const v of [...ref, ...cur]) if (!isMissing(v) && !levels.has(String(v))) levels.set(String(v), levels.size);
      const count = (vs: unknown[]) => {
        const n = new Array(levels.size + 1).fill(0);
        for (const v of vs) n[isMissing(v) ? levels.size : levels.get(String(v))!]++;
        return n;
      };
      refCounts = count(ref);
      curCounts = count(cur);
    }
    const psi = ref.length && cur.length ? psiFromCounts(refCounts, curCounts) : NaN;
    out.push({
      feature: c,
      kind: numeric ? "numeric" : "categorical",
      psi,
      verdict: psi >= PSI_MAJOR ? "major shift" : psi >= PSI_THRESHOLD ? "moderate shift" : "stable",
      missing_reference: ref.length ? ref.filter(isMissing).length / ref.length : 0,
      missing_current: cur.length ? cur.filter(isMissing).length / cur.length : 0,
    });
  }
  return out.sort((a, b) => (b.psi || 0) - (a.psi || 0));
}

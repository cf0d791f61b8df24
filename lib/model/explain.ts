/**
 * Reason codes: for one application, the features that pushed the predicted probability of default up the most
 * compared with a baseline applicant (numeric features at their training median, categorical ones at their most
 * frequent level). For each feature group, the applicant's encoded columns are replaced by the baseline's and the
 * drop in the log-odds of default is that feature's impact (log-odds, because probabilities saturate near 0 and 1);
 * the largest positive impacts are the reasons, with the feature's readable description ("missed payments in the
 * last 6 months", "loan amount relative to income") and the drop in probability.
 *
 * @example
 * ```ts
 * import { reasonCodes } from "./explain.ts";
 * const { probability, reasons } = reasonCodes({ row, preprocessor, baseline, score, top: 3 });
 * reasons[0]; // { feature: "loan_to_income", text: "loan amount relative to income", value: 0.52, impact: 0.21 }
 * ```
 * @module
 */
import type { Preprocessor, RawRow } from "./preprocess.ts";

/** Scores encoded rows (row-major, `rows` x width) into log-odds of default. */
export type EncodedScorer = (x: Float32Array, rows: number) => Float32Array;

/** The logistic function, without overflow for large negative `z`. */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Smallest impact (log-odds) that counts as a reason, unless `minImpact` says otherwise. */
export const MIN_REASON_IMPACT = 0.01;

/** One reason for a decision. */
export interface Reason {
  /** Feature group name. */
  feature: string;
  /** Readable text. */
  text: string;
  /** The applicant's value of the feature (before encoding). */
  value: number | string | null;
  /** Log-odds of default minus the log-odds with this feature at the baseline (> 0 raises the risk). */
  impact: number;
  /** The same as a probability difference. */
  probabilityImpact: number;
}

/** Options of {@link reasonCodes}. */
export interface ReasonOptions {
  row: RawRow;
  preprocessor: Preprocessor;
  /** The baseline applicant in model columns ({@link Preprocessor.baseline}). */
  baseline: Float32Array;
  score: EncodedScorer;
  /** Reasons returned (default 3). */
  top?: number;
  /** Smallest impact (log-odds) that counts as a reason (default 0.01). */
  minImpact?: number;
}

/**
 * Every feature group's impact for one encoded applicant: log-odds minus the log-odds with that group's columns set
 * to the baseline's (one batched scoring call). Returns the applicant's log-odds too.
 *
 * @example
 * ```ts
 * const { probability, impacts } = groupImpacts(x, preprocessor.groups, baseline, score);
 * ```
 */
export function groupImpacts(
  x: Float32Array,
  groups: Map<string, number[]>,
  baseline: Float32Array,
  score: EncodedScorer,
): { logOdds: number; impacts: Map<string, number> } {
  const width = x.length;
  const names = [...groups.keys()];
  const batch = new Float32Array((names.length + 1) * width);
  batch.set(x, 0);
  names.forEach((name, k) => {
    const at = (k + 1) * width;
    batch.set(x, at);
    for (const c of groups.get(name)!) batch[at + c] = baseline[c];
  });
  const z = score(batch, names.length + 1);
  const impacts = new Map<string, number>();
  names.forEach((name, k) => impacts.set(name, z[0] - z[k + 1]));
  return { logOdds: z[0], impacts };
}

/**
 * The top reasons (largest positive impacts, descending) for one raw application, with the probability.
 *
 * @example
 * ```ts
 * const { reasons } = reasonCodes({ row, preprocessor, baseline, score });
 * reasons.map((r) => r.text); // ["loan amount relative to income", "interest rate of the loan", ...]
 * ```
 */
export function reasonCodes(opts: ReasonOptions): { probability: number; reasons: Reason[] } {
  const { preprocessor: pre, row } = opts;
  const x = pre.transform([row]).data;
  const { logOdds, impacts } = groupImpacts(x, pre.groups, opts.baseline, opts.score);
  const probability = sigmoid(logOdds);
  const minImpact = opts.minImpact ?? MIN_REASON_IMPACT;
  const reasons = [...impacts]
    .filter(([, impact]) => impact >= minImpact)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, opts.top ?? 3)
    .map(([feature, impact]) => ({
      feature,
      text: pre.describe(feature),
      value: pre.rawValue(feature, row),
      impact,
      probabilityImpact: probability - sigmoid(logOdds - impact),
    }));
  return { probability, reasons };
}

/**
 * A reason as one line: the text, the applicant's value and the raise in log-odds and probability.
 *
 * @example
 * ```ts
 * formatReason({ feature: "loan_intent", text: "purpose of the loan", value: "MEDICAL", impact: 0.4, probabilityImpact: 0.05 });
 * // "purpose of the loan (MEDICAL): log-odds +0.40, probability +5.0 points"
 * ```
 */
export function formatReason(reason: Reason): string {
  const v = reason.value;
  const shown = v === null
    ? "missing"
    : typeof v === "number"
    ? Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)
    : v;
  return `${reason.text} (${shown}): log-odds +${reason.impact.toFixed(2)}, ` +
    `probability +${(reason.probabilityImpact * 100).toFixed(1)} points`;
}

/**
 * Reason codes: for one application, the features that pushed the predicted probability of default up the most
 * compared with a baseline applicant (numeric features at their training median, categorical ones at their most
 * frequent level). For each feature group, the applicant's encoded columns are replaced by the baseline's and the
 * drop in the log-odds of default is that feature's impact.
 *
 * The measure: reasons are RANKED by that log-odds contribution, and PRESENTED as what it means for the odds of
 * default, `exp(impact)`: "raises the odds of default x2.3", with the change in probability in points beside it.
 * Log-odds (and odds ratios) stay meaningful near 0 and 1, where probabilities saturate: an applicant at 99.99% whose
 * missed payments add 11 to the log-odds moves the probability by a fraction of a point, yet those missed payments
 * multiply the odds of default by 60,000; at 0.01% the same holds the other way. The probability points alone would
 * rank reasons by how close the applicant is to 50%, not by what the feature does.
 *
 * The feature's value is shown with its unit where the model spec knows it (`unit` of a request field, or the spec's
 * `featureUnits`: "$", "%", "years"...) and formatted readably ("$35,000", "11.5%", "3 years"). By default reasons are
 * given for rejections only (adverse-action notices are owed for those; {@link ReasonMode}, {@link wantsReasons}).
 *
 * @example
 * ```ts
 * import { formatReason, reasonCodes } from "./explain.ts";
 * const { probability, reasons } = reasonCodes({ row, preprocessor, baseline, score, top: 3 });
 * reasons[0]; // { feature: "loan_to_income", text: "loan amount relative to income", value: 0.52, impact: 0.83, ... }
 * formatReason(reasons[0]); // "loan amount relative to income (0.52): raises the odds of default x2.3 (+4.1 points)"
 * ```
 * @module
 */
import type { Preprocessor, RawRow } from "./preprocess.ts";
import { sigmoid } from "../numeric/special.ts";

/** Scores encoded rows (row-major, `rows` x width) into log-odds of default. */
export type EncodedScorer = (x: Float32Array, rows: number) => Float32Array;

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

/** Which applications get reasons: every one, rejections only (the default), or none. */
export type ReasonMode = "all" | "rejected" | "none";

/** The default {@link ReasonMode}: reasons for rejections only. */
export const DEFAULT_REASON_MODE: ReasonMode = "rejected";

/**
 * Whether a decision gets reasons under a mode (default {@link DEFAULT_REASON_MODE}).
 *
 * @example
 * ```ts
 * wantsReasons("approve"); // false
 * wantsReasons("approve", "all"); // true
 * ```
 */
export function wantsReasons(decision: "approve" | "reject", mode: ReasonMode = DEFAULT_REASON_MODE): boolean {
  return mode === "all" || (mode === "rejected" && decision === "reject");
}

/**
 * A number written readably: thousands separators for large values, at most 3 significant decimals for small ones,
 * integers as integers.
 *
 * @example
 * ```ts
 * readableNumber(35000); // "35,000"
 * readableNumber(0.5234); // "0.523"
 * readableNumber(11.5); // "11.5"
 * ```
 */
export function readableNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString("en-US");
  if (Number.isInteger(v)) return String(v);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return String(Number(v.toFixed(digits)));
}

/** Units written before the number ("$35,000"); every other unit follows it ("3 years", "11.5%"). */
const PREFIX_UNITS = new Set(["$", "€", "£", "¥"]);

/**
 * A feature's value with its unit, for people: "$35,000", "11.5%", "3 years", "MEDICAL", "missing".
 *
 * @example
 * ```ts
 * formatValue(35000, "$"); // "$35,000"
 * formatValue(3, "years"); // "3 years"
 * formatValue(null); // "missing"
 * ```
 */
export function formatValue(value: number | string | null, unit?: string): string {
  if (value === null || value === undefined) return "missing";
  if (typeof value !== "number") return String(value);
  const n = readableNumber(value);
  if (!unit) return n;
  if (PREFIX_UNITS.has(unit)) return value < 0 ? `-${unit}${n.slice(1)}` : `${unit}${n}`;
  if (unit === "%") return `${n}%`;
  const singular = unit.endsWith("s") && value === 1 ? unit.slice(0, -1) : unit;
  return `${n} ${singular}`;
}

/**
 * How much a reason multiplies the odds of default: `exp(impact)` (an impact of 0.83 in log-odds is x2.3).
 *
 * @example
 * ```ts
 * oddsRatio({ impact: Math.log(2) } as Reason); // 2
 * ```
 */
export function oddsRatio(reason: Pick<Reason, "impact">): number {
  return Math.exp(reason.impact);
}

function readableRatio(r: number): string {
  if (!Number.isFinite(r)) return String(r);
  if (r < 10) return r.toFixed(1);
  if (r < 100) return r.toFixed(0);
  // two significant digits: x72,000, not x71,682
  const step = 10 ** (Math.floor(Math.log10(r)) - 1);
  const rounded = Math.round(r / step) * step;
  return rounded >= 1e9 ? `${Number((rounded / 1e9).toPrecision(2))} billion` : rounded.toLocaleString("en-US");
}

/**
 * Units of the model's features: a request field's `unit` for the feature of the same name, then the spec's
 * `featureUnits` (which win).
 *
 * @example
 * ```ts
 * reasonUnits({ request: [{ name: "loan_amnt", unit: "$" }], featureUnits: { person_emp_length: "years" } });
 * // { loan_amnt: "$", person_emp_length: "years" }
 * ```
 */
export function reasonUnits(spec: {
  request?: readonly { name: string; unit?: string }[];
  featureUnits?: Readonly<Record<string, string>>;
}): Record<string, string> {
  const units: Record<string, string> = {};
  for (const f of spec.request ?? []) if (f.unit) units[f.name] = f.unit;
  return { ...units, ...(spec.featureUnits ?? {}) };
}

/**
 * A reason as one line: the text, the applicant's value with its unit, how much it multiplies the odds of default
 * and the change in probability in points (see the module doc for why the odds).
 *
 * @example
 * ```ts
 * formatReason({ feature: "loan_amnt", text: "loan amount", value: 35000, impact: 0.83, probabilityImpact: 0.041 }, { unit: "$" });
 * // "loan amount ($35,000): raises the odds of default x2.3 (+4.1 points)"
 * ```
 */
export function formatReason(reason: Reason, opts: { unit?: string; outcome?: string } = {}): string {
  return `${reason.text} (${formatValue(reason.value, opts.unit)}): ${formatEffect(reason, opts.outcome)}`;
}

/**
 * What a reason does, in words: the factor on the odds of the bad outcome and the probability change in points.
 *
 * @example
 * ```ts
 * formatEffect({ impact: Math.log(2.3), probabilityImpact: 0.041 } as Reason); // "raises the odds of default x2.3 (+4.1 points)"
 * ```
 */
export function formatEffect(reason: Pick<Reason, "impact" | "probabilityImpact">, outcome = "default"): string {
  const points = reason.probabilityImpact * 100;
  const shownPoints = points >= 0.1 ? points.toFixed(1) : points >= 0.01 ? points.toFixed(2) : "<0.01";
  return `raises the odds of ${outcome} x${readableRatio(oddsRatio(reason))} (+${shownPoints} points)`;
}

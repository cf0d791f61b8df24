/**
 * Recall-first decision policy: pick the score threshold on validation data, then reject every application whose
 * predicted probability of default is `>=` the threshold.
 *
 * Two policies: `target_recall` (catch at least a share of the defaults while approving as many applications as
 * possible) and `min_cost` (minimise FN * cost of a missed default + FP * cost of a rejected good loan). The
 * chosen {@linkcode ThresholdChoice} is plain JSON, stored with the model.
 *
 * @example
 * ```ts
 * import { chooseThreshold, decide } from "./policy.ts";
 * const choice = chooseThreshold([0.9, 0.7, 0.4, 0.2], [1, 0, 1, 0], { kind: "target_recall", targetRecall: 0.9 });
 * decide(0.5, choice.threshold); // "reject" (threshold 0.4)
 * ```
 * @module
 */
import { type BinaryCurve, binaryCurve, type NumericArray } from "./metrics.ts";

/** Catch at least `targetRecall` of the defaults with the highest such threshold (most approvals). */
export interface TargetRecallPolicy {
  kind: "target_recall";
  /** In (0, 1]. */
  targetRecall: number;
}

/** Minimise the total cost FN * costMissedDefault + FP * costRejectedGood. */
export interface MinCostPolicy {
  kind: "min_cost";
  /** Cost of approving a loan that defaults (a false negative), > 0. */
  costMissedDefault: number;
  /** Cost of rejecting a loan that would have been repaid (a false positive), > 0. */
  costRejectedGood: number;
}

/** A threshold policy. */
export type ThresholdPolicy = TargetRecallPolicy | MinCostPolicy;

/** What a threshold achieves on the data it was chosen on. */
export interface AchievedRates {
  /** Share of defaults rejected. */
  recall: number;
  /** Share of rejected applications that default (0 when nothing is rejected). */
  precision: number;
  /** Share of applications approved. */
  approvalRate: number;
  /** Mean cost per application (only for `min_cost`). */
  expectedCost?: number;
  /** Rows the threshold was chosen on. */
  n: number;
}

/** The chosen threshold with its policy and achieved rates; JSON-able, stored with the model. */
export interface ThresholdChoice {
  /** Reject when `probability >= threshold`. */
  threshold: number;
  policy: ThresholdPolicy;
  achieved: AchievedRates;
}

/** The decision for one application. */
export type Decision = "reject" | "approve";

/** The smallest double greater than `x` (a threshold that rejects nothing scored `<= x`). */
function nextUp(x: number): number {
  if (x === Infinity || Number.isNaN(x)) return x;
  if (x === 0) return Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  buf.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}

function checkPolicy(policy: ThresholdPolicy): void {
  if (!policy || typeof policy !== "object") throw new Error(`Policy must be an object, got "${String(policy)}"`);
  if (policy.kind === "target_recall") {
    const r = policy.targetRecall;
    if (typeof r !== "number" || !(r > 0 && r <= 1)) {
      throw new Error(`Policy target_recall needs targetRecall in (0, 1], got "${r}"`);
    }
  } else if (policy.kind === "min_cost") {
    for (const key of ["costMissedDefault", "costRejectedGood"] as const) {
      const v = policy[key];
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
        throw new Error(`Policy min_cost needs a finite non-negative "${key}", got "${v}"`);
      }
    }
    if (policy.costMissedDefault === 0 && policy.costRejectedGood === 0) {
      throw new Error(`Policy min_cost needs at least one non-zero cost`);
    }
  } else {
    throw new Error(
      `Unknown policy kind "${(policy as { kind: unknown }).kind}" (use "target_recall" or "min_cost")`,
    );
  }
}

function rates(curve: BinaryCurve, tp: number, fp: number) {
  const n = curve.positives + curve.negatives;
  return {
    recall: curve.positives === 0 ? 0 : tp / curve.positives,
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    approvalRate: (n - tp - fp) / n,
    n,
  };
}

/**
 * Chooses the decision threshold on validation scores and labels (1 = default).
 *
 * - `target_recall`: the highest threshold whose recall of defaults is `>=` the target, i.e. the one that approves
 *   the most applications while catching the target share of defaults. Throws when the data has no default.
 * - `min_cost`: the threshold with the least FN * costMissedDefault + FP * costRejectedGood among all distinct
 *   scores and "reject nothing" (a threshold just above the highest score); ties go to the higher threshold.
 *
 * Tied scores cannot be split: every row scored exactly at the threshold is rejected.
 *
 * @example
 * ```ts
 * import { chooseThreshold } from "./policy.ts";
 * const c = chooseThreshold([0.9, 0.7, 0.4, 0.2], [1, 0, 1, 0], {
 *   kind: "min_cost",
 *   costMissedDefault: 5,
 *   costRejectedGood: 1,
 * });
 * // c.threshold 0.4: rejects 3, misses none, cost 1 (per application 0.25)
 * ```
 */
export function chooseThreshold(
  scores: NumericArray,
  labels: NumericArray,
  policy: ThresholdPolicy,
): ThresholdChoice {
  checkPolicy(policy);
  const curve = binaryCurve(scores, labels);
  const { thresholds, tps, fps, positives } = curve;
  if (policy.kind === "target_recall") {
    if (positives === 0) {
      throw new Error(
        `Target recall ${policy.targetRecall} is unreachable: the validation labels contain no defaults (label 1)`,
      );
    }
    // Recall only grows as the threshold falls: the first index reaching the target is the highest threshold.
    const need = policy.targetRecall * positives;
    for (let i = 0; i < thresholds.length; i++) {
      if (tps[i] >= need - 1e-9 * positives) {
        return { threshold: thresholds[i], policy: { ...policy }, achieved: rates(curve, tps[i], fps[i]) };
      }
    }
    // Unreachable in exact arithmetic (the last threshold has recall 1); kept for safety.
    throw new Error(`Target recall ${policy.targetRecall} is unreachable on the validation data`);
  }
  const cFn = policy.costMissedDefault;
  const cFp = policy.costRejectedGood;
  // Start with "reject nothing": every default is missed.
  let bestCost = positives * cFn;
  let bestThreshold = nextUp(thresholds[0]);
  let bestTp = 0;
  let bestFp = 0;
  for (let i = 0; i < thresholds.length; i++) {
    const cost = (positives - tps[i]) * cFn + fps[i] * cFp;
    if (cost < bestCost) {
      bestCost = cost;
      bestThreshold = thresholds[i];
      bestTp = tps[i];
      bestFp = fps[i];
    }
  }
  const achieved: AchievedRates = rates(curve, bestTp, bestFp);
  achieved.expectedCost = bestCost / achieved.n;
  return { threshold: bestThreshold, policy: { ...policy }, achieved };
}

/**
 * The decision for one predicted probability of default: `"reject"` when `probability >= threshold`.
 *
 * @example
 * ```ts
 * import { decide } from "./policy.ts";
 * decide(0.31, 0.3); // "reject"
 * decide(0.29, 0.3); // "approve"
 * ```
 */
export function decide(probability: number, threshold: number): Decision {
  if (typeof probability !== "number" || Number.isNaN(probability)) {
    throw new Error(`Probability is not a number: "${probability}"`);
  }
  if (typeof threshold !== "number" || Number.isNaN(threshold)) {
    throw new Error(`Threshold is not a number: "${threshold}"`);
  }
  return probability >= threshold ? "reject" : "approve";
}

/**
 * Checks that a parsed JSON value is a {@linkcode ThresholdChoice} (e.g. read back from a model's files).
 *
 * @example
 * ```ts
 * import { parseThresholdChoice } from "./policy.ts";
 * const c = parseThresholdChoice(JSON.parse('{"threshold":0.3,"policy":{"kind":"target_recall","targetRecall":0.9},"achieved":{"recall":0.9,"precision":0.4,"approvalRate":0.7,"n":100}}'));
 * ```
 */
export function parseThresholdChoice(value: unknown): ThresholdChoice {
  const v = value as ThresholdChoice;
  if (!v || typeof v !== "object") throw new Error(`Threshold choice must be an object, got "${String(value)}"`);
  if (typeof v.threshold !== "number" || Number.isNaN(v.threshold)) {
    throw new Error(`Threshold choice has no numeric "threshold": "${String(v.threshold)}"`);
  }
  checkPolicy(v.policy);
  if (!v.achieved || typeof v.achieved.recall !== "number") {
    throw new Error(`Threshold choice has no "achieved" rates`);
  }
  return v;
}

/**
 * Evaluation metrics of a binary classifier (label 1 = default), as pure functions over scores and 0/1 labels.
 *
 * Every ranking metric is computed from one sort (O(n log n)) into a {@linkcode BinaryCurve}: the cumulative
 * true and false positives at each distinct score, taken as a threshold where `score >= threshold` predicts a
 * default (= reject). Results agree with scikit-learn: {@linkcode rocAuc} = `roc_auc_score` (ties count half,
 * the average-rank Mann-Whitney statistic), {@linkcode prAuc} = `average_precision_score`, {@linkcode rocCurve}
 * = `roc_curve` and {@linkcode prCurve} = `precision_recall_curve`.
 *
 * @example
 * ```ts
 * import { evaluate } from "./metrics.ts";
 * const report = evaluate([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.5);
 * console.log(report.rocAuc, report.confusion.recall); // 0.75 0.5
 * ```
 * @module
 */

/** Scores (probabilities of default) or labels: a typed array or a plain number array. */
export type NumericArray = Float64Array | Float32Array | Uint8Array | Int32Array | number[] | ArrayLike<number>;

/** Cumulative counts at each distinct score, from the highest score down. */
export interface BinaryCurve {
  /** Distinct scores, strictly decreasing. */
  thresholds: Float64Array;
  /** True positives (defaults with `score >= thresholds[i]`). */
  tps: Float64Array;
  /** False positives (non-defaults with `score >= thresholds[i]`). */
  fps: Float64Array;
  /** Number of defaults (label 1). */
  positives: number;
  /** Number of non-defaults (label 0). */
  negatives: number;
}

/** A ROC curve: points from (0, 0) to (1, 1). `thresholds[0]` is `Infinity` (nothing rejected), as in sklearn. */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
}

/**
 * A precision-recall curve in scikit-learn's order: thresholds increasing, recall decreasing, and a final point
 * (precision 1, recall 0) that has no threshold (`precision.length === thresholds.length + 1`).
 */
export interface PrCurve {
  precision: number[];
  recall: number[];
  thresholds: number[];
}

/** The Kolmogorov-Smirnov statistic of the two score distributions and where it is reached. */
export interface KsResult {
  /** max |TPR - FPR| over all thresholds. */
  statistic: number;
  /** The (highest) threshold reaching it. */
  threshold: number;
}

/** One bin of a calibration table. */
export interface CalibrationBin {
  /** Lower edge of the bin. */
  lower: number;
  /** Upper edge of the bin. */
  upper: number;
  /** Rows in the bin. */
  count: number;
  /** Mean predicted probability of the rows in the bin. */
  meanPredicted: number;
  /** Observed default rate of the rows in the bin. */
  observedRate: number;
}

/** Options of {@linkcode calibrationTable}. */
export interface CalibrationOptions {
  /** Number of bins (default 10). */
  bins?: number;
  /** `quantile` (equal counts, default) or `uniform` (equal widths over [0, 1]). */
  strategy?: "quantile" | "uniform";
}

/** The confusion matrix at a threshold and the rates derived from it (0 where a rate's denominator is 0). */
export interface Confusion {
  threshold: number;
  /** Defaults rejected. */
  tp: number;
  /** Good loans rejected. */
  fp: number;
  /** Good loans approved. */
  tn: number;
  /** Defaults approved (missed). */
  fn: number;
  precision: number;
  /** Share of defaults rejected (true positive rate). */
  recall: number;
  /** Share of good loans approved (true negative rate). */
  specificity: number;
  f1: number;
  accuracy: number;
  /** Share of all applications approved: (tn + fn) / n. */
  approvalRate: number;
}

/** Everything {@linkcode evaluate} computes; plain numbers and arrays only, so it serializes to JSON as is. */
export interface Evaluation {
  n: number;
  positives: number;
  negatives: number;
  /** Share of defaults. */
  prevalence: number;
  rocAuc: number;
  /** Average precision. */
  prAuc: number;
  gini: number;
  ks: KsResult;
  brierScore: number;
  /** Mean binary cross-entropy (probabilities clipped to [1e-15, 1 - 1e-15], like sklearn). */
  logLoss: number;
  /** Quantile calibration table. */
  calibration: CalibrationBin[];
  /** Expected calibration error: count-weighted mean |mean predicted - observed rate| over the bins. */
  expectedCalibrationError: number;
  confusion: Confusion;
  /** Curves for charts, downsampled to at most {@linkcode MAX_CURVE_POINTS} points each. */
  curves: {
    roc: { fpr: number[]; tpr: number[] };
    pr: { precision: number[]; recall: number[] };
  };
}

/** Options of {@linkcode evaluate}. */
export interface EvaluateOptions {
  /** Calibration table settings (default 10 quantile bins). */
  calibration?: CalibrationOptions;
  /** Most points per stored curve (default {@linkcode MAX_CURVE_POINTS}). */
  maxCurvePoints?: number;
}

/** Default cap on the points of a curve kept for charts. */
export const MAX_CURVE_POINTS = 500;

// ---------------------------------------------------------------------------------------------------------------
// Validation

function checkPair(scores: NumericArray, labels: NumericArray): void {
  if (scores.length !== labels.length) {
    throw new Error(`Scores and labels differ in length: ${scores.length} scores, ${labels.length} labels`);
  }
  if (scores.length === 0) throw new Error("Scores and labels are empty");
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (typeof s !== "number" || !Number.isFinite(s)) throw new Error(`Score at row ${i} is not finite: "${s}"`);
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new Error(`Label at row ${i} is not 0 or 1: "${y}"`);
  }
}

function requireBothClasses(metric: string, positives: number, negatives: number): void {
  if (positives === 0) {
    throw new Error(`${metric} needs both classes: the labels contain no defaults (label 1), only ${negatives} 0s`);
  }
  if (negatives === 0) {
    throw new Error(`${metric} needs both classes: the labels contain no non-defaults (label 0), only ${positives} 1s`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The sorted curve

/**
 * Sorts once and returns the cumulative true/false positives at each distinct score (highest first). All
 * ranking metrics derive from it; compute it once when you need several.
 *
 * @example
 * ```ts
 * import { binaryCurve } from "./metrics.ts";
 * const c = binaryCurve([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0]);
 * // c.thresholds = [0.9, 0.5, 0.1], c.tps = [1, 2, 2], c.fps = [0, 1, 2]
 * ```
 */
export function binaryCurve(scores: NumericArray, labels: NumericArray): BinaryCurve {
  checkPair(scores, labels);
  const n = scores.length;
  // Sort each class's scores natively (no comparator), then merge from the top.
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i];
  const pos = new Float64Array(positives);
  const neg = new Float64Array(n - positives);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (labels[i] === 1) pos[a++] = scores[i];
    else neg[b++] = scores[i];
  }
  pos.sort();
  neg.sort();
  const thresholds: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let p = pos.length - 1;
  let q = neg.length - 1;
  let tp = 0;
  let fp = 0;
  while (p >= 0 || q >= 0) {
    const t = p < 0 ? neg[q] : q < 0 ? pos[p] : Math.max(pos[p], neg[q]);
    while (p >= 0 && pos[p] === t) {
      tp++;
      p--;
    }
    while (q >= 0 && neg[q] === t) {
      fp++;
      q--;
    }
    thresholds.push(t);
    tps.push(tp);
    fps.push(fp);
  }
  return {
    thresholds: Float64Array.from(thresholds),
    tps: Float64Array.from(tps),
    fps: Float64Array.from(fps),
    positives: tp,
    negatives: fp,
  };
}

function curveOf(scoresOrCurve: NumericArray | BinaryCurve, labels?: NumericArray): BinaryCurve {
  if (isBinaryCurve(scoresOrCurve)) return scoresOrCurve;
  if (!labels) throw new Error("Labels are required with scores");
  return binaryCurve(scoresOrCurve, labels);
}

function isBinaryCurve(x: unknown): x is BinaryCurve {
  return typeof x === "object" && x !== null && "tps" in x && "fps" in x && "thresholds" in x;
}

// ---------------------------------------------------------------------------------------------------------------
// ROC

/**
 * Area under the ROC curve; tied scores count half (average rank), exactly as `sklearn.metrics.roc_auc_score`.
 * Accepts scores and labels, or a {@linkcode BinaryCurve}. Throws when a class is missing.
 *
 * @example
 * ```ts
 * import { rocAuc } from "./metrics.ts";
 * rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.75
 * ```
 */
export function rocAuc(scores: NumericArray | BinaryCurve, labels?: NumericArray): number {
  const c = curveOf(scores, labels);
  requireBothClasses("ROC AUC", c.positives, c.negatives);
  // Trapezoids in integer counts: sum (dFP) * (TP_prev + TP) / 2, then divide by P * N.
  let area = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let i = 0; i < c.tps.length; i++) {
    area += (c.fps[i] - prevFp) * (c.tps[i] + prevTp);
    prevTp = c.tps[i];
    prevFp = c.fps[i];
  }
  return area / 2 / (c.positives * c.negatives);
}

/**
 * The Gini coefficient used in credit scoring: 2 * AUC - 1.
 *
 * @example
 * ```ts
 * import { gini } from "./metrics.ts";
 * gini([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.5
 * ```
 */
export function gini(scores: NumericArray | BinaryCurve, labels?: NumericArray): number {
  return 2 * rocAuc(scores, labels) - 1;
}

/** Options of {@linkcode rocCurve}. */
export interface RocCurveOptions {
  /** Drop points on straight segments, like sklearn's `drop_intermediate` (default true). */
  dropIntermediate?: boolean;
}

/**
 * The ROC curve like `sklearn.metrics.roc_curve`: starts at (0, 0) with threshold `Infinity`, then one point per
 * distinct score (collinear points dropped unless `dropIntermediate: false`).
 *
 * @example
 * ```ts
 * import { rocCurve } from "./metrics.ts";
 * const { fpr, tpr, thresholds } = rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
 * // fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1], thresholds [Infinity, 0.8, 0.4, 0.35, 0.1]
 * ```
 */
export function rocCurve(
  scores: NumericArray | BinaryCurve,
  labels?: NumericArray,
  opts: RocCurveOptions = {},
): RocCurve {
  const c = curveOf(scores, labels);
  requireBothClasses("ROC curve", c.positives, c.negatives);
  let idx = Array.from({ length: c.tps.length }, (_, i) => i);
  if (opts.dropIntermediate ?? true) {
    if (idx.length > 2) {
      // sklearn keeps i where the second difference of fps or tps is non-zero (plus both ends).
      idx = idx.filter((i) =>
        i === 0 || i === c.tps.length - 1 ||
        c.fps[i + 1] - 2 * c.fps[i] + c.fps[i - 1] !== 0 || c.tps[i + 1] - 2 * c.tps[i] + c.tps[i - 1] !== 0
      );
    }
  }
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Infinity];
  for (const i of idx) {
    fpr.push(c.fps[i] / c.negatives);
    tpr.push(c.tps[i] / c.positives);
    thresholds.push(c.thresholds[i]);
  }
  return { fpr, tpr, thresholds };
}

/**
 * The Kolmogorov-Smirnov statistic: the largest gap between the cumulative score distributions of defaults and
 * non-defaults, max |TPR - FPR|, and the highest threshold where it is reached.
 *
 * @example
 * ```ts
 * import { ksStatistic } from "./metrics.ts";
 * ksStatistic([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // { statistic: 0.5, threshold: 0.8 }
 * ```
 */
export function ksStatistic(scores: NumericArray | BinaryCurve, labels?: NumericArray): KsResult {
  const c = curveOf(scores, labels);
  requireBothClasses("KS statistic", c.positives, c.negatives);
  let best = -1;
  let at = c.thresholds[0];
  for (let i = 0; i < c.tps.length; i++) {
    const d = Math.abs(c.tps[i] / c.positives - c.fps[i] / c.negatives);
    if (d > best + 1e-15) {
      best = d;
      at = c.thresholds[i];
    }
  }
  return { statistic: best, threshold: at };
}

// ---------------------------------------------------------------------------------------------------------------
// Precision-recall

/**
 * Average precision, as `sklearn.metrics.average_precision_score`: sum over thresholds of
 * (R_k - R_{k-1}) * P_k (a step function, no interpolation). Throws when there is no default.
 *
 * @example
 * ```ts
 * import { prAuc } from "./metrics.ts";
 * prAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.8333...
 * ```
 */
export function prAuc(scores: NumericArray | BinaryCurve, labels?: NumericArray): number {
  const c = curveOf(scores, labels);
  requireBothClasses("Average precision", c.positives, c.negatives);
  let ap = 0;
  let prevTp = 0;
  for (let i = 0; i < c.tps.length; i++) {
    const dTp = c.tps[i] - prevTp;
    if (dTp > 0) ap += (dTp / c.positives) * (c.tps[i] / (c.tps[i] + c.fps[i]));
    prevTp = c.tps[i];
  }
  return ap;
}

/**
 * The precision-recall curve like `sklearn.metrics.precision_recall_curve`: thresholds increasing (one per
 * distinct score), then a last point (precision 1, recall 0) without a threshold.
 *
 * @example
 * ```ts
 * import { prCurve } from "./metrics.ts";
 * const { precision, recall, thresholds } = prCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
 * // precision [0.5, 0.667, 0.5, 1, 1], recall [1, 1, 0.5, 0.5, 0], thresholds [0.1, 0.35, 0.4, 0.8]
 * ```
 */
export function prCurve(scores: NumericArray | BinaryCurve, labels?: NumericArray): PrCurve {
  const c = curveOf(scores, labels);
  requireBothClasses("Precision-recall curve", c.positives, c.negatives);
  const precision: number[] = [];
  const recall: number[] = [];
  const thresholds: number[] = [];
  for (let i = c.tps.length - 1; i >= 0; i--) {
    precision.push(c.tps[i] / (c.tps[i] + c.fps[i]));
    recall.push(c.tps[i] / c.positives);
    thresholds.push(c.thresholds[i]);
  }
  precision.push(1);
  recall.push(0);
  return { precision, recall, thresholds };
}

// ---------------------------------------------------------------------------------------------------------------
// Probability quality

/**
 * Brier score: the mean squared difference between the predicted probability and the 0/1 outcome.
 *
 * @example
 * ```ts
 * import { brierScore } from "./metrics.ts";
 * brierScore([0.1, 0.9], [0, 1]); // 0.01
 * ```
 */
export function brierScore(scores: NumericArray, labels: NumericArray): number {
  checkPair(scores, labels);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += (scores[i] - labels[i]) ** 2;
  return sum / scores.length;
}

/**
 * Mean binary cross-entropy (natural log), probabilities clipped to [1e-15, 1 - 1e-15].
 *
 * @example
 * ```ts
 * import { logLoss } from "./metrics.ts";
 * logLoss([0.5, 0.5], [0, 1]); // Math.LN2
 * ```
 */
export function logLoss(scores: NumericArray, labels: NumericArray): number {
  checkPair(scores, labels);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, scores[i]));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / scores.length;
}

function linearQuantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Calibration table like `sklearn.calibration.calibration_curve`: rows are binned by predicted probability
 * (`quantile`: edges at equal-count percentiles; `uniform`: equal widths over [0, 1], scores must lie there); a
 * score equal to an inner edge falls in the lower bin. Empty bins are left out.
 *
 * @example
 * ```ts
 * import { calibrationTable } from "./metrics.ts";
 * const table = calibrationTable([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1], { bins: 2, strategy: "uniform" });
 * // [{ lower: 0, upper: 0.5, count: 2, meanPredicted: 0.15, observedRate: 0 }, { lower: 0.5, ... }]
 * ```
 */
export function calibrationTable(
  scores: NumericArray,
  labels: NumericArray,
  opts: CalibrationOptions = {},
): CalibrationBin[] {
  checkPair(scores, labels);
  const bins = opts.bins ?? 10;
  const strategy = opts.strategy ?? "quantile";
  if (!Number.isInteger(bins) || bins < 1) {
    throw new Error(`Calibration bins must be a positive integer, got "${bins}"`);
  }
  const edges: number[] = [];
  if (strategy === "uniform") {
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] < 0 || scores[i] > 1) {
        throw new Error(`Uniform calibration bins need probabilities in [0, 1]; score at row ${i} is "${scores[i]}"`);
      }
    }
    for (let b = 0; b <= bins; b++) edges.push(b / bins);
  } else if (strategy === "quantile") {
    const sorted = Float64Array.from(scores as ArrayLike<number>).sort();
    for (let b = 0; b <= bins; b++) edges.push(linearQuantile(sorted, b / bins));
  } else {
    throw new Error(`Unknown calibration strategy "${strategy}" (use "quantile" or "uniform")`);
  }
  const counts = new Float64Array(bins);
  const sumPred = new Float64Array(bins);
  const sumTrue = new Float64Array(bins);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    // Number of inner edges strictly below s (numpy searchsorted, side "left").
    let lo = 0;
    let hi = bins - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid + 1] < s) lo = mid + 1;
      else hi = mid;
    }
    counts[lo]++;
    sumPred[lo] += s;
    sumTrue[lo] += labels[i];
  }
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    if (counts[b] === 0) continue;
    out.push({
      lower: edges[b],
      upper: edges[b + 1],
      count: counts[b],
      meanPredicted: sumPred[b] / counts[b],
      observedRate: sumTrue[b] / counts[b],
    });
  }
  return out;
}

/**
 * Expected calibration error of a calibration table: the count-weighted mean of |mean predicted - observed|.
 *
 * @example
 * ```ts
 * import { calibrationTable, expectedCalibrationError } from "./metrics.ts";
 * expectedCalibrationError(calibrationTable([0.2, 0.2, 0.8, 0.8], [0, 1, 1, 1], { bins: 2 })); // 0.25
 * ```
 */
export function expectedCalibrationError(table: CalibrationBin[]): number {
  let n = 0;
  let sum = 0;
  for (const b of table) {
    n += b.count;
    sum += b.count * Math.abs(b.meanPredicted - b.observedRate);
  }
  return n === 0 ? 0 : sum / n;
}

// ---------------------------------------------------------------------------------------------------------------
// Decisions

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/**
 * Builds the confusion matrix and its rates from counts.
 *
 * @example
 * ```ts
 * import { confusionFromCounts } from "./metrics.ts";
 * confusionFromCounts({ threshold: 0.5, tp: 1, fp: 1, tn: 1, fn: 1 }).precision; // 0.5
 * ```
 */
export function confusionFromCounts(
  c: { threshold: number; tp: number; fp: number; tn: number; fn: number },
): Confusion {
  const { tp, fp, tn, fn } = c;
  const n = tp + fp + tn + fn;
  return {
    threshold: c.threshold,
    tp,
    fp,
    tn,
    fn,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    specificity: ratio(tn, tn + fp),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    accuracy: ratio(tp + tn, n),
    approvalRate: ratio(tn + fn, n),
  };
}

/**
 * The confusion matrix at a threshold: a score `>=` the threshold is a predicted default (reject). Rates whose
 * denominator is 0 are 0 (sklearn's `zero_division=0`).
 *
 * @example
 * ```ts
 * import { confusionAt } from "./metrics.ts";
 * const c = confusionAt([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.4);
 * // { tp: 1, fp: 1, tn: 1, fn: 1, precision: 0.5, recall: 0.5, approvalRate: 0.5, ... }
 * ```
 */
export function confusionAt(scores: NumericArray, labels: NumericArray, threshold: number): Confusion {
  checkPair(scores, labels);
  if (typeof threshold !== "number" || Number.isNaN(threshold)) {
    throw new Error(`Threshold is not a number: "${threshold}"`);
  }
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const reject = scores[i] >= threshold;
    if (labels[i] === 1) {
      if (reject) tp++;
      else fn++;
    } else if (reject) fp++;
    else tn++;
  }
  return confusionFromCounts({ threshold, tp, fp, tn, fn });
}

// ---------------------------------------------------------------------------------------------------------------
// Curves for charts

/**
 * Keeps at most `maxPoints` points of a polyline, evenly spaced along its length (first and last always kept),
 * so charts of million-row curves stay small while their shape is preserved.
 *
 * @example
 * ```ts
 * import { downsampleCurve } from "./metrics.ts";
 * const { x, y } = downsampleCurve([0, 0.1, 0.2, 1], [0, 0.5, 0.6, 1], 3);
 * // x.length === 3, x[0] === 0, x[2] === 1
 * ```
 */
export function downsampleCurve(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints = MAX_CURVE_POINTS) {
  if (x.length !== y.length) throw new Error(`Curve coordinates differ in length: ${x.length} x, ${y.length} y`);
  if (maxPoints < 2) throw new Error(`A curve needs at least 2 points, got maxPoints "${maxPoints}"`);
  const n = x.length;
  if (n <= maxPoints) return { x: Array.from(x), y: Array.from(y), index: Array.from({ length: n }, (_, i) => i) };
  const cum = new Float64Array(n);
  for (let i = 1; i < n; i++) cum[i] = cum[i - 1] + Math.hypot(x[i] - x[i - 1], y[i] - y[i - 1]);
  const total = cum[n - 1];
  const index: number[] = [0];
  let j = 0;
  for (let k = 1; k < maxPoints - 1; k++) {
    const target = total === 0 ? (k / (maxPoints - 1)) * (n - 1) : (k / (maxPoints - 1)) * total;
    if (total === 0) j = Math.round(target);
    else while (j < n - 1 && cum[j] < target) j++;
    if (j > index[index.length - 1] && j < n - 1) index.push(j);
  }
  index.push(n - 1);
  return { x: index.map((i) => x[i]), y: index.map((i) => y[i]), index };
}

// ---------------------------------------------------------------------------------------------------------------
// Everything at once

/**
 * All metrics of a scored data set in one JSON-able object (one sort for the ranking metrics).
 *
 * @example
 * ```ts
 * import { evaluate } from "./metrics.ts";
 * const r = evaluate([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.4);
 * console.log(JSON.stringify({ auc: r.rocAuc, ap: r.prAuc, ks: r.ks.statistic, recall: r.confusion.recall }));
 * ```
 */
export function evaluate(
  scores: NumericArray,
  labels: NumericArray,
  threshold: number,
  opts: EvaluateOptions = {},
): Evaluation {
  const curve = binaryCurve(scores, labels);
  const n = scores.length;
  const auc = rocAuc(curve);
  const roc = rocCurve(curve);
  const pr = prCurve(curve);
  const maxPoints = opts.maxCurvePoints ?? MAX_CURVE_POINTS;
  const rocDown = downsampleCurve(roc.fpr, roc.tpr, maxPoints);
  const prDown = downsampleCurve(pr.recall, pr.precision, maxPoints);
  const calibration = calibrationTable(scores, labels, opts.calibration ?? { bins: 10, strategy: "quantile" });
  return {
    n,
    positives: curve.positives,
    negatives: curve.negatives,
    prevalence: curve.positives / n,
    rocAuc: auc,
    prAuc: prAuc(curve),
    gini: 2 * auc - 1,
    ks: ksStatistic(curve),
    brierScore: brierScore(scores, labels),
    logLoss: logLoss(scores, labels),
    calibration,
    expectedCalibrationError: expectedCalibrationError(calibration),
    confusion: confusionAt(scores, labels, threshold),
    curves: {
      roc: { fpr: rocDown.x, tpr: rocDown.y },
      pr: { precision: prDown.y, recall: prDown.x },
    },
  };
}

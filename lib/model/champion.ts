/**
 * Champion against challenger: a time-based holdout of the newest labelled rows, the comparison of two models'
 * scores on it with one configured metric, the promotion rule (the challenger must be better by a margin) and the
 * sentence that explains the decision with its numbers. Pure functions; the monitor (lib/monitoring/monitor.ts)
 * wires them to training and the registry.
 *
 * @example
 * ```ts
 * import { compareOnHoldout, holdoutWindow } from "./champion.ts";
 * const w = holdoutWindow(times, { labelled, holdoutDays: 30 });
 * const c = compareOnHoldout({
 *   labels, champion: { version: 1, scores: championScores }, challenger: { version: 2, scores: challengerScores },
 *   rule: { metric: "roc_auc", margin: 0.005 },
 * });
 * console.log(c.promote, c.explanation);
 * ```
 * @module
 */
import { brierScore, gini, ksStatistic, logLoss, type NumericArray, prAuc, rocAuc } from "./metrics.ts";
import { seededRandom } from "./seeded_random.ts";

/** Metrics a promotion can be decided on. */
export type ComparisonMetric = "roc_auc" | "pr_auc" | "ks" | "gini" | "brier" | "log_loss";

/** How each comparison metric is computed and read. */
export const COMPARISON_METRICS: Readonly<
  Record<
    ComparisonMetric,
    { label: string; higherIsBetter: boolean; compute: (s: NumericArray, y: NumericArray) => number }
  >
> = {
  roc_auc: { label: "ROC AUC", higherIsBetter: true, compute: (s, y) => rocAuc(s, y) },
  pr_auc: { label: "PR AUC", higherIsBetter: true, compute: (s, y) => prAuc(s, y) },
  ks: { label: "KS", higherIsBetter: true, compute: (s, y) => ksStatistic(s, y).statistic },
  gini: { label: "Gini", higherIsBetter: true, compute: (s, y) => gini(s, y) },
  brier: { label: "Brier score", higherIsBetter: false, compute: (s, y) => brierScore(s, y) },
  log_loss: { label: "log loss", higherIsBetter: false, compute: (s, y) => logLoss(s, y) },
};

/** The promotion rule: the challenger replaces the champion when better by at least `margin` on `metric`. */
export interface PromotionRule {
  metric: ComparisonMetric;
  /** Required improvement in the metric's units (>= 0). */
  margin: number;
}

/** The default rule: ROC AUC higher by at least 0.005. */
export const DEFAULT_PROMOTION_RULE: Readonly<PromotionRule> = { metric: "roc_auc", margin: 0.005 };

/**
 * Checks a rule's metric name and margin; errors name the offending value.
 *
 * @example
 * ```ts
 * parsePromotionRule({ metric: "pr_auc", margin: 0.01 }); // { metric: "pr_auc", margin: 0.01 }
 * ```
 */
export function parsePromotionRule(rule: { metric?: string; margin?: number }): PromotionRule {
  const metric = rule.metric ?? DEFAULT_PROMOTION_RULE.metric;
  if (!(metric in COMPARISON_METRICS)) {
    throw new Error(`Metric "${metric}" is unknown; expected one of ${Object.keys(COMPARISON_METRICS).join(", ")}`);
  }
  const margin = rule.margin ?? DEFAULT_PROMOTION_RULE.margin;
  if (typeof margin !== "number" || !Number.isFinite(margin) || margin < 0) {
    throw new Error(`Margin "${margin}" must be a number >= 0`);
  }
  return { metric: metric as ComparisonMetric, margin };
}

// ---------------------------------------------------------------------------------------------------------------
// The time-based holdout

/** Options of {@linkcode holdoutWindow}. */
export interface HoldoutWindowOptions {
  /** Whether each row's label has arrived (true or 1; default: all). */
  labelled?: ArrayLike<boolean | number>;
  /** Length of the holdout: the newest labelled rows within this many days of the newest one (default 30). */
  holdoutDays?: number;
  /** Challenger training rows: labelled rows within this many days before the holdout (default: all before it). */
  trainDays?: number;
}

/** A time-based split of labelled rows into the challenger's training rows and the evaluation holdout. */
export interface HoldoutWindow {
  /** Row indices (time order) before the holdout: what a challenger may be trained on. */
  train: number[];
  /** Row indices (time order) of the holdout: the newest labelled rows, used by no model's training. */
  holdout: number[];
  /** Rows without a label (left out of both). */
  unlabelled: number;
  /** Epoch ms: first training row (null when none), holdout start (inclusive) and newest labelled row. */
  trainFrom: number | null;
  holdoutFrom: number;
  holdoutTo: number;
}

const DAY_MS = 86_400_000;

/**
 * Splits rows by event time (epoch ms): the holdout is every labelled row within `holdoutDays` of the newest
 * labelled row; the challenger's training rows are the labelled rows before it (within `trainDays` when given).
 * Unlabelled rows (labels not arrived yet) are in neither.
 *
 * @example
 * ```ts
 * const day = 86_400_000;
 * const w = holdoutWindow([0, 10, 20, 35, 40].map((d) => d * day), { holdoutDays: 10 });
 * // w.train = [0, 1, 2], w.holdout = [3, 4]
 * ```
 */
export function holdoutWindow(timesMs: ArrayLike<number>, opts: HoldoutWindowOptions = {}): HoldoutWindow {
  const days = opts.holdoutDays ?? 30;
  if (!(days > 0 && Number.isFinite(days))) throw new Error(`Holdout days "${days}" must be a number above 0`);
  if (opts.trainDays !== undefined && !(opts.trainDays > 0)) {
    throw new Error(`Training days "${opts.trainDays}" must be a number above 0`);
  }
  const labelled = opts.labelled;
  if (labelled && labelled.length !== timesMs.length) {
    throw new Error(`Got ${timesMs.length} times but ${labelled.length} label flags`);
  }
  const idx: number[] = [];
  let unlabelled = 0;
  for (let i = 0; i < timesMs.length; i++) {
    if (!Number.isFinite(timesMs[i])) throw new Error(`Row ${i} has no usable event time: "${timesMs[i]}"`);
    if (labelled && !labelled[i]) unlabelled++;
    else idx.push(i);
  }
  if (idx.length === 0) throw new Error("No labelled rows: the holdout needs loans whose outcome is known");
  idx.sort((a, b) => timesMs[a] - timesMs[b] || a - b);
  const holdoutTo = timesMs[idx[idx.length - 1]];
  const holdoutFrom = holdoutTo - days * DAY_MS;
  const trainFrom = opts.trainDays === undefined ? -Infinity : holdoutFrom - opts.trainDays * DAY_MS;
  const train: number[] = [];
  const holdout: number[] = [];
  for (const i of idx) {
    const t = timesMs[i];
    if (t > holdoutFrom) holdout.push(i);
    else if (t > trainFrom) train.push(i);
  }
  return {
    train,
    holdout,
    unlabelled,
    trainFrom: train.length ? timesMs[train[0]] : null,
    holdoutFrom,
    holdoutTo,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The comparison

/** One model's scores on the holdout. */
export interface ModelScores {
  /** Registered version (null when not registered). */
  version: number | null;
  /** Probabilities of default, one per holdout row. */
  scores: NumericArray;
}

/** Options of {@linkcode compareOnHoldout}. */
export interface CompareOptions {
  /** 0/1 labels of the holdout rows. */
  labels: NumericArray;
  champion: ModelScores;
  challenger: ModelScores;
  /** Default {@linkcode DEFAULT_PROMOTION_RULE}. */
  rule?: PromotionRule;
  /** Holdout dates for the explanation (ISO). */
  window?: { from: string; to: string };
  /** Paired bootstrap resamples for an interval of the improvement (default 200; 0 = none). */
  bootstrap?: number;
  /** Seed of the bootstrap (default 1). */
  seed?: number;
}

/** A model's figures on the holdout. */
export interface ModelFigures {
  version: number | null;
  /** The rule's metric. */
  value: number;
  /** Every comparison metric (NaN where undefined). */
  metrics: Record<ComparisonMetric, number>;
}

/** The outcome of {@linkcode compareOnHoldout}. */
export interface Comparison {
  metric: ComparisonMetric;
  metric_label: string;
  higher_is_better: boolean;
  margin: number;
  holdout: { rows: number; defaults: number; from: string | null; to: string | null };
  champion: ModelFigures;
  challenger: ModelFigures;
  /** How much better the challenger is (positive = better, in the metric's units, whatever its direction). */
  improvement: number;
  /** 95% interval of the improvement by paired bootstrap over holdout rows (null when not computed). */
  interval: { low: number; high: number; resamples: number } | null;
  /** The rule's verdict: improvement >= margin. */
  better_by_margin: boolean;
  /** One sentence with the numbers. */
  explanation: string;
}

function allMetrics(scores: NumericArray, labels: NumericArray): Record<ComparisonMetric, number> {
  const out = {} as Record<ComparisonMetric, number>;
  for (const [name, m] of Object.entries(COMPARISON_METRICS)) {
    try {
      out[name as ComparisonMetric] = m.compute(scores, labels);
    } catch {
      out[name as ComparisonMetric] = NaN;
    }
  }
  return out;
}

function quantile(sorted: number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Formats a signed number with its sign. */
function signed(x: number, digits = 4): string {
  return `${x >= 0 ? "+" : "-"}${Math.abs(x).toFixed(digits)}`;
}

/**
 * Scores both models on the same holdout with the rule's metric (and every other comparison metric for the
 * record), decides whether the challenger is better by the margin, and explains it.
 *
 * @example
 * ```ts
 * const c = compareOnHoldout({
 *   labels: [0, 0, 1, 1],
 *   champion: { version: 1, scores: [0.1, 0.4, 0.35, 0.8] },
 *   challenger: { version: 2, scores: [0.1, 0.2, 0.35, 0.8] },
 * });
 * c.improvement; // 0.25 (ROC AUC 1 against 0.75)
 * c.better_by_margin; // true
 * ```
 */
export function compareOnHoldout(opts: CompareOptions): Comparison {
  const rule = parsePromotionRule(opts.rule ?? DEFAULT_PROMOTION_RULE);
  const { labels } = opts;
  const n = labels.length;
  for (const [who, m] of [["champion", opts.champion], ["challenger", opts.challenger]] as const) {
    if (m.scores.length !== n) throw new Error(`The ${who} has ${m.scores.length} scores for ${n} holdout labels`);
  }
  let defaults = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new Error(`Holdout label ${i} is "${labels[i]}"; expected 0 or 1`);
    defaults += labels[i];
  }
  if (defaults === 0 || defaults === n) {
    throw new Error(
      `The holdout of ${n} loans has ${defaults === 0 ? "no default" : "only defaults"}; ` +
        `the models cannot be compared on it (lengthen the holdout)`,
    );
  }
  const def = COMPARISON_METRICS[rule.metric];
  const champion = allMetrics(opts.champion.scores, labels);
  const challenger = allMetrics(opts.challenger.scores, labels);
  const diff = (a: number, b: number) => (def.higherIsBetter ? b - a : a - b);
  const improvement = diff(champion[rule.metric], challenger[rule.metric]);

  let interval: Comparison["interval"] = null;
  const resamples = opts.bootstrap ?? 200;
  if (resamples > 0) {
    const rand = seededRandom(opts.seed ?? 1);
    const y = new Float64Array(n), a = new Float64Array(n), b = new Float64Array(n);
    const diffs: number[] = [];
    for (let r = 0; r < resamples; r++) {
      let pos = 0;
      for (let i = 0; i < n; i++) {
        const j = Math.floor(rand() * n);
        y[i] = labels[j];
        a[i] = opts.champion.scores[j];
        b[i] = opts.challenger.scores[j];
        pos += y[i];
      }
      if (pos === 0 || pos === n) continue;
      diffs.push(diff(def.compute(a, y), def.compute(b, y)));
    }
    diffs.sort((p, q) => p - q);
    if (diffs.length) interval = { low: quantile(diffs, 0.025), high: quantile(diffs, 0.975), resamples: diffs.length };
  }

  const better = Number.isFinite(improvement) && improvement >= rule.margin - 1e-12;
  const from = opts.window?.from ?? null;
  const to = opts.window?.to ?? null;
  const where = `${n} newest labelled rows${from && to ? ` (${from.slice(0, 10)} to ${to.slice(0, 10)})` : ""}, ` +
    `${defaults} defaults`;
  const v = (m: ModelScores) => (m.version === null ? "" : ` (version ${m.version})`);
  const ci = interval ? `, 95% interval ${signed(interval.low)} to ${signed(interval.high)} by paired bootstrap` : "";
  const figures = `${def.label} ${challenger[rule.metric].toFixed(4)} for the challenger${v(opts.challenger)} ` +
    `against ${champion[rule.metric].toFixed(4)} for the champion${v(opts.champion)} on the ${where}: ` +
    `${signed(improvement)}${def.higherIsBetter ? "" : " (lower is better)"}${ci}`;
  const explanation = better
    ? `The challenger is better by at least the margin ${rule.margin}: ${figures}.`
    : `The challenger is not better by the margin ${rule.margin}: ${figures}.`;
  return {
    metric: rule.metric,
    metric_label: def.label,
    higher_is_better: def.higherIsBetter,
    margin: rule.margin,
    holdout: { rows: n, defaults, from, to },
    champion: { version: opts.champion.version, value: champion[rule.metric], metrics: champion },
    challenger: { version: opts.challenger.version, value: challenger[rule.metric], metrics: challenger },
    improvement,
    interval,
    better_by_margin: better,
    explanation,
  };
}

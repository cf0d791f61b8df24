/**
 * Champion against challenger: a time-based holdout of the newest labelled rows, the comparison of two models'
 * scores on it with one configured metric, the promotion rule (the challenger must be better by a margin and meet the
 * decision policy, target recall or cost, on the holdout at its own threshold), the champion's decay since its
 * training, and the sentences that explain the decision with their numbers (both models' recall, precision and
 * approval at their thresholds, the sizes and dates of every test set). Pure functions; the monitor (lib/monitoring/monitor.ts)
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
import { brierScore, confusionAt, gini, ksStatistic, logLoss, type NumericArray, prAuc, rocAuc } from "./metrics.ts";
import type { ThresholdPolicy } from "./policy.ts";
import { seededRandom } from "../numeric/random.ts";

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

/** The registered test metric (training_run.ts `trainingMetrics`) of each comparison metric, for the decay. */
export const REGISTERED_TEST_METRIC: Readonly<Record<ComparisonMetric, string | null>> = {
  roc_auc: "test_auc",
  pr_auc: "test_pr_auc",
  ks: "test_ks",
  gini: "test_gini",
  brier: "test_brier",
  log_loss: null,
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
  /** The model's own decision threshold (reject at or above): its recall, precision and approval are reported. */
  threshold?: number;
}

/** A test set's size and dates (ISO). */
export interface TestSetFacts {
  rows: number;
  defaults?: number | null;
  from: string | null;
  to: string | null;
}

/** What a model decides on the holdout at its own threshold. */
export interface AtThreshold {
  threshold: number;
  recall: number;
  precision: number;
  approval_rate: number;
  /** Mean cost per application (min-cost policies only). */
  expected_cost?: number;
}

/**
 * Whether the challenger meets the decision policy on the holdout at its own threshold: target recall when its recall
 * reaches the target (minus `tolerance`) or the target lies within the 95% bootstrap interval of its recall (not
 * significantly below it); min cost when its mean cost per application is at most the champion's at the champion's
 * threshold, or not significantly above it (paired bootstrap).
 */
export interface PolicyCheck {
  policy: ThresholdPolicy;
  met: boolean;
  /** Target recall policies: how far below the target the holdout recall may be (default 0). */
  tolerance: number;
  /** 95% bootstrap interval of the challenger's recall (target recall) or of its extra cost (min cost), or null. */
  interval: { low: number; high: number } | null;
  /** One sentence with the numbers. */
  text: string;
}

/** The champion's metric at training (its registered test figure) against the holdout now. */
export interface Decay {
  metric: ComparisonMetric;
  at_training: number;
  on_holdout: number;
  /** How much worse it is now (positive = worse, whatever the metric's direction). */
  drop: number;
  /** The drop is larger than the margin. */
  decayed: boolean;
  text: string;
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
  /**
   * The decision policy the challenger must meet on the holdout at its own threshold (`challenger.threshold`):
   * target recall (its recall at least the target minus `policyTolerance`) or min cost (its mean cost per
   * application no higher than the champion's at the champion's threshold). Absent: only the metric decides.
   */
  policy?: ThresholdPolicy;
  /** How far below a target recall the challenger's holdout recall may be (default 0). */
  policyTolerance?: number;
  /** The champion's figures at training: the rule's metric on its test set (for the decay) and that test set. */
  championTraining?: { value: number | null; test?: TestSetFacts | null };
  /** The challenger's own test set (the newest rows of its training window). */
  challengerTest?: TestSetFacts | null;
}

/** A model's figures on the holdout. */
export interface ModelFigures {
  version: number | null;
  /** The rule's metric. */
  value: number;
  /** Every comparison metric (NaN where undefined). */
  metrics: Record<ComparisonMetric, number>;
  /** Recall, precision and approval at the model's own threshold (null when no threshold was given). */
  at_threshold: AtThreshold | null;
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
  /** The metric's verdict: improvement >= margin. */
  better_by_margin: boolean;
  /** The policy's verdict (null when no policy was given). */
  policy_check: PolicyCheck | null;
  /** The promotion's verdict: better by the margin and, when a policy was given, meeting it. */
  promote: boolean;
  /** The champion's decay since training (null without its training figure). */
  decay: Decay | null;
  /** Sizes and dates of every test set: the champion's at training, the challenger's own, the holdout. */
  test_sets: {
    champion_training: TestSetFacts | null;
    challenger_training: TestSetFacts | null;
    holdout: TestSetFacts;
  };
  /** Sentences with the numbers. */
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

function atThreshold(
  scores: NumericArray,
  labels: NumericArray,
  threshold: number | undefined,
  policy: ThresholdPolicy | undefined,
): AtThreshold | null {
  if (threshold === undefined) return null;
  const c = confusionAt(scores, labels, threshold);
  const out: AtThreshold = {
    threshold,
    recall: c.recall,
    precision: c.precision,
    approval_rate: c.approvalRate,
  };
  if (policy?.kind === "min_cost") {
    out.expected_cost = (c.fn * policy.costMissedDefault + c.fp * policy.costRejectedGood) / labels.length;
  }
  return out;
}

function policyText(p: ThresholdPolicy): string {
  return p.kind === "target_recall"
    ? `target recall ${p.targetRecall}`
    : `least cost, missed default ${p.costMissedDefault}, rejected good loan ${p.costRejectedGood}`;
}

function checkPolicy(
  policy: ThresholdPolicy,
  opts: {
    tolerance: number;
    challenger: AtThreshold | null;
    champion: AtThreshold | null;
    labels: NumericArray;
    challengerScores: NumericArray;
    championScores: NumericArray;
    resamples: number;
    seed: number;
  },
): PolicyCheck {
  const { tolerance, challenger, champion, labels, resamples } = opts;
  const what = `the policy (${policyText(policy)})`;
  if (!challenger) {
    return {
      policy,
      met: false,
      tolerance,
      interval: null,
      text: `The challenger has no threshold; it cannot be checked against ${what}.`,
    };
  }
  const at = `at its threshold ${challenger.threshold.toPrecision(4)}`;
  const rand = seededRandom(opts.seed);
  const n = labels.length;
  const ci = (draws: number[]) => {
    draws.sort((a, b) => a - b);
    return draws.length ? { low: quantile(draws, 0.025), high: quantile(draws, 0.975) } : null;
  };
  if (policy.kind === "target_recall") {
    // recall depends on the defaults only: resample them
    const caught: number[] = [];
    for (let i = 0; i < n; i++) {
      if (labels[i] === 1) caught.push(opts.challengerScores[i] >= challenger.threshold ? 1 : 0);
    }
    const draws: number[] = [];
    for (let r = 0; r < resamples && caught.length; r++) {
      let k = 0;
      for (let i = 0; i < caught.length; i++) k += caught[Math.floor(rand() * caught.length)];
      draws.push(k / caught.length);
    }
    const interval = ci(draws);
    const target = policy.targetRecall - tolerance;
    const reached = challenger.recall >= target - 1e-12;
    const met = reached || (interval !== null && interval.high >= target - 1e-12);
    const tol = tolerance > 0 ? `, tolerance ${tolerance}` : "";
    const range = interval ? ` (95% interval ${interval.low.toFixed(3)} to ${interval.high.toFixed(3)})` : "";
    return {
      policy,
      met,
      tolerance,
      interval,
      text: reached
        ? `The challenger meets ${what} on the holdout: recall ${challenger.recall.toFixed(3)} ${at}${range}${tol}.`
        : met
        ? `The challenger meets ${what} on the holdout within sampling error: recall ${
          challenger.recall.toFixed(3)
        } ${at}${range}${tol}.`
        : `The challenger misses ${what} on the holdout: recall ${challenger.recall.toFixed(3)} ${at}${range}, ` +
          `below ${policy.targetRecall}${tol}.`,
    };
  }
  const mine = challenger.expected_cost!;
  if (!champion) {
    return {
      policy,
      met: true,
      tolerance,
      interval: null,
      text: `The challenger's mean cost per application is ${
        mine.toFixed(4)
      } ${at} (no champion threshold to compare).`,
    };
  }
  const theirs = champion.expected_cost!;
  const cost = (s: NumericArray, t: number, i: number) =>
    labels[i] === 1 ? (s[i] >= t ? 0 : policy.costMissedDefault) : (s[i] >= t ? policy.costRejectedGood : 0);
  const extra = Float64Array.from(
    { length: n },
    (_, i) => cost(opts.challengerScores, challenger.threshold, i) - cost(opts.championScores, champion.threshold, i),
  );
  const draws: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += extra[Math.floor(rand() * n)];
    draws.push(sum / n);
  }
  const interval = ci(draws);
  const cheaper = mine <= theirs + 1e-12;
  const met = cheaper || (interval !== null && interval.low <= 1e-12);
  const range = interval
    ? ` (extra cost 95% interval ${signed(interval.low)} to ${signed(interval.high)} by paired bootstrap)`
    : "";
  return {
    policy,
    met,
    tolerance,
    interval,
    text: `The challenger ${met ? "meets" : "misses"} ${what} on the holdout: mean cost per application ` +
      `${mine.toFixed(4)} ${at} against ${theirs.toFixed(4)} for the champion at its threshold ` +
      `${champion.threshold.toPrecision(4)}${range}.`,
  };
}

function testSetText(name: string, t: TestSetFacts | null): string {
  if (!t) return `${name} unknown`;
  const dates = t.from && t.to ? ` (${t.from.slice(0, 10)} to ${t.to.slice(0, 10)})` : "";
  const defaults = typeof t.defaults === "number" ? `, ${t.defaults} defaults` : "";
  return `${name} ${t.rows} rows${dates}${defaults}`;
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
 * record), decides whether the challenger is better by the margin and, given a `policy`, whether it meets it at its
 * own threshold (`promote` needs both), measures the champion's decay since training (given `championTraining`), and
 * explains it all with the numbers.
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
      `The holdout of ${n} rows has ${defaults === 0 ? "no default" : "only defaults"}; ` +
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
  const championAt = atThreshold(opts.champion.scores, labels, opts.champion.threshold, opts.policy);
  const challengerAt = atThreshold(opts.challenger.scores, labels, opts.challenger.threshold, opts.policy);
  const tolerance = opts.policyTolerance ?? 0;
  if (!(tolerance >= 0 && tolerance < 1)) throw new Error(`Policy tolerance "${tolerance}" must be in [0, 1)`);
  const policyCheck = opts.policy
    ? checkPolicy(opts.policy, {
      tolerance,
      challenger: challengerAt,
      champion: championAt,
      labels,
      challengerScores: opts.challenger.scores,
      championScores: opts.champion.scores,
      resamples: opts.bootstrap ?? 200,
      seed: opts.seed ?? 1,
    })
    : null;
  const promote = better && (policyCheck?.met ?? true);
  const from = opts.window?.from ?? null;
  const to = opts.window?.to ?? null;
  const where = `${n} newest labelled rows${from && to ? ` (${from.slice(0, 10)} to ${to.slice(0, 10)})` : ""}, ` +
    `${defaults} defaults`;
  const v = (m: ModelScores) => (m.version === null ? "" : ` (version ${m.version})`);
  const ci = interval ? `, 95% interval ${signed(interval.low)} to ${signed(interval.high)} by paired bootstrap` : "";
  const figures = `${def.label} ${challenger[rule.metric].toFixed(4)} for the challenger${v(opts.challenger)} ` +
    `against ${champion[rule.metric].toFixed(4)} for the champion${v(opts.champion)} on the ${where}: ` +
    `${signed(improvement)}${def.higherIsBetter ? "" : " (lower is better)"}${ci}`;
  const sentences = [
    better
      ? `The challenger is better by at least the margin ${rule.margin}: ${figures}.`
      : `The challenger is not better by the margin ${rule.margin}: ${figures}.`,
  ];
  if (policyCheck) {
    sentences.push(
      policyCheck.met || !better
        ? policyCheck.text
        : `${policyCheck.text.slice(0, -1)}; not promoted, although its ${def.label} is better by the margin.`,
    );
  }
  const at = (who: string, a: AtThreshold | null) =>
    a
      ? `the ${who} recall ${a.recall.toFixed(3)}, precision ${a.precision.toFixed(3)}, approval rate ${
        a.approval_rate.toFixed(3)
      } at its threshold ${a.threshold.toPrecision(4)}` +
        (a.expected_cost !== undefined ? `, mean cost ${a.expected_cost.toFixed(4)}` : "")
      : `the ${who} has no threshold`;
  if (championAt || challengerAt) {
    sentences.push(`On the holdout, ${at("challenger", challengerAt)}; ${at("champion", championAt)}.`);
  }
  let decay: Decay | null = null;
  const trained = opts.championTraining?.value;
  if (typeof trained === "number" && Number.isFinite(trained)) {
    const now = champion[rule.metric];
    const drop = def.higherIsBetter ? trained - now : now - trained;
    const decayed = Number.isFinite(drop) && drop > rule.margin + 1e-12;
    const text = `The champion's ${def.label} was ${trained.toFixed(4)} on its test set at training and is ` +
      `${now.toFixed(4)} on the holdout: ${decayed ? "it decayed by" : "a change of"} ${signed(-drop)}` +
      (decayed ? `, more than the margin ${rule.margin}.` : ` (within the margin ${rule.margin}).`);
    decay = { metric: rule.metric, at_training: trained, on_holdout: now, drop, decayed, text };
    sentences.push(text);
  }
  const testSets = {
    champion_training: opts.championTraining?.test ?? null,
    challenger_training: opts.challengerTest ?? null,
    holdout: { rows: n, defaults, from, to },
  };
  if (testSets.champion_training || testSets.challenger_training) {
    sentences.push(
      `Test sets: ${testSetText("the champion's at training", testSets.champion_training)}; ${
        testSetText("the challenger's own", testSets.challenger_training)
      }; ${testSetText("the holdout", testSets.holdout)}.`,
    );
  }
  const explanation = sentences.join(" ");
  return {
    metric: rule.metric,
    metric_label: def.label,
    higher_is_better: def.higherIsBetter,
    margin: rule.margin,
    holdout: { rows: n, defaults, from, to },
    champion: {
      version: opts.champion.version,
      value: champion[rule.metric],
      metrics: champion,
      at_threshold: championAt,
    },
    challenger: {
      version: opts.challenger.version,
      value: challenger[rule.metric],
      metrics: challenger,
      at_threshold: challengerAt,
    },
    improvement,
    interval,
    better_by_margin: better,
    policy_check: policyCheck,
    promote,
    decay,
    test_sets: testSets,
    explanation,
  };
}

/**
 * Readable summaries of a model for notebooks and reports: what the fitted preprocessing does per feature, the
 * evaluation figures as rows, the fairness table by segment, and the Kolmogorov-Smirnov chart (cumulative score distributions of defaults and
 * good outcomes with the largest gap marked).
 *
 * @example
 * ```ts
 * import { evaluationRows, ksChart, preprocessingSummary } from "./report.ts";
 * preprocessingSummary(scorer.preprocessor); // [{ feature: "person_income", kind: "numeric", columns: 1, ... }]
 * evaluationRows(result.test); // [{ metric: "ROC AUC", value: 0.92, ... }]
 * const svg = await ksChart(probabilities, labels);
 * ```
 * @module
 */
import { type ChartOptions, renderSvg } from "./charts.ts";
import { downsampleCurve, type Evaluation, ksStatistic, type NumericArray, rocCurve } from "./metrics.ts";
import type { LevelState, NumericState, Preprocessor } from "./preprocess.ts";
import type { ModelVersion } from "./registry.ts";
import type { Estimate, SegmentReport } from "./segments.ts";

/** One feature of a fitted preprocessor. */
export interface FeatureSummary {
  feature: string;
  kind: string;
  description: string;
  /** Model input columns it takes. */
  columns: number;
  /** What was fitted on the training rows, in words. */
  fitted: string;
}

const num = (x: number) => Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));

/**
 * One row per feature: kind, description, model columns and the fitted statistics (median and scale, missing
 * indicator, levels kept).
 *
 * @example
 * ```ts
 * preprocessingSummary(pre).find((f) => f.feature === "plan")?.fitted; // "3 levels + unknown: basic, pro, team"
 * ```
 */
export function preprocessingSummary(pre: Preprocessor): FeatureSummary[] {
  return pre.spec.features.map((f) => {
    const st = pre.state[f.name];
    let fitted: string;
    if ("center" in st) {
      const s = st as NumericState;
      const log = "log" in f && f.log ? "log1p, " : "";
      fitted = `${log}median ${num(s.center)}, scale ${num(s.scale)}` +
        (s.indicator ? `, missing -> ${num(s.fill)} + indicator` : "") +
        (s.edges ? `, ${s.edges.length - 1} piecewise-linear bins` : "");
    } else {
      const levels = (st as LevelState).levels;
      const shown = levels.slice(0, 6).join(", ") + (levels.length > 6 ? ", ..." : "");
      fitted = `${levels.length} levels + unknown: ${shown}`;
    }
    return {
      feature: f.name,
      kind: f.kind,
      description: f.description,
      columns: pre.groups.get(f.name)?.length ?? 0,
      fitted,
    };
  });
}

/** One evaluation figure. */
export interface EvaluationRow {
  metric: string;
  value: number;
  /** What it says. */
  meaning: string;
}

/**
 * The headline figures of an evaluation as rows (ROC AUC, PR AUC, KS, Gini, Brier, log loss, calibration error,
 * and the confusion counts at the threshold).
 *
 * @example
 * ```ts
 * evaluationRows(evaluate(p, y, 0.3)).map((r) => r.metric); // ["rows", "default rate", "ROC AUC", ...]
 * ```
 */
export function evaluationRows(e: Evaluation): EvaluationRow[] {
  const r = (x: number) => Number(x.toFixed(4));
  const c = e.confusion;
  return [
    { metric: "rows", value: e.n, meaning: "applications evaluated" },
    { metric: "default rate", value: r(e.prevalence), meaning: "share of defaults (no-skill PR AUC)" },
    { metric: "ROC AUC", value: r(e.rocAuc), meaning: "chance a bad outcome (1) scores above a good one (0)" },
    { metric: "PR AUC", value: r(e.prAuc), meaning: "average precision over recall levels" },
    { metric: "KS", value: r(e.ks.statistic), meaning: "largest gap between the classes' score distributions" },
    { metric: "Gini", value: r(e.gini), meaning: "2 x ROC AUC - 1" },
    { metric: "Brier", value: r(e.brierScore), meaning: "mean squared error of the probabilities" },
    { metric: "log loss", value: r(e.logLoss), meaning: "mean cross-entropy" },
    { metric: "calibration error", value: r(e.expectedCalibrationError), meaning: "mean |predicted - observed|" },
    { metric: "threshold", value: Number(c.threshold.toPrecision(4)), meaning: "reject at or above" },
    { metric: "recall", value: r(c.recall), meaning: "share of defaults rejected" },
    { metric: "precision", value: r(c.precision), meaning: "share of rejections that default" },
    { metric: "approval rate", value: r(c.approvalRate), meaning: "share of applications approved" },
    { metric: "missed defaults", value: c.fn, meaning: "defaults approved" },
    { metric: "rejected good", value: c.fp, meaning: "good outcomes (0) rejected" },
  ];
}

/**
 * The KS chart: share of bad (1) and of good (0) outcomes scored at or above each threshold (the ROC's two rates
 * against the threshold) with a rule at the largest gap, the KS statistic.
 *
 * @example
 * ```ts
 * const svg = await ksChart([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
 * ```
 */
export async function ksChart(scores: NumericArray, labels: NumericArray, opts: ChartOptions = {}): Promise<string> {
  const ks = ksStatistic(scores, labels);
  const roc = rocCurve(scores, labels, { dropIntermediate: false });
  // thresholds from high to low; clip the +Infinity start to the score range
  const thresholds = roc.thresholds.map((t) => Number.isFinite(t) ? t : 1);
  const tpr = downsampleCurve(thresholds, roc.tpr);
  const fpr = downsampleCurve(thresholds, roc.fpr);
  const rows = [
    ...tpr.x.map((t, i) => ({ threshold: t, share: tpr.y[i], series: "defaults (1)" })),
    ...fpr.x.map((t, i) => ({ threshold: t, share: fpr.y[i], series: "repaid (0)" })),
  ];
  const at = Number.isFinite(ks.threshold) ? ks.threshold : 1;
  return await renderSvg({
    title: opts.title ?? `KS = ${ks.statistic.toFixed(3)} at threshold ${at.toPrecision(3)}`,
    width: opts.width ?? 360,
    height: opts.height ?? 260,
    layer: [
      {
        data: { values: rows },
        mark: { type: "line", interpolate: "step-after" },
        encoding: {
          x: { field: "threshold", type: "quantitative", title: "Threshold (probability of default)" },
          y: { field: "share", type: "quantitative", title: "Share scored at or above", scale: { domain: [0, 1] } },
          color: {
            field: "series",
            type: "nominal",
            title: "Outcome",
            scale: { domain: ["defaults (1)", "repaid (0)"], range: ["#e45756", "#4c78a8"] },
          },
        },
      },
      {
        data: { values: [{ threshold: at }] },
        mark: { type: "rule", strokeDash: [4, 4], color: "#333" },
        encoding: { x: { field: "threshold", type: "quantitative" } },
      },
    ],
  });
}

/** One registered version as a row. */
export interface VersionRow {
  version: number;
  aliases: string;
  created: string;
  run_id: string;
  test_auc: number | null;
  test_recall: number | null;
  threshold: number | null;
  description: string;
}

/**
 * Registered versions (from `listVersions`) as rows: aliases, creation time, run, test ROC AUC, recall and
 * threshold, newest first.
 *
 * @example
 * ```ts
 * versionRows(await listVersions({ root: "data/models", name: "churn" }));
 * ```
 */
export function versionRows(versions: ModelVersion[]): VersionRow[] {
  const metric = (v: ModelVersion, k: string) =>
    typeof v.metrics?.[k] === "number" ? Number(v.metrics[k].toPrecision(4)) : null;
  return [...versions].sort((a, b) => b.version - a.version).map((v) => ({
    version: v.version,
    aliases: v.aliases.join(", "),
    created: v.created_time,
    run_id: v.run_id,
    test_auc: metric(v, "test_auc"),
    test_recall: metric(v, "test_recall"),
    threshold: metric(v, "threshold"),
    description: v.description ?? "",
  }));
}

/** One value of a segment as a row of the fairness table (figures rounded, intervals as "low–high"). */
export type SegmentMetricRow = {
  segment: string;
  value: string;
  n: number;
  defaults: number;
  recall: number | null;
  recall_95: string;
  precision: number | null;
  precision_95: string;
  approval_rate: number | null;
  approval_rate_95: string;
  roc_auc: number | null;
  roc_auc_95: string;
  /** Approval rate over the best value's. */
  approval_ratio: number | null;
  /** "under 0.8" when flagged by the four-fifths rule; "few rows" when too small to flag. */
  flag: string;
};

/**
 * The test metrics by segment (the run's `evaluation/segments.json`, lib/model/segments.ts) as rows for a table: one
 * per segment value with recall, precision, approval rate and ROC AUC and their 95% bootstrap intervals, the
 * approval-rate ratio against the best value and the four-fifths flag.
 *
 * @example
 * ```ts
 * segmentRows(report).filter((r) => r.flag === "under 0.8"); // [{ segment: "region", value: "north", ... }]
 * ```
 */
export function segmentRows(report: SegmentReport): SegmentMetricRow[] {
  const r = (x: number | null) => (x === null ? null : Number(x.toFixed(3)));
  const ci = (e: Estimate) => (e.low === null || e.high === null ? "–" : `${e.low.toFixed(3)}–${e.high.toFixed(3)}`);
  return report.segments.flatMap((t) =>
    t.rows.map((x) => ({
      segment: t.segment,
      value: x.value,
      n: x.n,
      defaults: x.defaults,
      recall: r(x.recall.value),
      recall_95: ci(x.recall),
      precision: r(x.precision.value),
      precision_95: ci(x.precision),
      approval_rate: r(x.approval_rate.value),
      approval_rate_95: ci(x.approval_rate),
      roc_auc: r(x.roc_auc.value),
      roc_auc_95: ci(x.roc_auc),
      approval_ratio: r(x.approval_ratio),
      flag: x.flagged ? `under ${report.ratio_floor}` : x.n < report.min_rows ? "few rows" : "",
    }))
  );
}

/**
 * Model charts as SVG strings: vega-lite specifications rendered server-side by vega (no DOM, no browser, no
 * network; default fonts). Curves are downsampled to at most 500 points so the files stay small.
 *
 * @example
 * ```ts
 * import { rocChart } from "./charts.ts";
 * import { rocCurve, rocAuc } from "./metrics.ts";
 * const scores = [0.1, 0.4, 0.35, 0.8];
 * const labels = [0, 0, 1, 1];
 * const svg = await rocChart(rocCurve(scores, labels), { auc: rocAuc(scores, labels) });
 * await Deno.writeTextFile("roc.svg", svg);
 * ```
 * @module
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import { type CalibrationBin, downsampleCurve, MAX_CURVE_POINTS, type NumericArray } from "./metrics.ts";

/** Options shared by every chart. */
export interface ChartOptions {
  /** Chart title (each chart has a default). */
  title?: string;
  /** Plot width in pixels (default 360). */
  width?: number;
  /** Plot height in pixels (default 300). */
  height?: number;
}

/** A ROC curve, optionally named when several are drawn together. */
export interface RocSeries {
  name?: string;
  fpr: ArrayLike<number>;
  tpr: ArrayLike<number>;
}

/** A precision-recall curve, optionally named. */
export interface PrSeries {
  name?: string;
  precision: ArrayLike<number>;
  recall: ArrayLike<number>;
}

/** One epoch of a training history. */
export interface TrainingStep {
  epoch: number;
  loss: number;
  val_loss?: number;
  val_auc?: number;
}

/** The four cells of a confusion matrix (label 1 = default, predicted positive = reject). */
export interface ConfusionCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  threshold?: number;
}

// deno-lint-ignore no-explicit-any
type VlSpec = any;

const CONFIG = {
  view: { stroke: "#ddd" },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: "start" },
  legend: { labelFontSize: 11, titleFontSize: 12 },
};

function size(opts: ChartOptions): { width: number; height: number } {
  return { width: opts.width ?? 360, height: opts.height ?? 300 };
}

function fmt(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

/**
 * Renders a vega-lite specification to an SVG string without a DOM.
 *
 * @example
 * ```ts
 * import { renderSvg } from "./charts.ts";
 * const svg = await renderSvg({ data: { values: [{ a: 1, b: 2 }] }, mark: "point",
 *   encoding: { x: { field: "a", type: "quantitative" }, y: { field: "b", type: "quantitative" } } });
 * ```
 */
export async function renderSvg(spec: VlSpec): Promise<string> {
  const compiled = vl.compile({ config: CONFIG, ...spec }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function seriesList<T extends { name?: string }>(input: T | T[], fallback: string): (T & { name: string })[] {
  const list = Array.isArray(input) ? input : [input];
  if (list.length === 0) throw new Error("A chart needs at least one curve");
  return list.map((s, i) => ({ ...s, name: s.name ?? (list.length === 1 ? fallback : `${fallback} ${i + 1}`) }));
}

function curveRows(x: ArrayLike<number>, y: ArrayLike<number>, name: string, xName: string, yName: string) {
  const d = downsampleCurve(x, y, MAX_CURVE_POINTS);
  return d.x.map((xv, i) => ({ [xName]: xv, [yName]: d.y[i], series: name, order: i }));
}

/**
 * ROC curve(s) with the chance diagonal; `auc` goes into the default title.
 *
 * @example
 * ```ts
 * import { rocChart } from "./charts.ts";
 * const svg = await rocChart({ fpr: [0, 0.2, 1], tpr: [0, 0.7, 1] }, { auc: 0.75 });
 * ```
 */
export async function rocChart(
  roc: RocSeries | RocSeries[],
  opts: ChartOptions & { auc?: number } = {},
): Promise<string> {
  const series = seriesList(roc, "model");
  const rows = series.flatMap((s) => curveRows(s.fpr, s.tpr, s.name, "fpr", "tpr"));
  const title = opts.title ?? (opts.auc === undefined ? "ROC curve" : `ROC curve (AUC = ${fmt(opts.auc)})`);
  return await renderSvg({
    title,
    ...size(opts),
    layer: [
      {
        data: { values: [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }] },
        mark: { type: "line", strokeDash: [4, 4], color: "#999" },
        encoding: { x: { field: "fpr", type: "quantitative" }, y: { field: "tpr", type: "quantitative" } },
      },
      {
        data: { values: rows },
        mark: { type: "line", interpolate: "linear" },
        encoding: {
          x: { field: "fpr", type: "quantitative", title: "False positive rate", scale: { domain: [0, 1] } },
          y: { field: "tpr", type: "quantitative", title: "True positive rate (recall)", scale: { domain: [0, 1] } },
          order: { field: "order", type: "quantitative" },
          color: { field: "series", type: "nominal", title: "Curve", legend: series.length > 1 ? {} : null },
        },
      },
    ],
  });
}

/**
 * Precision-recall curve(s); `prevalence` draws the no-skill baseline, `averagePrecision` goes into the title.
 *
 * @example
 * ```ts
 * import { prChart } from "./charts.ts";
 * const svg = await prChart({ precision: [1, 0.6, 0.3], recall: [0, 0.5, 1] }, { prevalence: 0.3 });
 * ```
 */
export async function prChart(
  pr: PrSeries | PrSeries[],
  opts: ChartOptions & { averagePrecision?: number; prevalence?: number } = {},
): Promise<string> {
  const series = seriesList(pr, "model");
  const rows = series.flatMap((s) => curveRows(s.recall, s.precision, s.name, "recall", "precision"));
  const title = opts.title ??
    (opts.averagePrecision === undefined
      ? "Precision-recall curve"
      : `Precision-recall curve (AP = ${fmt(opts.averagePrecision)})`);
  const layers: VlSpec[] = [
    {
      data: { values: rows },
      mark: { type: "line", interpolate: "step-before" },
      encoding: {
        x: {
          field: "recall",
          type: "quantitative",
          title: "Recall (share of defaults rejected)",
          scale: { domain: [0, 1] },
        },
        y: { field: "precision", type: "quantitative", title: "Precision", scale: { domain: [0, 1] } },
        order: { field: "order", type: "quantitative" },
        color: { field: "series", type: "nominal", title: "Curve", legend: series.length > 1 ? {} : null },
      },
    },
  ];
  if (opts.prevalence !== undefined) {
    layers.push({
      data: { values: [{ precision: opts.prevalence }] },
      mark: { type: "rule", strokeDash: [4, 4], color: "#999" },
      encoding: { y: { field: "precision", type: "quantitative" } },
    });
  }
  return await renderSvg({ title, ...size(opts), layer: layers });
}

/**
 * Reliability diagram of a calibration table: observed default rate against mean predicted probability per bin,
 * with the diagonal of perfect calibration; point size shows the bin's count.
 *
 * @example
 * ```ts
 * import { calibrationChart } from "./charts.ts";
 * import { calibrationTable } from "./metrics.ts";
 * const svg = await calibrationChart(calibrationTable([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1], { bins: 2 }));
 * ```
 */
export async function calibrationChart(table: CalibrationBin[], opts: ChartOptions = {}): Promise<string> {
  if (table.length === 0) throw new Error("Calibration chart needs at least one bin");
  const top = Math.max(1e-9, ...table.map((b) => Math.max(b.meanPredicted, b.observedRate)));
  const lim = Math.min(1, top * 1.05);
  const axis = { type: "quantitative", scale: { domain: [0, lim] } };
  return await renderSvg({
    title: opts.title ?? "Calibration",
    ...size(opts),
    layer: [
      {
        data: { values: [{ p: 0, o: 0 }, { p: lim, o: lim }] },
        mark: { type: "line", strokeDash: [4, 4], color: "#999" },
        encoding: { x: { field: "p", ...axis }, y: { field: "o", ...axis } },
      },
      {
        data: { values: table },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "meanPredicted", ...axis, title: "Mean predicted probability of default" },
          y: { field: "observedRate", ...axis, title: "Observed default rate" },
        },
      },
      {
        data: { values: table },
        mark: { type: "point", filled: true, opacity: 0.4 },
        encoding: {
          x: { field: "meanPredicted", ...axis },
          y: { field: "observedRate", ...axis },
          size: { field: "count", type: "quantitative", title: "Rows in bin" },
        },
      },
    ],
  });
}

/** Options of {@linkcode scoreDistributionChart}. */
export interface ScoreDistributionOptions extends ChartOptions {
  /** Decision threshold drawn as a vertical rule. */
  threshold?: number;
  /** Number of equal-width bins over [min, max] of the scores (default 40). */
  bins?: number;
  /** Show each class as shares of its own total (default true: the classes are usually imbalanced). */
  normalize?: boolean;
}

/**
 * Histograms of the predicted probability per class (defaults vs repaid), binned here so only the bins reach
 * the chart, with the decision threshold as a rule.
 *
 * @example
 * ```ts
 * import { scoreDistributionChart } from "./charts.ts";
 * const svg = await scoreDistributionChart([0.1, 0.2, 0.7, 0.9], [0, 0, 1, 1], { threshold: 0.5 });
 * ```
 */
export async function scoreDistributionChart(
  scores: NumericArray,
  labels: NumericArray,
  opts: ScoreDistributionOptions = {},
): Promise<string> {
  if (scores.length !== labels.length) {
    throw new Error(`Scores and labels differ in length: ${scores.length} scores, ${labels.length} labels`);
  }
  if (scores.length === 0) throw new Error("Score distribution chart needs at least one score");
  const bins = opts.bins ?? 40;
  const normalize = opts.normalize ?? true;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!Number.isFinite(s)) throw new Error(`Score at row ${i} is not finite: "${s}"`);
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  if (lo >= 0 && hi <= 1) [lo, hi] = [0, 1];
  if (hi === lo) hi = lo + 1;
  const width = (hi - lo) / bins;
  const counts = [new Float64Array(bins), new Float64Array(bins)];
  const totals = [0, 0];
  for (let i = 0; i < scores.length; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new Error(`Label at row ${i} is not 0 or 1: "${y}"`);
    const b = Math.min(bins - 1, Math.floor((scores[i] - lo) / width));
    counts[y][b]++;
    totals[y]++;
  }
  const names = ["Repaid (0)", "Default (1)"];
  const rows = [0, 1].flatMap((y) =>
    Array.from(counts[y], (c, b) => ({
      class: names[y],
      start: lo + b * width,
      end: lo + (b + 1) * width,
      value: normalize ? (totals[y] === 0 ? 0 : c / totals[y]) : c,
    }))
  );
  const layers: VlSpec[] = [
    {
      data: { values: rows },
      mark: { type: "bar", opacity: 0.55, binSpacing: 0 },
      encoding: {
        x: {
          field: "start",
          type: "quantitative",
          title: "Predicted probability of default",
          scale: { domain: [lo, hi] },
        },
        x2: { field: "end" },
        y: { field: "value", type: "quantitative", title: normalize ? "Share of class" : "Rows", stack: null },
        y2: { datum: 0 },
        color: {
          field: "class",
          type: "nominal",
          title: "Outcome",
          scale: { domain: names, range: ["#4c78a8", "#e45756"] },
        },
      },
    },
  ];
  if (opts.threshold !== undefined) {
    layers.push({
      data: { values: [{ threshold: opts.threshold, label: `threshold ${fmt(opts.threshold)}` }] },
      mark: { type: "rule", color: "black", strokeWidth: 2 },
      encoding: { x: { field: "threshold", type: "quantitative" } },
    });
    layers.push({
      data: { values: [{ threshold: opts.threshold, label: `threshold ${fmt(opts.threshold)}` }] },
      mark: { type: "text", align: "left", dx: 4, dy: -4, baseline: "top", y: 0 },
      encoding: { x: { field: "threshold", type: "quantitative" }, text: { field: "label" } },
    });
  }
  return await renderSvg({ title: opts.title ?? "Score distribution by outcome", ...size(opts), layer: layers });
}

/**
 * Training history: loss and validation loss per epoch, and a second panel with validation AUC when present.
 *
 * @example
 * ```ts
 * import { trainingCurveChart } from "./charts.ts";
 * const svg = await trainingCurveChart([{ epoch: 1, loss: 0.6, val_loss: 0.62 }, { epoch: 2, loss: 0.5, val_loss: 0.55 }]);
 * ```
 */
export async function trainingCurveChart(steps: TrainingStep[], opts: ChartOptions = {}): Promise<string> {
  if (steps.length === 0) throw new Error("Training curve chart needs at least one epoch");
  const lossRows = steps.flatMap((s) => {
    const out = [{ epoch: s.epoch, metric: "loss", value: s.loss }];
    if (s.val_loss !== undefined && Number.isFinite(s.val_loss)) {
      out.push({ epoch: s.epoch, metric: "val_loss", value: s.val_loss });
    }
    return out.filter((r) => Number.isFinite(r.value));
  });
  const { width, height } = size(opts);
  const lossChart = {
    width,
    height: opts.height ?? 220,
    data: { values: lossRows },
    mark: { type: "line", point: steps.length <= 60 },
    encoding: {
      x: { field: "epoch", type: "quantitative", title: "Epoch" },
      y: { field: "value", type: "quantitative", title: "Loss", scale: { zero: false } },
      color: { field: "metric", type: "nominal", title: "Series" },
    },
  };
  const aucRows = steps.filter((s) => s.val_auc !== undefined && Number.isFinite(s.val_auc))
    .map((s) => ({ epoch: s.epoch, value: s.val_auc }));
  const title = opts.title ?? "Training curve";
  if (aucRows.length === 0) return await renderSvg({ title, ...lossChart });
  return await renderSvg({
    title,
    vconcat: [
      lossChart,
      {
        width,
        height: Math.round(height / 2),
        data: { values: aucRows },
        mark: { type: "line", point: steps.length <= 60, color: "#54a24b" },
        encoding: {
          x: { field: "epoch", type: "quantitative", title: "Epoch" },
          y: { field: "value", type: "quantitative", title: "Validation AUC", scale: { zero: false } },
        },
      },
    ],
  });
}

/**
 * The confusion matrix as a 2 x 2 heatmap with counts and shares of all rows.
 *
 * @example
 * ```ts
 * import { confusionChart } from "./charts.ts";
 * const svg = await confusionChart({ tp: 80, fp: 120, tn: 700, fn: 20, threshold: 0.3 });
 * ```
 */
export async function confusionChart(c: ConfusionCounts, opts: ChartOptions = {}): Promise<string> {
  for (const k of ["tp", "fp", "tn", "fn"] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0) {
      throw new Error(`Confusion count "${k}" must be a non-negative integer, got "${c[k]}"`);
    }
  }
  const n = c.tp + c.fp + c.tn + c.fn;
  const cell = (actual: string, decision: string, count: number, kind: string) => ({
    actual,
    decision,
    count,
    label: `${kind}: ${count} (${n === 0 ? "0.0" : ((100 * count) / n).toFixed(1)}%)`,
  });
  const rows = [
    cell("Default (1)", "Reject", c.tp, "TP"),
    cell("Default (1)", "Approve", c.fn, "FN"),
    cell("Repaid (0)", "Reject", c.fp, "FP"),
    cell("Repaid (0)", "Approve", c.tn, "TN"),
  ];
  const title = opts.title ??
    (c.threshold === undefined ? "Confusion matrix" : `Confusion matrix at threshold ${fmt(c.threshold)}`);
  const order = { actual: ["Default (1)", "Repaid (0)"], decision: ["Reject", "Approve"] };
  return await renderSvg({
    title,
    width: opts.width ?? 280,
    height: opts.height ?? 200,
    data: { values: rows },
    encoding: {
      x: { field: "decision", type: "nominal", title: "Decision", sort: order.decision, axis: { labelAngle: 0 } },
      y: { field: "actual", type: "nominal", title: "Actual outcome", sort: order.actual },
    },
    layer: [
      {
        mark: "rect",
        encoding: { color: { field: "count", type: "quantitative", scale: { scheme: "blues" }, legend: null } },
      },
      {
        mark: { type: "text", fontSize: 13 },
        encoding: {
          text: { field: "label" },
          color: {
            condition: { test: `datum.count > ${Math.max(...rows.map((r) => r.count)) / 2}`, value: "white" },
            value: "black",
          },
        },
      },
    ],
  });
}

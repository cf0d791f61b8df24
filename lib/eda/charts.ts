/**
 * Charts of the exploratory summaries as SVG strings (vega-lite rendered without a browser through
 * lib/model/charts.ts renderSvg): histograms (one or a grid), a rate over time with the rows per period, rates by
 * segment, missing values per column, and features over time (means of numeric columns, mixes of categorical ones).
 *
 * @example
 * ```ts
 * import { histogramChart, periodRateChart } from "./charts.ts";
 * import { histogram } from "./distribution.ts";
 * import { rateByPeriod } from "./rates.ts";
 * const svg1 = await histogramChart(histogram(loans, "loan_amnt", { bins: 30 }));
 * const svg2 = await periodRateChart(rateByPeriod(loans, { time: "event_timestamp", target: "loan_status" }));
 * ```
 * @module
 */
import { type ChartOptions, renderSvg } from "../model/charts.ts";
import type { Histogram } from "./distribution.ts";
import type { PeriodRate, SegmentRate } from "./rates.ts";
import type { MissingShare } from "./summary.ts";
import type { PeriodMean, PeriodShare } from "./over_time.ts";

// deno-lint-ignore no-explicit-any
type VlSpec = any;

function histogramSpec(h: Histogram, width: number, height: number, title?: string): VlSpec {
  const notes: string[] = [];
  if (h.missing) notes.push(`${h.missing} missing`);
  if (h.below) notes.push(`${h.below} below`);
  if (h.above) notes.push(`${h.above} above the range`);
  return {
    title: { text: title ?? h.column, subtitle: notes.length ? notes.join(", ") : undefined },
    width,
    height,
    data: { values: h.bins },
    mark: { type: "bar", color: "#4c78a8", binSpacing: 0 },
    encoding: {
      x: {
        field: "start",
        type: "quantitative",
        title: h.log ? `${h.column} (log scale)` : h.column,
        scale: h.log ? { type: "log" } : { zero: false },
        axis: { format: "~s" },
      },
      x2: { field: "end" },
      y: { field: "count", type: "quantitative", title: "Rows" },
      y2: { datum: 0 },
      tooltip: [{ field: "start" }, { field: "end" }, { field: "count" }],
    },
  };
}

function checkBins(h: Histogram): void {
  if (h.bins.length === 0) throw new Error(`Histogram of "${h.column}" has no bins (no values)`);
}

/**
 * One histogram as a bar chart (log x axis for log histograms; missing and cut-off counts in the subtitle).
 *
 * @example
 * ```ts
 * const svg = await histogramChart(histogram(Float64Array.of(1, 2, 3), "x", { bins: 3 }));
 * ```
 */
export async function histogramChart(h: Histogram, opts: ChartOptions = {}): Promise<string> {
  checkBins(h);
  return await renderSvg(histogramSpec(h, opts.width ?? 360, opts.height ?? 200, opts.title));
}

/**
 * Several histograms in a grid of small charts.
 *
 * @example
 * ```ts
 * const svg = await histogramGrid(["person_age", "loan_amnt"].map((c) => histogram(loans, c)), { columns: 2 });
 * ```
 */
export async function histogramGrid(
  histograms: Histogram[],
  opts: ChartOptions & { columns?: number } = {},
): Promise<string> {
  if (histograms.length === 0) throw new Error("Histogram grid needs at least one histogram");
  histograms.forEach(checkBins);
  return await renderSvg({
    title: opts.title,
    columns: opts.columns ?? 3,
    concat: histograms.map((h) => histogramSpec(h, opts.width ?? 220, opts.height ?? 130)),
  });
}

/**
 * A rate over time (line, left) with the rows per period (bars, below), e.g. the default rate per month.
 *
 * @example
 * ```ts
 * const svg = await periodRateChart(rateByPeriod(loans, { time: "event_timestamp", target: "loan_status" }),
 *   { title: "Default rate per month", rateTitle: "Default rate" });
 * ```
 */
export async function periodRateChart(
  rows: PeriodRate[],
  opts: ChartOptions & { rateTitle?: string } = {},
): Promise<string> {
  if (rows.length === 0) throw new Error("Rate chart needs at least one period");
  const width = opts.width ?? 560;
  const x = { field: "start", type: "temporal", title: null };
  return await renderSvg({
    title: opts.title ?? "Rate over time",
    data: { values: rows },
    vconcat: [
      {
        width,
        height: opts.height ?? 180,
        mark: { type: "line", point: rows.length <= 60 },
        encoding: {
          x: { ...x, axis: { labels: false } },
          y: { field: "rate", type: "quantitative", title: opts.rateTitle ?? "Rate", axis: { format: ".1%" } },
          tooltip: [{ field: "period" }, { field: "rate", format: ".2%" }, { field: "rows" }],
        },
      },
      {
        width,
        height: 70,
        mark: { type: "bar", color: "#bbb" },
        encoding: { x, y: { field: "rows", type: "quantitative", title: "Rows" } },
      },
    ],
  });
}

/**
 * Rates by segment as horizontal bars labelled with the rows of each segment; `overall` draws the overall rate.
 *
 * @example
 * ```ts
 * const svg = await segmentRateChart(rateBySegment(loans, { segment: "loan_intent", target: "loan_status" }),
 *   { title: "Default rate by loan intent", overall: 0.22 });
 * ```
 */
export async function segmentRateChart(
  rows: SegmentRate[],
  opts: ChartOptions & { overall?: number; rateTitle?: string } = {},
): Promise<string> {
  if (rows.length === 0) throw new Error("Segment chart needs at least one segment");
  const values = rows.map((r) => ({ ...r, label: `${r.rows.toLocaleString("en-US")} rows` }));
  const y = { field: "segment", type: "nominal", title: null, sort: rows.map((r) => r.segment) };
  const layers: VlSpec[] = [
    {
      data: { values },
      mark: { type: "bar", color: "#e45756" },
      encoding: {
        y,
        x: { field: "rate", type: "quantitative", title: opts.rateTitle ?? "Rate", axis: { format: ".1%" } },
        tooltip: [{ field: "segment" }, { field: "rate", format: ".2%" }, { field: "rows" }],
      },
    },
    {
      data: { values },
      mark: { type: "text", align: "left", dx: 4, fontSize: 10, color: "#555" },
      encoding: { y, x: { field: "rate", type: "quantitative" }, text: { field: "label" } },
    },
  ];
  if (opts.overall !== undefined) {
    layers.push({
      data: { values: [{ rate: opts.overall }] },
      mark: { type: "rule", strokeDash: [4, 4], color: "#333" },
      encoding: { x: { field: "rate", type: "quantitative" } },
    });
  }
  return await renderSvg({
    title: opts.title ?? "Rate by segment",
    width: opts.width ?? 360,
    height: opts.height ?? Math.max(60, 22 * rows.length),
    layer: layers,
  });
}

/**
 * Missing values per column as horizontal bars of the share (columns without missing values are not drawn).
 *
 * @example
 * ```ts
 * const svg = await missingChart(missingShares(loans), { title: "Missing values in loan_table" });
 * ```
 */
export async function missingChart(rows: MissingShare[], opts: ChartOptions = {}): Promise<string> {
  const values = rows.filter((r) => r.missing > 0);
  if (values.length === 0) throw new Error("Missing-value chart: no column has missing values");
  return await renderSvg({
    title: opts.title ?? "Missing values",
    width: opts.width ?? 360,
    height: opts.height ?? Math.max(40, 22 * values.length),
    data: { values },
    mark: { type: "bar", color: "#f58518" },
    encoding: {
      y: { field: "column", type: "nominal", title: null, sort: "-x" },
      x: { field: "missing_share", type: "quantitative", title: "Share of rows missing", axis: { format: ".1%" } },
      tooltip: [{ field: "column" }, { field: "missing" }, { field: "missing_share", format: ".2%" }],
    },
  });
}

/** Options of the over-time charts: the period's name for the x axis, units of the columns for the y axis. */
export interface OverTimeChartOptions extends ChartOptions {
  /** Charts per row (default 3 for means, 2 for mixes). */
  columns?: number;
  /** The x axis title (default "Month (UTC)"). */
  periodTitle?: string;
  /** Unit per column ("$", "%", "years"), shown in the y axis title. */
  units?: Record<string, string>;
}

function byColumn<T extends { column: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.column) ?? [];
    list.push(r);
    out.set(r.column, list);
  }
  return out;
}

/**
 * The mean of each numeric column per period ({@link featureMeansOverTime}'s rows) as small line charts, one per
 * column with its own y scale (titled with the column's unit when given).
 *
 * @example
 * ```ts
 * const svg = await featureMeansChart(featureMeansOverTime(loans, { time: "event_timestamp" }),
 *   { units: { loan_amnt: "$" }, title: "Numeric features per month" });
 * ```
 */
export async function featureMeansChart(rows: readonly PeriodMean[], opts: OverTimeChartOptions = {}): Promise<string> {
  if (rows.length === 0) throw new Error("Feature means chart needs at least one period");
  const x = { field: "start", type: "temporal", title: opts.periodTitle ?? "Month (UTC)" };
  return await renderSvg({
    title: opts.title,
    columns: opts.columns ?? 3,
    concat: [...byColumn(rows)].map(([column, values]) => ({
      title: column,
      width: opts.width ?? 220,
      height: opts.height ?? 110,
      data: { values },
      mark: { type: "line", point: values.length <= 36 },
      encoding: {
        x,
        y: {
          field: "mean",
          type: "quantitative",
          title: opts.units?.[column] ? `Mean (${opts.units[column]})` : "Mean",
          scale: { zero: false },
          axis: { format: "~s" },
        },
        tooltip: [{ field: "period" }, { field: "mean" }, { field: "rows" }, { field: "missing" }],
      },
    })),
    resolve: { scale: { y: "independent" } },
  });
}

/**
 * The category mix of each categorical column per period ({@link categoryMixOverTime}'s rows) as stacked bars of
 * the share of rows, one chart per column with its own legend.
 *
 * @example
 * ```ts
 * const svg = await categoryMixChart(categoryMixOverTime(loans, { time: "event_timestamp" }));
 * ```
 */
export async function categoryMixChart(rows: readonly PeriodShare[], opts: OverTimeChartOptions = {}): Promise<string> {
  if (rows.length === 0) throw new Error("Category mix chart needs at least one period");
  return await renderSvg({
    title: opts.title,
    columns: opts.columns ?? 2,
    concat: [...byColumn(rows)].map(([column, values]) => ({
      title: column,
      width: opts.width ?? 260,
      height: opts.height ?? 120,
      data: { values },
      mark: { type: "bar" },
      encoding: {
        x: { field: "period", type: "ordinal", title: opts.periodTitle ?? "Month (UTC)", axis: { labelAngle: -45 } },
        y: {
          field: "share",
          type: "quantitative",
          title: "Share of rows",
          stack: "normalize",
          axis: { format: ".1%" },
        },
        color: { field: "category", type: "nominal", title: column },
        order: { field: "category" },
        tooltip: [{ field: "period" }, { field: "category" }, { field: "share", format: ".1%" }, { field: "rows" }],
      },
    })),
    resolve: { scale: { color: "independent" } },
  });
}

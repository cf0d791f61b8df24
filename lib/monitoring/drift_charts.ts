/**
 * Reference-vs-current charts of a column as small SVG strings: vega-lite specifications rendered server-side by
 * lib/model/charts.ts `renderSvg` from the report's binned shares (never raw rows), with coordinates rounded to
 * 0.1 px so a chart stays a few kilobytes whatever the data size.
 *
 * Both sides stay readable where they overlap: numerical columns draw the current shares as orange bars on the
 * shared bins and the reference as a blue step line over them; categorical columns draw a blue (reference) and an
 * orange (current) bar side by side per category. Categories past the largest ones are grouped in one "other
 * (N categories)" bar; when that bar would flatten the others (it holds most rows, as with hundreds of categories)
 * it is left out of the bars and a note under the title says how many categories there are and what share the
 * largest ones hold. Share axes are "share of rows (%)" with one-decimal percentages (lib/monitoring/format.ts).
 *
 * @example
 * ```ts
 * import { detailChart, sparkline } from "./drift_charts.ts";
 * const h = {
 *   edges: [0, 1, 2], labels: ["0 – 1", "1 – 2"], reference: [0.5, 0.5], current: [0.2, 0.8], folded_tails: false,
 * };
 * const small = await sparkline(h);
 * const large = await detailChart("loan_amnt", h, { unit: "$" }); // x axis "loan_amnt ($)"
 * ```
 * @module
 */
import { renderSvg } from "../model/charts.ts";
import type { Histogram } from "./column_drift.ts";
import { formatShare, SHARE_AXIS_FORMAT } from "./format.ts";

/** Colour of the reference distribution (blue). */
export const REFERENCE_COLOR = "#1f5fa6";
/** Colour of the current distribution (orange). */
export const CURRENT_COLOR = "#f58518";
/** Title of the share axes. */
export const SHARE_AXIS_TITLE = "share of rows (%)";

const SETS = ["reference", "current"];
const COLOR_SCALE = { domain: SETS, range: [REFERENCE_COLOR, CURRENT_COLOR] };
/** One legend for the bars and the line: a line symbol for the reference, a square for the current bars. */
const STEP_LEGEND = {
  encode: {
    symbols: {
      update: {
        shape: { signal: "datum.value === 'reference' ? 'stroke' : 'square'" },
        stroke: { signal: "scale('color', datum.value)" },
        strokeWidth: { signal: "datum.value === 'reference' ? 2 : 0" },
      },
    },
  },
};

/**
 * Shrinks vega's SVG without changing the picture: numbers in path data and transforms rounded to 0.1 px, the
 * white background, invisible background/foreground paths and the class, role, aria and pointer-events attributes
 * dropped.
 *
 * @example
 * ```ts
 * import { compactSvg } from "./drift_charts.ts";
 * compactSvg('<path class="x" d="M0.123456,1.987654h2"/>'); // '<path d="M0.1,2h2"/>'
 * ```
 */
export function compactSvg(svg: string): string {
  const round = (s: string) => s.replace(/-?\d+\.\d+(e-?\d+)?/g, (m) => String(Math.round(Number(m) * 10) / 10));
  return svg
    .replace(/<rect width="\d+" height="\d+" fill="white"\/>/, "")
    .replace(/<path class="foreground"[^>]*\/>/g, "")
    .replace(/<path class="background"(?![^>]*stroke=)[^>]*\/>/g, "")
    .replace(/ (class|role|aria-[a-z]+)="[^"]*"/g, "")
    .replace(/ pointer-events="none"/g, "")
    .replace(/ d="([^"]*)"/g, (_, d) => ` d="${round(d)}"`)
    .replace(/ transform="([^"]*)"/g, (_, t) => ` transform="${round(t)}"`);
}

/** The categories a chart draws as bars, and what it says about the rest. */
export interface CategoryBars {
  labels: string[];
  reference: number[];
  current: number[];
  /** Categories in the data: the drawn ones plus those grouped in "other" (null when nothing is grouped). */
  categories: number | null;
  /** True when the "other" bar was left out because it would flatten the others. */
  otherLeftOut: boolean;
  /** A sentence for the chart (null when every category has its own bar). */
  note: string | null;
}

/**
 * Which bars a categorical histogram is drawn with. Every category with its own bar is drawn as it is; the
 * "other (N categories)" bar (the histogram's `other_categories`) is drawn unless it is more than
 * `maxOtherRatio` (default 3) times the largest other bar, in which case it is left out and the note says so:
 * "500 categories; the 11 largest hold 5.1% of reference and 4.3% of current rows; the other 489 (94.9% and 95.7%)
 * are not drawn".
 *
 * @example
 * ```ts
 * import { categoryBars } from "./drift_charts.ts";
 * categoryBars({ edges: null, labels: ["a", "other (498 categories)"], reference: [0.01, 0.99],
 *   current: [0.02, 0.98], folded_tails: false, other_categories: 498 }).otherLeftOut; // true
 * ```
 */
export function categoryBars(h: Histogram, opts: { maxOtherRatio?: number } = {}): CategoryBars {
  const other = h.other_categories ?? 0;
  if (!other || h.labels.length < 2) {
    return {
      labels: h.labels,
      reference: h.reference,
      current: h.current,
      categories: null,
      otherLeftOut: false,
      note: null,
    };
  }
  const k = h.labels.length - 1;
  const sum = (xs: number[]) => xs.slice(0, k).reduce((a, b) => a + b, 0);
  const largest = Math.max(...h.reference.slice(0, k), ...h.current.slice(0, k));
  const otherMax = Math.max(h.reference[k], h.current[k]);
  const leaveOut = otherMax > (opts.maxOtherRatio ?? 3) * largest;
  const total = k + other;
  const held = `the ${k} largest hold ${formatShare(sum(h.reference))} of reference and ${
    formatShare(sum(h.current))
  } of current rows`;
  const note = `${total} categories; ${held}` +
    (leaveOut
      ? `; the other ${other} (${formatShare(h.reference[k])} and ${formatShare(h.current[k])}) are not drawn`
      : "");
  const keep = leaveOut ? k : k + 1;
  return {
    labels: h.labels.slice(0, keep),
    reference: h.reference.slice(0, keep),
    current: h.current.slice(0, keep),
    categories: total,
    otherLeftOut: leaveOut,
    note,
  };
}

/** Bars of a numerical histogram: one row per bin with both shares. */
function binRows(h: Histogram, x: (i: number) => number) {
  return h.reference.map((_, i) => ({ x0: x(i), x1: x(i + 1), reference: h.reference[i], current: h.current[i] }));
}

/** The reference's step line: its share at each bin's start, the last one repeated at the end. */
function stepRows(h: Histogram, x: (i: number) => number) {
  const k = h.reference.length;
  const rows = h.reference.map((share, i) => ({ x: x(i), share }));
  rows.push({ x: x(k), share: h.reference[k - 1] });
  return rows;
}

/** Paired bars of a categorical histogram: per category its reference and current share, in category order. */
function barRows(bars: Pick<CategoryBars, "labels" | "reference" | "current">) {
  return bars.labels.flatMap((l, i) => [
    { label: l, order: i, share: bars.reference[i], set: "reference" },
    { label: l, order: i, share: bars.current[i], set: "current" },
  ]);
}

/**
 * A d3 format for a value axis that reads well for the values' size: SI prefixes from 10,000 up ("50k", "1.2M"),
 * plain numbers below ("0.2", "12", "1,500"), never "200m" for 0.2.
 *
 * @example
 * ```ts
 * import { valueAxisFormat } from "./drift_charts.ts";
 * valueAxisFormat([0, 250_000]); // "~s"
 * valueAxisFormat([0, 1]); // ",~g"
 * ```
 */
export function valueAxisFormat(edges: readonly number[]): string {
  const big = Math.max(...edges.map((e) => Math.abs(e)));
  return big >= 10_000 ? "~s" : ",~g";
}

/**
 * The x axis title of a column: its name and unit, "loan_amnt ($)", or the plain name without a unit.
 *
 * @example
 * ```ts
 * import { axisTitle } from "./drift_charts.ts";
 * axisTitle("person_age", "years"); // "person_age (years)"
 * ```
 */
export function axisTitle(column: string, unit?: string | null): string {
  return unit ? `${column} (${unit})` : column;
}

/**
 * A small chart for the columns table, no axes: current shares as orange bars and the reference as a blue step
 * line (numerical), or a blue and an orange bar per category (categorical, "other" left out when it would flatten
 * the rest, as in {@link categoryBars}).
 *
 * @example
 * ```ts
 * import { sparkline } from "./drift_charts.ts";
 * await sparkline({ edges: null, labels: ["a", "b"], reference: [0.4, 0.6], current: [0.7, 0.3], folded_tails: false });
 * ```
 */
export async function sparkline(h: Histogram, opts: { width?: number; height?: number } = {}): Promise<string> {
  const width = opts.width ?? 140, height = opts.height ?? 34;
  const common = { width, height, config: { aria: false, view: { stroke: null } }, padding: 1 };
  if (h.edges) {
    const x = (i: number) => i;
    return compactSvg(
      await renderSvg({
        ...common,
        layer: [
          {
            data: { values: binRows(h, x) },
            mark: { type: "rect", color: CURRENT_COLOR, opacity: 0.85, aria: false },
            encoding: {
              x: { field: "x0", type: "quantitative", axis: null, scale: { nice: false, zero: false } },
              x2: { field: "x1" },
              y: { field: "current", type: "quantitative", axis: null },
              y2: { datum: 0 },
            },
          },
          {
            data: { values: stepRows(h, x) },
            mark: { type: "line", interpolate: "step-after", color: REFERENCE_COLOR, strokeWidth: 1.5, aria: false },
            encoding: {
              x: { field: "x", type: "quantitative" },
              y: { field: "share", type: "quantitative" },
            },
          },
        ],
      }),
    );
  }
  return compactSvg(
    await renderSvg({
      ...common,
      data: { values: barRows(categoryBars(h)) },
      mark: { type: "bar", aria: false },
      encoding: {
        x: { field: "label", type: "nominal", axis: null, sort: { field: "order" } },
        xOffset: { field: "set", sort: SETS },
        y: { field: "share", type: "quantitative", axis: null },
        color: { field: "set", type: "nominal", scale: COLOR_SCALE, legend: null },
      },
    }),
  );
}

/** Options of {@link detailChart}. */
export interface DetailChartOptions {
  /** A title line above the chart (e.g. the column and its verdict). */
  title?: string;
  /** The d3 format of the value axis (default: by the values' size, see {@link valueAxisFormat}). */
  format?: string;
  /** The column's unit, shown in the x axis title ("loan_amnt ($)"); without one the plain column name. */
  unit?: string | null;
}

/**
 * The detail chart of a column, with axis titles and a legend: current shares per bin as orange bars on the value
 * axis with the reference as a blue step line over them (numerical), or a blue (reference) and an orange (current)
 * bar per category. The x axis is the column with its unit, the y axis "share of rows (%)". Notes (values folded
 * into the outer bins; how many categories there are and what the largest hold) go under the title.
 *
 * @example
 * ```ts
 * import { detailChart } from "./drift_charts.ts";
 * await detailChart("loan_amnt", { edges: [0, 5, 10], labels: ["0 – 5", "5 – 10"], reference: [0.5, 0.5],
 *   current: [0.3, 0.7], folded_tails: false }, { unit: "$" });
 * ```
 */
export async function detailChart(column: string, h: Histogram, opts: DetailChartOptions = {}): Promise<string> {
  const notes: string[] = [];
  if (h.folded_tails) notes.push("values past the 1st/99th percentiles are in the outer bins");
  const bars = h.edges ? null : categoryBars(h);
  if (bars?.note) notes.push(...bars.note.split("; "));
  const lines = [...(opts.title ? [opts.title] : []), ...notes];
  // notes alone are written like subtitles, not as a bold title
  const plain = opts.title ? {} : { fontWeight: "normal", fontSize: 11, color: "#555" };
  const title = lines.length
    ? { title: { text: lines[0], ...plain, ...(lines.length > 1 ? { subtitle: lines.slice(1) } : {}) } }
    : {};
  const common = {
    width: 460,
    height: 150,
    ...title,
    config: {
      aria: false,
      title: { fontSize: 12, anchor: "start", subtitleFontSize: 11, subtitleColor: "#555" },
      axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: "normal", titleColor: "#333" },
      legend: { orient: "top", direction: "horizontal", labelFontSize: 11, title: null },
    },
  };
  const yAxis = { title: SHARE_AXIS_TITLE, axis: { format: SHARE_AXIS_FORMAT, tickCount: 4 } };
  const xTitle = axisTitle(column, opts.unit);
  if (h.edges) {
    const edges = h.edges;
    const x = (i: number) => edges[i];
    const xScale = { domain: [edges[0], edges[edges.length - 1]], nice: false, zero: false };
    return compactSvg(
      await renderSvg({
        ...common,
        layer: [
          {
            data: { values: binRows(h, x) },
            mark: { type: "rect", opacity: 0.85, stroke: "white", strokeWidth: 0.5, aria: false },
            encoding: {
              x: {
                field: "x0",
                type: "quantitative",
                title: xTitle,
                scale: xScale,
                axis: { tickCount: 6, format: opts.format ?? valueAxisFormat(edges) },
              },
              x2: { field: "x1" },
              y: { field: "current", type: "quantitative", ...yAxis },
              y2: { datum: 0 },
              color: { datum: "current", type: "nominal", scale: COLOR_SCALE, legend: STEP_LEGEND },
            },
          },
          {
            data: { values: stepRows(h, x) },
            mark: { type: "line", interpolate: "step-after", strokeWidth: 2, aria: false },
            encoding: {
              x: { field: "x", type: "quantitative" },
              y: { field: "share", type: "quantitative" },
              color: { datum: "reference", type: "nominal", scale: COLOR_SCALE, legend: STEP_LEGEND },
            },
          },
        ],
      }),
    );
  }
  return compactSvg(
    await renderSvg({
      ...common,
      data: { values: barRows(bars!) },
      mark: { type: "bar", aria: false },
      encoding: {
        x: {
          field: "label",
          type: "nominal",
          title: xTitle,
          sort: { field: "order" },
          axis: { labelAngle: -30, labelLimit: 180 },
        },
        xOffset: { field: "set", sort: SETS },
        y: { field: "share", type: "quantitative", ...yAxis },
        color: { field: "set", type: "nominal", scale: COLOR_SCALE, legend: { symbolType: "square" } },
      },
    }),
  );
}

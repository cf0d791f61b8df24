/**
 * Reference-vs-current charts of a column as small SVG strings: vega-lite specifications rendered server-side by
 * lib/model/charts.ts `renderSvg` from the report's binned shares (never raw rows), with coordinates rounded to
 * 0.1 px so a chart stays a few kilobytes whatever the data size.
 *
 * @example
 * ```ts
 * import { sparkline } from "./drift_charts.ts";
 * const svg = await sparkline({
 *   edges: [0, 1, 2], labels: ["0 – 1", "1 – 2"], reference: [0.5, 0.5], current: [0.2, 0.8], folded_tails: false,
 * });
 * ```
 * @module
 */
import { renderSvg } from "../model/charts.ts";
import type { Histogram } from "./column_drift.ts";

const REF_COLOR = "#4c78a8";
const CUR_COLOR = "#f58518";
const COLOR = {
  field: "set",
  type: "nominal",
  scale: { domain: ["reference", "current"], range: [REF_COLOR, CUR_COLOR] },
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

function stepRows(h: Histogram, x: (i: number) => number | string) {
  const rows: { x: number | string; share: number; set: string }[] = [];
  const k = h.reference.length;
  for (const [set, shares] of [["reference", h.reference], ["current", h.current]] as const) {
    for (let i = 0; i < k; i++) rows.push({ x: x(i), share: shares[i], set });
    rows.push({ x: x(k), share: shares[k - 1], set });
  }
  return rows;
}

/** Paired bars of a categorical histogram: per category its reference and current share, in category order. */
function barRows(h: Histogram) {
  return h.labels.flatMap((l, i) => [
    { label: l, order: i, share: h.reference[i], set: "reference" },
    { label: l, order: i, share: h.current[i], set: "current" },
  ]);
}

/**
 * A small chart for the columns table: the two distributions as step areas (numerical) or paired bars
 * (categorical), no axes.
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
    return compactSvg(
      await renderSvg({
        ...common,
        data: { values: stepRows(h, (i) => i) },
        mark: { type: "area", interpolate: "step-after", opacity: 0.55, aria: false },
        encoding: {
          x: { field: "x", type: "quantitative", axis: null, scale: { nice: false, zero: false } },
          y: { field: "share", type: "quantitative", axis: null, stack: null },
          color: { ...COLOR, legend: null },
        },
      }),
    );
  }
  return compactSvg(
    await renderSvg({
      ...common,
      data: { values: barRows(h) },
      mark: { type: "bar", aria: false },
      encoding: {
        x: { field: "label", type: "nominal", axis: null, sort: { field: "order" } },
        xOffset: { field: "set", sort: ["reference", "current"] },
        y: { field: "share", type: "quantitative", axis: null },
        color: { ...COLOR, legend: null },
      },
    }),
  );
}

/**
 * The detail chart of a column: shares per bin (on the value axis) or per category, reference vs current, with axes
 * and a legend. `title` puts a title line above it (e.g. the column and its verdict); `format` is the d3 format of
 * the value axis (default `~s`, SI prefixes: use e.g. `.0%` or `.2~f` for probabilities).
 *
 * @example
 * ```ts
 * import { detailChart } from "./drift_charts.ts";
 * await detailChart("loan_amnt", { edges: [0, 5, 10], labels: ["0 – 5", "5 – 10"], reference: [0.5, 0.5],
 *   current: [0.3, 0.7], folded_tails: false });
 * ```
 */
export async function detailChart(
  column: string,
  h: Histogram,
  opts: { title?: string; format?: string } = {},
): Promise<string> {
  const folded = "values past the 1st/99th percentiles are in the outer bins";
  const title = opts.title
    ? { title: { text: h.folded_tails ? [opts.title, folded] : opts.title } }
    : h.folded_tails
    ? { title: `${column}: ${folded}` }
    : {};
  const common = {
    width: 460,
    height: 150,
    ...title,
    config: { aria: false, title: { fontSize: 12, anchor: "start" }, axis: { labelFontSize: 10, titleFontSize: 11 } },
  };
  if (h.edges) {
    const edges = h.edges;
    return compactSvg(
      await renderSvg({
        ...common,
        data: { values: stepRows(h, (i) => edges[i]) },
        mark: { type: "area", interpolate: "step-after", opacity: 0.5, aria: false },
        encoding: {
          x: {
            field: "x",
            type: "quantitative",
            title: null,
            scale: { domain: [edges[0], edges[edges.length - 1]], nice: false, zero: false },
            axis: { tickCount: 6, format: opts.format ?? "~s" },
          },
          y: {
            field: "share",
            type: "quantitative",
            title: "share",
            stack: null,
            axis: { format: ".0%", tickCount: 4 },
          },
          color: { ...COLOR, title: null, legend: { orient: "top-right" } },
        },
      }),
    );
  }
  return compactSvg(
    await renderSvg({
      ...common,
      data: { values: barRows(h) },
      mark: { type: "bar", aria: false },
      encoding: {
        x: {
          field: "label",
          type: "nominal",
          title: null,
          sort: { field: "order" },
          axis: { labelAngle: -30, labelLimit: 90 },
        },
        xOffset: { field: "set", sort: ["reference", "current"] },
        y: { field: "share", type: "quantitative", title: "share", axis: { format: ".0%", tickCount: 4 } },
        color: { ...COLOR, title: null, legend: { orient: "top-right" } },
      },
    }),
  );
}

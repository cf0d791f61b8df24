/**
 * Rates of a 0/1 target (e.g. the default rate) over time and by segment: per calendar period of a timestamp
 * column (UTC), and per value of a categorical column or per band of a numeric one (given edges or quantiles).
 * Rows with a missing target are left out; a missing segment value is its own segment, `(missing)`.
 *
 * @example
 * ```ts
 * import { rateByPeriod, rateBySegment } from "./rates.ts";
 * rateByPeriod(loans, { time: "event_timestamp", target: "loan_status", period: "month" });
 * // [{ period: "2020-08", rows: 1210, positives: 260, rate: 0.2149 }, ...]
 * rateBySegment(loans, { segment: "loan_intent", target: "loan_status" });
 * ```
 * @module
 */
import type * as arrow from "apache-arrow";
import { columnKind, numericColumn, requireColumn, textColumn } from "./columns.ts";
import { quantileSorted, sortedValues } from "./summary.ts";

/** Calendar periods for {@linkcode rateByPeriod}. */
export type Period = "day" | "week" | "month" | "quarter" | "year";

/** The rate in one period. */
export interface PeriodRate {
  /** "2021-03" (month), "2021-Q1", "2021", "2021-03-08" (day; for weeks the Monday starting it). */
  period: string;
  /** Start of the period (ISO, UTC). */
  start: string;
  rows: number;
  positives: number;
  rate: number;
}

/** The rate in one segment. */
export interface SegmentRate {
  segment: string;
  rows: number;
  /** Share of all rows (with a target) in this segment. */
  share: number;
  positives: number;
  rate: number;
}

const round = (x: number) => Number(x.toFixed(4));

function targetValues(table: arrow.Table, target: string): Float64Array {
  const y = numericColumn(table, target);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v === v && v !== 0 && v !== 1) throw new Error(`Target "${target}" is "${v}" at row ${i}; expected 0 or 1`);
  }
  return y;
}

/**
 * The start (epoch ms, UTC) of the period holding `ms`.
 *
 * @example
 * ```ts
 * new Date(periodStart(Date.UTC(2021, 4, 17, 12), "quarter")).toISOString(); // "2021-04-01T00:00:00.000Z"
 * ```
 */
export function periodStart(ms: number, period: Period): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (period) {
    case "day":
      return Date.UTC(y, m, d.getUTCDate());
    case "week": {
      const day = Date.UTC(y, m, d.getUTCDate());
      return day - ((d.getUTCDay() + 6) % 7) * 86_400_000; // back to Monday
    }
    case "month":
      return Date.UTC(y, m, 1);
    case "quarter":
      return Date.UTC(y, m - (m % 3), 1);
    case "year":
      return Date.UTC(y, 0, 1);
    default:
      throw new Error(`Period "${period}" is not one of day, week, month, quarter, year`);
  }
}

/**
 * The label of the period starting at `start` (epoch ms, UTC): "2021-03" (month), "2021-Q1", "2021", "2021-03-08" (day,
 * week).
 *
 * @example
 * ```ts
 * periodLabel(Date.UTC(2021, 3, 1), "quarter"); // "2021-Q2"
 * ```
 */
export function periodLabel(start: number, period: Period): string {
  const iso = new Date(start).toISOString();
  if (period === "day" || period === "week") return iso.slice(0, 10);
  if (period === "month") return iso.slice(0, 7);
  if (period === "quarter") return `${iso.slice(0, 4)}-Q${Math.floor(new Date(start).getUTCMonth() / 3) + 1}`;
  return iso.slice(0, 4);
}

/**
 * Rows, positives and rate of `target` per calendar period of `time`, oldest first (periods without rows are
 * left out).
 *
 * @example
 * ```ts
 * rateByPeriod(loans, { time: "event_timestamp", target: "loan_status", period: "quarter" });
 * ```
 */
export function rateByPeriod(
  table: arrow.Table,
  opts: { time: string; target: string; period?: Period },
): PeriodRate[] {
  const period = opts.period ?? "month";
  const timeVector = requireColumn(table, opts.time);
  if (columnKind(timeVector.type) !== "temporal") {
    throw new Error(`Column "${opts.time}" is ${timeVector.type}, not a timestamp`);
  }
  const t = numericColumn(table, opts.time);
  const y = targetValues(table, opts.target);
  const groups = new Map<number, { rows: number; positives: number }>();
  for (let i = 0; i < t.length; i++) {
    if (t[i] !== t[i] || y[i] !== y[i]) continue;
    const start = periodStart(t[i], period);
    const g = groups.get(start) ?? { rows: 0, positives: 0 };
    g.rows++;
    g.positives += y[i];
    groups.set(start, g);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([start, g]) => ({
    period: periodLabel(start, period),
    start: new Date(start).toISOString(),
    rows: g.rows,
    positives: g.positives,
    rate: round(g.positives / g.rows),
  }));
}

/** Options of {@linkcode rateBySegment}. */
export interface SegmentOptions {
  /** The column to segment by. */
  segment: string;
  /** The 0/1 target column. */
  target: string;
  /** Numeric segments: band edges (ascending); bands are `< e0`, `e0–e1`, ..., `≥ ek`. */
  edges?: number[];
  /** Numeric segments without edges: this many quantile bands (default 5). */
  bands?: number;
  /** Order: by segment label (default for numeric bands), by rows or by rate, largest first. */
  sort?: "segment" | "rows" | "rate";
}

function formatEdge(x: number): string {
  return Number.isInteger(x) ? x.toLocaleString("en-US") : String(Number(x.toPrecision(3)));
}

/** Band labels and the band index of a value for ascending edges. */
function bander(edges: number[]): { labels: string[]; band: (x: number) => number } {
  const labels = [`< ${formatEdge(edges[0])}`];
  for (let k = 1; k < edges.length; k++) labels.push(`${formatEdge(edges[k - 1])}–${formatEdge(edges[k])}`);
  labels.push(`≥ ${formatEdge(edges[edges.length - 1])}`);
  const band = (x: number) => {
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x >= edges[mid]) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return { labels, band };
}

/**
 * Rows, share, positives and rate of `target` per segment. Categorical columns segment by value (largest first);
 * numeric ones by bands (`edges`, or `bands` quantile bands of the values).
 *
 * @example
 * ```ts
 * rateBySegment(loans, { segment: "person_age", target: "loan_status", edges: [25, 35, 45] });
 * // [{ segment: "< 25", ... }, { segment: "25–35", ... }, { segment: "35–45", ... }, { segment: "≥ 45", ... }]
 * ```
 */
export function rateBySegment(table: arrow.Table, opts: SegmentOptions): SegmentRate[] {
  const vector = requireColumn(table, opts.segment);
  const y = targetValues(table, opts.target);
  const kind = columnKind(vector.type);
  const keys: string[] = new Array(y.length);
  let order: string[] | null = null;
  if (kind === "numeric") {
    const x = numericColumn(table, opts.segment);
    let edges = opts.edges;
    if (edges) {
      for (let k = 1; k < edges.length; k++) {
        if (!(edges[k] > edges[k - 1])) throw new Error(`Segment edges of "${opts.segment}" must be ascending`);
      }
    } else {
      const bands = opts.bands ?? 5;
      if (!Number.isInteger(bands) || bands < 2) {
        throw new Error(`Bands of "${opts.segment}" is "${bands}"; expected 2 or more`);
      }
      const sorted = sortedValues(x);
      edges = [...new Set(Array.from({ length: bands - 1 }, (_, k) => quantileSorted(sorted, (k + 1) / bands)))];
    }
    if (edges.length === 0) throw new Error(`Segment "${opts.segment}" needs at least one edge`);
    const { labels, band } = bander(edges);
    for (let i = 0; i < x.length; i++) keys[i] = x[i] !== x[i] ? "(missing)" : labels[band(x[i])];
    order = [...labels, "(missing)"];
  } else {
    const text = textColumn(table, opts.segment);
    for (let i = 0; i < text.length; i++) keys[i] = text[i] ?? "(missing)";
  }
  const groups = new Map<string, { rows: number; positives: number }>();
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== y[i]) continue;
    const g = groups.get(keys[i]) ?? { rows: 0, positives: 0 };
    g.rows++;
    g.positives += y[i];
    groups.set(keys[i], g);
    total++;
  }
  const out = [...groups.entries()].map(([segment, g]) => ({
    segment,
    rows: g.rows,
    share: round(g.rows / total),
    positives: g.positives,
    rate: round(g.positives / g.rows),
  }));
  const sort = opts.sort ?? (order ? "segment" : "rows");
  if (sort === "segment" && order) out.sort((a, b) => order!.indexOf(a.segment) - order!.indexOf(b.segment));
  else if (sort === "segment") out.sort((a, b) => a.segment.localeCompare(b.segment));
  else if (sort === "rate") out.sort((a, b) => b.rate - a.rate || a.segment.localeCompare(b.segment));
  else out.sort((a, b) => b.rows - a.rows || a.segment.localeCompare(b.segment));
  return out;
}

/**
 * Rows, positives and rate of a 0/1 target over the whole table (rows with a missing target left out).
 *
 * @example
 * ```ts
 * targetRate(loans, "loan_status"); // { rows: 32581, positives: 7108, rate: 0.2182 }
 * ```
 */
export function targetRate(table: arrow.Table, target: string): { rows: number; positives: number; rate: number } {
  const y = targetValues(table, target);
  let rows = 0;
  let positives = 0;
  for (const v of y) {
    if (v !== v) continue;
    rows++;
    positives += v;
  }
  return { rows, positives, rate: rows ? round(positives / rows) : NaN };
}

/**
 * Features over time: per calendar period (UTC) of a timestamp column, the mean of each numeric column and the mix
 * of each categorical one, in long form (one row per period and column, or per period, column and category) ready
 * for a table or lib/eda/charts.ts ({@link featureMeansChart}, {@link categoryMixChart}). A feature whose level or
 * mix moves over time is one the model sees differently in training and in test.
 *
 * Missing values are left out of a mean (counted in `missing`) and are their own category, `(missing)`, in a mix.
 * Categories outside a column's `top` most common overall are pooled as `(other)`. Periods without rows are left
 * out. Both take an Arrow table or a danfojs DataFrame.
 *
 * @example
 * ```ts
 * import { categoryMixOverTime, featureMeansOverTime } from "./over_time.ts";
 * featureMeansOverTime(loans, { time: "event_timestamp", columns: ["loan_amnt"] });
 * // [{ column: "loan_amnt", period: "2020-08", start: "2020-08-01T00:00:00.000Z", rows: 120, missing: 0, mean: 9580.2 }, ...]
 * categoryMixOverTime(loans, { time: "event_timestamp", columns: ["loan_intent"], period: "quarter" });
 * ```
 * @module
 */
import type * as arrow from "apache-arrow";
import { type TableInput, toArrowTable } from "../io/dataframe.ts";
import { columnKind, numericColumn, requireColumn, textColumn } from "./columns.ts";
import { type Period, periodLabel, periodStart } from "./rates.ts";

/** The mean of one numeric column in one period. */
export interface PeriodMean {
  column: string;
  period: string;
  /** Start of the period (ISO, UTC). */
  start: string;
  /** Rows with a value. */
  rows: number;
  /** Rows without one. */
  missing: number;
  /** Null when every row of the period misses the value. */
  mean: number | null;
}

/** The share of one category of one column in one period. */
export interface PeriodShare {
  column: string;
  period: string;
  start: string;
  category: string;
  rows: number;
  /** Share of the period's rows. */
  share: number;
}

/** Options of {@link featureMeansOverTime} and {@link categoryMixOverTime}. */
export interface OverTimeOptions {
  /** The timestamp column. */
  time: string;
  /** Calendar period (default "month"). */
  period?: Period;
  /** Columns (default every numeric, or every categorical and boolean, column but the time). */
  columns?: readonly string[];
}

/** The period start (epoch ms) of each row, NaN where the time is missing; the error names a non-time column. */
function periodStarts(table: arrow.Table, time: string, period: Period): Float64Array {
  const v = requireColumn(table, time);
  if (columnKind(v.type) !== "temporal") throw new Error(`Column "${time}" is ${v.type}, not a timestamp`);
  const t = numericColumn(table, time);
  for (let i = 0; i < t.length; i++) if (t[i] === t[i]) t[i] = periodStart(t[i], period);
  return t;
}

/** The table's periods: each row's period start, the distinct starts oldest first and each start's slot. */
function tablePeriods(input: TableInput, opts: OverTimeOptions) {
  const table = toArrowTable(input, "The table");
  const period = opts.period ?? "month";
  const starts = periodStarts(table, opts.time, period);
  const periods = [...new Set(starts)].filter((s) => s === s).sort((a, b) => a - b);
  return { table, period, starts, periods, index: new Map(periods.map((s, i) => [s, i])) };
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

function defaultColumns(table: arrow.Table, time: string, kinds: string[]): string[] {
  return table.schema.fields.filter((f) => f.name !== time && kinds.includes(columnKind(f.type))).map((f) => f.name);
}

/**
 * The mean of each numeric column per period, oldest first within each column (see the module doc).
 *
 * @example
 * ```ts
 * featureMeansOverTime(table, { time: "event_timestamp", period: "week" });
 * ```
 */
export function featureMeansOverTime(input: TableInput, opts: OverTimeOptions): PeriodMean[] {
  const { table, period, starts, periods, index } = tablePeriods(input, opts);
  const out: PeriodMean[] = [];
  for (const column of opts.columns ?? defaultColumns(table, opts.time, ["numeric"])) {
    const kind = columnKind(requireColumn(table, column).type);
    if (kind !== "numeric" && kind !== "boolean") {
      throw new Error(`Column "${column}" is ${table.getChild(column)!.type}, not numeric: use categoryMixOverTime`);
    }
    const x = numericColumn(table, column);
    const sum = new Float64Array(periods.length), rows = new Float64Array(periods.length);
    const missing = new Float64Array(periods.length);
    for (let i = 0; i < x.length; i++) {
      const p = index.get(starts[i]);
      if (p === undefined) continue;
      if (x[i] === x[i]) {
        sum[p] += x[i];
        rows[p]++;
      } else missing[p]++;
    }
    periods.forEach((s, p) =>
      out.push({
        column,
        period: periodLabel(s, period),
        start: new Date(s).toISOString(),
        rows: rows[p],
        missing: missing[p],
        mean: rows[p] ? round(sum[p] / rows[p], 6) : null,
      })
    );
  }
  return out;
}

/**
 * The mix of each categorical (or boolean) column per period: the share of each of its `top` (default 6) most
 * common categories, the rest pooled as `(other)` (see the module doc).
 *
 * @example
 * ```ts
 * categoryMixOverTime(table, { time: "event_timestamp", columns: ["home_ownership"], top: 4 });
 * ```
 */
export function categoryMixOverTime(input: TableInput, opts: OverTimeOptions & { top?: number }): PeriodShare[] {
  const top = opts.top ?? 6;
  const { table, period, starts, periods, index } = tablePeriods(input, opts);
  const out: PeriodShare[] = [];
  for (const column of opts.columns ?? defaultColumns(table, opts.time, ["categorical", "boolean"])) {
    const values = textColumn(table, column).map((v) => v ?? "(missing)");
    const overall = new Map<string, number>();
    for (const v of values) overall.set(v, (overall.get(v) ?? 0) + 1);
    const kept = new Set(
      [...overall.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, top)
        .map(([v]) => v),
    );
    const categories = [...kept];
    if (overall.size > kept.size) categories.push("(other)");
    const slot = new Map(categories.map((c, i) => [c, i]));
    const counts = periods.map(() => new Float64Array(categories.length));
    const totals = new Float64Array(periods.length);
    for (let i = 0; i < values.length; i++) {
      const p = index.get(starts[i]);
      if (p === undefined) continue;
      counts[p][slot.get(kept.has(values[i]) ? values[i] : "(other)")!]++;
      totals[p]++;
    }
    periods.forEach((s, p) =>
      categories.forEach((category, c) =>
        out.push({
          column,
          period: periodLabel(s, period),
          start: new Date(s).toISOString(),
          category,
          rows: counts[p][c],
          share: round(counts[p][c] / totals[p]),
        })
      )
    );
  }
  return out;
}

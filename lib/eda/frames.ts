/**
 * pandas habits on danfojs DataFrames, made safe for real data: `describe` of the numeric columns skipping missing
 * values (danfojs's own `describe` throws on a null and on a Date column) and value counts with missing values
 * counted as `(missing)` (danfojs's count them as the text "null"). Both give the labels (statistic names, values)
 * as a column: danfojs keeps them in the index, which a table of the columns does not show.
 *
 * @example
 * ```ts
 * import { toDataFrame } from "../io/dataframe.ts";
 * import { describeFrame, valueCountsFrame } from "./frames.ts";
 * const df = await toDataFrame(loans);
 * describeFrame(df); // statistic | person_age | loan_amnt ...
 * valueCountsFrame(df, "loan_intent"); // loan_intent | rows | share
 * ```
 * @module
 */
import type { DataFrame } from "../io/dataframe.ts";

/** A danfojs Series, as these helpers read it. */
interface SeriesLike {
  values: unknown[];
  index: (string | number)[];
  dropNa(): SeriesLike;
  describe(): SeriesLike;
  valueCounts(): SeriesLike;
}

// deno-lint-ignore no-explicit-any
type FrameClass = new (data: any, opts?: { columns?: string[] }) => DataFrame;

/** danfojs's DataFrame class, from the frame given (no import: danfojs is loaded by whoever made the frame). */
function frameClass(df: DataFrame): FrameClass {
  return (df as unknown as { constructor: FrameClass }).constructor;
}

function series(df: DataFrame, column: string): SeriesLike {
  if (!(df.columns as string[]).includes(column)) {
    throw new Error(`Column "${column}" is not in the DataFrame; columns: ${(df.columns as string[]).join(", ")}`);
  }
  const frame = df as unknown as { $getColumnData(c: string, series?: boolean): SeriesLike };
  return frame.$getColumnData(column, true);
}

/** Whether a column's present values are numbers (danfojs may call a Date or boolean column "float32"). */
function isNumberColumn(values: readonly unknown[]): boolean {
  let any = false;
  for (const v of values) {
    if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) continue;
    if (typeof v !== "number") return false;
    any = true;
  }
  return any;
}

/**
 * pandas's `df.describe()`: count, missing, mean, std, min, median, max of each numeric column (default every
 * column holding numbers), missing values skipped; one row per statistic, its name in the `statistic` column.
 *
 * @example
 * ```ts
 * describeFrame(df, { columns: ["loan_amnt"] });
 * ```
 */
export function describeFrame(df: DataFrame, opts: { columns?: readonly string[] } = {}): DataFrame {
  const data: Record<string, unknown[]> = {};
  for (const c of opts.columns ?? (df.columns as string[])) {
    const s = series(df, c);
    if (!isNumberColumn(s.values)) {
      // a listed column must hold numbers; by default the others are passed over
      if (opts.columns) throw new Error(`Column "${c}" does not hold numbers`);
      continue;
    }
    const present = s.dropNa();
    const d = present.describe();
    const at = (name: string) => d.values[d.index.indexOf(name)] as number;
    data[c] = [at("count"), s.values.length - present.values.length, at("mean"), at("std"), at("min")]
      .concat([at("median"), at("max")]);
  }
  if (Object.keys(data).length === 0) throw new Error("describeFrame: the DataFrame has no numeric column");
  const DataFrameClass = frameClass(df);
  return new DataFrameClass({ statistic: ["count", "missing", "mean", "std", "min", "median", "max"], ...data });
}

/**
 * pandas's `df[column].value_counts()` as a frame: each value with its rows and share, most common first, missing
 * values as `(missing)`; `top` keeps the most common (the rest pooled as `(other)`).
 *
 * @example
 * ```ts
 * valueCountsFrame(df, "home_ownership", { top: 5 });
 * ```
 */
export function valueCountsFrame(df: DataFrame, column: string, opts: { top?: number } = {}): DataFrame {
  const s = series(df, column);
  const total = s.values.length;
  const present = s.dropNa();
  const counts = present.values.length ? present.valueCounts() : null;
  let pairs: [string, number][] = counts ? counts.index.map((v, i) => [String(v), counts.values[i] as number]) : [];
  pairs.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const missing = total - present.values.length;
  if (missing) pairs.push(["(missing)", missing]);
  if (opts.top !== undefined && pairs.length > opts.top) {
    const rest = pairs.slice(opts.top).reduce((a, p) => a + p[1], 0);
    pairs = [...pairs.slice(0, opts.top), ["(other)", rest]];
  }
  const DataFrameClass = frameClass(df);
  if (pairs.length === 0) return new DataFrameClass([], { columns: [column, "rows", "share"] });
  return new DataFrameClass({
    [column]: pairs.map((p) => p[0]),
    rows: pairs.map((p) => p[1]),
    share: pairs.map((p) => Number((p[1] / Math.max(total, 1)).toFixed(4))),
  });
}

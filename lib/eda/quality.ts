/**
 * Data-quality flags of a table: values outside the ranges a repo declares for its columns, and suspicious spikes
 * (one value of a many-valued numeric column holding an unusual share of the rows).
 *
 * **Ranges** come from the repo, never from this module: the model spec's range rules (`rules`, by default the
 * request fields' `min`, `max` and `maxField`: lib/repo/spec.ts `rangeRules`). A column without a rule is not
 * checked; {@link rangeFlags} returns one row per rule, and an empty list when the repo declares none (say so).
 *
 * **Spikes** ({@link spikeFlags}): a numeric column with at least `minDistinct` (20) distinct values is measured, not
 * coded, so no single value should hold much of it; the most common value is flagged when it holds at least
 * `minShare` (10%) of the non-missing values and at least `minRatio` (3) times the share of the next most common
 * value. A default filled in for missing data (0, -1, 999), a capped or rounded measurement, or a placeholder date
 * looks like that. Columns with few distinct values (codes, counts, categories) are never flagged: a category
 * holding 10% of the rows is normal.
 *
 * Both take an Arrow table or a danfojs DataFrame.
 *
 * @example
 * ```ts
 * import { rangeFlags, spikeFlags } from "./quality.ts";
 * rangeFlags(loans, [{ column: "person_age", min: 18, max: 100, label: "age" }]);
 * // [{ column: "person_age", rule: "18 ≤ age ≤ 100", outside: 3, below: 0, above: 3, highest: 144, ... }]
 * spikeFlags(loans); // [{ column: "loan_int_rate", value: 11, share: 0.12, next_share: 0.01, ... }]
 * ```
 * @module
 */
import type * as arrow from "apache-arrow";
import type { RangeRule } from "../model/preprocess.ts";
import { type TableInput, toArrowTable } from "../io/dataframe.ts";
import { columnKind, numericColumn } from "./columns.ts";

/** Values of one column outside its declared range. */
export interface RangeFlag {
  column: string;
  /** The rule in words, e.g. "18 ≤ age ≤ 100" or "employment length ≤ person_age". */
  rule: string;
  /** Non-missing values checked (0 when the column is absent: see `note`). */
  checked: number;
  /** Values outside the rule. */
  outside: number;
  /** Share of the checked values outside. */
  share: number;
  below: number;
  above: number;
  /** Values above the `maxColumn` of the same row. */
  above_column: number;
  /** Smallest and largest value seen (null when none). */
  lowest: number | null;
  highest: number | null;
  /** Why the rule could not be checked ("not in the table"), else null. */
  note: string | null;
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

function ruleText(r: RangeRule): string {
  const label = r.label ?? r.column;
  const parts: string[] = [];
  if (r.min !== undefined && r.max !== undefined) parts.push(`${r.min} ≤ ${label} ≤ ${r.max}`);
  else if (r.min !== undefined) parts.push(`${label} ≥ ${r.min}`);
  else if (r.max !== undefined) parts.push(`${label} ≤ ${r.max}`);
  if (r.maxColumn !== undefined) parts.push(`${label} ≤ ${r.maxColumn}`);
  return parts.join(", ");
}

/**
 * Per declared rule, how many values of its column fall outside (see the module doc). Rules for columns the table
 * lacks come back with a `note`; an empty `rules` gives an empty list.
 *
 * @example
 * ```ts
 * rangeFlags(table, [{ column: "person_emp_length", min: 0, maxColumn: "person_age" }])[0].above_column;
 * ```
 */
export function rangeFlags(input: TableInput, rules: readonly RangeRule[]): RangeFlag[] {
  const table = toArrowTable(input, "The table");
  const names = new Set(table.schema.fields.map((f) => f.name));
  return rules.map((r) => {
    const flag: RangeFlag = {
      column: r.column,
      rule: ruleText(r),
      checked: 0,
      outside: 0,
      share: 0,
      below: 0,
      above: 0,
      above_column: 0,
      lowest: null,
      highest: null,
      note: null,
    };
    if (!names.has(r.column)) return { ...flag, note: "not in the table" };
    if (r.maxColumn !== undefined && !names.has(r.maxColumn)) {
      flag.note = `"${r.maxColumn}" (its upper bound) is not in the table`;
    }
    const x = numericColumn(table, r.column);
    const cap = r.maxColumn !== undefined && names.has(r.maxColumn) ? numericColumn(table, r.maxColumn) : null;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v !== v) continue;
      flag.checked++;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      const below = r.min !== undefined && v < r.min;
      const above = r.max !== undefined && v > r.max;
      const overCap = cap !== null && cap[i] === cap[i] && v > cap[i];
      if (below) flag.below++;
      if (above) flag.above++;
      if (overCap) flag.above_column++;
      if (below || above || overCap) flag.outside++;
    }
    flag.share = flag.checked ? round(flag.outside / flag.checked, 6) : 0;
    flag.lowest = flag.checked ? lo : null;
    flag.highest = flag.checked ? hi : null;
    return flag;
  });
}

/** A value holding an unusual share of a numeric column. */
export interface SpikeFlag {
  column: string;
  value: number;
  /** Rows holding the value. */
  rows: number;
  /** Its share of the non-missing values. */
  share: number;
  /** Share of the next most common value. */
  next_share: number;
  /** Distinct non-missing values of the column. */
  distinct: number;
}

/** Options of {@link spikeFlags}. */
export interface SpikeOptions {
  /** Columns to check (default every numeric column); listed columns that are not numeric are passed over. */
  columns?: readonly string[];
  /** Only columns with at least this many distinct values (default 20). */
  minDistinct?: number;
  /** Flag a value holding at least this share of the non-missing values (default 0.10). */
  minShare?: number;
  /** ... and at least this many times the next most common value's share (default 3). */
  minRatio?: number;
}

/**
 * The suspicious spikes of a table's numeric columns, largest share first (see the module doc for the rule).
 *
 * @example
 * ```ts
 * spikeFlags(table, { minShare: 0.05 });
 * ```
 */
export function spikeFlags(input: TableInput, opts: SpikeOptions = {}): SpikeFlag[] {
  const table: arrow.Table = toArrowTable(input, "The table");
  const minDistinct = opts.minDistinct ?? 20, minShare = opts.minShare ?? 0.1, minRatio = opts.minRatio ?? 3;
  const columns = numericColumnNames(table, opts.columns);
  const out: SpikeFlag[] = [];
  for (const column of columns) {
    const x = numericColumn(table, column);
    const counts = new Map<number, number>();
    let n = 0;
    for (const v of x) {
      if (v !== v) continue;
      n++;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    if (counts.size < minDistinct) continue;
    let top = NaN, first = 0, second = 0;
    for (const [v, c] of counts) {
      if (c > first) [top, first, second] = [v, c, first];
      else if (c > second) second = c;
    }
    const share = first / n, nextShare = second / n;
    if (share >= minShare && share >= minRatio * nextShare) {
      out.push({
        column,
        value: top,
        rows: first,
        share: round(share),
        next_share: round(nextShare),
        distinct: counts.size,
      });
    }
  }
  return out.sort((a, b) => b.share - a.share);
}

/**
 * The numeric columns among `columns` (default all of the table's), in order: the ones {@link spikeFlags} checks. A
 * listed column the table lacks is kept, so that the check fails naming it.
 *
 * @example
 * ```ts
 * numericColumnNames(loans, ["person_age", "loan_intent"]); // ["person_age"]
 * ```
 */
export function numericColumnNames(input: TableInput, columns?: readonly string[]): string[] {
  const table: arrow.Table = toArrowTable(input, "The table");
  const kinds = new Map(table.schema.fields.map((f) => [f.name, columnKind(f.type)]));
  return (columns ?? table.schema.fields.map((f) => f.name)).filter((c) => (kinds.get(c) ?? "numeric") === "numeric");
}

/**
 * One Markdown sentence on a table's spikes from {@link spikeFlags}: each column, its value and shares, or that none of
 * the `checked` numeric columns has one.
 *
 * @example
 * ```ts
 * describeSpikes([], { name: "loans", checked: 4 }); // "No spike in the 4 numeric columns of `loans`."
 * ```
 */
export function describeSpikes(spikes: readonly SpikeFlag[], opts: { name: string; checked: number }): string {
  if (spikes.length === 0) {
    return `No spike in the ${opts.checked} numeric column${opts.checked === 1 ? "" : "s"} of \`${opts.name}\`.`;
  }
  return `**Spikes in \`${opts.name}\`**: ` +
    spikes.map((s) =>
      `\`${s.column}\` = ${s.value} in ${(100 * s.share).toFixed(1)}% of the rows ` +
      `(the next most common value: ${(100 * s.next_share).toFixed(1)}%)`
    ).join("; ") + ".";
}

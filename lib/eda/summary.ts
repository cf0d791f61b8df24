/**
 * What a table holds, column by column: type, kind, missing values, distinct values and, by kind, range, mean and
 * quartiles (numbers), first and last time (timestamps) or the most frequent value (text). The rows are plain
 * objects, so they show as a table in a notebook and serialize as JSON.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { summarizeColumns } from "./summary.ts";
 * const rows = summarizeColumns(arrow.tableFromArrays({ age: [30, null, 45], intent: ["EDUCATION", "MEDICAL", null] }));
 * rows[0].missing_share; // 0.3333
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { columnTypeName } from "../io/arrow_util.ts";
import { type ColumnKind, columnKind, numericColumn, textColumn } from "./columns.ts";

/** One column's summary. */
export interface ColumnSummary {
  column: string;
  type: string;
  kind: ColumnKind;
  rows: number;
  missing: number;
  /** Missing values over rows (0 for an empty table). */
  missing_share: number;
  /** Distinct non-missing values. */
  distinct: number;
  /** Numbers: smallest value; timestamps: first time (ISO); text: null. */
  min: number | string | null;
  /** Numbers: 25th percentile. */
  p25: number | null;
  /** Numbers: median. */
  median: number | null;
  /** Numbers: 75th percentile. */
  p75: number | null;
  max: number | string | null;
  mean: number | null;
  /** Text: most frequent value (ties: the first in sort order). */
  top: string | null;
  /** Share of non-missing rows holding `top`. */
  top_share: number | null;
}

/**
 * The q-quantile (0..1) of sorted values with linear interpolation (numpy's default); NaN when empty.
 *
 * @example
 * ```ts
 * quantileSorted(Float64Array.of(1, 2, 3, 4), 0.5); // 2.5
 * ```
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new Error(`Quantile "${q}" is outside 0..1`);
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * The non-missing values of a numeric column, sorted ascending.
 *
 * @example
 * ```ts
 * sortedValues(Float64Array.of(3, NaN, 1)); // Float64Array [1, 3]
 * ```
 */
export function sortedValues(values: Float64Array): Float64Array {
  let n = 0;
  const out = new Float64Array(values.length);
  for (const v of values) if (v === v) out[n++] = v;
  return out.subarray(0, n).sort();
}

const round = (x: number, digits = 4) => Number.isFinite(x) ? Number(x.toFixed(digits)) : x;

function summarizeNumeric(values: Float64Array): Partial<ColumnSummary> & { missing: number; distinct: number } {
  const sorted = sortedValues(values);
  const n = sorted.length;
  let distinct = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
    sum += sorted[i];
  }
  return {
    missing: values.length - n,
    distinct,
    min: n ? sorted[0] : null,
    p25: n ? quantileSorted(sorted, 0.25) : null,
    median: n ? quantileSorted(sorted, 0.5) : null,
    p75: n ? quantileSorted(sorted, 0.75) : null,
    max: n ? sorted[n - 1] : null,
    mean: n ? sum / n : null,
  };
}

function summarizeText(values: (string | null)[]): Partial<ColumnSummary> & { missing: number; distinct: number } {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const v of values) {
    if (v === null) missing++;
    else counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  let top: string | null = null;
  let topCount = 0;
  for (const [v, c] of counts) {
    if (c > topCount || (c === topCount && top !== null && v < top)) [top, topCount] = [v, c];
  }
  const present = values.length - missing;
  return { missing, distinct: counts.size, top, top_share: present ? round(topCount / present) : null };
}

function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

/**
 * One {@linkcode ColumnSummary} per column, in table order.
 *
 * @example
 * ```ts
 * summarizeColumns(loans).filter((c) => c.missing > 0).map((c) => c.column); // ["person_emp_length", "loan_int_rate"]
 * ```
 */
export function summarizeColumns(table: arrow.Table, opts: { columns?: string[] } = {}): ColumnSummary[] {
  const names = opts.columns ?? table.schema.fields.map((f) => f.name);
  return names.map((name) => {
    const field = table.schema.fields.find((f) => f.name === name);
    if (!field) {
      throw new Error(
        `Column "${name}" is not in the table; columns: ${table.schema.fields.map((f) => f.name).join(", ")}`,
      );
    }
    const kind = columnKind(field.type);
    const base: ColumnSummary = {
      column: name,
      type: columnTypeName(field),
      kind,
      rows: table.numRows,
      missing: 0,
      missing_share: 0,
      distinct: 0,
      min: null,
      p25: null,
      median: null,
      p75: null,
      max: null,
      mean: null,
      top: null,
      top_share: null,
    };
    let part: Partial<ColumnSummary> & { missing: number; distinct: number };
    if (kind === "numeric" || kind === "boolean") part = summarizeNumeric(numericColumn(table, name));
    else if (kind === "temporal") {
      const s = summarizeNumeric(numericColumn(table, name));
      part = { missing: s.missing, distinct: s.distinct, min: iso(s.min as number), max: iso(s.max as number) };
    } else part = summarizeText(textColumn(table, name));
    const out = { ...base, ...part };
    out.missing_share = table.numRows ? round(out.missing / table.numRows) : 0;
    for (const k of ["p25", "median", "p75", "mean"] as const) if (out[k] !== null) out[k] = round(out[k]!);
    return out;
  });
}

/** A column's missing values. */
export interface MissingShare {
  column: string;
  missing: number;
  missing_share: number;
}

/**
 * Missing values per column, most missing first; columns without any are left out unless `all` is set.
 *
 * @example
 * ```ts
 * missingShares(loans); // [{ column: "loan_int_rate", missing: 3116, missing_share: 0.0956 }, ...]
 * ```
 */
export function missingShares(table: arrow.Table, opts: { all?: boolean } = {}): MissingShare[] {
  const out: MissingShare[] = [];
  for (const field of table.schema.fields) {
    const v = table.getChild(field.name)!;
    let missing = v.nullCount;
    if (arrow.DataType.isFloat(field.type)) {
      missing = 0;
      for (const x of numericColumn(table, field.name)) if (x !== x) missing++;
    }
    if (missing > 0 || opts.all) {
      out.push({ column: field.name, missing, missing_share: table.numRows ? round(missing / table.numRows) : 0 });
    }
  }
  return out.sort((a, b) => b.missing - a.missing || a.column.localeCompare(b.column));
}

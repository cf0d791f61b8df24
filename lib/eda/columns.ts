/**
 * Column access for exploratory summaries: an Arrow column as numbers (nulls as NaN), as text (nulls as null), or
 * as epoch milliseconds of a timestamp, read chunk by chunk from the typed buffers.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { numericColumn } from "./columns.ts";
 * numericColumn(arrow.tableFromArrays({ x: [1, 2.5] }), "x"); // Float64Array [1, 2.5]
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { isTemporal, timestampMicros } from "../io/arrow_util.ts";

/** The kind of a column for summaries. */
export type ColumnKind = "numeric" | "categorical" | "temporal" | "boolean" | "other";

/**
 * The kind of an Arrow type: ints and floats are numeric; strings and dictionaries categorical; timestamps and
 * dates temporal.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * columnKind(new arrow.Int64()); // "numeric"
 * ```
 */
export function columnKind(type: arrow.DataType): ColumnKind {
  if (arrow.DataType.isInt(type) || arrow.DataType.isFloat(type) || arrow.DataType.isDecimal(type)) return "numeric";
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type) || arrow.DataType.isDictionary(type)) {
    return "categorical";
  }
  if (isTemporal(type)) return "temporal";
  if (arrow.DataType.isBool(type)) return "boolean";
  return "other";
}

/**
 * A column of a table by name; the error names the column and lists the table's columns.
 *
 * @example
 * ```ts
 * requireColumn(table, "loan_status");
 * ```
 */
export function requireColumn(table: arrow.Table, name: string): arrow.Vector {
  const v = table.getChild(name);
  if (!v) {
    throw new Error(
      `Column "${name}" is not in the table; columns: ${table.schema.fields.map((f) => f.name).join(", ")}`,
    );
  }
  return v;
}

/**
 * A numeric, boolean or temporal column as float64 values (nulls and NaN as NaN; timestamps as epoch ms).
 *
 * @example
 * ```ts
 * numericColumn(arrow.tableFromArrays({ x: [1, null, 3] }), "x"); // Float64Array [1, NaN, 3]
 * ```
 */
export function numericColumn(table: arrow.Table, name: string): Float64Array {
  const vector = requireColumn(table, name);
  const kind = columnKind(vector.type);
  const out = new Float64Array(vector.length);
  if (kind === "temporal") {
    const micros = timestampMicros(vector);
    for (let i = 0; i < out.length; i++) out[i] = vector.isValid(i) ? Number(micros[i]) / 1000 : NaN;
    return out;
  }
  if (kind !== "numeric" && kind !== "boolean") {
    throw new Error(`Column "${name}" is ${vector.type}, not numeric`);
  }
  let pos = 0;
  for (const data of vector.data) {
    const n = data.length;
    const values = data.values as ArrayLike<number | bigint>;
    const direct = kind === "numeric" && !arrow.DataType.isDecimal(data.type) && values &&
      (typeof values[0] === "number" || typeof values[0] === "bigint" || n === 0);
    for (let i = 0; i < n; i++) {
      if (data.nullCount > 0 && !data.getValid(i)) {
        out[pos + i] = NaN;
        continue;
      }
      const v = direct ? values[i] : vector.get(pos + i);
      out[pos + i] = typeof v === "bigint" ? Number(v) : typeof v === "boolean" ? Number(v) : Number(v ?? NaN);
    }
    pos += n;
  }
  return out;
}

/**
 * Any column as text values (null stays null; numbers as their shortest text).
 *
 * @example
 * ```ts
 * textColumn(arrow.tableFromArrays({ s: ["a", null] }), "s"); // ["a", null]
 * ```
 */
export function textColumn(table: arrow.Table, name: string): (string | null)[] {
  const vector = requireColumn(table, name);
  const out: (string | null)[] = new Array(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const v = vector.get(i);
    out[i] = v === null || v === undefined ? null : String(v);
  }
  return out;
}

/**
 * Whether a number is a value (not NaN) — the null test of {@linkcode numericColumn}'s output.
 *
 * @example
 * ```ts
 * isValue(NaN); // false
 * ```
 */
export function isValue(x: number): boolean {
  return x === x;
}

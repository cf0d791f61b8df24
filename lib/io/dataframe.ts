/**
 * Arrow tables as danfojs DataFrames (for notebooks and EDA). danfojs is imported lazily: it loads tfjs.
 *
 * Conversions: Int64 → number (exact up to 2^53), timestamps → `Date` (millisecond precision: keep the Arrow table
 * when microseconds matter), strings/booleans/floats as they are, nulls as `null`.
 *
 * @example
 * ```ts
 * import { toDataFrame } from "./dataframe.ts";
 * const df = await toDataFrame(training);
 * df.head().print();
 * ```
 * @module
 */
import * as arrow from "apache-arrow";

/** One column as plain JavaScript values. */
export function columnValues(vector: arrow.Vector): unknown[] {
  const type = vector.type;
  const out = new Array(vector.length);
  const isTs = arrow.DataType.isTimestamp(type) || arrow.DataType.isDate(type);
  const isBig = arrow.DataType.isInt(type) && type.bitWidth === 64;
  for (let i = 0; i < vector.length; i++) {
    const v = vector.get(i);
    if (v === null || v === undefined) out[i] = null;
    else if (isTs) out[i] = new Date(typeof v === "number" ? v : Number(v));
    else if (isBig) out[i] = Number(v);
    else out[i] = v;
  }
  return out;
}

/** A table as `{column: values[]}` of plain JavaScript values. */
export function tableColumns(table: arrow.Table): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const field of table.schema.fields) out[field.name] = columnValues(table.getChild(field.name)!);
  return out;
}

/**
 * Converts an Arrow table to a danfojs DataFrame (columns in the same order).
 *
 * @example
 * ```ts
 * const df = await toDataFrame(arrow.tableFromArrays({ a: [1, 2] }));
 * df.shape; // [2, 1]
 * ```
 */
// deno-lint-ignore no-explicit-any
export async function toDataFrame(table: arrow.Table): Promise<any> {
  const dfd = await import("danfojs");
  return new dfd.DataFrame(tableColumns(table), { columns: table.schema.fields.map((f) => f.name) });
}

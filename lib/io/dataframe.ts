/**
 * Arrow tables and danfojs DataFrames, both ways: the one conversion layer between the engine (which works on Arrow
 * tables) and notebook users (who reach for DataFrames). danfojs is imported lazily: it loads tfjs.
 *
 * Arrow → DataFrame ({@link toDataFrame}): Int64 → number (an error naming the column above 2^53, where numbers
 * stop being exact), timestamps and dates → `Date`, strings (dictionary or not), booleans and floats as they are,
 * nulls as `null`. Nested and binary columns cannot convert: the error names them. A `Date` shows milliseconds, but
 * the exact microseconds of each converted timestamp are remembered for that `Date` object, and danfojs keeps the
 * objects through `query`, `iloc`, `sortValues`...: converting back gives the exact time (a point-in-time join of
 * entity rows that went through a DataFrame finds the same feature rows). A new `Date` counts in milliseconds.
 *
 * DataFrame → Arrow ({@link fromDataFrame}, and {@link toArrowTable} for functions that take either): each column's
 * type comes, in this order, from the `schema` option; from the Arrow type the column had when {@link toDataFrame}
 * made the frame (so a round trip keeps Int32 vs Int64, Float32, dictionaries, the time zone and the field metadata);
 * else from the values: `Date`s → `Timestamp<MICROSECOND, UTC>`, booleans → Bool, strings → Utf8, numbers → Int64
 * when danfojs calls the column `int32` (whole numbers, no missing values) and Float64 otherwise (danfojs's
 * "float32" label holds JavaScript doubles; as in pandas, an integer column with missing values is a float column
 * unless a type says otherwise). `null`, `undefined` and, in number columns, `NaN` are missing. A column mixing kinds
 * (numbers and strings, say) or holding objects is an error naming the column, the row and the kinds found.
 *
 * @example
 * ```ts
 * import { fromDataFrame, toDataFrame } from "./dataframe.ts";
 * const df = await toDataFrame(training);
 * df.describe().print();
 * const back = fromDataFrame(df.query(df.column("person_age").lt(100))); // Arrow again, with the same types
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import type { DataFrame } from "danfojs";
import { columnTypeName, isTemporal, packValidity, timestampMicros, timestampVector } from "./arrow_util.ts";

export type { DataFrame };

/** What {@link toArrowTable} accepts: an Arrow table or a danfojs DataFrame. */
export type TableInput = arrow.Table | DataFrame;

/** Arrow fields of the columns of frames made by {@link toDataFrame} (restores their types on the way back). */
const ARROW_FIELDS = new WeakMap<object, Map<string, arrow.Field>>();

/** Exact epoch microseconds of the `Date`s made by {@link columnValues} whose time is not whole milliseconds. */
const EXACT_MICROS = new WeakMap<Date, bigint>();

/** Largest integer a JavaScript number holds exactly. */
const MAX_EXACT = 2 ** 53;

/** An error about one column of a conversion. */
function columnError(column: string, problem: string): Error {
  return new Error(`Column "${column}": ${problem}`);
}

/** Whether an Arrow type converts to plain JavaScript values (see the module doc). */
function convertible(type: arrow.DataType): boolean {
  if (arrow.DataType.isDictionary(type)) return convertible(type.valueType);
  return arrow.DataType.isInt(type) || arrow.DataType.isFloat(type) || arrow.DataType.isUtf8(type) ||
    arrow.DataType.isLargeUtf8(type) || arrow.DataType.isBool(type) || isTemporal(type) ||
    arrow.DataType.isNull(type);
}

/**
 * One column as plain JavaScript values (see the module doc); `name` is the column named by errors.
 *
 * @example
 * ```ts
 * columnValues(arrow.vectorFromArray([1n, null], new arrow.Int64())); // [1, null]
 * ```
 */
export function columnValues(vector: arrow.Vector, name = "column"): unknown[] {
  const type = vector.type;
  if (!convertible(type)) {
    throw columnError(name, `${columnTypeName(type)} has no DataFrame equivalent; select the other columns first`);
  }
  const out = new Array(vector.length);
  const isTs = isTemporal(type);
  const micros = arrow.DataType.isTimestamp(type) ? timestampMicros(vector) : null;
  const isBig = arrow.DataType.isInt(type) && type.bitWidth === 64;
  for (let i = 0; i < vector.length; i++) {
    const v = vector.get(i);
    if (v === null || v === undefined) out[i] = null;
    else if (isTs) {
      const date = new Date(typeof v === "number" ? v : Number(v));
      if (micros && micros[i] !== BigInt(date.getTime()) * 1000n) EXACT_MICROS.set(date, micros[i]);
      out[i] = date;
    } else if (isBig) {
      const n = Number(v);
      if (Math.abs(n) > MAX_EXACT) {
        throw columnError(name, `row ${i} holds ${v}, beyond the 2^53 that a DataFrame's numbers hold exactly`);
      }
      out[i] = n;
    } else out[i] = v;
  }
  return out;
}

/**
 * A table as `{column: values[]}` of plain JavaScript values.
 *
 * @example
 * ```ts
 * tableColumns(arrow.tableFromArrays({ a: [1, 2] })); // { a: [1, 2] }
 * ```
 */
export function tableColumns(table: arrow.Table): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const field of table.schema.fields) out[field.name] = columnValues(table.getChild(field.name)!, field.name);
  return out;
}

/**
 * Converts an Arrow table to a danfojs DataFrame (columns in the same order; see the module doc). The frame
 * remembers its Arrow types, so {@link fromDataFrame} gives the same schema back.
 *
 * @example
 * ```ts
 * const df = await toDataFrame(arrow.tableFromArrays({ a: [1, 2] }));
 * df.shape; // [2, 1]
 * ```
 */
export async function toDataFrame(table: arrow.Table): Promise<DataFrame> {
  const columns = table.schema.fields.map((f) => f.name);
  const values = tableColumns(table);
  const dfd = await import("danfojs");
  // danfojs refuses an object of empty arrays
  const df = table.numRows === 0 ? new dfd.DataFrame([], { columns }) : new dfd.DataFrame(values, { columns });
  ARROW_FIELDS.set(df, new Map(table.schema.fields.map((f) => [f.name, f])));
  return df;
}

/**
 * Whether a value is a danfojs DataFrame (duck-typed: `columns`, `shape` and a column accessor, so frames of another
 * copy of danfojs count too).
 */
export function isDataFrame(value: unknown): value is DataFrame {
  if (value === null || typeof value !== "object") return false;
  const v = value as { columns?: unknown; shape?: unknown; column?: unknown; $getColumnData?: unknown };
  return Array.isArray(v.columns) && Array.isArray(v.shape) &&
    (typeof v.$getColumnData === "function" || typeof v.column === "function");
}

/**
 * A column's values. danfojs makes every column a property of its frame, so a column named "column" hides the
 * `column()` method: read through danfojs's own accessor when there is one.
 */
function frameColumn(df: DataFrame, name: string): unknown[] {
  const frame = df as unknown as {
    $getColumnData?: (c: string, series: boolean) => unknown[];
    $dataIncolumnFormat?: unknown[][];
    $config?: { isLowMemoryMode?: boolean };
  };
  // danfojs 1.2 keeps the columns as arrays; its accessor copies the index first (50 ms per 100,000 rows)
  const byColumn = frame.$dataIncolumnFormat;
  const index = (df.columns as string[]).indexOf(name);
  if (!frame.$config?.isLowMemoryMode && Array.isArray(byColumn?.[index])) return byColumn![index];
  if (typeof frame.$getColumnData === "function") return frame.$getColumnData(name, false);
  return df.column(name).values as unknown[];
}

/** Whether a value is an Arrow table (duck-typed: `schema.fields`, `numRows` and `getChild()`). */
function isArrowTable(value: unknown): value is arrow.Table {
  if (value instanceof arrow.Table) return true;
  if (value === null || typeof value !== "object") return false;
  const v = value as { schema?: { fields?: unknown }; numRows?: unknown; getChild?: unknown };
  return Array.isArray(v.schema?.fields) && typeof v.numRows === "number" && typeof v.getChild === "function";
}

/** Options of {@link fromDataFrame}. */
export interface FromDataFrameOptions {
  /** Arrow types by column (a schema, or fields/types by name); columns not given are typed as the module doc says. */
  schema?: arrow.Schema | Record<string, arrow.DataType | arrow.Field>;
}

type Kind = "number" | "string" | "boolean" | "date" | "missing";

function kindOf(v: unknown): Kind | null {
  if (v === null || v === undefined) return "missing";
  if (typeof v === "number") return Number.isNaN(v) ? "missing" : "number";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "boolean";
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? "missing" : "date";
  return null;
}

function describeValue(v: unknown): string {
  if (typeof v === "bigint") return `${v}n (a bigint)`;
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return `an object (${Object.prototype.toString.call(v).slice(8, -1)})`;
  return `${JSON.stringify(v)} (${typeof v})`;
}

/** The one kind of a column's present values ("missing" when none), or an error naming the column and row. */
function columnKind(name: string, values: readonly unknown[]): Kind {
  let kind: Kind = "missing";
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    const k = kindOf(values[i]);
    if (k === null) {
      throw columnError(
        name,
        `row ${i} holds ${describeValue(values[i])}; only numbers, strings, booleans and ` +
          `Dates convert to Arrow`,
      );
    }
    if (k === "missing" || k === kind) continue;
    if (kind !== "missing") {
      throw columnError(
        name,
        `mixes ${kind}s (row ${first}: ${JSON.stringify(values[first])}) and ${k}s (row ${i}: ` +
          `${JSON.stringify(values[i])}); make the column one kind (e.g. df.asType) before converting`,
      );
    }
    kind = k;
    first = i;
  }
  return kind;
}

function present(v: unknown): boolean {
  return kindOf(v) !== "missing";
}

/** Whether the values (of one kind) fit an Arrow type; the reason when they do not. */
function misfit(kind: Kind, type: arrow.DataType, values: readonly unknown[]): string | null {
  const typeName = columnTypeName(type);
  if (kind === "missing") return null;
  if (arrow.DataType.isDictionary(type)) return misfit(kind, type.valueType, values);
  if (arrow.DataType.isInt(type)) {
    if (kind !== "number") return `${kind}s do not fit ${typeName}`;
    const bits = type.bitWidth, signed = type.isSigned;
    const lo = signed ? (bits === 64 ? -MAX_EXACT : -(2 ** (bits - 1))) : 0;
    const hi = signed ? (bits === 64 ? MAX_EXACT : 2 ** (bits - 1) - 1) : bits === 64 ? MAX_EXACT : 2 ** bits - 1;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!present(v)) continue;
      const n = v as number;
      if (!Number.isInteger(n) || n < lo || n > hi) return `row ${i} holds ${n}, not an integer of ${typeName}`;
    }
    return null;
  }
  if (arrow.DataType.isFloat(type)) return kind === "number" ? null : `${kind}s do not fit ${typeName}`;
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) {
    return kind === "string" ? null : `${kind}s do not fit ${typeName}`;
  }
  if (arrow.DataType.isBool(type)) return kind === "boolean" ? null : `${kind}s do not fit ${typeName}`;
  if (isTemporal(type)) return kind === "date" ? null : `${kind}s do not fit ${typeName}`;
  return `${typeName} is not a type a DataFrame column converts to`;
}

function timestampColumn(values: readonly unknown[], timezone: string | null): arrow.Vector {
  const micros = new BigInt64Array(values.length);
  const valid = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    if (!present(values[i])) continue;
    const date = values[i] as Date;
    const ms = BigInt(date.getTime()) * 1000n;
    const exact = EXACT_MICROS.get(date);
    // the remembered microseconds, unless the Date was changed in place (setTime) since
    micros[i] = exact !== undefined && exact > ms - 1000n && exact < ms + 1000n ? exact : ms;
    valid[i] = 1;
  }
  return timestampVector(micros, { validity: valid, timezone });
}

/** The validity of `values` (1 = present) and its packed bitmap, or nulls absent. */
function validity(values: readonly unknown[]): { bitmap: Uint8Array | undefined; nullCount: number } {
  const valid = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) valid[i] = present(values[i]) ? 1 : 0;
  const packed = packValidity(valid);
  return { bitmap: packed.nullCount ? packed.bitmap : undefined, nullCount: packed.nullCount };
}

/** A fixed-width column (numbers, Int64, booleans) written straight into its buffer (Arrow's builders are slow). */
function fixedWidthColumn(values: readonly unknown[], type: arrow.DataType): arrow.Vector | null {
  const n = values.length;
  const { bitmap, nullCount } = validity(values);
  const make = (data: ArrayBufferView) =>
    arrow.makeVector(arrow.makeData({ type, length: n, nullCount, nullBitmap: bitmap, data } as never));
  if (arrow.DataType.isInt(type) && type.bitWidth === 64) {
    const out = type.isSigned ? new BigInt64Array(n) : new BigUint64Array(n);
    for (let i = 0; i < n; i++) if (present(values[i])) out[i] = BigInt(values[i] as number);
    return make(out);
  }
  if ((arrow.DataType.isInt(type) || arrow.DataType.isFloat(type)) && type.ArrayType) {
    if (arrow.DataType.isFloat(type) && type.precision === arrow.Precision.HALF) return null;
    const out = new (type.ArrayType as new (n: number) => { [i: number]: number } & ArrayBufferView)(n);
    for (let i = 0; i < n; i++) if (present(values[i])) out[i] = values[i] as number;
    return make(out);
  }
  if (arrow.DataType.isBool(type)) {
    const bits = new Uint8Array((n + 7) >> 3);
    for (let i = 0; i < n; i++) if (values[i] === true) bits[i >> 3] |= 1 << (i & 7);
    return make(bits);
  }
  return null;
}

/** A Utf8 column: offsets and UTF-8 bytes written directly. */
function utf8Column(values: readonly unknown[]): arrow.Vector {
  const n = values.length;
  const { bitmap, nullCount } = validity(values);
  const encoder = new TextEncoder();
  const offsets = new Int32Array(n + 1);
  let bytes = new Uint8Array(Math.max(16, n * 8));
  let end = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === "string" && v.length) {
      if (bytes.length - end < v.length * 3) {
        const grown = new Uint8Array(Math.max(bytes.length * 2, end + v.length * 3));
        grown.set(bytes.subarray(0, end));
        bytes = grown;
      }
      end += encoder.encodeInto(v, bytes.subarray(end)).written;
    }
    offsets[i + 1] = end;
  }
  const type = new arrow.Utf8();
  return arrow.makeVector(
    arrow.makeData({
      type,
      length: n,
      nullCount,
      nullBitmap: bitmap,
      valueOffsets: offsets,
      data: bytes.slice(0, end),
    }),
  );
}

/** One column as an Arrow vector of `type` (values already checked to fit). */
function vectorOf(values: readonly unknown[], type: arrow.DataType): arrow.Vector {
  if (arrow.DataType.isTimestamp(type) && type.unit === arrow.TimeUnit.MICROSECOND) {
    return timestampColumn(values, type.timezone ?? null);
  }
  if (arrow.DataType.isUtf8(type)) return utf8Column(values);
  const fixed = fixedWidthColumn(values, type);
  if (fixed) return fixed;
  const clean = values.map((v) => {
    if (!present(v)) return null;
    if (arrow.DataType.isTimestamp(type)) return (v as Date).getTime();
    return v;
  });
  return arrow.vectorFromArray(clean, type);
}

/** The Arrow field of one column from its values (no type given). */
function inferredField(name: string, kind: Kind, dtype: string | undefined): arrow.Field {
  const type = kind === "date"
    ? new arrow.TimestampMicrosecond("UTC")
    : kind === "boolean"
    ? new arrow.Bool()
    : kind === "string"
    ? new arrow.Utf8()
    : kind === "number"
    ? (dtype === "int32" ? new arrow.Int64() : new arrow.Float64())
    : new arrow.Null();
  return new arrow.Field(name, type, true);
}

function givenField(name: string, schema: FromDataFrameOptions["schema"]): arrow.Field | undefined {
  if (!schema) return undefined;
  if (schema instanceof arrow.Schema) return schema.fields.find((f) => f.name === name);
  const given = schema[name];
  if (given === undefined) return undefined;
  return given instanceof arrow.Field ? given : new arrow.Field(name, given, true);
}

/**
 * Converts a danfojs DataFrame to an Arrow table (columns in the frame's order; see the module doc for the types).
 *
 * @example
 * ```ts
 * const dfd = await import("danfojs");
 * const t = fromDataFrame(new dfd.DataFrame({ id: [1, 2], at: [new Date(0), null] }));
 * t.schema.fields.map((f) => String(f.type)); // ["Int64", "Timestamp<MICROSECOND, UTC>"]
 * ```
 */
export function fromDataFrame(df: DataFrame, opts: FromDataFrameOptions = {}): arrow.Table {
  const remembered = ARROW_FIELDS.get(df);
  const columns = df.columns as string[];
  const dtypes = (df as unknown as { dtypes?: string[] }).dtypes ?? [];
  const rows = (df.shape as number[])[0] ?? 0;
  const fields: arrow.Field[] = [];
  const vectors: Record<string, arrow.Vector> = {};
  columns.forEach((name, c) => {
    const values = rows === 0 ? [] : frameColumn(df, name);
    const kind = columnKind(name, values);
    const given = givenField(name, opts.schema);
    let field = given;
    if (!field) {
      const known = remembered?.get(name);
      // the remembered type when the values still fit it (a column the user changed gets its type from its values)
      field = known && misfit(kind, known.type, values) === null ? known : inferredField(name, kind, dtypes[c]);
    }
    const problem = misfit(kind, field.type, values);
    if (problem) throw columnError(name, `${problem} (from the "schema" option)`);
    vectors[name] = vectorOf(values, field.type);
    fields.push(field.clone({ nullable: true, type: vectors[name].type }));
  });
  const data = fields.map((f) => vectors[f.name].data[0]);
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length: rows, nullCount: 0, children: data });
  return new arrow.Table(new arrow.Schema(fields), [new arrow.RecordBatch(new arrow.Schema(fields), struct)]);
}

/**
 * The one entry of functions that take rows in: an Arrow table as it is, a danfojs DataFrame converted with
 * {@link fromDataFrame}; anything else is an error naming `what`.
 *
 * @example
 * ```ts
 * export async function summarize(input: TableInput) {
 *   const table = toArrowTable(input, "input");
 *   ...
 * }
 * ```
 */
export function toArrowTable(input: TableInput, what = "input"): arrow.Table {
  if (isArrowTable(input)) return input;
  if (isDataFrame(input)) return fromDataFrame(input);
  throw new Error(`${what} must be an Arrow table or a danfojs DataFrame; got ${describeValue(input)}`);
}

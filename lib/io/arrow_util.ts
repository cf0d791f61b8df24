/**
 * Small Apache Arrow helpers: exact timestamp access and construction, type names, null masks.
 *
 * Arrow JS's `vector.get(i)` on a `Timestamp<MICROSECOND>` returns milliseconds as a float and loses the
 * microseconds; these helpers read the raw 64-bit values instead.
 *
 * @example
 * ```ts
 * import { timestampMicros, timestampVector } from "./arrow_util.ts";
 * const v = timestampVector(new BigInt64Array([1627492159623001n]));
 * timestampMicros(v)[0]; // 1627492159623001n
 * ```
 * @module
 */
import * as arrow from "apache-arrow";

/** A typed array a numeric Arrow column's buffer can be (the 64-bit integer ones included). */
export type NumericTypedArray =
  | Float64Array
  | Float32Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** Field metadata key set to `"true"` on timestamp columns whose source values had no UTC offset. */
export const TZ_NAIVE_KEY = "tz_naive";

/**
 * A readable type name for a field or type, e.g. `Int64`, `Utf8`, `Timestamp<MICROSECOND, UTC>`.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { columnTypeName } from "./arrow_util.ts";
 * columnTypeName(new arrow.Field("x", new arrow.Int64())); // "Int64"
 * ```
 */
export function columnTypeName(field: arrow.Field | arrow.DataType): string {
  const type = field instanceof arrow.Field ? field.type : field;
  if (arrow.DataType.isDictionary(type)) return `Dictionary<${columnTypeName(type.valueType)}>`;
  if (arrow.DataType.isTimestamp(type)) {
    const unit = arrow.TimeUnit[type.unit];
    return type.timezone ? `Timestamp<${unit}, ${type.timezone}>` : `Timestamp<${unit}>`;
  }
  return String(type);
}

/** Whether a type is a timestamp or date (something {@linkcode timestampMicros} accepts). */
export function isTemporal(type: arrow.DataType): boolean {
  return arrow.DataType.isTimestamp(type) || arrow.DataType.isDate(type);
}

/**
 * Whether a timestamp field is zone-naive: a Timestamp type without a timezone, or a column read from
 * values without a UTC offset (field metadata `tz_naive` = `"true"`, or `"mixed"` when only some had one).
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { isTzNaive } from "./arrow_util.ts";
 * isTzNaive(new arrow.Field("t", new arrow.TimestampMicrosecond())); // true (no timezone)
 * ```
 */
export function isTzNaive(field: arrow.Field): boolean {
  if (!isTemporal(field.type)) return false;
  const meta = field.metadata.get(TZ_NAIVE_KEY);
  if (meta === "true" || meta === "mixed") return true;
  return arrow.DataType.isTimestamp(field.type) && !field.type.timezone;
}

function microsFactor(type: arrow.DataType): { mul: bigint; div: bigint } {
  if (arrow.DataType.isTimestamp(type)) {
    switch (type.unit) {
      case arrow.TimeUnit.SECOND:
        return { mul: 1_000_000n, div: 1n };
      case arrow.TimeUnit.MILLISECOND:
        return { mul: 1_000n, div: 1n };
      case arrow.TimeUnit.MICROSECOND:
        return { mul: 1n, div: 1n };
      case arrow.TimeUnit.NANOSECOND:
        return { mul: 1n, div: 1_000n };
    }
  }
  if (arrow.DataType.isDate(type)) {
    return type.unit === arrow.DateUnit.DAY ? { mul: 86_400_000_000n, div: 1n } : { mul: 1_000n, div: 1n };
  }
  throw new Error(`Type "${columnTypeName(type)}" is not a timestamp or date`);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

function rawInt64(data: arrow.Data): BigInt64Array {
  const v = data.values as unknown as BigInt64Array | Int32Array;
  if (v instanceof BigInt64Array) return v.subarray(0, data.length);
  // Older layouts keep 64-bit values as pairs of 32-bit words.
  return new BigInt64Array(v.buffer, v.byteOffset, data.length);
}

/**
 * Exact epoch microseconds of a Timestamp (any unit) or Date vector; null slots hold 0 (see
 * {@linkcode validityMask}). Nanoseconds are floored to microseconds.
 *
 * @example
 * ```ts
 * import { timestampMicros, timestampVector } from "./arrow_util.ts";
 * timestampMicros(timestampVector(new BigInt64Array([5n])))[0]; // 5n
 * ```
 */
export function timestampMicros(vector: arrow.Vector): BigInt64Array {
  const { mul, div } = microsFactor(vector.type);
  const out = new BigInt64Array(vector.length);
  let pos = 0;
  for (const data of vector.data) {
    const n = data.length;
    if (arrow.DataType.isDate(data.type) && data.type.unit === arrow.DateUnit.DAY) {
      const days = data.values as Int32Array;
      for (let i = 0; i < n; i++) out[pos + i] = BigInt(days[i]) * mul;
    } else {
      const raw = rawInt64(data);
      if (mul === 1n && div === 1n) out.set(raw, pos);
      else if (div === 1n) { for (let i = 0; i < n; i++) out[pos + i] = raw[i] * mul; }
      else for (let i = 0; i < n; i++) out[pos + i] = floorDiv(raw[i], div);
    }
    if (data.nullCount > 0) { for (let i = 0; i < n; i++) if (!data.getValid(i)) out[pos + i] = 0n; }
    pos += n;
  }
  return out;
}

/**
 * Validity of every slot (1 = value present, 0 = null) or `null` when the vector has no nulls.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { validityMask } from "./arrow_util.ts";
 * validityMask(arrow.vectorFromArray([1, null, 3])); // Uint8Array [1, 0, 1]
 * ```
 */
export function validityMask(vector: arrow.Vector): Uint8Array | null {
  if (vector.nullCount === 0) return null;
  const out = new Uint8Array(vector.length);
  let pos = 0;
  for (const data of vector.data) {
    const n = data.length;
    if (data.nullCount === 0) out.fill(1, pos, pos + n);
    else for (let i = 0; i < n; i++) out[pos + i] = data.getValid(i) ? 1 : 0;
    pos += n;
  }
  return out;
}

/** Packs a byte-per-slot validity (1 = valid) into an Arrow null bitmap; returns the bitmap and null count. */
export function packValidity(valid: Uint8Array): { bitmap: Uint8Array; nullCount: number } {
  const bitmap = new Uint8Array(((valid.length + 63) >> 6) << 3);
  let nullCount = 0;
  for (let i = 0; i < valid.length; i++) {
    if (valid[i]) bitmap[i >> 3] |= 1 << (i & 7);
    else nullCount++;
  }
  return { bitmap, nullCount };
}

/** Options of {@linkcode timestampVector}. */
export interface TimestampVectorOptions {
  /** 1 = valid, 0 = null, per slot; absent means no nulls. */
  validity?: Uint8Array;
  /** Timezone of the type (default `"UTC"`; `null` makes a naive timestamp type). */
  timezone?: string | null;
}

/**
 * Builds a `Timestamp<MICROSECOND, UTC>` vector from exact epoch microseconds.
 *
 * @example
 * ```ts
 * import { timestampVector } from "./arrow_util.ts";
 * const v = timestampVector(new BigInt64Array([0n, 1n]), { validity: new Uint8Array([1, 0]) });
 * v.nullCount; // 1
 * ```
 */
export function timestampVector(
  micros: BigInt64Array,
  opts: TimestampVectorOptions = {},
): arrow.Vector<arrow.TimestampMicrosecond> {
  const timezone = opts.timezone === undefined ? "UTC" : opts.timezone;
  const type = new arrow.TimestampMicrosecond(timezone);
  if (opts.validity && opts.validity.length !== micros.length) {
    throw new Error(`Validity has ${opts.validity.length} slots, expected ${micros.length}`);
  }
  const packed = opts.validity ? packValidity(opts.validity) : null;
  const data = arrow.makeData({
    type,
    length: micros.length,
    data: micros as unknown as arrow.TimestampMicrosecond["TArray"],
    nullBitmap: packed && packed.nullCount > 0 ? packed.bitmap : undefined,
    nullCount: packed ? packed.nullCount : 0,
  });
  return arrow.makeVector(data);
}

/**
 * Formats epoch microseconds as ISO 8601 UTC with six fraction digits, e.g. `2021-07-28T17:09:19.623001Z`.
 *
 * @example
 * ```ts
 * import { microsToIso } from "./arrow_util.ts";
 * microsToIso(1627492159623001n); // "2021-07-28T17:09:19.623001Z"
 * ```
 */
export function microsToIso(micros: bigint): string {
  const ms = floorDiv(micros, 1000n);
  const us = Number(micros - ms * 1000n);
  const iso = new Date(Number(ms)).toISOString(); // ...sss Z
  return `${iso.slice(0, -1)}${String(us).padStart(3, "0")}Z`;
}

/**
 * Makes a zero-row record batch with the given schema (metadata kept).
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { emptyBatch } from "./arrow_util.ts";
 * emptyBatch(new arrow.Schema([new arrow.Field("a", new arrow.Int64())])).numRows; // 0
 * ```
 */
export function emptyBatch(schema: arrow.Schema): arrow.RecordBatch {
  const children = schema.fields.map((f) => arrow.vectorFromArray([], f.type).data[0]);
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length: 0, nullCount: 0, children });
  return new arrow.RecordBatch(schema, data);
}

/**
 * Keeps only the named columns of a batch, in the given order; errors name a missing column.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { selectColumns } from "./arrow_util.ts";
 * const t = arrow.tableFromArrays({ a: [1], b: [2] });
 * selectColumns(t.batches[0], ["b"], "t").schema.fields.map((f) => f.name); // ["b"]
 * ```
 */
export function selectColumns(batch: arrow.RecordBatch, columns: string[], source: string): arrow.RecordBatch {
  const idx = columns.map((c) => {
    const i = batch.schema.fields.findIndex((f) => f.name === c);
    if (i < 0) throw missingColumn(c, source, batch.schema);
    return i;
  });
  const fields = idx.map((i) => batch.schema.fields[i]);
  const schema = new arrow.Schema(fields, batch.schema.metadata);
  const data = arrow.makeData({
    type: new arrow.Struct(fields),
    length: batch.numRows,
    nullCount: 0,
    children: idx.map((i) => batch.data.children[i]),
  });
  return new arrow.RecordBatch(schema, data);
}

/** The error for a column that a file does not have. */
export function missingColumn(column: string, source: string, schema: arrow.Schema): Error {
  const names = schema.fields.map((f) => f.name).join(", ");
  return new Error(`Column "${column}" not found in "${source}" (columns: ${names})`);
}

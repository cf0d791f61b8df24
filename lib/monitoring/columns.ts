/**
 * Arrow columns to what the drift tests read: numeric columns as a Float64Array of their valid values (nulls, NaN
 * and infinities counted as missing, as Evidently drops them), string/boolean columns as category counts. Works on
 * the raw buffers chunk by chunk; strings are counted by their UTF-8 bytes (lib/feature_store's key encoder), not
 * decoded per row.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { numericValues } from "./columns.ts";
 * const t = arrow.tableFromArrays({ x: Float64Array.from([1, NaN, 3]) });
 * numericValues(t.getChild("x")!); // { values: [1, 3], missing: 1 }
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { KeyEncoder, nullBits } from "../feature_store/offline/columns.ts";
import type { NumericTypedArray } from "../io/arrow_util.ts";

/** How a column is handled. */
export type ValueType = "numeric" | "string" | "boolean" | "temporal" | "unsupported";

/**
 * The value type of an Arrow type.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { valueType } from "./columns.ts";
 * valueType(new arrow.Float64()); // "numeric"
 * ```
 */
export function valueType(type: arrow.DataType): ValueType {
  if (arrow.DataType.isInt(type) || arrow.DataType.isFloat(type)) return "numeric";
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) return "string";
  if (arrow.DataType.isDictionary(type)) return valueType(type.dictionary) === "string" ? "string" : "unsupported";
  if (arrow.DataType.isBool(type)) return "boolean";
  if (arrow.DataType.isTimestamp(type) || arrow.DataType.isDate(type) || arrow.DataType.isTime(type)) return "temporal";
  return "unsupported";
}

/** A numeric column's chunk copied out of Arrow (transferable): values and, when there are nulls, validity bits. */
export interface NumericChunk {
  values: NumericTypedArray;
  /** Validity bits starting at bit `bitOffset`; null when every row is valid. */
  validity: Uint8Array | null;
  bitOffset: number;
}

/**
 * Copies a numeric column's buffers (a memcpy per chunk) so another thread can filter them; half floats are
 * widened here.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { numericChunks, valuesFromChunks } from "./columns.ts";
 * valuesFromChunks(numericChunks(arrow.vectorFromArray([1, null, 2]))).missing; // 1
 * ```
 */
export function numericChunks(vector: arrow.Vector): NumericChunk[] {
  const out: NumericChunk[] = [];
  for (const data of vector.data) {
    const n = data.length;
    let values: NumericChunk["values"];
    if (arrow.DataType.isFloat(data.type) && (data.type as arrow.Float).precision === arrow.Precision.HALF) {
      const raw = data.values as Uint16Array;
      values = Float64Array.from({ length: n }, (_, i) => arrow.util.uint16ToFloat64(raw[i]));
    } else values = (data.values as NumericChunk["values"]).slice(0, n);
    const bits = nullBits(data);
    let validity: Uint8Array | null = null;
    let bitOffset = 0;
    if (bits) {
      const first = data.offset >> 3;
      validity = bits.slice(first, (data.offset + n + 7) >> 3);
      bitOffset = data.offset & 7;
    }
    out.push({ values, validity, bitOffset });
  }
  return out;
}

/** The buffers of chunks (to transfer them). */
export function chunkBuffers(chunks: NumericChunk[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const c of chunks) {
    out.push(c.values.buffer as ArrayBuffer);
    if (c.validity) out.push(c.validity.buffer as ArrayBuffer);
  }
  return out;
}

function copyFinite(
  v: Float64Array | Float32Array,
  out: Float64Array,
  k: number,
  bits: Uint8Array | null,
  off: number,
): number {
  const n = v.length;
  if (!bits) {
    for (let i = 0; i < n; i++) {
      const x = v[i];
      // x - x is 0 only for finite numbers
      if (x - x === 0) out[k++] = x;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const j = off + i;
      if (!(bits[j >> 3] & (1 << (j & 7)))) continue;
      const x = v[i];
      if (x - x === 0) out[k++] = x;
    }
  }
  return k;
}

function copyInts(v: ArrayLike<number>, out: Float64Array, k: number, bits: Uint8Array | null, off: number): number {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const j = off + i;
    if (bits && !(bits[j >> 3] & (1 << (j & 7)))) continue;
    out[k++] = v[i];
  }
  return k;
}

/**
 * Valid, finite values of copied chunks as one float64 array (a single float64 chunk is filtered in place and
 * returned), and how many were missing.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { numericChunks, valuesFromChunks } from "./columns.ts";
 * valuesFromChunks(numericChunks(arrow.vectorFromArray([1, NaN, 3]))); // { values: [1, 3], missing: 1 }
 * ```
 */
export function valuesFromChunks(chunks: NumericChunk[]): { values: Float64Array; missing: number } {
  if (chunks.length === 1 && chunks[0].values instanceof Float64Array) {
    // one float64 chunk (ours to change): filter in place
    const v = chunks[0].values;
    const k = copyFinite(v, v, 0, chunks[0].validity, chunks[0].bitOffset);
    return { values: k === v.length ? v : v.subarray(0, k), missing: v.length - k };
  }
  let total = 0;
  for (const c of chunks) total += c.values.length;
  const out = new Float64Array(total);
  let k = 0;
  for (const c of chunks) {
    const v = c.values;
    if (v instanceof Float64Array || v instanceof Float32Array) k = copyFinite(v, out, k, c.validity, c.bitOffset);
    else if (v instanceof BigInt64Array || v instanceof BigUint64Array) {
      for (let i = 0; i < v.length; i++) {
        const j = c.bitOffset + i;
        if (c.validity && !(c.validity[j >> 3] & (1 << (j & 7)))) continue;
        out[k++] = Number(v[i]);
      }
    } else k = copyInts(v, out, k, c.validity, c.bitOffset);
  }
  return { values: k === total ? out : out.slice(0, k), missing: total - k };
}

/**
 * Valid, finite values of a numeric column as float64 (a new array, safe to transfer) and the missing count.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { numericValues } from "./columns.ts";
 * numericValues(arrow.vectorFromArray([1, null, 2])).missing; // 1
 * ```
 */
export function numericValues(vector: arrow.Vector): { values: Float64Array; missing: number } {
  return valuesFromChunks(numericChunks(vector));
}

/**
 * Category counts of a string (plain or dictionary) or boolean column; nulls are missing.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { categoryCounts } from "./columns.ts";
 * categoryCounts(arrow.vectorFromArray(["a", "b", "a", null])); // { counts: Map { a: 2, b: 1 }, missing: 1 }
 * ```
 */
export function categoryCounts(vector: arrow.Vector): { counts: Map<string, number>; missing: number } {
  const counts = new Map<string, number>();
  if (arrow.DataType.isBool(vector.type)) {
    let t = 0, f = 0;
    for (const data of vector.data) {
      const bits = nullBits(data), off = data.offset;
      const vals = data.values as Uint8Array;
      for (let i = 0; i < data.length; i++) {
        const j = off + i;
        if (bits && !(bits[j >> 3] & (1 << (j & 7)))) continue;
        if (vals[j >> 3] & (1 << (j & 7))) t++;
        else f++;
      }
    }
    if (f) counts.set("false", f);
    if (t) counts.set("true", t);
    return { counts, missing: vector.length - t - f };
  }
  const encoder = new KeyEncoder();
  const codes = encoder.encode(vector, { insert: true });
  const per = new Float64Array(encoder.size);
  const first = new Int32Array(encoder.size).fill(-1);
  let missing = 0;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c < 0) {
      missing++;
      continue;
    }
    if (per[c]++ === 0) first[c] = i;
  }
  for (let c = 0; c < per.length; c++) {
    if (per[c] > 0) counts.set(String(vector.get(first[c])), per[c]);
  }
  return { counts, missing };
}

/**
 * Gathering rows of an Arrow column by index, with -1 meaning null: the last step of a point-in-time join, done
 * on raw buffers (fixed-width values, bitmaps, UTF-8 offsets) without creating a JavaScript value per row.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { takeVector } from "./take.ts";
 * const v = arrow.vectorFromArray([10, 20, 30], new arrow.Int32());
 * takeVector(v, Int32Array.from([2, -1, 0])).toArray(); // [30, null, 10] (null as 0 in the typed array)
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { isValid, nullBits } from "./columns.ts";
import type { NumericTypedArray } from "../../io/arrow_util.ts";

interface Chunk {
  data: arrow.Data;
  start: number;
}

function locate(chunks: Chunk[], index: number): number {
  let lo = 0, hi = chunks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (chunks[mid].start <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

interface RowPlan {
  chunkOf: Int32Array | null;
  rows: Int32Array;
}

const plans = new WeakMap<Int32Array, Map<string, RowPlan>>();

/** (chunk, row in chunk) of every index, computed once per index array and chunk layout (columns of one table share it). */
function rowPlan(chunks: Chunk[], indices: Int32Array): RowPlan {
  const layout = chunks.map((c) => c.data.length).join(",");
  let byLayout = plans.get(indices);
  if (!byLayout) plans.set(indices, byLayout = new Map());
  const cached = byLayout.get(layout);
  if (cached) return cached;
  const n = indices.length;
  const chunkOf = chunks.length > 1 ? new Int32Array(n) : null;
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const idx = indices[i];
    if (idx < 0) {
      rows[i] = -1;
      continue;
    }
    const c = chunkOf ? locate(chunks, idx) : 0;
    if (chunkOf) chunkOf[i] = c;
    rows[i] = idx - chunks[c].start;
  }
  const plan = { chunkOf, rows };
  byLayout.set(layout, plan);
  return plan;
}

/**
 * Takes `indices` (row numbers of `vector`, or -1 for null) into a new single-chunk vector of the same type.
 * Supports integers, floats, decimals, booleans, timestamps, dates, durations, UTF-8 (also large) and
 * dictionary-encoded columns.
 */
export function takeVector(vector: arrow.Vector, indices: Int32Array): arrow.Vector {
  const type = vector.type;
  const chunks: Chunk[] = [];
  let start = 0;
  for (const data of vector.data) {
    chunks.push({ data, start });
    start += data.length;
  }
  const n = indices.length;
  const bitmap = new Uint8Array((n + 7) >> 3);
  const plan = rowPlan(chunks, indices);
  const chunkOf = plan.chunkOf;
  const anyNulls = chunks.some((c) => nullBits(c.data) !== null);
  // local row per output row (-1 = null); shared with other columns when this one has no nulls
  const local = anyNulls ? plan.rows.slice() : plan.rows;
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    const row = local[i];
    if (row < 0) {
      nullCount++;
      continue;
    }
    if (anyNulls && !isValid(chunks[chunkOf ? chunkOf[i] : 0].data, row)) {
      local[i] = -1;
      nullCount++;
      continue;
    }
    bitmap[i >> 3] |= 1 << (i & 7);
  }
  const chunkAt = (i: number) => chunks[chunkOf ? chunkOf[i] : 0].data;

  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type) || arrow.DataType.isBinary(type)) {
    const large = arrow.DataType.isLargeUtf8(type);
    const offsets = large ? new BigInt64Array(n + 1) : new Int32Array(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const row = local[i];
      if (row >= 0) {
        const off = chunkAt(i).valueOffsets as Int32Array | BigInt64Array;
        total += Number(off[row + 1]) - Number(off[row]);
      }
    }
    const bytes = new Uint8Array(total);
    let pos = 0;
    for (let i = 0; i < n; i++) {
      const row = local[i];
      if (row >= 0) {
        const d = chunkAt(i);
        const off = d.valueOffsets as Int32Array | BigInt64Array;
        const a = Number(off[row]), b = Number(off[row + 1]);
        bytes.set((d.values as Uint8Array).subarray(a, b), pos);
        pos += b - a;
      }
      if (large) (offsets as BigInt64Array)[i + 1] = BigInt(pos);
      else (offsets as Int32Array)[i + 1] = pos;
    }
    return arrow.makeVector(
      arrow.makeData({
        type: type as arrow.Utf8,
        length: n,
        nullCount,
        nullBitmap: bitmap,
        valueOffsets: offsets as Int32Array,
        data: bytes,
      }),
    );
  }

  if (arrow.DataType.isBool(type)) {
    const values = new Uint8Array((n + 7) >> 3);
    for (let i = 0; i < n; i++) {
      const row = local[i];
      if (row < 0) continue;
      const d = chunkAt(i);
      const bit = d.offset + row;
      if ((d.values as Uint8Array)[bit >> 3] & (1 << (bit & 7))) values[i >> 3] |= 1 << (i & 7);
    }
    return arrow.makeVector(
      arrow.makeData({ type: type as arrow.Bool, length: n, nullCount, nullBitmap: bitmap, data: values }),
    );
  }

  if (arrow.DataType.isDictionary(type)) {
    if (chunks.some((c) => c.data.dictionary !== chunks[0].data.dictionary)) {
      // chunks with their own dictionaries: gather from the concatenated dictionaries (result is plain values)
      const dictStarts: number[] = [];
      let total = 0;
      for (const c of chunks) {
        dictStarts.push(total);
        total += c.data.dictionary!.length;
      }
      const all = arrow.makeVector(chunks.flatMap((c) => c.data.dictionary!.data));
      const global = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const row = local[i];
        const c = chunkOf ? chunkOf[i] : 0;
        global[i] = row < 0 ? -1 : dictStarts[c] + Number((chunks[c].data.values as ArrayLike<number>)[row]);
      }
      return takeVector(all, global);
    }
    const codes = takeFixed(chunks, local, chunkOf, type.indices.ArrayType, 1, n);
    return arrow.makeVector(
      arrow.makeData({
        type: type as arrow.Dictionary,
        length: n,
        nullCount,
        nullBitmap: bitmap,
        data: codes as Int32Array,
        dictionary: chunks[0]?.data.dictionary,
      }),
    );
  }

  if (
    arrow.DataType.isInt(type) || arrow.DataType.isFloat(type) || arrow.DataType.isTimestamp(type) ||
    arrow.DataType.isDate(type) || arrow.DataType.isDecimal(type) || arrow.DataType.isDuration(type) ||
    arrow.DataType.isTime(type)
  ) {
    const sample = chunks[0]?.data;
    const ArrayType = (sample?.values?.constructor ?? type.ArrayType) as TypedArrayCtor;
    const stride = sample?.stride ?? 1;
    const values = takeFixed(chunks, local, chunkOf, ArrayType, stride, n);
    return arrow.makeVector(
      arrow.makeData({
        // deno-lint-ignore no-explicit-any
        type: type as any,
        length: n,
        nullCount,
        nullBitmap: bitmap,
        // deno-lint-ignore no-explicit-any
        data: values as any,
      }),
    );
  }
  throw new TypeError(`Cannot gather a column of type ${type}`);
}

type TypedArrayCtor = new (n: number) => NumericTypedArray;

function takeFixed(
  chunks: Chunk[],
  local: Int32Array,
  chunkOf: Int32Array | null,
  ArrayType: TypedArrayCtor,
  stride: number,
  n: number,
): NumericTypedArray {
  const out = new ArrayType(n * stride);
  if (stride === 1 && !chunkOf) {
    const src = chunks[0]?.data.values as NumericTypedArray;
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
      // copy through 32-bit words: avoids a BigInt per row
      const dst32 = new Int32Array(out.buffer);
      const s = src as BigInt64Array;
      const src32 = new Int32Array(s.buffer, s.byteOffset, s.length * 2);
      for (let i = 0; i < n; i++) {
        const row = local[i];
        if (row >= 0) {
          dst32[2 * i] = src32[2 * row];
          dst32[2 * i + 1] = src32[2 * row + 1];
        }
      }
    } else {
      const o = out as Float64Array, sv = src as Float64Array;
      for (let i = 0; i < n; i++) {
        const row = local[i];
        if (row >= 0) o[i] = sv[row];
      }
    }
    return out;
  }
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    // 64-bit integers across chunks: copy 32-bit words (a BigInt per value would dominate the join)
    const words = chunks.map((c) => {
      const v = c.data.values as BigInt64Array;
      return new Int32Array(v.buffer, v.byteOffset, v.length * 2);
    });
    const dst = new Int32Array(out.buffer);
    const w = 2 * stride;
    for (let i = 0; i < n; i++) {
      const row = local[i];
      if (row < 0) continue;
      const src = words[chunkOf ? chunkOf[i] : 0];
      for (let k = 0; k < w; k++) dst[i * w + k] = src[row * w + k];
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    const row = local[i];
    if (row < 0) continue;
    const src = chunks[chunkOf ? chunkOf[i] : 0].data.values as NumericTypedArray;
    for (let k = 0; k < stride; k++) (out as Float64Array)[i * stride + k] = (src as Float64Array)[row * stride + k];
  }
  return out;
}

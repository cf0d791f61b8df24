/**
 * Raw, allocation-free access to Arrow columns for the point-in-time engine: timestamps as exact microseconds in a
 * Float64Array (exact up to year 287,396), null masks, and dictionary encoding of join-key columns straight from
 * their buffers (UTF-8 bytes or 64-bit integers hashed in place, no per-row strings or objects).
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { KeyEncoder, timestampMicros } from "./columns.ts";
 * const t = arrow.tableFromArrays({ id: ["a", "b", "a"] });
 * const enc = new KeyEncoder();
 * enc.encode(t.getChild("id")!, { insert: true }); // Int32Array [0, 1, 0]
 * ```
 * @module
 */
import * as arrow from "apache-arrow";

/** Microseconds per unit of an Arrow TimeUnit. */
const UNIT_TO_MICROS: Record<number, number> = {
  [arrow.TimeUnit.SECOND]: 1_000_000,
  [arrow.TimeUnit.MILLISECOND]: 1_000,
  [arrow.TimeUnit.MICROSECOND]: 1,
  [arrow.TimeUnit.NANOSECOND]: 0.001,
};

/** True when row `i` of `data` is valid (not null). */
export function isValid(data: arrow.Data, i: number): boolean {
  const bitmap = data.nullBitmap;
  if (!bitmap || bitmap.length === 0 || data.nullCount === 0) return true;
  const bit = data.offset + i;
  return (bitmap[bit >> 3] & (1 << (bit & 7))) !== 0;
}

/** A timestamp column as exact microseconds since the epoch (NaN for null). */
export interface MicrosColumn {
  micros: Float64Array;
  nulls: number;
}

/**
 * Reads a Timestamp (any unit, any time zone) or Date column as microseconds since the Unix epoch, UTC.
 * Nanoseconds are floored to microseconds. Nulls become NaN.
 *
 * @example
 * ```ts
 * const { micros } = timestampMicros(table.getChild("event_timestamp")!, "event_timestamp");
 * ```
 */
export function timestampMicros(vector: arrow.Vector, column: string): MicrosColumn {
  const type = vector.type;
  const out = new Float64Array(vector.length);
  let nulls = 0;
  let row = 0;
  for (const data of vector.data) {
    let scale: number;
    if (arrow.DataType.isTimestamp(type)) scale = UNIT_TO_MICROS[type.unit];
    else if (arrow.DataType.isDate(type)) scale = type.unit === arrow.DateUnit.DAY ? 86_400_000_000 : 1_000;
    else throw new TypeError(`Column "${column}" has type ${type}, expected a timestamp`);
    const values = data.values as BigInt64Array | Int32Array;
    const n = data.length;
    const wide = values instanceof BigInt64Array;
    const words = wide ? new Int32Array(values.buffer, values.byteOffset, values.length * 2) : null;
    for (let i = 0; i < n; i++) {
      if (!isValid(data, i)) {
        out[row + i] = NaN;
        nulls++;
        continue;
      }
      if (scale === 0.001) {
        // nanoseconds exceed 2^53: divide exactly in BigInt, flooring toward -infinity
        const ns = (values as BigInt64Array)[i];
        const q = ns / 1000n;
        out[row + i] = Number(ns < 0n && q * 1000n !== ns ? q - 1n : q);
        continue;
      }
      const raw = words ? words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0) : (values as Int32Array)[i];
      out[row + i] = raw * scale;
    }
    row += n;
  }
  return { micros: out, nulls };
}

/** Whether a timestamp field carries a time zone (naive timestamps are ambiguous). */
export function isNaiveTimestamp(field: arrow.Field): boolean {
  if (field.metadata.get("tz_naive") === "true") return true;
  return arrow.DataType.isTimestamp(field.type) && !field.type.timezone;
}

/**
 * Dictionary encoder for join-key columns: equal keys get equal codes across every column encoded with the same
 * encoder (entity rows and feature rows share one), null keys get -1. UTF-8 columns are hashed on their bytes,
 * integer columns on their 64-bit values; an Int32 key and an Int64 key with the same value are equal.
 */
export class KeyEncoder {
  #kind: "utf8" | "int" | undefined;
  #table = new Int32Array(1 << 12).fill(-1);
  #mask = (1 << 12) - 1;
  #size = 0;
  // utf8 keys: bytes in an arena; int keys: lo/hi words
  #arena = new Uint8Array(1 << 16);
  #arenaUsed = 0;
  #starts = new Int32Array(1 << 10);
  #lo = new Int32Array(1 << 10);
  #hi = new Int32Array(1 << 10);

  /** Number of distinct keys seen. */
  get size(): number {
    return this.#size;
  }

  /**
   * Encodes a column; with `insert: false`, keys never seen give -1 (used for entity rows against feature keys).
   */
  encode(vector: arrow.Vector, opts: { insert: boolean; column?: string }): Int32Array {
    const type = vector.type;
    const name = opts.column ?? "key";
    let kind: "utf8" | "int";
    if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) kind = "utf8";
    else if (arrow.DataType.isInt(type)) kind = "int";
    else if (arrow.DataType.isDictionary(type) && arrow.DataType.isUtf8(type.dictionary)) {
      return this.#encodeDictionary(vector, opts.insert, name);
    } else {
      throw new TypeError(`Join key column "${name}" has type ${type}; expected a string or integer column`);
    }
    if (this.#kind && this.#kind !== kind) {
      throw new TypeError(`Join key column "${name}" has type ${type}, which does not match the other side's keys`);
    }
    this.#kind = kind;
    const out = new Int32Array(vector.length);
    let row = 0;
    for (const data of vector.data) {
      if (kind === "utf8") this.#encodeUtf8(data, out, row, opts.insert);
      else this.#encodeInt(data, out, row, opts.insert);
      row += data.length;
    }
    return out;
  }

  #encodeDictionary(vector: arrow.Vector, insert: boolean, name: string): Int32Array {
    const out = new Int32Array(vector.length);
    let row = 0;
    for (const data of vector.data) {
      const dictCodes = this.encode(data.dictionary!, { insert, column: name });
      const idx = data.values as ArrayLike<number>;
      for (let i = 0; i < data.length; i++) out[row + i] = isValid(data, i) ? dictCodes[Number(idx[i])] : -1;
      row += data.length;
    }
    return out;
  }

  #encodeUtf8(data: arrow.Data, out: Int32Array, row: number, insert: boolean): void {
    const offsets = data.valueOffsets as Int32Array | BigInt64Array;
    const bytes = data.values as Uint8Array;
    const big = offsets instanceof BigInt64Array;
    for (let i = 0; i < data.length; i++) {
      if (!isValid(data, i)) {
        out[row + i] = -1;
        continue;
      }
      const start = big ? Number(offsets[i]) : (offsets as Int32Array)[i];
      const end = big ? Number(offsets[i + 1]) : (offsets as Int32Array)[i + 1];
      let h = 0x811c9dc5;
      for (let p = start; p < end; p++) h = Math.imul(h ^ bytes[p], 0x01000193);
      out[row + i] = this.#findUtf8(bytes, start, end, h, insert);
    }
  }

  #findUtf8(bytes: Uint8Array, start: number, end: number, hash: number, insert: boolean): number {
    const len = end - start;
    let slot = hash & this.#mask;
    for (;;) {
      const code = this.#table[slot];
      if (code < 0) break;
      const s = this.#starts[code];
      if (this.#lo[code] === hash && this.#starts[code + 1] - s === len) {
        let same = true;
        for (let k = 0; k < len; k++) {
          if (this.#arena[s + k] !== bytes[start + k]) {
            same = false;
            break;
          }
        }
        if (same) return code;
      }
      slot = (slot + 1) & this.#mask;
    }
    if (!insert) return -1;
    const code = this.#size++;
    this.#ensureArena(len);
    this.#ensureCodes(code + 2);
    this.#starts[code] = this.#arenaUsed;
    this.#arena.set(bytes.subarray(start, end), this.#arenaUsed);
    this.#arenaUsed += len;
    this.#starts[code + 1] = this.#arenaUsed;
    this.#table[slot] = code;
    this.#lo[code] = hash;
    if (this.#size * 2 > this.#mask) this.#rehash();
    return code;
  }

  #encodeInt(data: arrow.Data, out: Int32Array, row: number, insert: boolean): void {
    const values = data.values as ArrayLike<number | bigint>;
    const wide = values instanceof BigInt64Array || values instanceof BigUint64Array;
    const words = wide
      ? new Int32Array((values as BigInt64Array).buffer, (values as BigInt64Array).byteOffset, values.length * 2)
      : null;
    for (let i = 0; i < data.length; i++) {
      if (!isValid(data, i)) {
        out[row + i] = -1;
        continue;
      }
      let lo: number, hi: number;
      if (words) {
        lo = words[2 * i];
        hi = words[2 * i + 1];
      } else {
        const v = values[i] as number;
        lo = v | 0;
        hi = v < 0 ? -1 : 0;
        if (v > 0x7fffffff) lo = v >>> 0 | 0;
      }
      out[row + i] = this.#findInt(lo, hi, insert);
    }
  }

  /** Code of the pair of 32-bit integers (lo, hi); used to combine the codes of several join keys. */
  encodePair(lo: number, hi: number, insert: boolean): number {
    if (this.#kind === "utf8") throw new TypeError("A string key encoder cannot encode integer pairs");
    this.#kind = "int";
    return this.#findInt(lo, hi, insert);
  }

  #findInt(lo: number, hi: number, insert: boolean): number {
    const hash = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) ^ (lo >>> 15);
    let slot = hash & this.#mask;
    for (;;) {
      const code = this.#table[slot];
      if (code < 0) break;
      if (this.#lo[code] === lo && this.#hi[code] === hi) return code;
      slot = (slot + 1) & this.#mask;
    }
    if (!insert) return -1;
    const code = this.#size++;
    this.#ensureCodes(code + 2);
    this.#lo[code] = lo;
    this.#hi[code] = hi;
    this.#table[slot] = code;
    if (this.#size * 2 > this.#mask) this.#rehash();
    return code;
  }

  #ensureCodes(n: number): void {
    if (n <= this.#lo.length) return;
    const cap = Math.max(n, this.#lo.length * 2);
    const grow = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.#lo = grow(this.#lo);
    this.#hi = grow(this.#hi);
    this.#starts = grow(this.#starts);
  }

  #ensureArena(extra: number): void {
    if (this.#arenaUsed + extra <= this.#arena.length) return;
    const b = new Uint8Array(Math.max(this.#arena.length * 2, this.#arenaUsed + extra));
    b.set(this.#arena.subarray(0, this.#arenaUsed));
    this.#arena = b;
  }

  #rehash(): void {
    const cap = (this.#mask + 1) * 2;
    this.#table = new Int32Array(cap).fill(-1);
    this.#mask = cap - 1;
    for (let code = 0; code < this.#size; code++) {
      let hash: number;
      if (this.#kind === "utf8") hash = this.#lo[code];
      else {
        const lo = this.#lo[code], hi = this.#hi[code];
        hash = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) ^ (lo >>> 15);
      }
      let slot = hash & this.#mask;
      while (this.#table[slot] >= 0) slot = (slot + 1) & this.#mask;
      this.#table[slot] = code;
    }
  }
}

/**
 * Combines per-column codes of several join keys into one code per row (-1 when any part is -1 or, without
 * `insert`, when the combination was never seen). Share one combiner between entity and feature rows.
 */
export class CompositeKeyEncoder {
  #levels: KeyEncoder[] = [];

  /** Folds `parts` (one Int32Array per key column, same length) into one code per row. */
  combine(parts: Int32Array[], opts: { insert: boolean }): Int32Array {
    if (parts.length === 1) return parts[0];
    let acc = parts[0];
    for (let p = 1; p < parts.length; p++) {
      const level = (this.#levels[p - 1] ??= new KeyEncoder());
      const next = new Int32Array(acc.length);
      const right = parts[p];
      for (let i = 0; i < acc.length; i++) {
        const a = acc[i], b = right[i];
        next[i] = a < 0 || b < 0 ? -1 : level.encodePair(a, b, opts.insert);
      }
      acc = next;
    }
    return acc;
  }
}

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

/** The validity bitmap of `data` when it has nulls, else null (so hot loops can skip the check). */
export function nullBits(data: arrow.Data): Uint8Array | null {
  const bitmap = data.nullBitmap;
  return bitmap && bitmap.length > 0 && data.nullCount !== 0 ? bitmap : null;
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
    const bits = nullBits(data), bitOffset = data.offset;
    for (let i = 0; i < n; i++) {
      if (bits && !(bits[(bitOffset + i) >> 3] & (1 << ((bitOffset + i) & 7)))) {
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

/** MurmurHash3's 32-bit finalizer: spreads every input bit over the low bits used to pick a slot. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Int32 words per slot of {@link KeyEncoder}'s table: code+1, hash, len|lo, w0|hi, w1, w2, w3, arena start. */
const SLOT = 8;
/** UTF-8 keys up to this many bytes are stored inside their slot; longer ones in an arena. */
const INLINE_BYTES = 16;

/**
 * Dictionary encoder for join-key columns: equal keys get equal codes across every column encoded with the same
 * encoder (entity rows and feature rows share one), null keys get -1. UTF-8 columns are hashed on their bytes,
 * integer columns on their 64-bit values; an Int32 key and an Int64 key with the same value are equal.
 *
 * The open-addressing table keeps each key inside its 32-byte slot (integers, and strings up to 16 bytes such as
 * `dob_ssn`), so a lookup usually touches one cache line: at millions of rows memory latency, not hashing, is the
 * cost.
 */
export class KeyEncoder {
  #kind: "utf8" | "int" | undefined;
  #cap = 1 << 12;
  #table = new Int32Array(SLOT << 12);
  #size = 0;
  #arena = new Uint8Array(0);
  #arenaUsed = 0;

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
      if (kind === "utf8") this.#blockUtf8(data, out, row, opts.insert);
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

  /**
   * UTF-8 keys in blocks: first hash a block of rows (sequential reads), then probe the table for each (short
   * iterations, so the CPU overlaps their cache misses); misses are inserted in row order when `insert` is set.
   */
  #blockUtf8(data: arrow.Data, out: Int32Array, row: number, insert: boolean): void {
    const raw = data.valueOffsets as Int32Array | BigInt64Array;
    // LargeUtf8 offsets are 64-bit: read them as numbers (exact below 2^53 bytes)
    const offs: ArrayLike<number> = raw instanceof BigInt64Array ? Float64Array.from(raw, Number) : raw;
    const bytes = data.values as Uint8Array;
    const bits = nullBits(data), bitOffset = data.offset;
    const B = 2048;
    const hashes = new Int32Array(B);
    const lens = new Int32Array(B);
    const w = new Int32Array(4 * B);
    let table = this.#table;
    let mask = this.#cap - 1;
    for (let base = 0; base < data.length; base += B) {
      const n = Math.min(B, data.length - base);
      w.fill(0);
      for (let k = 0; k < n; k++) {
        const i = base + k;
        if (bits && !(bits[(bitOffset + i) >> 3] & (1 << ((bitOffset + i) & 7)))) {
          lens[k] = -1;
          continue;
        }
        const start = offs[i], len = offs[i + 1] - start;
        lens[k] = len;
        if (len > INLINE_BYTES) continue;
        const o = 4 * k;
        for (let p = 0; p < len; p++) w[o + (p >> 2)] |= bytes[start + p] << ((p & 3) << 3);
        let h = 0x811c9dc5 ^ len;
        h = Math.imul(h ^ w[o], 0x01000193);
        h = Math.imul(h ^ w[o + 1], 0x01000193);
        h = Math.imul(h ^ w[o + 2], 0x01000193);
        h = Math.imul(h ^ w[o + 3], 0x01000193);
        hashes[k] = fmix(h);
      }
      for (let k = 0; k < n; k++) {
        const len = lens[k];
        if (len < 0) {
          out[row + base + k] = -1;
          continue;
        }
        if (len > INLINE_BYTES) {
          const start = offs[base + k];
          let h = 0x811c9dc5 ^ len;
          for (let p = start; p < start + len; p++) h = Math.imul(h ^ bytes[p], 0x01000193);
          out[row + base + k] = this.#findLongUtf8(bytes, start, len, fmix(h), insert);
          table = this.#table;
          mask = this.#cap - 1;
          continue;
        }
        const hash = hashes[k], o = 4 * k;
        let slot = hash & mask;
        let code = -1;
        for (;;) {
          const at = slot * SLOT;
          const code1 = table[at];
          if (code1 === 0) break;
          if (
            table[at + 1] === hash && table[at + 2] === len && table[at + 3] === w[o] && table[at + 4] === w[o + 1] &&
            table[at + 5] === w[o + 2] && table[at + 6] === w[o + 3]
          ) {
            code = code1 - 1;
            break;
          }
          slot = (slot + 1) & mask;
        }
        if (code < 0 && insert) {
          code = this.#size++;
          const at = slot * SLOT;
          table[at] = code + 1;
          table[at + 1] = hash;
          table[at + 2] = len;
          table[at + 3] = w[o];
          table[at + 4] = w[o + 1];
          table[at + 5] = w[o + 2];
          table[at + 6] = w[o + 3];
          if (this.#size * 2 > this.#cap) {
            this.#rehash();
            table = this.#table;
            mask = this.#cap - 1;
          }
        }
        out[row + base + k] = code;
      }
    }
  }

  /** Keys longer than {@link INLINE_BYTES}: their bytes live in the arena, compared on a hash match. */
  #findLongUtf8(bytes: Uint8Array, start: number, len: number, hash: number, insert: boolean): number {
    const table = this.#table;
    const mask = this.#cap - 1;
    let slot = hash & mask;
    for (;;) {
      const at = slot * SLOT;
      const code1 = table[at];
      if (code1 === 0) break;
      if (table[at + 1] === hash && table[at + 2] === len) {
        const s = table[at + 7];
        let same = true;
        for (let k = 0; k < len; k++) {
          if (this.#arena[s + k] !== bytes[start + k]) {
            same = false;
            break;
          }
        }
        if (same) return code1 - 1;
      }
      slot = (slot + 1) & mask;
    }
    if (!insert) return -1;
    const code = this.#size++;
    const at = slot * SLOT;
    table[at] = code + 1;
    table[at + 1] = hash;
    table[at + 2] = len;
    this.#ensureArena(len);
    table[at + 7] = this.#arenaUsed;
    this.#arena.set(bytes.subarray(start, start + len), this.#arenaUsed);
    this.#arenaUsed += len;
    if (this.#size * 2 > this.#cap) this.#rehash();
    return code;
  }

  #encodeInt(data: arrow.Data, out: Int32Array, row: number, insert: boolean): void {
    const values = data.values as ArrayLike<number | bigint>;
    const wide = values instanceof BigInt64Array || values instanceof BigUint64Array;
    const words = wide
      ? new Int32Array((values as BigInt64Array).buffer, (values as BigInt64Array).byteOffset, values.length * 2)
      : null;
    const bits = nullBits(data), bitOffset = data.offset;
    for (let i = 0; i < data.length; i++) {
      if (bits && !(bits[(bitOffset + i) >> 3] & (1 << ((bitOffset + i) & 7)))) {
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
    const hash = fmix(lo ^ Math.imul(hi, 0x9e3779b1));
    const table = this.#table;
    const mask = this.#cap - 1;
    let slot = hash & mask;
    for (;;) {
      const at = slot * SLOT;
      const code1 = table[at];
      if (code1 === 0) break;
      if (table[at + 2] === lo && table[at + 3] === hi) return code1 - 1;
      slot = (slot + 1) & mask;
    }
    if (!insert) return -1;
    const code = this.#size++;
    const at = slot * SLOT;
    table[at] = code + 1;
    table[at + 1] = hash;
    table[at + 2] = lo;
    table[at + 3] = hi;
    if (this.#size * 2 > this.#cap) this.#rehash();
    return code;
  }

  #ensureArena(extra: number): void {
    if (this.#arenaUsed + extra <= this.#arena.length) return;
    const b = new Uint8Array(Math.max(this.#arena.length * 2, this.#arenaUsed + extra, 1 << 16));
    b.set(this.#arena.subarray(0, this.#arenaUsed));
    this.#arena = b;
  }

  #rehash(): void {
    const old = this.#table;
    const oldCap = this.#cap;
    this.#cap = oldCap * 2;
    const table = new Int32Array(SLOT * this.#cap);
    const mask = this.#cap - 1;
    for (let s = 0; s < oldCap; s++) {
      const from = s * SLOT;
      if (old[from] === 0) continue;
      let slot = old[from + 1] & mask;
      while (table[slot * SLOT] !== 0) slot = (slot + 1) & mask;
      table.set(old.subarray(from, from + SLOT), slot * SLOT);
    }
    this.#table = table;
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

/**
 * The packed value of one (entity key, feature view) in the online store: ONE text value holding the row's event
 * and created timestamps, the view's schema fingerprint and all its feature values, instead of Feast's one hash
 * field per feature.
 *
 * Layout (version 1): `1|<event µs>|<created µs or empty>|<schema fingerprint>|<JSON array of values>`, e.g.
 * `1|1595356223386101|1595356313870168|5c1e0f3a|[2257,1617530,22500,12011,7,1,0,0,0]`. Values follow the view's
 * schema order; `null` is a null value. Integers beyond 2^53 and non-finite floats are JSON strings (decoded by
 * the schema's dtype), timestamps are microseconds. The header is readable by a Redis Lua script (to skip older
 * writes atomically) and by SQLite columns; the fingerprint makes values written under another schema count as
 * absent (and be overwritten by the next materialization).
 *
 * @example
 * ```ts
 * import { decodeValue, encodeRecords } from "./codec.ts";
 * const batch = encodeRecords(view, [{ zipcode: 76104, population: 5000, event_timestamp: "2021-08-01" }]);
 * decodeValue(view, batch.values[0]); // { eventMicros: 1627776000000000, createdMicros: null, values: [5000] }
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import type { FeatureView, ValueType } from "../definitions.ts";
import { sourceLocation } from "../definitions.ts";
import { nullBits, timestampMicros } from "../offline/columns.ts";
import { encodeEntityKey, type JoinKeySpec, joinKeySpecs, keyPart, keyValueText } from "./entity_key.ts";
import { toMicros } from "./time.ts";

/** Version of the packed value layout (its first character). */
export const VALUE_FORMAT_VERSION = "1";

/** A feature value as read back: int64 beyond 2^53 as bigint, timestamps as microseconds since the epoch. */
export type FeatureValue = number | bigint | string | boolean | null;

/** Rows of one view ready to write: entity keys, packed values and their timestamps, index-aligned. */
export interface EncodedBatch {
  /** Entity keys (see entity_key.ts), without project and view. */
  keys: string[];
  /** Packed values (see the module doc). */
  values: string[];
  /** Event timestamps, microseconds. */
  eventMicros: Float64Array;
  /** Created timestamps, microseconds; NaN where the source has none. */
  createdMicros: Float64Array;
}

/** A decoded packed value. */
export interface StoredRow {
  eventMicros: number;
  createdMicros: number | null;
  /** All feature values in the view's schema order. */
  values: FeatureValue[];
}

/**
 * Fingerprint of a view's schema (feature names and dtypes, in order) as 8 hex digits (FNV-1a).
 *
 * @example
 * ```ts
 * schemaFingerprint(view); // e.g. "5c1e0f3a"
 * ```
 */
export function schemaFingerprint(view: Pick<FeatureView, "schema">): string {
  // every online read checks it: computed once per schema (definitions are read-only once built)
  let fingerprint = FINGERPRINTS.get(view.schema);
  if (fingerprint === undefined) FINGERPRINTS.set(view.schema, fingerprint = computeFingerprint(view.schema));
  return fingerprint;
}

const FINGERPRINTS = new WeakMap<FeatureView["schema"], string>();

function computeFingerprint(schema: FeatureView["schema"]): string {
  let h = 0x811c9dc5;
  const text = schema.map((f) => `${f.name}:${f.dtype}`).join(";");
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** A cell as read from a column: timestamps as microseconds, int64 as number when exact, else bigint. */
type Cell = number | bigint | string | boolean | null;

/** JSON text of one value (see the module doc for non-JSON numbers). */
function jsonPiece(v: Cell): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "number":
      return Number.isFinite(v) ? String(v) : `"${v}"`;
    case "bigint":
      return (v >= -9007199254740991n && v <= 9007199254740991n) ? v.toString() : `"${v}"`;
    case "string":
      return JSON.stringify(v);
    default:
      return v ? "true" : "false";
  }
}

function header(fingerprint: string, event: number, created: number): string {
  return `${VALUE_FORMAT_VERSION}|${event}|${created === created ? created : ""}|${fingerprint}|`;
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding from Arrow tables (the materialization path: no per-row objects)

const ASCII_DECODER = new TextDecoder();

/** Reads cells of a column by row index (rows visited in increasing order are cheapest). */
type Reader = (row: number) => Cell;

function columnReader(vector: arrow.Vector, column: string): Reader {
  const chunks = vector.data;
  if (chunks.length === 1) return chunkReader(chunks[0], column);
  const readers = chunks.map((d) => chunkReader(d, column));
  const starts = [0];
  for (const d of chunks) starts.push(starts[starts.length - 1] + d.length);
  let c = 0;
  return (row) => {
    if (row < starts[c] || row >= starts[c + 1]) {
      c = 0;
      while (row >= starts[c + 1]) c++;
    }
    return readers[c](row - starts[c]);
  };
}

function chunkReader(data: arrow.Data, column: string): Reader {
  const type = data.type;
  const bits = nullBits(data);
  const off = data.offset;
  const isNull = (i: number) => bits !== null && !(bits[(off + i) >> 3] & (1 << ((off + i) & 7)));
  if (arrow.DataType.isTimestamp(type) || arrow.DataType.isDate(type)) {
    const { micros } = timestampMicros(arrow.makeVector(data), column);
    return (i) => (micros[i] === micros[i] ? micros[i] : null);
  }
  if (arrow.DataType.isInt(type) && type.bitWidth === 64) {
    const values = data.values as BigInt64Array;
    const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    const signed = type.isSigned;
    return (i) => {
      if (isNull(i)) return null;
      const hi = words[2 * i + 1];
      const lo = words[2 * i] >>> 0;
      const x = (signed ? hi : hi >>> 0) * 4294967296 + lo;
      if (Number.isSafeInteger(x)) return x;
      return signed ? values[i] : BigInt.asUintN(64, values[i]);
    };
  }
  if (arrow.DataType.isInt(type) || arrow.DataType.isFloat(type) && type.precision !== arrow.Precision.HALF) {
    const values = data.values as Int32Array | Float64Array;
    return (i) => (isNull(i) ? null : values[i]);
  }
  if (arrow.DataType.isUtf8(type)) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    return (i) => {
      if (isNull(i)) return null;
      const start = offsets[i], end = offsets[i + 1];
      if (end - start <= 64) {
        let ascii = true;
        for (let k = start; k < end; k++) {
          if (bytes[k] >= 0x80) {
            ascii = false;
            break;
          }
        }
        if (ascii) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
      }
      return ASCII_DECODER.decode(bytes.subarray(start, end));
    };
  }
  const vector = arrow.makeVector(data);
  return (i) => {
    const v = vector.get(i);
    if (v === null || v === undefined) return null;
    if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v;
    if (v instanceof Date) return v.getTime() * 1000;
    throw new TypeError(`Column "${column}" has type ${type}, which the online store cannot hold`);
  };
}

const INT_TYPES: ReadonlySet<ValueType> = new Set(["int64", "int32", "unix_timestamp"]);

/** Whether an Arrow column type can hold values of a dtype. */
function compatible(dtype: ValueType, type: arrow.DataType): boolean {
  const t = arrow.DataType.isDictionary(type) ? type.dictionary : type;
  if (arrow.DataType.isNull(t)) return true;
  if (INT_TYPES.has(dtype)) {
    return arrow.DataType.isInt(t) ||
      (dtype === "unix_timestamp" && (arrow.DataType.isTimestamp(t) || arrow.DataType.isDate(t)));
  }
  if (dtype === "float64" || dtype === "float32") return arrow.DataType.isFloat(t) || arrow.DataType.isInt(t);
  if (dtype === "string") return arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t);
  return arrow.DataType.isBool(t);
}

/**
 * The rows a batch of {@link tableEncoder} stands for, under this symbol: a store that encodes rows itself (redis.ts,
 * straight into wire bytes) reads them and never touches the batch's strings, which are only built when read.
 */
export const TABLE_ROWS: unique symbol = Symbol("tableRows");

/** See {@link TABLE_ROWS}. */
export interface TableRows {
  view: FeatureView;
  table: arrow.Table;
  start: number;
  end: number;
}

/** Reusable per-table encoder state for {@link encodeTable}. */
export interface TableEncoder {
  /** Rows in the table. */
  numRows: number;
  /** Encodes rows [start, end). */
  encode(start: number, end: number): EncodedBatch;
}

/**
 * Prepares encoding of a table shaped like `OfflineStore.pullLatest`'s result: the view's join keys and features
 * under their names, `event_timestamp` and optionally `created_timestamp`. Checks column types once (an error
 * names the column) and then encodes row ranges without per-row objects.
 *
 * @example
 * ```ts
 * const encoder = tableEncoder(view, await offline.pullLatest(view, window));
 * const batch = encoder.encode(0, Math.min(10_000, encoder.numRows));
 * ```
 */
export function tableEncoder(view: FeatureView, table: arrow.Table): TableEncoder {
  const where = `the rows of feature view "${view.name}" (source "${sourceLocation(view.source)}")`;
  const col = (name: string, required: boolean) => {
    const v = table.getChild(name);
    if (!v && required) throw new Error(`Column "${name}" is missing from ${where}`);
    return v;
  };
  const specs = joinKeySpecs(view);
  const keyReaders = specs.map((s) => columnReader(col(s.name, true)!, s.name));
  const featureReaders = view.schema.map((f) => {
    const v = col(f.name, true)!;
    if (!compatible(f.dtype, v.type)) {
      throw new TypeError(`Column "${f.name}" of ${where} has type ${v.type}; feature "${f.name}" is ${f.dtype}`);
    }
    return columnReader(v, f.name);
  });
  const event = timestampMicros(col("event_timestamp", true)!, "event_timestamp").micros;
  const createdVector = col("created_timestamp", false);
  const created = createdVector ? timestampMicros(createdVector, "created_timestamp").micros : null;
  const fingerprint = schemaFingerprint(view);
  const single = specs.length === 1 ? specs[0] : null;
  const keyNulls = specs.some((s) => col(s.name, true)!.nullCount > 0);
  const encodeRows = (start: number, end: number): EncodedBatch => {
    const n = Math.max(0, end - start);
    const keys = new Array<string>(n);
    const values = new Array<string>(n);
    const eventMicros = new Float64Array(n);
    const createdMicros = new Float64Array(n);
    // Pieces go into one reused array joined once per row: a flat string, not a rope of small strings (which
    // would leave the garbage collector most of the work at millions of rows).
    const parts = new Array<string>(featureReaders.length + 2);
    const last = featureReaders.length + 1;
    for (let k = 0; k < n; k++) {
      const row = start + k;
      keys[k] = single ? encodeSingleKey(single, keyReaders[0](row), row) : encodeKey(specs, keyReaders, row);
      const e = event[row];
      if (e !== e) throw new Error(`Row ${row} of ${where} has a null "event_timestamp"`);
      const c = created ? created[row] : NaN;
      eventMicros[k] = e;
      createdMicros[k] = c;
      parts[0] = header(fingerprint, e, c) + "[";
      for (let f = 0; f < featureReaders.length; f++) parts[f + 1] = jsonPiece(featureReaders[f](row));
      parts[last] = "]";
      values[k] = parts[0] + parts.slice(1, last).join(",") + "]";
    }
    return { keys, values, eventMicros, createdMicros };
  };
  return {
    numRows: table.numRows,
    encode(start: number, end: number): EncodedBatch {
      // Rows that would fail (a null join key or event timestamp) are encoded now, so that the error comes now.
      let eager = keyNulls;
      for (let row = start; row < end && !eager; row++) eager = event[row] !== event[row];
      if (eager || end <= start) return encodeRows(start, end);
      let done: EncodedBatch | undefined;
      const get = () => (done ??= encodeRows(start, end));
      return {
        get keys() {
          return get().keys;
        },
        get values() {
          return get().values;
        },
        get eventMicros() {
          return get().eventMicros;
        },
        get createdMicros() {
          return get().createdMicros;
        },
        [TABLE_ROWS]: { view, table, start, end } satisfies TableRows,
      } as EncodedBatch;
    },
  };
}

function encodeSingleKey(spec: JoinKeySpec, value: Cell, row: number): string {
  if (value === null) throw new TypeError(`Join key "${spec.name}" is null in row ${row}`);
  return keyPart(spec, typeof value === "string" ? value : keyValueText(spec, value), false);
}

function encodeKey(specs: JoinKeySpec[], readers: Reader[], row: number): string {
  let out = "";
  for (let i = 0; i < specs.length; i++) {
    const value = readers[i](row);
    if (value === null) throw new TypeError(`Join key "${specs[i].name}" is null in row ${row}`);
    out += keyPart(specs[i], typeof value === "string" ? value : keyValueText(specs[i], value), i > 0);
  }
  return out;
}

/**
 * Encodes a whole table (see {@link tableEncoder}).
 *
 * @example
 * ```ts
 * const batch = encodeTable(view, table);
 * ```
 */
export function encodeTable(view: FeatureView, table: arrow.Table): EncodedBatch {
  const encoder = tableEncoder(view, table);
  return encoder.encode(0, encoder.numRows);
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding from plain objects (tests, notebooks, push-style writes)

/** A row as a plain object: join keys, features (missing = null), `event_timestamp`, optional `created_timestamp`. */
export type FeatureRecord = Record<string, unknown>;

/**
 * Encodes plain-object rows, checking each value against its declared type (errors name the row and the field).
 * Timestamps may be Dates, ISO strings or microseconds.
 *
 * @example
 * ```ts
 * encodeRecords(view, [{ dob_ssn: "19770430_2525", hard_pulls: 3, event_timestamp: new Date() }]);
 * ```
 */
export function encodeRecords(view: FeatureView, records: readonly FeatureRecord[]): EncodedBatch {
  const specs = joinKeySpecs(view);
  const fingerprint = schemaFingerprint(view);
  const n = records.length;
  const out: EncodedBatch = {
    keys: new Array(n),
    values: new Array(n),
    eventMicros: new Float64Array(n),
    createdMicros: new Float64Array(n),
  };
  for (let r = 0; r < n; r++) {
    const record = records[r];
    const at = `row ${r} of feature view "${view.name}"`;
    try {
      out.keys[r] = encodeEntityKey(specs, record);
    } catch (err) {
      throw new TypeError(`${(err as Error).message} in ${at}`);
    }
    if (record.event_timestamp === undefined || record.event_timestamp === null) {
      throw new TypeError(`Field "event_timestamp" is missing in ${at}`);
    }
    const e = toMicros(record.event_timestamp as Date, `"event_timestamp" of ${at}`);
    const c = record.created_timestamp === undefined || record.created_timestamp === null
      ? NaN
      : toMicros(record.created_timestamp as Date, `"created_timestamp" of ${at}`);
    out.eventMicros[r] = e;
    out.createdMicros[r] = c;
    const pieces = view.schema.map((f) => jsonPiece(checkValue(f.dtype, record[f.name], `"${f.name}" of ${at}`)));
    out.values[r] = header(fingerprint, e, c) + "[" + pieces.join(",") + "]";
  }
  return out;
}

function checkValue(dtype: ValueType, value: unknown, what: string): Cell {
  if (value === undefined || value === null) return null;
  const bad = () => new TypeError(`Feature ${what} is ${JSON.stringify(String(value))}; expected a ${dtype}`);
  if (INT_TYPES.has(dtype)) {
    if (dtype === "unix_timestamp" && (value instanceof Date || typeof value === "string")) {
      return toMicros(value, `feature ${what}`);
    }
    if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value;
    if (typeof value === "number" && Number.isInteger(value)) return value;
    throw bad();
  }
  if (dtype === "float64" || dtype === "float32") {
    if (typeof value === "number") return value;
    throw bad();
  }
  if (dtype === "string") {
    if (typeof value === "string") return value;
    throw bad();
  }
  if (typeof value === "boolean") return value;
  throw bad();
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

/**
 * Decodes a packed value of `view`; null when it is absent, of another layout version or written under another
 * schema of the view (fingerprint mismatch).
 *
 * @example
 * ```ts
 * decodeValue(view, "1|1627776000000000||5c1e0f3a|[5000]")?.values; // [5000] (when the fingerprint matches)
 * ```
 */
export function decodeValue(
  view: Pick<FeatureView, "schema">,
  text: string | null | undefined,
  fingerprint = schemaFingerprint(view),
): StoredRow | null {
  if (!text || text.charCodeAt(0) !== 49 || text.charCodeAt(1) !== 124) return null;
  const a = text.indexOf("|", 2);
  const b = text.indexOf("|", a + 1);
  const c = text.indexOf("|", b + 1);
  if (a < 0 || b < 0 || c < 0 || text.slice(b + 1, c) !== fingerprint) return null;
  const eventMicros = Number(text.slice(2, a));
  const createdMicros = b > a + 1 ? Number(text.slice(a + 1, b)) : null;
  const raw = JSON.parse(text.slice(c + 1)) as unknown[];
  const schema = view.schema;
  const values = new Array<FeatureValue>(schema.length);
  for (let i = 0; i < schema.length; i++) values[i] = decodeCell(schema[i].dtype, raw[i]);
  return { eventMicros, createdMicros, values };
}

function decodeCell(dtype: ValueType, v: unknown): FeatureValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") {
    if (INT_TYPES.has(dtype)) return BigInt(v);
    if (dtype === "float64" || dtype === "float32") return Number(v);
  }
  return v as FeatureValue;
}

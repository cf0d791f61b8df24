/**
 * Cell writers of the Redis bulk writer: the JSON text of one value of an Arrow column, written straight into
 * {@link Out} bytes, byte for byte as codec.ts's packed value has it (integers from the raw buffers as ASCII
 * digits, ASCII strings copied as bytes, NaN/Infinity and int64 beyond 2^53 as JSON strings).
 *
 * @example
 * ```ts
 * import { columnWriter } from "./resp_cells.ts";
 * const write = columnWriter(table.getChild("city")!, "city");
 * write(out, 0); // '"PARIS"'
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { nullBits, timestampMicros } from "../offline/columns.ts";
import type { Out } from "./resp_bytes.ts";
import { writeInt } from "./resp_bytes.ts";

const TEXT_ENCODER = new TextEncoder();
const TEXT_DECODER = new TextDecoder();

/** Writes the JSON text of the cell at `row` of the column. */
export type CellWriter = (o: Out, row: number) => void;

function jsonString(o: Out, s: string): void {
  o.utf8(JSON.stringify(s));
}

/** Writes an ASCII byte range as a JSON string, escaping as JSON.stringify does. */
function jsonAscii(o: Out, bytes: Uint8Array, start: number, end: number): void {
  o.ensure((end - start) * 6 + 2);
  const b = o.b;
  let p = o.p;
  b[p++] = 34;
  for (let k = start; k < end; k++) {
    const c = bytes[k];
    if (c >= 0x20 && c !== 34 && c !== 92) {
      b[p++] = c;
      continue;
    }
    b[p++] = 92;
    switch (c) {
      case 34:
      case 92:
        b[p++] = c;
        break;
      case 8:
        b[p++] = 98; // b
        break;
      case 9:
        b[p++] = 116; // t
        break;
      case 10:
        b[p++] = 110; // n
        break;
      case 12:
        b[p++] = 102; // f
        break;
      case 13:
        b[p++] = 114; // r
        break;
      default:
        b[p++] = 117; // u00XX, lowercase hex
        b[p++] = 48;
        b[p++] = 48;
        b[p++] = 48 + (c >> 4);
        b[p++] = (c & 15) < 10 ? 48 + (c & 15) : 87 + (c & 15);
    }
  }
  b[p++] = 34;
  o.p = p;
}

const NULL = TEXT_ENCODER.encode("null");

function writeNull(o: Out): void {
  o.bytes(NULL);
}

/** A finite number as String(v), else the string `"NaN"` / `"Infinity"` / `"-Infinity"`. */
function writeNumber(o: Out, v: number): void {
  if (v - v === 0) o.num(v);
  else o.ascii(`"${v}"`);
}

function writeBigint(o: Out, v: bigint): void {
  if (v >= -9007199254740991n && v <= 9007199254740991n) o.ascii(v.toString());
  else o.ascii(`"${v}"`);
}

/**
 * The cell writer of a column (any number of record batches).
 *
 * @example
 * ```ts
 * columnWriter(table.getChild("population")!, "population")(out, 3); // "1200"
 * ```
 */
export function columnWriter(vector: arrow.Vector, column: string): CellWriter {
  const chunks = vector.data;
  if (chunks.length === 1) return chunkWriter(chunks[0], column);
  const writers = chunks.map((d) => chunkWriter(d, column));
  const starts = [0];
  for (const d of chunks) starts.push(starts[starts.length - 1] + d.length);
  let c = 0;
  return (o, row) => {
    if (row < starts[c] || row >= starts[c + 1]) {
      c = 0;
      while (row >= starts[c + 1]) c++;
    }
    writers[c](o, row - starts[c]);
  };
}

function chunkWriter(data: arrow.Data, column: string): CellWriter {
  const type = data.type;
  const bits = nullBits(data);
  const off = data.offset;
  const isNull = (i: number) => bits !== null && !(bits[(off + i) >> 3] & (1 << ((off + i) & 7)));
  if (arrow.DataType.isTimestamp(type) || arrow.DataType.isDate(type)) {
    const { micros } = timestampMicros(arrow.makeVector(data), column);
    return (o, i) => (micros[i] === micros[i] ? writeNumber(o, micros[i]) : writeNull(o));
  }
  if (arrow.DataType.isInt(type) && type.bitWidth === 64) {
    const values = data.values as BigInt64Array;
    const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    const signed = type.isSigned;
    return (o, i) => {
      if (isNull(i)) return writeNull(o);
      const hi = words[2 * i + 1];
      const lo = words[2 * i] >>> 0;
      const x = (signed ? hi : hi >>> 0) * 4294967296 + lo;
      if (Number.isSafeInteger(x)) {
        o.ensure(20);
        o.p = writeInt(o.b, o.p, x);
      } else writeBigint(o, signed ? values[i] : BigInt.asUintN(64, values[i]));
    };
  }
  if (arrow.DataType.isInt(type)) {
    const values = data.values as Int32Array;
    return (o, i) => {
      if (isNull(i)) return writeNull(o);
      o.ensure(20);
      o.p = writeInt(o.b, o.p, values[i]);
    };
  }
  if (arrow.DataType.isFloat(type) && type.precision !== arrow.Precision.HALF) {
    const values = data.values as Float64Array;
    return (o, i) => (isNull(i) ? writeNull(o) : writeNumber(o, values[i]));
  }
  if (arrow.DataType.isUtf8(type)) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    return (o, i) => {
      if (isNull(i)) return writeNull(o);
      const start = offsets[i], end = offsets[i + 1];
      for (let k = start; k < end; k++) {
        if (bytes[k] >= 0x80) return jsonString(o, TEXT_DECODER.decode(bytes.subarray(start, end)));
      }
      jsonAscii(o, bytes, start, end);
    };
  }
  const vector = arrow.makeVector(data);
  return (o, i) => {
    const v = vector.get(i);
    if (v === null || v === undefined) return writeNull(o);
    switch (typeof v) {
      case "number":
        return writeNumber(o, v);
      case "string":
        return jsonString(o, v);
      case "boolean":
        return o.ascii(v ? "true" : "false");
      case "bigint":
        return Number.isSafeInteger(Number(v)) ? writeNumber(o, Number(v)) : writeBigint(o, v);
    }
    if (v instanceof Date) return writeNumber(o, v.getTime() * 1000);
    throw new TypeError(`Column "${column}" has type ${type}, which the online store cannot hold`);
  };
}

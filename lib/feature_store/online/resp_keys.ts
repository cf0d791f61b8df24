/**
 * Entity key writers of the Redis bulk writer: the bytes of entity_key.ts's key (`name=<letter><len>:<value>`
 * parts joined by commas) of a row, written straight into {@link Out} bytes from the Arrow key columns.
 *
 * @example
 * ```ts
 * import { keyColumnWriter } from "./resp_keys.ts";
 * const [spec] = joinKeySpecs(view);
 * keyColumnWriter(spec, table.getChild(spec.name)!, false)(out, 0); // "zipcode=i5:76104"
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { nullBits, timestampMicros } from "../offline/columns.ts";
import { type JoinKeySpec, keyPart, keyValueText } from "./entity_key.ts";
import type { Out } from "./resp_bytes.ts";
import { writeInt } from "./resp_bytes.ts";

const TEXT_ENCODER = new TextEncoder();
const TEXT_DECODER = new TextDecoder();

/** Writes one key part (`[,]name=<letter><len>:<value>`) of `row`; `comma` when not the first. */
export type KeyWriter = (o: Out, row: number) => void;

/**
 * The writer of one key part of a column; `comma` when it is not the first part.
 *
 * @example
 * ```ts
 * keyColumnWriter({ name: "id", valueType: "int64" }, ids, true)(out, 0); // ",id=i2:42"
 * ```
 */
export function keyColumnWriter(spec: JoinKeySpec, vector: arrow.Vector, comma: boolean): KeyWriter {
  // `name=<letter>` as keyPart writes it (the value's length and text follow).
  const lead = keyPart(spec, "", comma);
  const leadBytes = TEXT_ENCODER.encode(lead.slice(0, lead.length - 2)); // without "0:"
  const slow = (o: Out, value: unknown, row: number) => {
    if (value === null || value === undefined) throw new TypeError(`Join key "${spec.name}" is null in row ${row}`);
    const text = typeof value === "string" ? value : keyValueText(spec, value);
    o.utf8(keyPart(spec, text, comma));
  };
  const chunkKey = (data: arrow.Data): KeyWriter => {
    const type = data.type;
    const bits = nullBits(data);
    const off = data.offset;
    const isNull = (i: number) => bits !== null && !(bits[(off + i) >> 3] & (1 << ((off + i) & 7)));
    if (arrow.DataType.isUtf8(type)) {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      return (o, i) => {
        if (isNull(i)) return slow(o, null, i);
        const start = offsets[i], end = offsets[i + 1];
        for (let k = start; k < end; k++) {
          if (bytes[k] >= 0x80) return slow(o, TEXT_DECODER.decode(bytes.subarray(start, end)), i);
        }
        o.ensure(leadBytes.length + 12 + end - start);
        const b = o.b;
        b.set(leadBytes, o.p);
        let p = writeInt(b, o.p + leadBytes.length, end - start);
        b[p++] = 58; // :
        b.set(bytes.subarray(start, end), p);
        o.p = p + end - start;
      };
    }
    const reader = chunkCell(data);
    const fast = spec.valueType === "int64" || spec.valueType === "unix_timestamp";
    return (o, i) => {
      const v = reader(i);
      if (fast && typeof v === "number" && Number.isSafeInteger(v)) {
        o.ensure(leadBytes.length + 40);
        const b = o.b;
        b.set(leadBytes, o.p);
        const at = o.p + leadBytes.length;
        const len = writeInt(b, at, v) - at; // the digits, to learn their length
        let p = writeInt(b, at, len);
        b[p++] = 58;
        o.p = writeInt(b, p, v);
        return;
      }
      slow(o, v, i);
    };
  };
  const chunks = vector.data;
  const writers = chunks.map(chunkKey);
  if (writers.length === 1) return writers[0];
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

/** A cell as codec.ts reads it (key columns other than strings). */
function chunkCell(data: arrow.Data): (i: number) => unknown {
  const type = data.type;
  if (arrow.DataType.isInt(type) && type.bitWidth === 64) {
    const values = data.values as BigInt64Array;
    const bits = nullBits(data);
    const off = data.offset;
    const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    const signed = type.isSigned;
    return (i) => {
      if (bits !== null && !(bits[(off + i) >> 3] & (1 << ((off + i) & 7)))) return null;
      const x = (signed ? words[2 * i + 1] : words[2 * i + 1] >>> 0) * 4294967296 + (words[2 * i] >>> 0);
      if (Number.isSafeInteger(x)) return x;
      return signed ? values[i] : BigInt.asUintN(64, values[i]);
    };
  }
  if (arrow.DataType.isTimestamp(type) || arrow.DataType.isDate(type)) {
    const { micros } = timestampMicros(arrow.makeVector(data), "key");
    return (i) => (micros[i] === micros[i] ? micros[i] : null);
  }
  const vector = arrow.makeVector(data);
  return (i) => {
    const v = vector.get(i);
    if (v === null || v === undefined) return null;
    if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v;
    if (v instanceof Date) return v.getTime() * 1000;
    return v;
  };
}

/**
 * A bulk writer of the Redis online store for standalone servers: encodes rows of an Arrow table (shaped like
 * `pullLatest`'s result) straight into RESP wire bytes — `MSETNX` per chunk of keys, and the same chunk as
 * `EVALSHA <write-newer script>` when some key exists or an expiry is set — and sends them over its own socket
 * (`Deno.connect`, or `Deno.connectTls`), with AUTH and SELECT as configured.
 *
 * The stored bytes are exactly those of codec.ts's `tableEncoder` (keys `<prefix><entity key>`, values
 * `1|<event µs>|<created µs>|<fingerprint>|[<JSON values>]`), but integers come from the raw Arrow buffers as ASCII
 * digits and ASCII strings are copied as bytes: no string per value, no argument arrays per command.
 *
 * @example
 * ```ts
 * import { RespTableEncoder, RespWriter } from "./resp_writer.ts";
 * const writer = new RespWriter({ host: "127.0.0.1", port: 6379, tls: false, db: 0, script: WRITE_NEWER_LUA });
 * const enc = new RespTableEncoder(view, table);
 * const written = await writer.write(enc, keyPrefix("p", view.name), 0, table.numRows, { chunkSize: 1000, ttlMs: 0 });
 * await writer.close();
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import type { FeatureView } from "../definitions.ts";
import { sourceLocation } from "../definitions.ts";
import { nullBits, timestampMicros } from "../offline/columns.ts";
import { schemaFingerprint, VALUE_FORMAT_VERSION } from "./codec.ts";
import { type JoinKeySpec, joinKeySpecs, keyPart, keyValueText } from "./entity_key.ts";

const TEXT_ENCODER = new TextEncoder();
const TEXT_DECODER = new TextDecoder();

// ---------------------------------------------------------------------------------------------------------------
// A growable byte buffer

/** Output bytes: `b` may be replaced when growing, so always re-read it after {@link Out.ensure}. */
export class Out {
  b: Uint8Array;
  p = 0;
  constructor(capacity = 1 << 16) {
    this.b = new Uint8Array(capacity);
  }
  ensure(n: number): void {
    if (this.p + n <= this.b.length) return;
    let size = this.b.length * 2;
    while (size < this.p + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.b.subarray(0, this.p));
    this.b = next;
  }
  ascii(s: string): void {
    this.ensure(s.length);
    const b = this.b;
    let p = this.p;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.p = p;
  }
  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.b.set(src, this.p);
    this.p += src.length;
  }
  /** Any string as UTF-8. */
  utf8(s: string): void {
    this.ensure(s.length * 3);
    this.p += TEXT_ENCODER.encodeInto(s, this.b.subarray(this.p)).written;
  }
  /** A number exactly as `String(v)` writes it (digits without strings for integers up to 2^53). */
  num(v: number): void {
    if (v === Math.floor(v) && v <= 9007199254740992 && v >= -9007199254740992) {
      this.ensure(20);
      this.p = writeInt(this.b, this.p, v);
    } else this.ascii(String(v));
  }
}

/** Decimal digits of a non-negative integer below 2^53. */
function digitCount(v: number): number {
  let d = 1;
  while (v >= 10) {
    v = Math.floor(v / 10);
    d++;
  }
  return d;
}

/** Writes an integer |v| <= 2^53 as ASCII digits; returns the new position. */
function writeInt(b: Uint8Array, p: number, v: number): number {
  if (v < 0) {
    b[p++] = 45;
    v = -v;
  }
  if (v < 10) {
    b[p] = 48 + v;
    return p + 1;
  }
  const end = p + digitCount(v);
  let e = end;
  if (v < 2147483648) {
    while (v >= 10) {
      const q = (v / 10) | 0;
      b[--e] = 48 + (v - q * 10);
      v = q;
    }
  } else {
    while (v >= 10) {
      const q = Math.floor(v / 10);
      b[--e] = 48 + (v - q * 10);
      v = q;
    }
  }
  b[--e] = 48 + v;
  return end;
}

/** Writes `$<len>\r\n<what()>\r\n`, guessing the header width and shifting the body when wrong. */
function bulk(o: Out, guessDigits: number, body: () => void): void {
  const start = o.p;
  const guess = guessDigits + 3;
  o.ensure(guess);
  o.p = start + guess;
  body();
  const len = o.p - start - guess;
  const head = digitCount(len) + 3;
  if (head !== guess) {
    o.ensure(head - guess);
    o.b.copyWithin(start + head, start + guess, o.p);
    o.p = start + head + len;
  }
  o.ensure(2);
  const b = o.b;
  b[start] = 36; // $
  writeInt(b, start + 1, len);
  b[start + head - 2] = 13;
  b[start + head - 1] = 10;
  b[o.p++] = 13;
  b[o.p++] = 10;
}

// ---------------------------------------------------------------------------------------------------------------
// Cell writers (JSON text of one value, byte for byte as codec.ts's jsonPiece of its cell)

/** Writes the JSON text of the cell at `row` of the column. */
type CellWriter = (o: Out, row: number) => void;

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

function columnWriter(vector: arrow.Vector, column: string): CellWriter {
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

// ---------------------------------------------------------------------------------------------------------------
// Entity key writers (bytes of codec.ts's encodeSingleKey / encodeKey)

/** Writes one key part (`[,]name=<letter><len>:<value>`) of `row`; `comma` when not the first. */
type KeyWriter = (o: Out, row: number) => void;

function keyColumnWriter(spec: JoinKeySpec, vector: arrow.Vector, comma: boolean): KeyWriter {
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

// ---------------------------------------------------------------------------------------------------------------
// Commands

/** Encoded commands of a row range: the MSETNX per chunk, and where each key and value bulk string is. */
export interface EncodedChunks {
  out: Out;
  /** Per chunk: [command start, command end) in `out.b`. */
  commands: Int32Array;
  /** Per chunk: first row (relative to the range) and row count. */
  rows: Int32Array;
  /** Per row (relative to the range): key bulk start, value bulk start (= key end), value bulk end. */
  bulks: Int32Array;
}

/**
 * Encodes rows of a table into RESP bytes; prepared once per table (column checks done by codec.ts's
 * `tableEncoder`, which the caller has already built).
 */
export class RespTableEncoder {
  readonly numRows: number;
  readonly #keys: KeyWriter[];
  readonly #cells: CellWriter[];
  readonly #event: Float64Array;
  readonly #created: Float64Array | null;
  readonly #headTail: Uint8Array;
  readonly #where: string;

  constructor(readonly view: FeatureView, readonly table: arrow.Table) {
    this.numRows = table.numRows;
    this.#where = `the rows of feature view "${view.name}" (source "${sourceLocation(view.source)}")`;
    const col = (name: string) => {
      const v = table.getChild(name);
      if (!v) throw new Error(`Column "${name}" is missing from ${this.#where}`);
      return v;
    };
    this.#keys = joinKeySpecs(view).map((s, i) => keyColumnWriter(s, col(s.name), i > 0));
    this.#cells = view.schema.map((f) => columnWriter(col(f.name), f.name));
    this.#event = timestampMicros(col("event_timestamp"), "event_timestamp").micros;
    const created = table.getChild("created_timestamp");
    this.#created = created ? timestampMicros(created, "created_timestamp").micros : null;
    this.#headTail = TEXT_ENCODER.encode(`|${schemaFingerprint(view)}|[`);
  }

  /** Writes the packed value of `row` (codec.ts's layout). */
  value(o: Out, row: number): void {
    const e = this.#event[row];
    if (e !== e) throw new Error(`Row ${row} of ${this.#where} has a null "event_timestamp"`);
    o.ascii(VALUE_FORMAT_VERSION + "|");
    o.num(e);
    o.ensure(1);
    o.b[o.p++] = 124;
    const c = this.#created ? this.#created[row] : NaN;
    if (c === c) o.num(c);
    o.bytes(this.#headTail);
    const cells = this.#cells;
    for (let f = 0; f < cells.length; f++) {
      if (f > 0) {
        o.ensure(1);
        o.b[o.p++] = 44;
      }
      cells[f](o, row);
    }
    o.ensure(1);
    o.b[o.p++] = 93;
  }

  /** Writes the entity key of `row` (without prefix). */
  key(o: Out, row: number): void {
    const keys = this.#keys;
    for (let k = 0; k < keys.length; k++) keys[k](o, row);
  }

  /**
   * Encodes rows [start, end) as one `MSETNX` per chunk of `chunkSize` keys into `out` (from its position), keys
   * prefixed by `prefix` (UTF-8 bytes).
   */
  msetnx(out: Out, prefix: Uint8Array, start: number, end: number, chunkSize: number): EncodedChunks {
    const n = Math.max(0, end - start);
    const chunks = Math.ceil(n / chunkSize);
    const commands = new Int32Array(2 * chunks);
    const rows = new Int32Array(2 * chunks);
    const bulks = new Int32Array(3 * n);
    for (let c = 0; c < chunks; c++) {
      const s = c * chunkSize, e = Math.min(n, s + chunkSize);
      commands[2 * c] = out.p;
      rows[2 * c] = s;
      rows[2 * c + 1] = e - s;
      out.ascii(`*${2 * (e - s) + 1}\r\n$6\r\nMSETNX\r\n`);
      for (let k = s; k < e; k++) {
        const row = start + k;
        bulks[3 * k] = out.p;
        bulk(out, 2, () => {
          out.bytes(prefix);
          this.key(out, row);
        });
        bulks[3 * k + 1] = out.p;
        bulk(out, 3, () => this.value(out, row));
        bulks[3 * k + 2] = out.p;
      }
      commands[2 * c + 1] = out.p;
    }
    return { out, commands, rows, bulks };
  }
}

/**
 * `EVALSHA <sha> <m> <keys...> <ttlMs> <values...>` for chunk `c` of {@link RespTableEncoder.msetnx}'s output,
 * copying its bulk strings.
 */
export function evalshaCommand(enc: EncodedChunks, c: number, sha: string, ttlMs: number): Uint8Array {
  const first = enc.rows[2 * c], m = enc.rows[2 * c + 1];
  const b = enc.out.b, bulks = enc.bulks;
  const ttl = String(ttlMs), count = String(m);
  const head = TEXT_ENCODER.encode(
    `*${2 * m + 4}\r\n$7\r\nEVALSHA\r\n$${sha.length}\r\n${sha}\r\n$${count.length}\r\n${count}\r\n`,
  );
  const ttlBulk = TEXT_ENCODER.encode(`$${ttl.length}\r\n${ttl}\r\n`);
  const size = head.length + ttlBulk.length + bulks[3 * (first + m) - 1] - bulks[3 * first];
  const cmd = new Uint8Array(size);
  cmd.set(head);
  let p = head.length;
  for (let k = first; k < first + m; k++) {
    cmd.set(b.subarray(bulks[3 * k], bulks[3 * k + 1]), p);
    p += bulks[3 * k + 1] - bulks[3 * k];
  }
  cmd.set(ttlBulk, p);
  p += ttlBulk.length;
  for (let k = first; k < first + m; k++) {
    cmd.set(b.subarray(bulks[3 * k + 1], bulks[3 * k + 2]), p);
    p += bulks[3 * k + 2] - bulks[3 * k + 1];
  }
  return cmd;
}

/** Encodes a command of string arguments. */
export function command(...args: string[]): Uint8Array {
  let text = `*${args.length}\r\n`;
  for (const a of args) text += `$${TEXT_ENCODER.encode(a).length}\r\n${a}\r\n`;
  return TEXT_ENCODER.encode(text);
}

// ---------------------------------------------------------------------------------------------------------------
// The connection

/** An error reply of the server. */
export class RespError extends Error {}

/** The server refused AUTH, SELECT or SCRIPT LOAD (not worth retrying). */
/** Redis refused AUTH, SELECT or SCRIPT LOAD. */
export class SetupError extends Error {}

/** A RESP reply: integer, simple or bulk string, null, array, or an error reply. */
export type Reply = number | string | null | RespError | Reply[];

/** Options of {@link RespWriter}. */
export interface RespWriterOptions {
  host: string;
  port: number;
  tls: boolean;
  password?: string;
  db: number;
  /** The write-newer Lua script (see redis.ts). */
  script: string;
  /** Milliseconds to wait for a connection (default 3000). */
  connectTimeoutMs?: number;
  /**
   * Reconnections (waiting 150 ms more each time, at most 1 s) before a write whose connection broke fails
   * (default 10). The whole range is sent again: keys it already wrote are skipped by the script.
   */
  maxReconnects?: number;
}

/** A raw RESP connection: buffered reads of replies, whole writes. */
export class Connection {
  #buf = new Uint8Array(1 << 16);
  #start = 0;
  #end = 0;
  constructor(readonly conn: Deno.Conn) {}

  async write(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) at += await this.conn.write(bytes.subarray(at));
  }

  async #fill(): Promise<void> {
    if (this.#start > 0 && this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end === this.#buf.length) {
      if (this.#start > 0) {
        this.#buf.copyWithin(0, this.#start, this.#end);
        this.#end -= this.#start;
        this.#start = 0;
      } else {
        const next = new Uint8Array(this.#buf.length * 2);
        next.set(this.#buf);
        this.#buf = next;
      }
    }
    const n = await this.conn.read(this.#buf.subarray(this.#end));
    if (n === null) throw new Error("the server closed the connection");
    this.#end += n;
  }

  async #line(): Promise<string> {
    for (;;) {
      const i = this.#buf.subarray(this.#start, this.#end).indexOf(10);
      if (i >= 0) {
        const line = TEXT_DECODER.decode(this.#buf.subarray(this.#start, this.#start + i - 1));
        this.#start += i + 1;
        return line;
      }
      await this.#fill();
    }
  }

  async reply(): Promise<Reply> {
    const line = await this.#line();
    const rest = line.slice(1);
    switch (line[0]) {
      case ":":
        return Number(rest);
      case "+":
        return rest;
      case "-":
        return new RespError(rest);
      case "$": {
        const len = Number(rest);
        if (len < 0) return null;
        while (this.#end - this.#start < len + 2) await this.#fill();
        const text = TEXT_DECODER.decode(this.#buf.subarray(this.#start, this.#start + len));
        this.#start += len + 2;
        return text;
      }
      case "*": {
        const len = Number(rest);
        if (len < 0) return null;
        const out: Reply[] = [];
        for (let i = 0; i < len; i++) out.push(await this.reply());
        return out;
      }
    }
    throw new Error(`unexpected reply ${JSON.stringify(line.slice(0, 40))}`);
  }
}

/** Rows encoded per socket write (the server works on one part while the next is encoded). */
const ROWS_PER_WRITE = 8000;

/**
 * Writes encoded rows over a dedicated connection (opened on first use; one write at a time).
 */
export class RespWriter {
  readonly location: string;
  #conn: Promise<Connection> | undefined;
  #sha = "";
  #queue: Promise<unknown> = Promise.resolve();

  constructor(readonly opts: RespWriterOptions) {
    this.location = `${opts.host}:${opts.port}`;
  }

  async #open(): Promise<Connection> {
    const o = this.opts;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let raw: Deno.Conn;
    try {
      const connecting = o.tls
        ? Deno.connectTls({ hostname: o.host, port: o.port })
        : Deno.connect({ hostname: o.host, port: o.port });
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no connection within ${o.connectTimeoutMs ?? 3000} ms`)),
          o.connectTimeoutMs ?? 3000,
        );
      });
      connecting.catch(() => {});
      raw = await Promise.race([connecting, timeout]);
    } catch (err) {
      throw new Error(`Cannot reach Redis at ${this.location}: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
    if (!o.tls) (raw as Deno.TcpConn).setNoDelay?.(true);
    const conn = new Connection(raw);
    try {
      const setup: Uint8Array[] = [];
      if (o.password) setup.push(command("AUTH", o.password));
      if (o.db) setup.push(command("SELECT", String(o.db)));
      setup.push(command("SCRIPT", "LOAD", o.script));
      for (const c of setup) await conn.write(c);
      for (let i = 0; i < setup.length; i++) {
        const r = await conn.reply();
        if (r instanceof RespError) throw r;
        if (i === setup.length - 1) this.#sha = String(r);
      }
    } catch (err) {
      raw.close();
      throw new SetupError(`Redis at ${this.location} refused the connection setup: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return conn;
  }

  /**
   * Writes rows [start, end) of the encoder's table under `prefix`: MSETNX per chunk, then the write-newer script
   * for chunks where MSETNX wrote nothing (or for all chunks when `ttlMs` > 0). Returns the number written.
   */
  write(
    enc: RespTableEncoder,
    prefix: string,
    start: number,
    end: number,
    opts: { chunkSize: number; ttlMs: number },
  ): Promise<number> {
    const run = this.#queue.then(() => this.#write(enc, prefix, start, end, opts));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #write(
    enc: RespTableEncoder,
    prefix: string,
    start: number,
    end: number,
    opts: { chunkSize: number; ttlMs: number },
  ): Promise<number> {
    if (end <= start) return 0;
    const prefixBytes = TEXT_ENCODER.encode(prefix);
    const maxReconnects = this.opts.maxReconnects ?? 10;
    for (let attempt = 0;; attempt++) {
      let conn: Connection | undefined;
      try {
        this.#conn ??= this.#open();
        conn = await this.#conn;
        return await this.#send(conn, enc, prefixBytes, start, end, opts);
      } catch (err) {
        // The connection's state is unknown: drop it (the next attempt opens a new one).
        this.#conn = undefined;
        try {
          conn?.conn.close();
        } catch { /* already closed */ }
        if (err instanceof RespError) throw new Error(`Redis at ${this.location} replied: ${err.message}`);
        if (err instanceof SetupError || attempt >= maxReconnects || !(err instanceof Error)) {
          if (!conn || err instanceof SetupError) throw err;
          throw new Error(`Writing to Redis at ${this.location} failed: ${(err as Error).message}`, { cause: err });
        }
        await new Promise((r) => setTimeout(r, Math.min((attempt + 1) * 150, 1000)));
      }
    }
  }

  async #send(
    conn: Connection,
    enc: RespTableEncoder,
    prefix: Uint8Array,
    start: number,
    end: number,
    { chunkSize, ttlMs }: { chunkSize: number; ttlMs: number },
  ): Promise<number> {
    const parts: EncodedChunks[] = [];
    const per = Math.max(chunkSize, Math.floor(ROWS_PER_WRITE / chunkSize) * chunkSize);
    const out = new Out(Math.min(1 << 24, (end - start) * 160 + 1024));
    const fallback: [EncodedChunks, number][] = [];
    // Encode a part, hand it to the socket, encode the next while the server works on it.
    for (let s = start; s < end; s += per) {
      const from = out.p;
      const part = enc.msetnx(out, prefix, s, Math.min(end, s + per), chunkSize);
      parts.push(part);
      if (ttlMs === 0) await conn.write(out.b.subarray(from, out.p));
    }
    if (ttlMs > 0) {
      for (const part of parts) for (let c = 0; c < part.rows.length / 2; c++) fallback.push([part, c]);
    } else {
      for (const part of parts) {
        for (let c = 0; c < part.rows.length / 2; c++) {
          const r = await conn.reply();
          if (r instanceof RespError) throw r;
          if (r !== 1) fallback.push([part, c]);
        }
      }
    }
    let written = 0;
    for (const part of parts) {
      for (let c = 0; c < part.rows.length / 2; c++) written += part.rows[2 * c + 1];
    }
    if (fallback.length === 0) return written;
    for (const [part, c] of fallback) written -= part.rows[2 * c + 1];
    const replies = await this.#evalAll(conn, fallback, ttlMs);
    for (const r of replies) written += r;
    return written;
  }

  async #evalAll(conn: Connection, chunks: [EncodedChunks, number][], ttlMs: number): Promise<number[]> {
    for (const [part, c] of chunks) await conn.write(evalshaCommand(part, c, this.#sha, ttlMs));
    const out: number[] = [];
    const missing: [EncodedChunks, number][] = [];
    for (const chunk of chunks) {
      const r = await conn.reply();
      if (r instanceof RespError && r.message.startsWith("NOSCRIPT")) missing.push(chunk);
      else if (r instanceof RespError) throw r;
      else out.push(Number(r));
    }
    if (missing.length) {
      // The server lost its scripts (restart, SCRIPT FLUSH): load it again, once.
      await conn.write(command("SCRIPT", "LOAD", this.opts.script));
      const r = await conn.reply();
      if (r instanceof RespError) throw r;
      this.#sha = String(r);
      for (const [part, c] of missing) await conn.write(evalshaCommand(part, c, this.#sha, ttlMs));
      for (const _ of missing) {
        const x = await conn.reply();
        if (x instanceof RespError) throw x;
        out.push(Number(x));
      }
    }
    return out;
  }

  /** Closes the connection (after pending writes). */
  async close(): Promise<void> {
    await this.#queue;
    const pending = this.#conn;
    this.#conn = undefined;
    if (!pending) return;
    try {
      (await pending).conn.close();
    } catch { /* never opened or already closed */ }
  }
}

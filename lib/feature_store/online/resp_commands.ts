/**
 * RESP commands of the Redis bulk writer: {@link RespTableEncoder} encodes rows of an Arrow table (shaped like
 * `pullLatest`'s result) as one `MSETNX` per chunk of keys, remembering where each key and value is, so that
 * {@link evalshaCommand} can send the same chunk to the write-newer script; {@link command} encodes a command of
 * string arguments.
 *
 * The stored bytes are exactly those of codec.ts's `tableEncoder` (keys `<prefix><entity key>`, values
 * `1|<event µs>|<created µs>|<fingerprint>|[<JSON values>]`).
 *
 * @example
 * ```ts
 * import { RespTableEncoder } from "./resp_commands.ts";
 * const enc = new RespTableEncoder(view, table);
 * const chunks = enc.msetnx(new Out(), new TextEncoder().encode(keyPrefix("p", view.name)), 0, table.numRows, 1000);
 * ```
 * @module
 */
import type * as arrow from "apache-arrow";
import type { FeatureView } from "../definitions.ts";
import { sourceLocation } from "../definitions.ts";
import { timestampMicros } from "../offline/columns.ts";
import { schemaFingerprint, VALUE_FORMAT_VERSION } from "./codec.ts";
import { joinKeySpecs } from "./entity_key.ts";
import { bulk, Out } from "./resp_bytes.ts";
import { type CellWriter, columnWriter } from "./resp_cells.ts";
import { keyColumnWriter, type KeyWriter } from "./resp_keys.ts";

const TEXT_ENCODER = new TextEncoder();

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

/**
 * A raw RESP connection of the Redis bulk writer (resp_writer.ts): whole writes,
 * buffered reads of replies (integers, simple and bulk strings, nulls, arrays, error replies).
 *
 * @example
 * ```ts
 * import { Connection } from "./resp_connection.ts";
 * import { command } from "./resp_commands.ts";
 * const conn = new Connection(await Deno.connect({ hostname: "127.0.0.1", port: 6379 }));
 * await conn.write(command("PING"));
 * await conn.reply(); // "PONG"
 * ```
 * @module
 */

const TEXT_DECODER = new TextDecoder();

/** {@link Connection}'s parser needs more bytes. */
const INCOMPLETE: unique symbol = Symbol("incomplete");

/** The UTF-8 text of bytes [from, to): short ASCII runs without a TextDecoder call (one per value costs more). */
function text(b: Uint8Array, from: number, to: number): string {
  if (to - from > 512) return TEXT_DECODER.decode(b.subarray(from, to));
  for (let i = from; i < to; i++) if (b[i] >= 0x80) return TEXT_DECODER.decode(b.subarray(from, to));
  return String.fromCharCode.apply(null, b.subarray(from, to) as unknown as number[]);
}

/** The integer in ASCII bytes [from, to), or NaN. */
function asciiInt(b: Uint8Array, from: number, to: number): number {
  let i = from, sign = 1, n = 0;
  if (b[i] === 45) {
    sign = -1;
    i++;
  }
  if (i >= to) return NaN;
  for (; i < to; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return sign * n;
}

/** An error reply of the server. */
export class RespError extends Error {}

/** Redis refused AUTH, SELECT or SCRIPT LOAD. */
export class SetupError extends Error {}

/** A RESP reply: integer, simple or bulk string, null, array, or an error reply. */
export type Reply = number | string | null | RespError | Reply[];

/**
 * A raw RESP connection: buffered reads of replies, whole writes.
 *
 * @example
 * ```ts
 * const conn = new Connection(raw);
 * await conn.write(command("GET", "k"));
 * const value = await conn.reply(); // string | null | RespError ...
 * ```
 */
export class Connection {
  #buf = new Uint8Array(1 << 16);
  #start = 0;
  #end = 0;
  /** @param conn An open connection (TCP or TLS). */
  constructor(readonly conn: Deno.Conn) {}

  /** Writes all bytes. */
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

  /** Reads the next reply (an error reply is returned as a {@link RespError}, not thrown). */
  async reply(): Promise<Reply> {
    for (;;) {
      // Parsed synchronously once the whole reply is buffered: no promise per array element.
      const parsed = this.#parse(this.#start);
      if (parsed !== INCOMPLETE) {
        this.#start = this.#at;
        return parsed;
      }
      await this.#fill();
    }
  }

  /** End of the last value {@link Connection.#parse} read. */
  #at = 0;

  /** Parses one reply at `pos`; {@link INCOMPLETE} when the buffer does not hold all of it yet. */
  #parse(pos: number): Reply | typeof INCOMPLETE {
    const b = this.#buf, end = this.#end;
    if (pos >= end) return INCOMPLETE;
    const nl = b.subarray(pos, end).indexOf(10);
    if (nl < 0) return INCOMPLETE;
    const lineEnd = pos + nl - 1; // at "\r"
    const type = b[pos];
    this.#at = pos + nl + 1;
    if (type === 58 /* : */ || type === 36 /* $ */ || type === 42 /* * */) {
      const n = asciiInt(b, pos + 1, lineEnd);
      if (n !== n) throw new Error(`unexpected reply ${JSON.stringify(TEXT_DECODER.decode(b.subarray(pos, lineEnd)))}`);
      if (type === 58) return n;
      if (n < 0) return null;
      if (type === 36) {
        const from = this.#at;
        if (end - from < n + 2) return INCOMPLETE;
        this.#at = from + n + 2;
        return text(b, from, from + n);
      }
      const out = new Array<Reply>(n);
      for (let i = 0; i < n; i++) {
        const item = this.#parse(this.#at);
        if (item === INCOMPLETE) return INCOMPLETE;
        out[i] = item;
      }
      return out;
    }
    const line = TEXT_DECODER.decode(b.subarray(pos + 1, lineEnd));
    if (type === 43 /* + */) return line;
    if (type === 45 /* - */) return new RespError(line);
    throw new Error(`unexpected reply ${JSON.stringify(TEXT_DECODER.decode(b.subarray(pos, lineEnd)).slice(0, 40))}`);
  }
}

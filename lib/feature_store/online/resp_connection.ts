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

  /** Reads the next reply (an error reply is returned as a {@link RespError}, not thrown). */
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

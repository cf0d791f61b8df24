/**
 * A bulk writer of the Redis online store for standalone servers: encodes rows of an Arrow table (shaped like
 * `pullLatest`'s result) straight into RESP wire bytes (resp_commands.ts, over resp_bytes.ts, resp_cells.ts and
 * resp_keys.ts) — `MSETNX` per chunk of keys, and the same chunk as
 * `EVALSHA <write-newer script>` when some key exists or an expiry is set — and sends them over its own socket
 * (`Deno.connect`, or `Deno.connectTls`; resp_connection.ts), with AUTH and SELECT as configured, pipelining
 * the parts of a range and reconnecting when the connection breaks.
 *
 * The stored bytes are exactly those of codec.ts's `tableEncoder` (keys `<prefix><entity key>`, values
 * `1|<event µs>|<created µs>|<fingerprint>|[<JSON values>]`), but integers come from the raw Arrow buffers as ASCII
 * digits and ASCII strings are copied as bytes: no string per value, no argument arrays per command.
 *
 * Why not ioredis, the store's client for everything else (`deno task bench resp`, bench/results/resp.json: 200k
 * entities x 9 features, same keys, values and commands, throwaway redis-server, 5 rounds alternating, contents
 * checked after every write): a first materialization takes 219 ms here against 643 ms with ioredis pipelines of 10
 * MSETNX chunks, 792 ms with one pipeline, 758 ms with auto-pipelining (2.9-3.6x) and ~1.18-1.20 s with `SET NX`
 * pipelines of 1k/10k commands (5.4-5.5x); an update (every key older: the Lua script) 0.98 s against 1.47-1.68 s
 * (1.5-1.7x). Most of ioredis's time is building a string per key and value and its argument arrays. The writer
 * stays. (Reads went the other way: plain ioredis beat a raw reader of ours, which was removed; bench/results/resp.json
 * of commit 4f13385.)
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
import { Out } from "./resp_bytes.ts";
import { command, type EncodedChunks, evalshaCommand, type RespTableEncoder } from "./resp_commands.ts";
import { Connection, RespError, SetupError } from "./resp_connection.ts";

export { Out } from "./resp_bytes.ts";
export { command, type EncodedChunks, evalshaCommand, RespTableEncoder } from "./resp_commands.ts";
export { Connection, type Reply, RespError, SetupError } from "./resp_connection.ts";

const TEXT_ENCODER = new TextEncoder();

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

import { assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import { Connection, RespError } from "./resp_connection.ts";

/** A connection whose reads return the given bytes a few at a time; writes are recorded. */
function fakeConn(reply: string, step = 3): { conn: Deno.Conn; written: Uint8Array[] } {
  const bytes = new TextEncoder().encode(reply);
  let at = 0;
  const written: Uint8Array[] = [];
  const conn = {
    read(buf: Uint8Array) {
      if (at >= bytes.length) return Promise.resolve(null);
      const n = Math.min(step, buf.length, bytes.length - at);
      buf.set(bytes.subarray(at, at + n));
      at += n;
      return Promise.resolve(n);
    },
    write(buf: Uint8Array) {
      const n = Math.min(5, buf.length); // partial writes
      written.push(buf.slice(0, n));
      return Promise.resolve(n);
    },
  };
  return { conn: conn as unknown as Deno.Conn, written };
}

Deno.test("resp_connection: every reply kind, split across reads; whole writes", async () => {
  const big = "x".repeat(100_000); // grows the read buffer
  const { conn, written } = fakeConn(
    `:42\r\n+OK\r\n-ERR wrong\r\n$4\r\nhé|\r\n$-1\r\n*3\r\n:1\r\n$0\r\n\r\n*-1\r\n$${big.length}\r\n${big}\r\n`,
    7,
  );
  const c = new Connection(conn);
  assertEquals(await c.reply(), 42);
  assertEquals(await c.reply(), "OK");
  const err = await c.reply();
  assertInstanceOf(err, RespError);
  assertEquals(err.message, "ERR wrong");
  assertEquals(await c.reply(), "hé|");
  assertEquals(await c.reply(), null);
  assertEquals(await c.reply(), [1, "", null]);
  assertEquals(await c.reply(), big);
  await assertRejects(() => c.reply(), Error, "the server closed the connection");
  await c.write(new TextEncoder().encode("*1\r\n$4\r\nPING\r\n"));
  assertEquals(new TextDecoder().decode(new Uint8Array(written.flatMap((w) => [...w]))), "*1\r\n$4\r\nPING\r\n");
});

Deno.test("resp_connection: an unknown reply type is an error quoting it", async () => {
  const c = new Connection(fakeConn("?what\r\n").conn);
  await assertRejects(() => c.reply(), Error, 'unexpected reply "?what"');
});

Deno.test("resp_connection: a large array reply arriving in many reads, negative integers", async () => {
  const values = Array.from({ length: 2000 }, (_, i) => (i % 7 === 0 ? null : `v${i}|ü`));
  const body = values.map((v) => (v === null ? "$-1\r\n" : `$${new TextEncoder().encode(v).length}\r\n${v}\r\n`));
  const c = new Connection(fakeConn(`*2000\r\n${body.join("")}:-17\r\n`, 1000).conn);
  assertEquals(await c.reply(), values);
  assertEquals(await c.reply(), -17);
});

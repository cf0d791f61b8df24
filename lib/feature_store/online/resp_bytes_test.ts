import { assertEquals } from "@std/assert";
import { bulk, digitCount, Out, writeInt } from "./resp_bytes.ts";

const text = (o: Out) => new TextDecoder().decode(o.b.subarray(0, o.p));

Deno.test("resp_bytes: numbers are written exactly as String(v); the buffer grows", () => {
  const values = [
    0,
    -0,
    7,
    -7,
    9,
    10,
    99,
    100,
    2147483647,
    2147483648,
    -2147483649,
    2 ** 53,
    -(2 ** 53),
    1.5,
    1e21,
    1e-7,
  ];
  const out = new Out(1);
  for (const v of values) {
    out.num(v);
    out.ascii(",");
  }
  assertEquals(text(out), values.map((v) => `${String(v)},`).join(""));
  assertEquals([digitCount(0), digitCount(9), digitCount(10), digitCount(2 ** 53)], [1, 1, 2, 16]);
  const b = new Uint8Array(4);
  assertEquals(writeInt(b, 0, -42), 3);
  assertEquals(new TextDecoder().decode(b.subarray(0, 3)), "-42");
});

Deno.test("resp_bytes: bulk strings have the right header whether the length guess is short, right or long", () => {
  for (const body of ["", "a", "hello", "x".repeat(1234), "héllo 日本"]) {
    for (const guess of [1, 2, 3, 6]) {
      const out = new Out(2);
      out.ascii("*1\r\n");
      bulk(out, guess, () => out.utf8(body));
      assertEquals(text(out), `*1\r\n$${new TextEncoder().encode(body).length}\r\n${body}\r\n`, `${body} ${guess}`);
    }
  }
});

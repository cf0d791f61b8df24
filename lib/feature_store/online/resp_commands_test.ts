import { assertEquals } from "@std/assert";
import * as arrow from "apache-arrow";
import { encodeTable } from "./codec.ts";
import { keyPrefix } from "./entity_key.ts";
import { Out } from "./resp_bytes.ts";
import { command, evalshaCommand, RespTableEncoder } from "./resp_commands.ts";
import { bulks, chunkedTable, multi, randomTable, single } from "../../testing/resp_tables.ts";

for (
  const [label, view, table] of [
    ["one int64 key", single, randomTable(3000, 1)],
    ["a string and an int64 key, several record batches", multi, chunkedTable(1500, 2)],
  ] as const
) {
  Deno.test(`resp_commands: MSETNX bytes equal the codec's keys and values (${label})`, () => {
    const prefix = keyPrefix("pröj", view.name);
    const expected = encodeTable(view, table);
    const enc = new RespTableEncoder(view, table);
    const out = new Out(64);
    const chunks = enc.msetnx(out, new TextEncoder().encode(prefix), 0, table.numRows, 700);
    assertEquals(chunks.rows.length / 2, Math.ceil(table.numRows / 700));
    const parts = bulks(out.b.subarray(0, out.p));
    const te = new TextEncoder();
    let msetnx = 0;
    let k = 0;
    for (let i = 0; i < parts.length; i++) {
      if (new TextDecoder().decode(parts[i]) === "MSETNX") {
        msetnx++;
        continue;
      }
      const row = k >> 1;
      if (k % 2 === 0) assertEquals(parts[i], te.encode(prefix + expected.keys[row]), `key of row ${row}`);
      else assertEquals(parts[i], te.encode(expected.values[row]), `value of row ${row}: ${expected.values[row]}`);
      k++;
    }
    assertEquals(msetnx, Math.ceil(table.numRows / 700));
    assertEquals(k, 2 * table.numRows);
  });
}

Deno.test("resp_commands: a null event timestamp or join key is an error naming the row", () => {
  const table = new arrow.Table({
    ...Object.fromEntries(randomTable(3, 1).schema.fields.map((f) => [f.name, randomTable(3, 1).getChild(f.name)!])),
    id: arrow.vectorFromArray([1n, null, 3n], new arrow.Int64()),
  });
  const enc = new RespTableEncoder(single, table);
  let message = "";
  try {
    enc.msetnx(new Out(), new Uint8Array(), 0, 3, 10);
  } catch (err) {
    message = (err as Error).message;
  }
  assertEquals(message, 'Join key "id" is null in row 1');
});

Deno.test("resp_commands: EVALSHA of a chunk carries its keys, the expiry and its values; command() encodes strings", () => {
  const table = randomTable(10, 3);
  const enc = new RespTableEncoder(single, table);
  const out = new Out(16);
  const chunks = enc.msetnx(out, new TextEncoder().encode("p|"), 0, 10, 4);
  const msetnx = bulks(out.b.subarray(chunks.commands[2], chunks.commands[3])).map((b) => new TextDecoder().decode(b));
  const evalsha = bulks(evalshaCommand(chunks, 1, "abc123", 5000)).map((b) => new TextDecoder().decode(b));
  const keys = msetnx.filter((_, i) => i % 2 === 1), values = msetnx.filter((_, i) => i > 0 && i % 2 === 0);
  assertEquals(evalsha, ["EVALSHA", "abc123", "4", ...keys, "5000", ...values]);
  assertEquals(new TextDecoder().decode(command("SET", "kö", "")), "*3\r\n$3\r\nSET\r\n$3\r\nkö\r\n$0\r\n\r\n");
});

import { assertEquals } from "@std/assert";
import { encodeEntityKey, joinKeySpecs } from "./entity_key.ts";
import { Out } from "./resp_bytes.ts";
import { keyColumnWriter } from "./resp_keys.ts";
import { chunkedTable, multi, randomTable, single } from "../../testing/resp_tables.ts";

for (
  const [label, view, table] of [
    ["one int64 key", single, randomTable(1000, 8)],
    ["a string and an int64 key, sliced batches", multi, chunkedTable(600, 9)],
  ] as const
) {
  Deno.test(`resp_keys: key bytes equal entity_key.ts's keys (${label})`, () => {
    const specs = joinKeySpecs(view);
    const writers = specs.map((s, i) => keyColumnWriter(s, table.getChild(s.name)!, i > 0));
    for (let row = 0; row < table.numRows; row++) {
      const out = new Out(4);
      for (const w of writers) w(out, row);
      const record = Object.fromEntries(specs.map((s) => [s.name, table.getChild(s.name)!.get(row)]));
      assertEquals(new TextDecoder().decode(out.b.subarray(0, out.p)), encodeEntityKey(specs, record), `row ${row}`);
    }
  });
}

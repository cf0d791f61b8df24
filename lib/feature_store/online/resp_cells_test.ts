import { assertEquals } from "@std/assert";
import * as arrow from "apache-arrow";
import { encodeTable } from "./codec.ts";
import { Out } from "./resp_bytes.ts";
import { columnWriter } from "./resp_cells.ts";
import { chunkedTable, randomTable, single } from "../../testing/resp_tables.ts";

/** The JSON text of each feature of each row, as the codec's packed values hold them. */
function codecCells(table: arrow.Table): string[][] {
  return encodeTable(single, table).values.map((v) => {
    const json = v.slice(v.indexOf("|[", v.indexOf("|", v.indexOf("|", 2) + 1)) + 2, -1);
    const cells: string[] = [];
    // split the JSON array's text on top-level commas (outside strings)
    let depth = 0, inString = false, start = 0;
    for (let i = 0; i < json.length; i++) {
      const ch = json[i];
      if (inString) {
        if (ch === "\\") i++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === "[") depth++;
      else if (ch === "]") depth--;
      else if (ch === "," && depth === 0) {
        cells.push(json.slice(start, i));
        start = i + 1;
      }
    }
    cells.push(json.slice(start));
    return cells;
  });
}

for (const [label, table] of [["one batch", randomTable(800, 5)], ["sliced batches", chunkedTable(400, 6)]] as const) {
  Deno.test(`resp_cells: each cell's JSON text equals the codec's, byte for byte (${label})`, () => {
    const expected = codecCells(table);
    single.schema.forEach((f, c) => {
      const write = columnWriter(table.getChild(f.name)!, f.name);
      for (let row = 0; row < table.numRows; row++) {
        const out = new Out(8);
        write(out, row);
        assertEquals(new TextDecoder().decode(out.b.subarray(0, out.p)), expected[row][c], `${f.name} row ${row}`);
      }
    });
  });
}

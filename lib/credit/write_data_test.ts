import { assertEquals } from "@std/assert";
import * as arrow from "apache-arrow";
import { readTable } from "../io/mod.ts";
import { CREDIT_HISTORY_SCHEMA, LOAN_SCHEMA, ZIPCODE_SCHEMA } from "./schemas.ts";
import { generateData } from "./write_data.ts";

Deno.test("generateData writes the three Parquet tables that read back with the exact schemas", async () => {
  const out = await Deno.makeTempDir();
  try {
    const lines: string[] = [];
    const reports = await generateData({ rows: 500, seed: 5, out, zipcodes: 300 }, { log: (l) => lines.push(l) });
    assertEquals(reports.map((r) => r.table), ["zipcode_table", "loan_table", "credit_history"]);
    assertEquals(lines.length, 3);
    const describe = (s: arrow.Schema) => s.fields.map((f) => `${f.name}:${f.type}`);
    const expected = { zipcode_table: ZIPCODE_SCHEMA, loan_table: LOAN_SCHEMA, credit_history: CREDIT_HISTORY_SCHEMA };
    for (const r of reports) {
      const table = await readTable(r.uri);
      assertEquals(table.numRows, r.rows);
      assertEquals(describe(table.schema), describe(expected[r.table as keyof typeof expected]));
    }
    assertEquals(reports[1].rows, 500);
    const loans = await readTable(`${out}/loan_table.parquet`);
    const ts = loans.getChild("event_timestamp")!.data[0].values as BigInt64Array;
    assertEquals(ts.some((t) => t % 1000n !== 0n), true);
    await generateData({ rows: 500, seed: 5, out: `${out}/again`, zipcodes: 300 });
    for (const r of reports) {
      const again = await Deno.readFile(`${out}/again/${r.table}.parquet`);
      assertEquals(again, await Deno.readFile(r.uri), `${r.table} is byte-identical on a second run`);
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

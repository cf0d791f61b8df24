import { assert, assertEquals, assertRejects } from "@std/assert";
import * as arrow from "apache-arrow";
import { readTable } from "../io/mod.ts";
import { CREDIT_HISTORY_SCHEMA, LOAN_SCHEMA, ZIPCODE_SCHEMA } from "./schemas.ts";
import { appendPeriod, generateData } from "./write_data.ts";
import { DOWNTURN_SHIFT } from "./generate.ts";

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

Deno.test("appendPeriod adds a later period's loans and credit history; ids continue; the seed is checked", async () => {
  const out = await Deno.makeTempDir();
  try {
    await generateData({ rows: 600, seed: 5, out, zipcodes: 300 });
    const zipBefore = await Deno.readFile(`${out}/zipcode_table.parquet`);
    const creditBefore = (await readTable(`${out}/credit_history.parquet`)).numRows;
    const period = { start: "2021-09-01T00:00:00Z", end: "2021-10-31T00:00:00Z", shift: DOWNTURN_SHIFT };
    const lines: string[] = [];
    const applications = `${out}/later/applications.parquet`;
    const reports = await appendPeriod({ out, rows: 400, seed: 5, period, applications }, {
      log: (l) => lines.push(l),
    });
    assertEquals(reports.map((r) => [r.table, r.rows > 0]), [
      ["loan_table", true],
      ["credit_history", true],
      ["applications", true],
    ]);
    assert(lines[0].startsWith("loan_table: +400 rows of the later period -> 1000 rows"), lines[0]);
    const loans = await readTable(`${out}/loan_table.parquet`);
    assertEquals(loans.numRows, 1000);
    const ids = Array.from(loans.getChild("loan_id")!, Number);
    assertEquals(ids.slice(598, 602), [10_598, 10_599, 10_600, 10_601]);
    const ts = loans.getChild("event_timestamp")!.data.flatMap((d) => Array.from(d.values as BigInt64Array, Number));
    assert(ts.slice(600).every((t) => t >= Date.UTC(2021, 8, 1) * 1000), "appended loans are in the period");
    assert(ts.slice(0, 600).every((t) => t < Date.UTC(2021, 8, 1) * 1000), "base loans come first, unchanged");
    const credit = await readTable(`${out}/credit_history.parquet`);
    assertEquals(credit.numRows, reports[1].rows);
    assert(credit.numRows > creditBefore);
    assertEquals(await Deno.readFile(`${out}/zipcode_table.parquet`), zipBefore, "zipcode table untouched");
    // the applications file: the appended loans, without their labels
    const apps = await readTable(applications);
    assertEquals(apps.numRows, 400);
    assertEquals(
      apps.schema.fields.map((f) => f.name),
      loans.schema.fields.map((f) => f.name).filter((n) => n !== "loan_status"),
    );
    assertEquals(Array.from(apps.getChild("loan_id")!, Number), ids.slice(600));
    await assertRejects(
      () => appendPeriod({ out, rows: 10, seed: 6, period }),
      Error,
      `was not generated with seed "6"`,
    );
    await assertRejects(() => appendPeriod({ out: `${out}/none`, rows: 10, seed: 5, period }), Error, "zipcode_table");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

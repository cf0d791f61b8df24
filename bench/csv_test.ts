import * as arrow from "apache-arrow";
import { assertEquals, assertRejects } from "@std/assert";
import { CONTENDERS, TOKENIZERS, writeGeneratedCsv } from "./csv.ts";

/** Every cell of a table as JSON-able values, with each field's type and metadata. */
function dump(t: arrow.Table): unknown {
  return {
    fields: t.schema.fields.map((f) => `${f.name}:${f.type}:${JSON.stringify([...f.metadata])}`),
    rows: t.toArray().map((r) => JSON.stringify(r.toJSON(), (_k, v) => (typeof v === "bigint" ? `${v}n` : v))),
  };
}

async function withFile<T>(text: string, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/t.csv`, text);
    return await fn(`${dir}/t.csv`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// Quoted delimiters, doubled quotes, a line break in quotes, a quoted empty string and empty fields, a blank line,
// int64 beyond 2^53, "2.0", naive timestamps, no final newline; CRLF line ends.
const CRLF = "id,name,score,ok,when\r\n" +
  '9223372036854775807,"x, y",2.0,true,2020-04-26 18:01:04.746575\r\n' +
  '2,"say ""hi""",,FALSE,\r\n' +
  "\r\n" +
  '3,"two\nlines",1.5,,2020-04-26 18:01:05\r\n' +
  '4,"",-3,false,2021-01-01\r\n' +
  "5,,7,true,2021-01-02";
// The same with a byte-order mark and \n and \r\n mixed (our reader takes either).
const MIXED = "\ufeff" + CRLF.replace("FALSE,\r\n\r\n", "FALSE,\n\n").replace("2021-01-01\r\n", "2021-01-01\n");

Deno.test("csv-parse (sync and stream) gives our table on the tricky cases; papaparse only where it can", async () => {
  await withFile(MIXED, async (path) => {
    const ours = dump(await CONTENDERS.ours(path));
    assertEquals(dump(await CONTENDERS.csv_parse_sync(path)), ours);
    assertEquals(dump(await CONTENDERS.csv_parse_stream(path)), ours);
    // papaparse takes the first line end (\r\n) as the only one: the lone \n lines run together
    await assertRejects(() => CONTENDERS.papaparse(path), Error, 'CSV "t.csv" row');
  });
  await withFile(CRLF, async (path) => {
    const ours = await CONTENDERS.ours(path);
    assertEquals(dump(await CONTENDERS.csv_parse_sync(path)), dump(ours));
    const papa = await CONTENDERS.papaparse(path);
    // papaparse cannot tell a quoted "" from an empty field: both are null
    assertEquals([...ours.getChild("name")!], ["x, y", 'say "hi"', "two\nlines", "", null]);
    assertEquals([...papa.getChild("name")!], ["x, y", 'say "hi"', "two\nlines", null, null]);
    for (const c of ["id", "score", "ok", "when"]) {
      assertEquals(dump(papa.select([c])), dump(ours.select([c])), c);
    }
    // dynamicTyping: "2.0" is the number 2, so the column is Int64; the int64 beyond 2^53 stays text
    const dynamic = await CONTENDERS.papaparse_dynamic(path);
    assertEquals(String(ours.schema.fields[2].type), "Float64");
    assertEquals(String(dynamic.schema.fields[2].type), "Float64"); // -3 and 1.5: not all integers
    assertEquals(String(dynamic.schema.fields[0].type), "Int64");
  });
});

Deno.test("every contender's error names the row our reader names", async () => {
  await withFile('a,b\r\n1,"x\ny"\r\n\r\n2\r\n', async (path) => {
    for (const name of Object.keys(CONTENDERS)) {
      await assertRejects(() => CONTENDERS[name](path), Error, 'CSV "t.csv" row 5: expected 2 fields, found 1', name);
    }
  });
});

Deno.test("the generated file: csv-parse and ours agree, tokenizers count the same records", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/g.csv`;
    await writeGeneratedCsv(path, 3000);
    const text = await Deno.readTextFile(path);
    assertEquals(text.includes('"two\nlines"') && text.includes(',"",') && text.includes("\r\n"), true);
    const ours = await CONTENDERS.ours(path);
    assertEquals(ours.numRows, 3000);
    assertEquals(dump(await CONTENDERS.csv_parse_stream(path)), dump(ours));
    const papa = await CONTENDERS.papaparse(path);
    assertEquals(
      dump(papa.select(["loan_id", "loan_int_rate", "event_timestamp"])),
      dump(ours.select(["loan_id", "loan_int_rate", "event_timestamp"])),
    );
    for (const name of Object.keys(TOKENIZERS)) assertEquals(await TOKENIZERS[name](path), 3001, name);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

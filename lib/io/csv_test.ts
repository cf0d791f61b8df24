import * as arrow from "apache-arrow";
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import {
  csvRecordBatches,
  CsvTokenizer,
  formatCsv,
  formatTimestamp,
  parseTimestamp,
  readCsvBatches,
  readCsvSchema,
  readCsvTable,
  writeCsvBatches,
  writeCsvTable,
} from "./csv.ts";
import { columnTypeName, isTzNaive, timestampMicros, TZ_NAIVE_KEY } from "./arrow_util.ts";
import { startS3 } from "../testing/s3rver.ts";

const SHARED = new URL("../../../shared/data/feast-credit/", import.meta.url).pathname;
const hasShared = (() => {
  try {
    return Deno.statSync(SHARED).isDirectory;
  } catch {
    return false;
  }
})();
if (!hasShared) console.warn(`\n!!! ${SHARED} is absent: tests on the real Feast CSV samples are SKIPPED !!!\n`);

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function types(t: arrow.Table | arrow.Schema): string[] {
  const fields = t instanceof arrow.Table ? t.schema.fields : t.fields;
  return fields.map((f) => `${f.name}:${columnTypeName(f)}`);
}

Deno.test("tokenizer: quotes, embedded delimiters, quotes and newlines, CRLF, blank lines", () => {
  const text = 'a,b,c\r\n"x, y","say ""hi""","two\nlines"\r\n\n,"",z\nlast,row,no-newline';
  const expected = [
    ["a", "b", "c"],
    ["x, y", 'say "hi"', "two\nlines"],
    [null, "", "z"],
    ["last", "row", "no-newline"],
  ];
  const whole = new CsvTokenizer("t.csv");
  const recs = [...whole.push(text), ...whole.finish()];
  assertEquals(recs.map((r) => r.fields), expected);
  assertEquals(recs.map((r) => r.line), [1, 2, 5, 6]);
  // every split point of the text gives the same records
  for (let cut = 0; cut <= text.length; cut++) {
    const t = new CsvTokenizer("t.csv");
    const got = [...t.push(text.slice(0, cut)), ...t.push(text.slice(cut)), ...t.finish()];
    assertEquals(got.map((r) => r.fields), expected, `split at ${cut}`);
  }
  const bad = new CsvTokenizer("bad.csv");
  assertThrows(() => [...bad.push('a\n"open\n'), ...bad.finish()], Error, 'CSV "bad.csv" row 2: unterminated');
  const bad2 = new CsvTokenizer("bad.csv");
  assertThrows(() => bad2.push('a,b\n"x"y,1\n'), Error, 'CSV "bad.csv" row 2: unexpected character "y"');
});

Deno.test("parseTimestamp is exact to the microsecond and converts offsets to UTC", () => {
  assertEquals(parseTimestamp("2021-07-28T17:09:19.623001Z"), { micros: 1627492159623001n, naive: false });
  assertEquals(parseTimestamp("2021-07-28 17:09:19.623001+00:00"), { micros: 1627492159623001n, naive: false });
  assertEquals(parseTimestamp("2021-07-28T19:39:19.623001+02:30")!.micros, 1627492159623001n);
  assertEquals(parseTimestamp("2021-07-28T12:09:19.623001-0500")!.micros, 1627492159623001n);
  assertEquals(parseTimestamp("2020-04-26 18:01:04.746575"), { micros: 1587924064746575n, naive: true });
  assertEquals(parseTimestamp("2017-01-01")!.micros, 1483228800000000n);
  assertEquals(parseTimestamp("1969-12-31T23:59:59.999999Z")!.micros, -1n);
  assertEquals(parseTimestamp("2021-07-28T17:09:19.6230019Z")!.micros, 1627492159623001n); // ns floored
  assertEquals(parseTimestamp("2024-02-29T00:00:00Z")!.micros, 1709164800000000n);
  for (const bad of ["2023-02-29", "2021-13-01", "2021-07-28T24:00:00", "2021-07-28x", "12:00", "20210728"]) {
    assertEquals(parseTimestamp(bad), null, bad);
  }
  assertEquals(formatTimestamp(1627492159623000n), "2021-07-28 17:09:19.623000+00:00");
  assertEquals(formatTimestamp(1627492159623001n), "2021-07-28 17:09:19.623001+00:00");
  assertEquals(formatTimestamp(1483272000000000n), "2017-01-01 12:00:00+00:00");
  assertEquals(formatTimestamp(-1n, true), "1969-12-31 23:59:59.999999");
});

Deno.test("readCsvTable infers Int64, Float64, Utf8, Bool and Timestamp with nulls", async () => {
  await withTemp(async (dir) => {
    const path = `${dir}/types.csv`;
    await Deno.writeTextFile(
      path,
      "id,score,name,ok,ts,mixed_num,empty\n" +
        "1,1.5,alice,true,2021-07-28 17:09:19.623001+00:00,1,\n" +
        '2,,"bob, jr",False,2021-07-28T19:09:19.000001+02:00,2.5,\n' +
        '-3,NaN,"",,,-7,\n' +
        '9223372036854775807,1e3,"multi\nline",TRUE,2021-07-28T17:09:19Z,8,\n',
    );
    const t = await readCsvTable(path);
    assertEquals(types(t), [
      "id:Int64",
      "score:Float64",
      "name:Utf8",
      "ok:Bool",
      "ts:Timestamp<MICROSECOND, UTC>",
      "mixed_num:Float64",
      "empty:Utf8",
    ]);
    assertEquals([...t.getChild("id")!], [1n, 2n, -3n, 9223372036854775807n]);
    const score = [...t.getChild("score")!];
    assertEquals([score[0], score[1], Number.isNaN(score[2]), score[3]], [1.5, null, true, 1000]);
    assertEquals([...t.getChild("name")!], ["alice", "bob, jr", "", "multi\nline"]);
    assertEquals([...t.getChild("ok")!], [true, false, null, true]);
    const ts = t.getChild("ts")!;
    assertEquals([...timestampMicros(ts)], [1627492159623001n, 1627492159000001n, 0n, 1627492159000000n]);
    assertEquals(ts.nullCount, 1);
    assert(!isTzNaive(t.schema.fields[4]));
    assertEquals([...t.getChild("empty")!], [null, null, null, null]);
  });
});

Deno.test("naive and mixed timestamps are flagged; streaming rejects a zone change after the sample", async () => {
  await withTemp(async (dir) => {
    await Deno.writeTextFile(`${dir}/naive.csv`, "t\n2020-04-26 18:01:04.746575\n2020-04-26 18:01:05\n");
    const naive = await readCsvTable(`${dir}/naive.csv`);
    assertEquals(naive.schema.fields[0].metadata.get(TZ_NAIVE_KEY), "true");
    assert(isTzNaive(naive.schema.fields[0]));
    assertEquals([...timestampMicros(naive.getChild("t")!)], [1587924064746575n, 1587924065000000n]);
    await Deno.writeTextFile(`${dir}/mixed.csv`, "t\n2020-04-26 18:01:04\n2020-04-26 18:01:05+00:00\n");
    assertEquals((await readCsvTable(`${dir}/mixed.csv`)).schema.fields[0].metadata.get(TZ_NAIVE_KEY), "mixed");
    const it = readCsvBatches(`${dir}/mixed.csv`, { inferRows: 1, batchRows: 1 });
    await assertRejects(
      async () => {
        for await (const _ of it) { /* drain */ }
      },
      Error,
      'CSV "mixed.csv" row 3 column "t": "2020-04-26 18:01:05+00:00" is not a valid Timestamp',
    );
  });
});

Deno.test("CSV errors name the file, the row and the column", async () => {
  await withTemp(async (dir) => {
    await Deno.writeTextFile(`${dir}/short.csv`, "a,b,c\n1,2,3\n4,5\n");
    await assertRejects(
      () => readCsvTable(`${dir}/short.csv`),
      Error,
      'CSV "short.csv" row 3: expected 3 fields, found 2',
    );
    await Deno.writeTextFile(`${dir}/late.csv`, "a\n1\n2\n3\nx4\n");
    const err = await assertRejects(async () => {
      for await (const _ of readCsvBatches(`${dir}/late.csv`, { inferRows: 2 })) { /* drain */ }
    });
    assertEquals(
      (err as Error).message,
      'CSV "late.csv" row 5 column "a": "x4" is not a valid Int64 (pass a schema if the column is not all integers)',
    );
    await Deno.writeTextFile(`${dir}/dup.csv`, "a,a\n1,2\n");
    await assertRejects(() => readCsvTable(`${dir}/dup.csv`), Error, 'CSV "dup.csv" has the column "a" twice');
    await Deno.writeTextFile(`${dir}/empty.csv`, "");
    await assertRejects(() => readCsvTable(`${dir}/empty.csv`), Error, 'CSV "empty.csv" is empty');
    await assertRejects(() => readCsvTable(`${dir}/none.csv`), Error, "not found");
    await assertRejects(
      () => readCsvTable(`${dir}/dup.csv`.replace("dup", "late"), { columns: ["zz"] }),
      Error,
      'Column "zz" not found',
    );
  });
});

Deno.test("explicit schema: types, column selection and order, errors", async () => {
  await withTemp(async (dir) => {
    await Deno.writeTextFile(`${dir}/s.csv`, "zip,extra,when,amount\n01463,x,2021-01-01,7\n,y,,8\n");
    const schema = new arrow.Schema([
      new arrow.Field("when", new arrow.TimestampMicrosecond("UTC")),
      new arrow.Field("zip", new arrow.Utf8()),
      new arrow.Field("amount", new arrow.Float64()),
    ]);
    const t = await readCsvTable(`${dir}/s.csv`, { schema });
    assertEquals(types(t), ["when:Timestamp<MICROSECOND, UTC>", "zip:Utf8", "amount:Float64"]);
    assertEquals([...t.getChild("zip")!], ["01463", null]);
    assertEquals([...t.getChild("amount")!], [7, 8]);
    assertEquals([...timestampMicros(t.getChild("when")!)], [1609459200000000n, 0n]);
    const bad = new arrow.Schema([new arrow.Field("extra", new arrow.Int64())]);
    await assertRejects(
      () => readCsvTable(`${dir}/s.csv`, { schema: bad }),
      Error,
      'CSV "s.csv" row 2 column "extra": "x"',
    );
    const missing = new arrow.Schema([new arrow.Field("nope", new arrow.Int64())]);
    await assertRejects(
      () => readCsvTable(`${dir}/s.csv`, { schema: missing }),
      Error,
      'has no column "nope" required',
    );
    const sel = await readCsvTable(`${dir}/s.csv`, { columns: ["amount", "zip"] });
    assertEquals(types(sel), ["amount:Int64", "zip:Int64"]);
  });
});

Deno.test("streaming CSV read yields bounded batches; write then read round-trips every type", async () => {
  await withTemp(async (dir) => {
    const n = 25_000;
    const ids = new BigInt64Array(n).map((_, i) => BigInt(i * 3 - 7));
    const ts = new BigInt64Array(n).map((_, i) => 1627492159623001n + BigInt(i) * 1_000_001n);
    const table = new arrow.Table({
      id: arrow.makeVector(ids),
      x: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i / 4)), new arrow.Float64()),
      s: arrow.vectorFromArray(
        Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `v,"${i}"\n`)),
        new arrow.Utf8(),
      ),
      b: arrow.vectorFromArray(
        Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : i % 2 === 0)),
        new arrow.Bool(),
      ),
      t: arrow.makeVector(arrow.makeData({ type: new arrow.TimestampMicrosecond("UTC"), length: n, data: ts })),
    });
    const { rows, bytes } = await writeCsvTable(`${dir}/rt.csv`, table);
    assertEquals(rows, n);
    assertEquals(bytes, (await Deno.stat(`${dir}/rt.csv`)).size);
    const sizes: number[] = [];
    const got: arrow.RecordBatch[] = [];
    for await (const b of readCsvBatches(`${dir}/rt.csv`, { batchRows: 10_000 })) {
      sizes.push(b.numRows);
      got.push(b);
    }
    assertEquals(sizes, [10_000, 10_000, 5_000]);
    const back = new arrow.Table(got);
    assertEquals(types(back), ["id:Int64", "x:Float64", "s:Utf8", "b:Bool", "t:Timestamp<MICROSECOND, UTC>"]);
    assertEquals(back.getChild("id")!.toArray(), ids);
    assertEquals([...back.getChild("x")!], [...table.getChild("x")!]);
    assertEquals([...back.getChild("s")!], [...table.getChild("s")!]);
    assertEquals([...back.getChild("b")!], [...table.getChild("b")!]);
    assertEquals(timestampMicros(back.getChild("t")!), ts);
    assertEquals((await readCsvSchema(`${dir}/rt.csv`)).fields.length, 5);
  });
});

Deno.test("writeCsvBatches is atomic when the source throws", async () => {
  await withTemp(async (dir) => {
    async function* failing() {
      yield arrow.tableFromArrays({ a: new Float64Array([1, 2]) }).batches[0];
      throw new Error("source broke");
    }
    await assertRejects(() => writeCsvBatches(`${dir}/x.csv`, failing()), Error, "source broke");
    assertEquals([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("CSV round trip on S3", { sanitizeOps: false, sanitizeResources: false }, async () => {
  const s3 = await startS3();
  try {
    const uri = `s3://${s3.bucket}/t/a.csv`;
    const t = arrow.tableFromArrays({ k: ["a", "b"], v: new Float64Array([1, 2.25]) });
    await writeCsvTable(uri, t, { s3: s3.options });
    const back = await readCsvTable(uri, { s3: s3.options });
    assertEquals(types(back), ["k:Utf8", "v:Float64"]);
    assertEquals([...back.getChild("v")!], [1, 2.25]);
  } finally {
    await s3.close();
  }
});

Deno.test({
  name: "real Feast CSV samples: types, exact timestamps, and byte-identical re-writing",
  ignore: !hasShared,
  fn: async () => {
    const loans = await readCsvTable(`${SHARED}loan_table_sample.csv`);
    assertEquals(loans.numRows, 1000);
    assertEquals(types(loans), [
      "loan_id:Int64",
      "dob_ssn:Utf8",
      "zipcode:Int64",
      "person_age:Int64",
      "person_income:Int64",
      "person_home_ownership:Utf8",
      "person_emp_length:Float64",
      "loan_intent:Utf8",
      "loan_amnt:Int64",
      "loan_int_rate:Float64",
      "loan_status:Int64",
      "event_timestamp:Timestamp<MICROSECOND, UTC>",
      "created_timestamp:Timestamp<MICROSECOND, UTC>",
    ]);
    assertEquals(timestampMicros(loans.getChild("event_timestamp")!)[0], 1627492159623000n);
    assert(!isTzNaive(loans.schema.fields[11]));
    for (const f of ["loan_table_sample.csv", "zipcode_table_sample.csv", "credit_history_sample.csv"]) {
      const text = await Deno.readTextFile(`${SHARED}${f}`);
      const t = await readCsvTable(`${SHARED}${f}`);
      assertEquals(formatCsv(t.batches[0], { header: true }), text.replace(/\r\n/g, "\n"), f);
    }
    const credit = await readCsvTable(`${SHARED}credit_history_sample.csv`);
    assert(isTzNaive(credit.schema.fields[0]));
    assertEquals(timestampMicros(credit.getChild("event_timestamp")!)[0], 1587924064746575n);
  },
});

Deno.test("csvRecordBatches: records from any tokenizer get readCsvTable's types, nulls and row-naming errors", async () => {
  await withTemp(async (dir) => {
    const text = 'id,name,when\n1,"a, b",2021-07-28 17:09:19.623001+00:00\n2,"",\n\n3,,2021-07-28T17:09:20Z\n';
    await Deno.writeTextFile(`${dir}/r.csv`, text);
    const tok = new CsvTokenizer("r.csv");
    const recs = [...tok.push(text), ...tok.finish()];
    const batches: arrow.RecordBatch[] = [];
    // one record per chunk: chunking does not matter
    for await (
      const b of csvRecordBatches("r.csv", recs.map((r) => [r]), { inferRows: Infinity, batchRows: Infinity })
    ) {
      batches.push(b);
    }
    const fromRecords = new arrow.Table(batches);
    const direct = await readCsvTable(`${dir}/r.csv`);
    assertEquals(types(fromRecords), ["id:Int64", "name:Utf8", "when:Timestamp<MICROSECOND, UTC>"]);
    assertEquals(types(fromRecords), types(direct));
    assertEquals([...fromRecords.getChild("name")!], ["a, b", "", null]);
    assertEquals(timestampMicros(fromRecords.getChild("when")!), timestampMicros(direct.getChild("when")!));
    const short = [[{ fields: ["a", "b"], line: 1 }, { fields: ["1", "2"], line: 2 }], [{ fields: ["3"], line: 7 }]];
    await assertRejects(
      async () => {
        for await (const _ of csvRecordBatches("mem.csv", short)) { /* drain */ }
      },
      Error,
      'CSV "mem.csv" row 7: expected 2 fields, found 1',
    );
  });
});

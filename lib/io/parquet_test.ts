import * as arrow from "apache-arrow";
import { assert, assertEquals, assertRejects } from "@std/assert";
import {
  readParquetBatches,
  readParquetLayout,
  readParquetSchema,
  readParquetTable,
  writeParquetBatches,
  writeParquetTable,
} from "./parquet.ts";
import { readCsvTable } from "./csv.ts";
import { columnTypeName, timestampMicros, timestampVector } from "./arrow_util.ts";
import { exists, list, ObjectNotFoundError } from "./object_store.ts";
import { startS3 } from "../testing/s3rver.ts";

const SHARED = new URL("../../../shared/data/feast-credit/", import.meta.url).pathname;
const hasShared = (() => {
  try {
    return Deno.statSync(SHARED).isDirectory;
  } catch {
    return false;
  }
})();
if (!hasShared) console.warn(`\n!!! ${SHARED} is absent: tests on the real Feast Parquet files are SKIPPED !!!\n`);
const S3_TEST = { sanitizeOps: false, sanitizeResources: false };

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const TS0 = 1627492159623001n; // 2021-07-28T17:09:19.623001Z

/** A batch with every type we care about, nulls included, rows [offset, offset + n). */
function sampleBatch(n: number, offset = 0): arrow.RecordBatch {
  const ids = new BigInt64Array(n).map((_, i) => BigInt(offset + i));
  const ts = new BigInt64Array(n).map((_, i) => TS0 + BigInt(offset + i));
  const valid = new Uint8Array(n).map((_, i) => ((offset + i) % 11 === 5 ? 0 : 1));
  return new arrow.Table({
    id: arrow.makeVector(ids),
    x: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => ((offset + i) % 7 === 3 ? null : (offset + i) * 0.25)),
      new arrow.Float64(),
    ),
    s: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => ((offset + i) % 5 === 1 ? null : `r${offset + i}, "é"`)),
      new arrow.Utf8(),
    ),
    b: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => ((offset + i) % 3 === 2 ? null : (offset + i) % 2 === 0)),
      new arrow.Bool(),
    ),
    t: timestampVector(ts, { validity: valid }),
  }).batches[0];
}

function assertSameTable(got: arrow.Table, want: arrow.Table): void {
  assertEquals(
    got.schema.fields.map((f) => `${f.name}:${columnTypeName(f)}`),
    want.schema.fields.map((f) => `${f.name}:${columnTypeName(f)}`),
  );
  assertEquals(got.numRows, want.numRows);
  for (const f of want.schema.fields) {
    const a = got.getChild(f.name)!;
    const b = want.getChild(f.name)!;
    if (arrow.DataType.isTimestamp(f.type)) {
      assertEquals(timestampMicros(a), timestampMicros(b), f.name);
      assertEquals(a.nullCount, b.nullCount, f.name);
      assertEquals([...a].map((v) => v === null), [...b].map((v) => v === null), f.name);
    } else {
      assertEquals([...a], [...b], f.name);
    }
  }
}

Deno.test("Parquet round trip keeps every type, nulls and exact microseconds, for each codec", async () => {
  await withTemp(async (dir) => {
    const table = new arrow.Table([sampleBatch(1000)]);
    for (const compression of ["snappy", "zstd", "none"] as const) {
      const uri = `${dir}/rt-${compression}.parquet`;
      const { rows, bytes } = await writeParquetTable(uri, table, { compression });
      assertEquals(rows, 1000);
      assertEquals(bytes, (await Deno.stat(uri)).size);
      const back = await readParquetTable(uri);
      assertSameTable(back, table);
      assertEquals(timestampMicros(back.getChild("t")!)[1], TS0 + 1n);
    }
    const proj = await readParquetTable(`${dir}/rt-zstd.parquet`, { columns: ["t", "id"] });
    assertEquals(proj.schema.fields.map((f) => f.name), ["t", "id"]);
    assertEquals(timestampMicros(proj.getChild("t")!)[0], TS0);
    await assertRejects(
      () => readParquetTable(`${dir}/rt-zstd.parquet`, { columns: ["nope"] }),
      Error,
      `Column "nope" not found in "${dir}/rt-zstd.parquet" (columns: id, x, s, b, t)`,
    );
  });
});

Deno.test("streaming write of many batches, then streaming read yields one batch per row group", async () => {
  await withTemp(async (dir) => {
    const uri = `${dir}/many.parquet`;
    async function* gen() {
      for (let k = 0; k < 40; k++) yield sampleBatch(500, k * 500);
    }
    const { rows } = await writeParquetBatches(uri, gen(), { rowGroupRows: 3000, compression: "zstd" });
    assertEquals(rows, 20_000);
    const layout = await readParquetLayout(uri);
    assertEquals(layout.numRows, 20_000);
    assertEquals(layout.rowGroupRows, [3000, 3000, 3000, 3000, 3000, 3000, 2000]);
    const sizes: number[] = [];
    const batches: arrow.RecordBatch[] = [];
    for await (const b of readParquetBatches(uri)) {
      sizes.push(b.numRows);
      batches.push(b);
    }
    assertEquals(sizes, layout.rowGroupRows);
    assertSameTable(new arrow.Table(batches), new arrow.Table([sampleBatch(20_000)]));
    const sliced: number[] = [];
    for await (const b of readParquetBatches(uri, { batchRows: 1000, columns: ["id"] })) sliced.push(b.numRows);
    assertEquals(sliced.length, 20);
    assert(sliced.every((n) => n === 1000));
    const schema = await readParquetSchema(uri);
    assertEquals(schema.fields.map((f) => columnTypeName(f)), [
      "Int64",
      "Float64",
      "Utf8",
      "Bool",
      "Timestamp<MICROSECOND, UTC>",
    ]);
  });
});

Deno.test("row groups can be chosen; worker-parallel reads give the same table in file order", async () => {
  await withTemp(async (dir) => {
    const uri = `${dir}/groups.parquet`;
    async function* gen() {
      for (let k = 0; k < 10; k++) yield sampleBatch(1000, k * 1000);
    }
    await writeParquetBatches(uri, gen(), { rowGroupRows: 2000 });
    const picked: bigint[] = [];
    for await (const b of readParquetBatches(uri, { rowGroups: [3, 1], columns: ["id"] })) {
      picked.push(b.getChild("id")!.get(0) as bigint);
    }
    assertEquals(picked, [6000n, 2000n]);
    await assertRejects(
      async () => {
        for await (const _ of readParquetBatches(uri, { rowGroups: [9] })) { /* drain */ }
      },
      Error,
      "Row group 9 does not exist",
    );
    const single = await readParquetTable(uri, { workers: 1, columns: ["t", "id"] });
    const parallel = await readParquetTable(uri, { workers: 2, columns: ["t", "id"] });
    assertEquals(parallel.schema.fields.map((f) => f.name), ["t", "id"]);
    assertSameTable(parallel, single);
    await assertRejects(() => readParquetTable(`${dir}/missing.parquet`, { workers: 2 }), Error, "missing.parquet");
  });
});

Deno.test("a writer whose source throws midway leaves no file; bad batches are refused", async () => {
  await withTemp(async (dir) => {
    const uri = `${dir}/broken.parquet`;
    async function* failing() {
      for (let k = 0; k < 10; k++) {
        if (k === 6) throw new Error("source broke at batch 6");
        yield sampleBatch(2000, k * 2000);
      }
    }
    await assertRejects(
      () => writeParquetBatches(uri, failing(), { rowGroupRows: 1000 }),
      Error,
      "source broke at batch 6",
    );
    assertEquals([...Deno.readDirSync(dir)], []);
    const other = arrow.tableFromArrays({ id: new Float64Array([1]) }).batches[0];
    await assertRejects(
      () => writeParquetBatches(uri, [sampleBatch(3), other]),
      Error,
      `Batch 1 written to "${uri}" has column "id" of type Float64, expected Int64`,
    );
    assertEquals([...Deno.readDirSync(dir)], []);
    await assertRejects(() => writeParquetBatches(uri, []), Error, "No batches to write");
    // an empty table still writes a readable file with its schema
    const empty = new arrow.Table(sampleBatch(0).schema);
    await writeParquetTable(uri, empty);
    const back = await readParquetTable(uri);
    assertEquals(back.numRows, 0);
    assertEquals(back.schema.fields.map((f) => f.name), ["id", "x", "s", "b", "t"]);
    await assertRejects(() => readParquetTable(`${dir}/absent.parquet`), ObjectNotFoundError);
    await Deno.writeTextFile(`${dir}/fake.parquet`, "not parquet at all");
    await assertRejects(
      () => readParquetTable(`${dir}/fake.parquet`),
      Error,
      `Cannot open Parquet "${dir}/fake.parquet"`,
    );
  });
});

Deno.test("Parquet on S3: streaming round trip via ranged reads", S3_TEST, async () => {
  const s3 = await startS3();
  const o = { s3: s3.options };
  try {
    const uri = `s3://${s3.bucket}/tables/many.parquet`;
    const gen = async function* () {
      for (let k = 0; k < 10; k++) yield sampleBatch(1000, k * 1000);
    };
    assertEquals((await writeParquetBatches(uri, gen(), { ...o, rowGroupRows: 4000 })).rows, 10_000);
    const sizes: number[] = [];
    const batches: arrow.RecordBatch[] = [];
    for await (const b of readParquetBatches(uri, o)) {
      sizes.push(b.numRows);
      batches.push(b);
    }
    assertEquals(sizes, [4000, 4000, 2000]);
    assertSameTable(new arrow.Table(batches), new arrow.Table([sampleBatch(10_000)]));
    assertEquals((await readParquetSchema(uri, o)).fields.length, 5);
  } finally {
    await s3.close();
  }
});

Deno.test("Parquet on S3: a failing multipart write leaves no object and no upload", S3_TEST, async () => {
  const s3 = await startS3();
  const o = { s3: s3.options };
  try {
    const uri = `s3://${s3.bucket}/broken.parquet`;
    let sawUpload = false;
    const failing = async function* () {
      let seed = 1;
      for (let k = 0; k < 40; k++) {
        if (k === 30) {
          // make sure the multipart upload really started, so its abort is exercised
          for (let i = 0; i < 200 && !sawUpload; i++) {
            sawUpload = (await s3.pendingUploads()).length > 0;
            if (!sawUpload) await new Promise((r) => setTimeout(r, 50));
          }
          throw new Error("source broke");
        }
        const x = new Float64Array(100_000).map(() => (seed = (seed * 16807) % 2147483647) / 2147483647);
        yield arrow.tableFromArrays({ x }).batches[0];
      }
    };
    await assertRejects(
      () => writeParquetBatches(uri, failing(), { ...o, compression: "none", rowGroupRows: 100_000 }),
      Error,
      "source broke",
    );
    assert(sawUpload, "the write should have started a multipart upload");
    assertEquals(await s3.pendingUploads(), []);
    assert(!(await exists(uri, o)));
    assertEquals(await list(`s3://${s3.bucket}/`, o), []);
  } finally {
    await s3.close();
  }
});

Deno.test({
  name: "real Feast Parquet files: loan_table and zipcode_table",
  ignore: !hasShared,
  fn: async () => {
    const loans = await readParquetTable(`${SHARED}loan_table.parquet`);
    assertEquals(loans.numRows, 28_638);
    assertEquals(loans.schema.fields.map((f) => `${f.name}:${columnTypeName(f)}`), [
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
    for (const f of loans.schema.fields) assertEquals(loans.getChild(f.name)!.nullCount, 0, f.name);
    const status = loans.getChild("loan_status")!.toArray() as BigInt64Array;
    assertEquals(status.filter((v) => v === 0n).length, 22_435);
    assertEquals(status.filter((v) => v === 1n).length, 6_203);
    const ev = timestampMicros(loans.getChild("event_timestamp")!);
    let min = ev[0], max = ev[0];
    for (const v of ev) (v < min && (min = v), v > max && (max = v));
    assert(new Date(Number(min / 1000n)).toISOString().startsWith("2020-08-25"));
    assert(new Date(Number(max / 1000n)).toISOString().startsWith("2021-08-25"));

    const zips = await readParquetTable(`${SHARED}zipcode_table.parquet`);
    assertEquals(zips.numRows, 28_844);
    assertEquals(zips.schema.fields.map((f) => f.name), [
      "zipcode",
      "city",
      "state",
      "location_type",
      "tax_returns_filed",
      "population",
      "total_wages",
      "event_timestamp",
      "created_timestamp",
    ]);
    const zts = timestampMicros(zips.getChild("event_timestamp")!);
    assert(zts.every((v) => v === 1483272000000000n)); // 2017-01-01T12:00Z
  },
});

Deno.test({
  name: "the CSV samples agree with the Parquet tables row for row",
  ignore: !hasShared,
  fn: async () => {
    for (
      const [csv, pq, key] of [
        ["loan_table_sample.csv", "loan_table.parquet", "loan_id"],
        ["zipcode_table_sample.csv", "zipcode_table.parquet", "zipcode"],
      ]
    ) {
      const c = await readCsvTable(`${SHARED}${csv}`);
      const p = await readParquetTable(`${SHARED}${pq}`);
      const pKeys = p.getChild(key)!.toArray() as BigInt64Array;
      const where = new Map<bigint, number>();
      pKeys.forEach((k, i) => where.set(k, i));
      const cKeys = c.getChild(key)!.toArray() as BigInt64Array;
      for (const row of [0, 1, 17, 500, c.numRows - 1]) {
        const pi = where.get(cKeys[row]);
        assert(pi !== undefined, `${csv} row ${row} key ${cKeys[row]} missing from ${pq}`);
        for (const f of p.schema.fields) {
          const pv = p.getChild(f.name)!;
          const cv = c.getChild(f.name)!;
          if (arrow.DataType.isTimestamp(f.type)) {
            assertEquals(timestampMicros(cv.slice(row, row + 1))[0], timestampMicros(pv.slice(pi, pi + 1))[0], f.name);
          } else {
            assertEquals(cv.get(row), pv.get(pi), `${csv} row ${row} column ${f.name}`);
          }
        }
      }
    }
  },
});

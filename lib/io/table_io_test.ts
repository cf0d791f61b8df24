import * as arrow from "apache-arrow";
import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { readBatches, readSchema, readTable, tableFormat, writeBatches, writeTable } from "./table_io.ts";
import { columnTypeName, timestampMicros, timestampVector } from "./arrow_util.ts";
import { startS3 } from "../testing/s3rver.ts";

function table(): arrow.Table {
  return new arrow.Table({
    id: arrow.makeVector(new BigInt64Array([1n, 2n, 3n])),
    v: arrow.vectorFromArray([0.5, null, 2], new arrow.Float64()),
    t: timestampVector(new BigInt64Array([1627492159623001n, 0n, -1n]), { validity: new Uint8Array([1, 0, 1]) }),
  });
}

Deno.test("tableFormat comes from the extension or the option", () => {
  assertEquals(tableFormat("a/b.parquet"), "parquet");
  assertEquals(tableFormat("s3://b/k.PQ"), "parquet");
  assertEquals(tableFormat("x.csv"), "csv");
  assertEquals(tableFormat("x.data", "csv"), "csv");
  assertThrows(() => tableFormat("x.txt"), Error, 'Cannot tell the format of "x.txt"');
  assertThrows(() => tableFormat("x.csv", "json" as "csv"), Error, 'Unknown table format "json"');
});

Deno.test("writeTable/readTable/readBatches/readSchema dispatch on format, locally and on S3", {
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const dir = await Deno.makeTempDir();
  const s3 = await startS3();
  try {
    for (const base of [dir, `s3://${s3.bucket}/t`]) {
      for (const name of ["a.parquet", "a.csv", "a.dat"]) {
        const uri = `${base}/${name}`;
        const format = name.endsWith(".dat") ? "parquet" as const : undefined;
        const opts = { s3: s3.options, format };
        const { rows } = await writeTable(uri, table(), opts);
        assertEquals(rows, 3);
        const back = await readTable(uri, opts);
        assertEquals(back.schema.fields.map((f) => columnTypeName(f)), [
          "Int64",
          "Float64",
          "Timestamp<MICROSECOND, UTC>",
        ]);
        assertEquals([...back.getChild("v")!], [0.5, null, 2]);
        assertEquals(timestampMicros(back.getChild("t")!), new BigInt64Array([1627492159623001n, 0n, -1n]));
        assertEquals(back.getChild("t")!.nullCount, 1);
        assertEquals((await readSchema(uri, opts)).fields.map((f) => f.name), ["id", "v", "t"]);
        let n = 0;
        for await (const b of readBatches(uri, { ...opts, columns: ["t"] })) n += b.numRows;
        assertEquals(n, 3);
      }
      // streaming copy from CSV to Parquet
      const copied = await writeBatches(`${base}/copy.parquet`, readBatches(`${base}/a.csv`, { s3: s3.options }), {
        s3: s3.options,
      });
      assertEquals(copied.rows, 3);
    }
    await assertRejects(() => readTable(`${dir}/missing.csv`), Error, `Object "${dir}/missing.csv" not found`);
  } finally {
    await s3.close();
    await Deno.remove(dir, { recursive: true });
  }
});

import * as arrow from "apache-arrow";
import { assert, assertEquals, assertRejects } from "@std/assert";
import { closeS3Clients, list, readBytes, readTable } from "../io/mod.ts";
import { startS3 } from "../testing/s3rver.ts";
import { startFlakyProxy } from "../testing/flaky_proxy.ts";
import { concatBatches, encodeParquet, PartitionedWriter, QuarantineWriter, sha256Hex, uploadBytes } from "./writer.ts";
import { dayNumbers } from "./output.ts";

const DAY = 86_400_000_000;

function batch(days: number[]): arrow.RecordBatch {
  const ts = BigInt64Array.from(days, (d, i) => BigInt(d * DAY + i));
  return new arrow.RecordBatch({
    id: arrow.makeVector(Int32Array.from(days, (_, i) => i)).data[0],
    event_timestamp: arrow.makeVector(
      arrow.makeData({ type: new arrow.TimestampMicrosecond("UTC"), length: ts.length, nullCount: 0, data: ts }),
    ).data[0],
  } as unknown as Record<string, arrow.Data>);
}

Deno.test("partitioned writer: one file per date and flush, rows of that date only, checksums of the bytes written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const b1 = batch([18_628, 18_629, 18_628, 18_700]);
    const writer = new PartitionedWriter({ root: dir, prefix: "runs/j/r1", schema: b1.schema, bufferRows: 6 });
    await writer.add(
      b1,
      dayNumbers(Float64Array.from([0, 1, 2, 3], (i) => [18_628, 18_629, 18_628, 18_700][i] * DAY), null),
    );
    assertEquals(writer.files.length, 0, "below the buffer size nothing is written");
    const b2 = batch([18_629, 18_629, 18_628]);
    await writer.add(b2, Int32Array.of(18_629, 18_629, 18_628));
    assertEquals(writer.bufferedRows, 0, "the buffer was flushed");
    await writer.add(batch([18_628]), Int32Array.of(18_628));
    const files = await writer.finish();
    assertEquals(files.map((f) => [f.partition, f.rows]), [
      ["2021-01-01", 3],
      ["2021-01-01", 1],
      ["2021-01-02", 3],
      ["2021-03-14", 1],
    ]);
    for (const f of files) {
      assert(f.path.startsWith(`runs/j/r1/date=${f.partition}/part-`));
      const bytes = await readBytes(`${dir}/${f.path}`);
      assertEquals(await sha256Hex(bytes), f.sha256);
      assertEquals(bytes.byteLength, f.bytes);
      const t = await readTable(`${dir}/${f.path}`);
      assertEquals(t.numRows, f.rows);
    }
    await writer.abort();
    assertEquals(await list(`${dir}/runs/`), [], "abort removes what was written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("quarantine writer: rows with source, row number, reason and record", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const q = new QuarantineWriter({ root: dir, prefix: "runs/j/r1", bufferRows: 2 });
    await q.add([{ source: "a.csv", row: 4, reason: `column "x" is empty`, record: `{"x":null}` }]);
    await q.add([{ source: "a.csv", row: 9, reason: "bad", record: "{}" }, {
      source: "b.csv",
      row: 0,
      reason: "r",
      record: "{}",
    }]);
    const files = await q.finish();
    assertEquals(q.rows, 3);
    assertEquals(files.length, 1);
    const t = await readTable(`${dir}/${files[0].path}`);
    assertEquals(t.getChild("row")!.toArray(), BigInt64Array.of(4n, 9n, 0n));
    assertEquals(t.getChild("reason")!.get(0), `column "x" is empty`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("uploads: big files go up in parts; a part that keeps failing aborts the upload and leaves no parts behind", async () => {
  const s3 = await startS3();
  const proxy = await startFlakyProxy(s3.endpoint, () => "pass");
  try {
    const io = { s3: { ...s3.options, endpoint: proxy.endpoint, maxAttempts: 3 } };
    const bytes = Uint8Array.from({ length: 12 * 1024 * 1024 }, (_, i) => (i * 31 + (i >> 10)) % 256);
    const ok = `s3://${s3.bucket}/runs/j/big.parquet`;
    await uploadBytes(ok, bytes, { io, multipartBytes: 6 * 1024 * 1024, partSize: 5 * 1024 * 1024 });
    assertEquals(await readBytes(ok, io), bytes);
    const parts = proxy.log.filter((r) => r.method === "PUT" && r.query.includes("partNumber="));
    assertEquals(parts.length, 3, "three parts of 5 MiB");
    // part 2 always fails: the upload is aborted, nothing is visible, no upload is pending
    proxy.setPolicy((r) => (r.method === "PUT" && r.query.includes("partNumber=2") ? "503" : "pass"));
    const bad = `s3://${s3.bucket}/runs/j/bad.parquet`;
    await assertRejects(() =>
      uploadBytes(bad, bytes, { io, multipartBytes: 6 * 1024 * 1024, partSize: 5 * 1024 * 1024 })
    );
    assert(proxy.log.some((r) => r.method === "DELETE" && r.query.includes("uploadId=")), "AbortMultipartUpload sent");
    assertEquals((await list(`s3://${s3.bucket}/runs/j/`, io)).map((o) => o.uri), [ok]);
    assertEquals(await s3.pendingUploads(), []);
  } finally {
    closeS3Clients();
    await proxy.close();
    await s3.close();
  }
});

Deno.test("concatBatches: slices with text and nulls become one batch that Parquet round-trips", async () => {
  const t = new arrow.Table({
    s: arrow.vectorFromArray(["aa", null, "ccc", "d", null, "ee"], new arrow.Utf8()),
    x: arrow.vectorFromArray([1, null, 3, 4, 5, 6], new arrow.Float64()),
    n: arrow.vectorFromArray([null, null, null, null, null, null], new arrow.Utf8()),
    i: arrow.makeVector(BigInt64Array.of(1n, 2n, 3n, 4n, 5n, 6n)),
  });
  const b = t.batches[0];
  const rows = (table: arrow.Table) =>
    table.toArray().map((r) => JSON.stringify(r.toJSON(), (_, v) => typeof v === "bigint" ? Number(v) : v));
  for (const [a, z] of [[0, 2], [1, 4], [3, 6], [2, 3]]) {
    const c = concatBatches(t.schema, [b.slice(a, z), b.slice(z, 6)]);
    assertEquals(rows(new arrow.Table([c])), rows(new arrow.Table([b.slice(a, 6)])), `slices ${a}-${z}`);
    const dir = await Deno.makeTempDir();
    try {
      await uploadBytes(`${dir}/x.parquet`, await encodeParquet(new arrow.Table([c]), { dictionary: ["s"] }));
      assertEquals(rows(await readTable(`${dir}/x.parquet`)), rows(new arrow.Table([b.slice(a, 6)])));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

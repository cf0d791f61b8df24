import * as arrow from "apache-arrow";
import { assertEquals, assertRejects } from "@std/assert";
import { writeBytes } from "../io/mod.ts";
import { commitRun, MANIFEST_FORMAT, runPrefix, type ScoringManifest } from "./manifest.ts";
import { PartitionedWriter } from "./writer.ts";
import { listScoredRuns, readScoredRuns, scoredBatches } from "./reader.ts";

/** Writes and commits a run of `job` with one row per day in `days` (probability = day / 1e5). */
async function run(
  out: string,
  job: string,
  runId: string,
  days: number[],
  extra: Record<string, Float64Array | Int32Array> = {},
): Promise<ScoringManifest> {
  const table = arrow.tableFromArrays({
    probability: Float64Array.from(days, (d) => d / 1e5),
    day: Int32Array.from(days),
    ...extra,
  });
  const prefix = runPrefix(job, { index: 0, count: 1 }, runId);
  const writer = new PartitionedWriter({ root: out, prefix, schema: table.schema });
  for (const b of table.batches) await writer.add(b, Int32Array.from(days));
  const files = await writer.finish();
  const manifest: ScoringManifest = {
    format: MANIFEST_FORMAT,
    job,
    shard: { index: 0, count: 1 },
    run_id: runId,
    run_prefix: prefix,
    status: "complete",
    started_at: new Date().toISOString(),
    finished_at: new Date().toISOString(),
    scored_at: new Date().toISOString(),
    model: { name: "m", version: 2, threshold: 0.5 },
    reasons: { mode: "all", top: 3, texts: {} },
    features: { mode: "offline", as_of: null, refs: [] },
    input: { uris: [], fingerprint: "", files: [], rows: days.length },
    counts: { input_rows: days.length, scored: days.length, quarantined: 0, approve: days.length, reject: 0 },
    files,
    quarantine: { files: [], rows: 0, by_column: {} },
    columns: [],
    runtime: { seconds: 1, rows_per_second: 1, scorer: "test", peak_rss_mb: null },
  };
  await commitRun(out, manifest);
  return manifest;
}

Deno.test("readScoredRuns: manifested rows only, by job, date range and columns; checksums verified on request", async () => {
  const out = await Deno.makeTempDir();
  try {
    const d0 = 18_628; // 2021-01-01
    await run(out, "a", "20210101T000000000Z-00000001", [d0, d0, d0 + 1, d0 + 40]);
    await run(out, "b", "20210101T000000000Z-00000002", [d0 + 1, d0 + 2]);
    // a run that never committed: its files are under runs/ but no manifest names them
    await writeBytes(`${out}/runs/c/shard-0-of-1/x/date=2021-01-01/part-00000.parquet`, new Uint8Array([1, 2, 3]));
    const all = await readScoredRuns(out);
    assertEquals(all.table.numRows, 6);
    assertEquals(all.runs.map((r) => r.job), ["a", "b"]);
    const a = await readScoredRuns(out, { jobs: ["a"], from: "2021-01-02", to: "2021-01-31", columns: ["day"] });
    assertEquals(a.table.schema.fields.map((f) => f.name), ["day"]);
    assertEquals(Array.from(a.table.getChild("day")!.toArray() as Int32Array), [d0 + 1]);
    assertEquals((await listScoredRuns(out, { from: new Date("2021-01-03T10:00:00Z") })).rows, 2);
    let n = 0;
    for await (const b of scoredBatches(out, { columns: ["probability"] })) n += b.numRows;
    assertEquals(n, 6);
    // a file changed behind the manifest's back is caught with verify
    const victim = all.files[0];
    await Deno.writeFile(victim.uri, await Deno.readFile(all.files[1].uri));
    await assertRejects(() => readScoredRuns(out, { verify: true }), Error, "its manifest (run");
    await assertRejects(() => readScoredRuns(out, { from: "2021-1-1" }), Error, `Option "from" is "2021-1-1"`);
    assertEquals((await readScoredRuns(`${out}/nothing-here`)).table.numRows, 0);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("readScoredRuns: runs with different columns (other model inputs) come back as one table, nulls where absent", async () => {
  const out = await Deno.makeTempDir();
  try {
    await run(out, "v1", "20210101T000000000Z-00000001", [18_628, 18_629], { income: Float64Array.of(1, 2) });
    await run(out, "v2", "20210101T000000000Z-00000002", [18_630], { missed: Float64Array.of(3) });
    const { table } = await readScoredRuns(out);
    assertEquals(table.schema.fields.map((f) => f.name), ["probability", "day", "income", "missed"]);
    assertEquals(table.toArray().map((r) => [r.income, r.missed]), [[1, null], [2, null], [null, 3]]);
    await run(out, "v3", "20210101T000000000Z-00000003", [18_631], { income: Int32Array.of(5) });
    await assertRejects(() => readScoredRuns(out), Error, `Column "income" is Int32`);
    assertEquals((await readScoredRuns(out, { jobs: ["v3"] })).table.numRows, 1);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

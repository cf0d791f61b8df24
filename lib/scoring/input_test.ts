import * as arrow from "apache-arrow";
import { assertEquals, assertNotEquals, assertRejects, assertThrows } from "@std/assert";
import { writeTable } from "../io/mod.ts";
import { defaultJobName, listInputs, parseShard, planInput } from "./input.ts";

Deno.test("parseShard reads i/n and names bad values", () => {
  assertEquals(parseShard("0/1"), { index: 0, count: 1 });
  assertEquals(parseShard(" 3 / 8 "), { index: 3, count: 8 });
  assertThrows(() => parseShard("4/4"), Error, `Shard "4/4" needs 0 <= i < n`);
  assertThrows(() => parseShard("1-4"), Error, `Shard "1-4" must look like "i/n"`);
  assertThrows(() => parseShard("0/0"), Error, "needs 0 <= i < n");
});

Deno.test("inputs: files and prefixes listed in order, hidden and _-files skipped; shards are disjoint and cover every row group", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const t = arrow.tableFromArrays({ x: Float64Array.from({ length: 1000 }, (_, i) => i) });
    await writeTable(`${dir}/in/b.parquet`, t, { rowGroupRows: 300 }); // 4 row groups
    await writeTable(`${dir}/in/sub/a.parquet`, t.slice(0, 100));
    await writeTable(`${dir}/in/c.csv`, t.slice(0, 10));
    await writeTable(`${dir}/in/_tmp.parquet`, t);
    await writeTable(`${dir}/in/_manifests/x.csv`, t);
    await Deno.writeTextFile(`${dir}/in/notes.txt`, "not data");
    const listed = await listInputs([`${dir}/in`, `${dir}/in/c.csv`]);
    assertEquals(listed.map((f) => f.uri.slice(dir.length)), ["/in/b.parquet", "/in/c.csv", "/in/sub/a.parquet"]);
    await assertRejects(() => listInputs([`${dir}/in/none.parquet`]), Error, "does not exist");
    await assertRejects(() => listInputs([`${dir}/empty/`]), Error, "holds no .parquet, .pq or .csv file");

    const whole = await planInput([`${dir}/in`]);
    assertEquals(whole.totalUnits, 6); // 4 row groups + CSV file + 1 row group
    assertEquals(whole.rows, null, "CSV row counts are unknown until read");
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const plan = await planInput([`${dir}/in`], { shard: { index: i, count: 3 } });
      assertEquals(plan.fingerprint, whole.fingerprint);
      for (const u of plan.units) seen.push(`${u.file}:${u.rowGroup}`);
    }
    assertEquals(seen.sort(), whole.units.map((u) => `${u.file}:${u.rowGroup}`).sort(), "each unit in one shard");
    const parquetOnly = await planInput([`${dir}/in/b.parquet`], { shard: { index: 1, count: 2 } });
    assertEquals(parquetOnly.units.map((u) => u.rowGroup), [1, 3]);
    assertEquals(parquetOnly.rows, 300 + 100);
    // a changed file changes the fingerprint
    await writeTable(`${dir}/in/b.parquet`, t.slice(0, 999));
    assertNotEquals((await planInput([`${dir}/in`])).fingerprint, whole.fingerprint);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("default job names: readable and stable per input list", async () => {
  const a = await defaultJobName(["s3://bucket/apps/2024-05-01.parquet"]);
  assertEquals(a.slice(0, 11), "2024-05-01-");
  assertEquals(a, await defaultJobName(["s3://bucket/apps/2024-05-01.parquet"]));
  assertNotEquals(a, await defaultJobName(["s3://bucket/apps/2024-05-01.parquet", "x.csv"]));
});

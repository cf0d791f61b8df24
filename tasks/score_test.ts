import { assertEquals, assertThrows } from "@std/assert";
import { UsageError } from "../lib/cli/mod.ts";
import { DEFAULT_OUTPUT, parseScoreArgs } from "./score.ts";

Deno.test("score task: flags to options; errors name the flag", () => {
  const p = parseScoreArgs([
    ...["--input", "s3://b/a.parquet,s3://b/more/", "--input", "c.csv", "--output", "s3://b/scores"],
    ...["--model", "3", "--shard", "1/4", "--quarantine", "--reasons", "rejected", "--workers", "0"],
    ...["--as-of", "2021-09-01T00:00:00Z", "--keep-columns", "loan_status, person_age", "--batch-rows", "10k"],
  ]);
  assertEquals(p.input, ["s3://b/a.parquet", "s3://b/more/", "c.csv"]);
  assertEquals(p.output, "s3://b/scores");
  assertEquals(p.model, { version: 3 });
  assertEquals(p.shard, { index: 1, count: 4 });
  assertEquals(p.quarantine, true);
  assertEquals(p.reasons, "rejected");
  assertEquals(p.workers, 0);
  assertEquals(p.asOf?.toISOString(), "2021-09-01T00:00:00.000Z");
  assertEquals(p.keepColumns, ["loan_status", "person_age"]);
  assertEquals(p.batchRows, 10_000);
  const d = parseScoreArgs(["--input", "x.parquet"]);
  assertEquals([d.output, d.model, d.features, d.reasons, d.shard], [
    DEFAULT_OUTPUT,
    { alias: "champion" },
    "offline",
    "rejected", // reasons for rejections only unless --reasons all
    undefined,
  ]);
  const cases: [string[], string][] = [
    [[], `Flag "--input" is required`],
    [["--input", "x", "--shard", "4/4"], `Flag "--shard": Shard "4/4" needs 0 <= i < n`],
    [["--input", "x", "--features", "cache"], `Flag "--features" is "cache"`],
    [["--input", "x", "--reasons", "some"], `Flag "--reasons" is "some"`],
    [["--input", "x", "--as-of", "soon"], `Flag "--as-of" is "soon"`],
    [["--input", "x", "--workers", "many"], `Flag "--workers" is "many"`],
    [["--input", "x", "--naive-timestamps", "local"], `Flag "--naive-timestamps" is "local"`],
    [["--input", "x", "--bogus"], "bogus"],
  ];
  for (const [args, message] of cases) assertThrows(() => parseScoreArgs(args), UsageError, message);
});

import * as arrow from "apache-arrow";
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { UsageError } from "../lib/cli/mod.ts";
import { writeTable } from "../lib/io/mod.ts";
import { seededRandom as rng } from "../lib/numeric/random.ts";
import { EXIT_DRIFT, main, parseDriftArgs } from "./drift.ts";

Deno.test("drift task: flags, defaults and repeated --test/--threshold", () => {
  const a = parseDriftArgs(["--reference", "r.parquet", "--current", "c.parquet"]);
  assertEquals([a.out, a.driftShare, a.psiBins, a.predictionColumn, a.targetColumn], [
    "reports/drift",
    0.5,
    10,
    undefined,
    undefined,
  ]);
  const b = parseDriftArgs([
    ...["--reference", "r.parquet", "--current", "c.csv", "--out", "s3://b/drift/", "--columns", "a, b"],
    ...[
      "--test",
      "a=psi",
      "--test",
      "b=ks",
      "--threshold",
      "a=0.25",
      "--drift-share",
      "0.3",
      "--target-column",
      "none",
    ],
  ]);
  assertEquals(b.out, "s3://b/drift");
  assertEquals(b.columns, ["a", "b"]);
  assertEquals(b.tests, { a: "psi", b: "ks" });
  assertEquals(b.thresholds, { a: 0.25 });
  assertEquals([b.driftShare, b.targetColumn], [0.3, null]);
});

Deno.test("drift task: argument errors name the flag", () => {
  const base = ["--reference", "r.parquet", "--current", "c.parquet"];
  const cases: [string[], string][] = [
    [["--current", "c.parquet"], `Flag "--reference" is required`],
    [["--reference", "r.parquet"], `Flag "--current" is required`],
    [[...base, "--test", "a=magic"], `names test "magic" for "a"`],
    [[...base, "--test", "a"], `Flag "--test" is "a"; expected COLUMN=VALUE`],
    [[...base, "--threshold", "a=x"], `Flag "--threshold" is "a=x"`],
    [[...base, "--drift-share", "0"], `Flag "--drift-share" is "0"`],
    [[...base, "--save-profile", "p.bin"], "a profile file ends in .json"],
    [["--reference", "p.json", "--current", "c.parquet", "--save-profile", "q.json"], "needs reference data"],
    [[...base, "--bogus"], "bogus"],
  ];
  for (const [args, message] of cases) assertThrows(() => parseDriftArgs(args), UsageError, message);
});

Deno.test("drift task: exit 3 on dataset drift, 0 without; writes the report; reuses a saved profile", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = rng(9);
    const loans = (n: number, shift: number) =>
      new arrow.Table({
        loan_amnt: arrow.makeVector(Float64Array.from({ length: n }, () => 1000 + 9000 * r() + shift * 5000)),
        loan_int_rate: arrow.makeVector(Float64Array.from({ length: n }, () => 5 + 10 * r() + shift * 5)),
        loan_status: arrow.makeVector(Int32Array.from({ length: n }, () => (r() < 0.2 ? 1 : 0))),
      });
    await writeTable(`${dir}/ref.parquet`, loans(3000, 0));
    await writeTable(`${dir}/same.parquet`, loans(2000, 0));
    await writeTable(`${dir}/shifted.parquet`, loans(2000, 1));
    const lines: string[] = [];
    const out = (l: string) => lines.push(l);
    const args = (current: string, extra: string[] = []) => [
      ...["--reference", `${dir}/ref.parquet`, "--current", `${dir}/${current}`, "--out", `${dir}/report`],
      ...extra,
    ];
    assertEquals(await main(args("same.parquet"), out), 0);
    assert(lines.some((l) => l.startsWith("No dataset drift: drift in 0 of 2 columns")), lines.join("\n"));
    assert(lines.some((l) => l.startsWith("Target drift (loan_status)")), "loan_status is the default target");
    const code = await main(args("shifted.parquet", ["--save-profile", `${dir}/ref.profile.json`]), out);
    assertEquals(code, EXIT_DRIFT);
    assert(lines.some((l) => l.startsWith("Dataset drift: drift in 2 of 2 columns")));
    const json = JSON.parse(await Deno.readTextFile(`${dir}/report/drift_report.json`));
    assertEquals(json.dataset_drift, true);
    assert((await Deno.stat(`${dir}/report/drift_report.html`)).size > 1000);
    lines.length = 0;
    const again = await main([
      ...["--reference", `${dir}/ref.profile.json`, "--current", `${dir}/shifted.parquet`, "--out", `${dir}/daily`],
    ], out);
    assertEquals(again, EXIT_DRIFT);
    assert(lines[0].includes("saved profile"), lines[0]);
    // data that cannot be compared is an error naming why, never "No dataset drift" with exit 0
    await writeTable(`${dir}/other.parquet`, new arrow.Table({ x: arrow.makeVector(Float64Array.of(1, 2, 3)) }));
    await assertRejects(() => main(args("other.parquet"), out), Error, "No column could be compared");
    const header = new arrow.Table({ loan_amnt: arrow.makeVector(new Float64Array(0)) });
    await writeTable(`${dir}/header.parquet`, header);
    await assertRejects(() => main(args("header.parquet"), out), Error, "has no rows");
    // --columns nosuch: the message lists every column of the file, not only the requested ones
    const err = await assertRejects(() => main(args("same.parquet", ["--columns", "nosuch"]), out), Error);
    assert(err.message.includes("loan_amnt, loan_int_rate, loan_status"), err.message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import { assertEquals, assertGreater, assertNotEquals } from "@std/assert";
import { readTable, writeTable } from "../io/mod.ts";
import { tableColumns, toDataFrame } from "../io/dataframe.ts";
import { openRepo } from "../repo/load.ts";
import { creditModelFixture } from "../testing/credit_model_fixture.ts";
import { readScoredDataFrame, scoreRepoRows } from "./score_repo.ts";

/** Probability and decision per loan id of a job's scored rows. */
async function scoredByLoan(output: string, job: string): Promise<Map<number, [number, string]>> {
  const df = await readScoredDataFrame(output, { jobs: [job], columns: ["loan_id", "probability", "decision"] });
  const ids = df.column("loan_id").values as number[];
  const p = df.column("probability").values as number[];
  const d = df.column("decision").values as string[];
  return new Map(ids.map((id, i) => [id, [p[i], d[i]]]));
}

Deno.test("scoreRepoRows: rows as a table or a DataFrame score as the same rows in a file; scored rows come back as a DataFrame", async () => {
  const fx = await creditModelFixture();
  const dir = await Deno.makeTempDir();
  try {
    const repo = await openRepo({ dir: null, config: fx.config });
    const rows = (await readTable(fx.loans)).slice(0, 400);
    await writeTable(`${dir}/rows.parquet`, rows);
    const out = `${dir}/scored`;
    const common = { repo, output: out, quarantine: true, workers: 0, progress: "silent" as const };
    const fromFile = await scoreRepoRows({ ...common, input: [`${dir}/rows.parquet`], job: "file" });
    const want = await scoredByLoan(out, "file");
    assertGreater(want.size, 300);
    assertEquals(fromFile.manifest.counts.input_rows, 400);

    const fromTable = await scoreRepoRows({ ...common, input: rows });
    assertEquals(await scoredByLoan(out, fromTable.manifest.job), want);
    // a DataFrame of the rows: the same Parquet bytes, so the same default job (re-scoring replaces it)
    const frame = await toDataFrame(rows);
    const fromFrame = await scoreRepoRows({ ...common, input: frame });
    assertEquals(fromFrame.manifest.job, fromTable.manifest.job);
    assertEquals(await scoredByLoan(out, fromFrame.manifest.job), want);

    // a frame built by hand (pandas-like types: integer columns with gaps are floats) scores the same too
    const dfd = await import("danfojs");
    const cols = tableColumns(rows);
    const handMade = new dfd.DataFrame(cols, { columns: Object.keys(cols) });
    const fromHand = await scoreRepoRows({ ...common, input: handMade });
    assertNotEquals(fromHand.manifest.job, fromTable.manifest.job);
    assertEquals(await scoredByLoan(out, fromHand.manifest.job), want);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

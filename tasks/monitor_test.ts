import * as arrow from "apache-arrow";
import { assertEquals, assertGreater, assertStringIncludes, assertThrows } from "@std/assert";
import { UsageError } from "../lib/cli/mod.ts";
import { appendPeriod, generateData } from "../lib/credit/write_data.ts";
import { DOWNTURN_SHIFT } from "../lib/credit/generate.ts";
import { creditTrainingSource } from "../lib/credit/model_spec.ts";
import { scoreRepoRows } from "../lib/scoring/score_repo.ts";
import { openRepo } from "../lib/repo/load.ts";
import { resolveConfig } from "../lib/feature_store/config.ts";
import { takeVector } from "../lib/feature_store/offline/take.ts";
import { readTable, timestampMicros, writeTable } from "../lib/io/mod.ts";
import { trainModel } from "../lib/model/train.ts";
import { getAliases } from "../lib/model/registry.ts";
import { getRun } from "../lib/model/tracking.ts";
import { main, parseMonitorArgs } from "./monitor.ts";

const TODAY = new Date("2021-12-31T15:00:00Z");

Deno.test("monitor task: defaults and the scored window", () => {
  const d = parseMonitorArgs([], TODAY);
  assertEquals([d.scored, d.since, d.until, d.out], ["data/scored", "2021-12-25", "2021-12-31", "reports/drift"]);
  assertEquals([d.metric, d.margin, d.driftShare, d.psi], ["roc_auc", 0.005, 0.5, 0.1]);
  assertEquals([d.forceRetrain, d.dryRun, d.holdoutDays, d.trainDays], [false, false, 30, 365]);
  // data, model type and name default to the repo's model spec (resolved when the repo is opened)
  assertEquals([d.data, d.model, d.seed, d.epochs, d.name], [undefined, undefined, 42, undefined, undefined]);
  assertEquals(parseMonitorArgs(["--days", "1"], TODAY).since, "2021-12-31");
  assertEquals(parseMonitorArgs(["--days", "30", "--until", "2021-03-01"], TODAY).since, "2021-01-31");
  const all = parseMonitorArgs([
    ...["--scored", "s3://b/scores/", "--since", "2021-11-01", "--until", "2021-11-30", "--metric", "brier"],
    ...["--margin", "0", "--drift-share", "0.3", "--psi", "0.25", "--force-retrain", "--dry-run"],
    ...["--holdout-days", "14", "--train-days", "120", "--model", "logistic", "--epochs", "5", "--out", "r"],
  ], TODAY);
  assertEquals(
    [all.scored, all.since, all.until, all.metric, all.margin, all.driftShare, all.psi],
    ["s3://b/scores", "2021-11-01", "2021-11-30", "brier", 0, 0.3, 0.25],
  );
  assertEquals([all.forceRetrain, all.dryRun, all.holdoutDays, all.trainDays, all.model, all.epochs, all.out], [
    true,
    true,
    14,
    120,
    "logistic",
    5,
    "r",
  ]);
});

Deno.test("monitor task: argument errors name the flag", () => {
  const cases: [string[], string][] = [
    [["--metric", "accuracy"], `Flag "--metric" is "accuracy"; expected one of roc_auc, pr_auc`],
    [["--margin=-0.1"], `Flag "--margin" is "-0.1"`],
    [["--margin", "x"], `Flag "--margin" is "x"`],
    [["--drift-share", "0"], `Flag "--drift-share" is "0"`],
    [["--psi", "0"], `Flag "--psi" is "0"`],
    [["--days", "0"], `Flag "--days" is 0`],
    [["--since", "2021-13-01"], `Flag "--since" is "2021-13-01"`],
    [["--since", "2021-12-01", "--days", "3"], `Give "--days" or "--since", not both`],
    [["--since", "2022-01-02"], `Flag "--since" (2022-01-02) is after "--until" (2021-12-31)`],
    [["--model", "forest"], `Flag "--model" is "forest"`],
    [["--nope"], "nope"],
  ];
  for (const [args, message] of cases) assertThrows(() => parseMonitorArgs(args, TODAY), UsageError, message);
});

Deno.test("monitor task end to end: batch-scored downturn applications -> drift -> challenger promoted, exit 3", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = resolveConfig({
      overrides: {
        data_dir: `${dir}/data`,
        model_store: `${dir}/models`,
        registry: `${dir}/registry.json`,
        online_store: { type: "sqlite", path: `${dir}/online.db` },
      },
    });
    await generateData({ rows: 3000, seed: 21, out: config.data_dir, zipcodes: 2000 });
    const source = creditTrainingSource("generated", { dataDir: config.data_dir });
    const fast = { modelType: "mlp" as const, members: 1, epochs: 8, charts: false, seed: 1 };
    await trainModel({ name: "credit_default", source, root: config.model_store, ...fast });
    await appendPeriod({
      out: config.data_dir,
      rows: 3000,
      seed: 21,
      period: { start: "2021-09-01T00:00:00Z", end: "2021-12-31T00:00:00Z", shift: DOWNTURN_SHIFT },
    });
    // the downturn's applications (no labels: they are not known when scoring), scored by the batch scorer
    const loans = await readTable(source.entities);
    const us = timestampMicros(loans.getChild("event_timestamp")!);
    const later = Int32Array.from([...us.keys()].filter((i) => us[i] >= BigInt(Date.UTC(2021, 10, 1)) * 1000n));
    const columns: Record<string, arrow.Vector> = {};
    for (const f of loans.schema.fields) {
      if (f.name !== "loan_status") columns[f.name] = takeVector(loans.getChild(f.name)!, later);
    }
    await writeTable(`${dir}/applications.parquet`, new arrow.Table(columns));
    const scored = await scoreRepoRows({
      repo: await openRepo({ dir: null, config }),
      input: [`${dir}/applications.parquet`],
      output: `${dir}/scored`,
      workers: 0,
      progress: "silent",
    });
    assertEquals(scored.manifest.counts.scored, later.length);

    const lines: string[] = [];
    const args = ["--scored", `${dir}/scored`, "--since", "2021-11-01", "--until", "2021-12-31"];
    const r = await main(
      [...args, "--train-days", "180", "--epochs", "8", "--seed", "1", "--out", `${dir}/reports`],
      (line) => lines.push(line),
      { config },
    );
    assertEquals([r!.decision, r!.exitCode], ["promoted", 3]);
    assertStringIncludes(lines[0], `Scored applications of 2021-11-01 to 2021-12-31: ${later.length} rows`);
    assertStringIncludes(lines.join("\n"), "Decision (promoted, exit 3): Retraining: the score's PSI is");
    assertGreater(r!.report.psi!.value, 0.1);
    assertEquals(await getAliases({ root: config.model_store, name: "credit_default" }), {
      champion: 2,
      challenger: 2,
    });
    const run = await getRun(config.model_store, r!.runId);
    assertEquals([run.params.since, run.params.until, run.tags.decision], ["2021-11-01", "2021-12-31", "promoted"]);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/reports/drift_report.json`));
    assertEquals([json.current.rows, json.retraining.decision], [later.length, "promoted"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

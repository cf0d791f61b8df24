/**
 * `deno task demo`: the whole flow that exists so far, on embedded defaults and generated data, printing what each
 * stage did. Later stages (training, materialization, serving, batch scoring, drift) add themselves here. The last
 * stage appends a downturn after the generated period (data_dir's tables grow), scores its applications and runs
 * the monitor, which may promote a retrained challenger.
 *
 * Flags: `--rows N` (loans to generate, default 20,000), `--seed S` (default 42).
 * @module
 */
import { intFlag, parseTaskArgs, runTask } from "../lib/cli/mod.ts";
import { openRepo } from "../lib/repo/load.ts";
import { FeatureStore } from "../lib/feature_store/feature_store.ts";
import { appendPeriod, generateData } from "../lib/credit/write_data.ts";
import { DOWNTURN_SHIFT } from "../lib/credit/generate.ts";
import { buildTrainingSet } from "./training_set.ts";
import { main as trainMain } from "./train.ts";
import { main as predictMain } from "./predict.ts";
import { main as promoteMain } from "./promote.ts";
import { readTable } from "../lib/io/mod.ts";
import { applicationFromRow } from "../lib/credit/application.ts";
import { startDecisionServer } from "../lib/serving/decision_server.ts";
import { computeDrift, splitByTime, writeDriftReport } from "../lib/monitoring/mod.ts";
import { main as scoreMain } from "./score.ts";
import { main as monitorMain } from "./monitor.ts";

const USAGE = "deno task demo [--rows N] [--seed S]";

function stage(n: number, title: string): void {
  console.log(`\n== ${n}. ${title}`);
}

if (import.meta.main) {
  await runTask(async () => {
    const { values } = parseTaskArgs(Deno.args, {
      usage: USAGE,
      options: { rows: { type: "string" }, seed: { type: "string" } },
    });
    if (values.help) return void console.log(`usage: ${USAGE}`);
    const rows = intFlag(values, "rows", { min: 100, fallback: 20_000 });
    const seed = intFlag(values, "seed", { min: 0, fallback: 42 });
    const started = performance.now();
    const credit = await openRepo({ dir: null }); // the credit tutorial, through the same interface as any repo
    const store = await FeatureStore.open({ config: credit.config, repo: credit.features });
    const { config } = store;
    console.log(
      `Configuration: ${config.source}; offline store "${config.offline_store.type}", ` +
        `online store "${config.online_store.type}", data in "${config.data_dir}", registry "${config.registry}"`,
    );

    stage(1, "Generate loan applications, zipcodes and credit-history snapshots");
    await generateData({ rows, seed, out: config.data_dir }, { log: (line) => console.log(`  ${line}`) });

    stage(2, "Apply feature definitions (validate against the sources, record in the registry)");
    await store.apply({ log: (line) => console.log(`  ${line}`) });

    stage(3, "Point-in-time correct training set");
    const report = await buildTrainingSet(store, { repo: credit });
    console.log(
      `  ${report.rows} loans x ${report.columns.length} columns (loan columns + credit_history + zipcode_features) ` +
        `-> ${report.out} in ${report.seconds.toFixed(1)} s`,
    );

    stage(4, "Train a tfjs credit-default model (recall-first threshold), record the run, register a version");
    const trained = await trainMain(["--seed", String(seed)], (line) => console.log(`  ${line}`));
    if (trained?.version && !trained.champion) {
      // an earlier demo (or deno task train) left a champion: this run's model takes over, so every run tells the
      // same story (stage 9 may promote a challenger over it)
      console.log(`  an earlier champion exists; this run's version ${trained.version} becomes champion:`);
      await promoteMain(["--version", String(trained.version)], (line) => console.log(`  ${line}`));
    }

    stage(5, "One loan decision with reason codes (features joined point-in-time at the application's time)");
    const loans = await readTable(`${config.data_dir}/loan_table.parquet`);
    const loan = loans.get(loans.numRows - 1)!.toJSON();
    const at = new Date(Number(loan.event_timestamp)).toISOString();
    await predictMain([
      ...["--zipcode", String(loan.zipcode), "--dob-ssn", String(loan.dob_ssn)],
      ...["--person-age", String(loan.person_age), "--person-income", String(loan.person_income)],
      ...["--person-home-ownership", String(loan.person_home_ownership)],
      ...["--person-emp-length", String(loan.person_emp_length), "--loan-intent", String(loan.loan_intent)],
      ...["--loan-amnt", String(loan.loan_amnt), "--loan-int-rate", String(loan.loan_int_rate), "--at", at],
    ], (line) => console.log(`  ${line}`));

    stage(6, `Materialize the latest features into the online store (${config.online_store.type})`);
    // the generated loans run from 2020-08 to 2021-08: the demo replays that time instead of today
    const replayAt = new Date("2021-09-01T00:00:00Z");
    const materialized = await store.materialize({ start: new Date("2017-01-01T00:00:00Z"), end: replayAt });
    for (const v of materialized.views) {
      console.log(
        `  ${v.view}: ${v.written} rows written, ${v.skipped} already as new, ${v.seconds.toFixed(2)} s`,
      );
    }

    stage(7, "One online decision over HTTP: POST /score (features from the online store, champion model)");
    const server = await startDecisionServer({
      hostname: "127.0.0.1",
      port: 0,
      config,
      asOf: replayAt,
      log: (line) => console.log(`  ${line}`),
    });
    try {
      const application = applicationFromRow(loan);
      const url = `http://127.0.0.1:${server.addr.port}/score`;
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(application),
      });
      const answer = await response.json();
      console.log(`  POST ${url} -> ${response.status}`);
      if (response.ok) {
        console.log(
          `  ${answer.message} probability ${answer.probability.toFixed(4)}, threshold ${
            answer.threshold.toFixed(4)
          }, model version ${answer.model.version}`,
        );
        for (const r of answer.reasons) console.log(`    - ${r.text}`);
        const used = Object.entries(answer.features as Record<string, { value: unknown; status: string }>)
          .slice(0, 4).map(([k, f]) => `${k}=${f.value} (${f.status})`).join(", ");
        console.log(`  features used (first 4): ${used}`);
      } else console.log(`  ${JSON.stringify(answer)}`);
    } finally {
      await server.close();
    }

    stage(8, "Drift report: the newest loans against the training reference (oldest 80%)");
    const trainingSet = await readTable(`${config.data_dir}/training_set.parquet`);
    const split = splitByTime(trainingSet, { column: "event_timestamp", newestShare: 0.2 });
    const { report: drift } = await computeDrift(split.older, split.newer, {
      exclude: ["loan_id", "dob_ssn", "zipcode"],
      targetColumn: "loan_status",
      referenceSource: `training set, loans before ${split.cutoff?.slice(0, 10)}`,
      currentSource: `training set, loans from ${split.cutoff?.slice(0, 10)}`,
    });
    const written = await writeDriftReport(drift, "reports/drift");
    console.log(`  ${drift.dataset_drift ? "Dataset drift" : "No dataset drift"}: ${drift.summary}`);
    for (const c of drift.columns.filter((c) => c.drifted).slice(0, 3)) {
      console.log(
        `    - ${c.column}: ${c.test} ${c.score?.toPrecision(3)} (threshold ${c.threshold}), PSI ${c.psi?.toFixed(3)}`,
      );
    }
    console.log(`  ${written.html} (${(written.htmlBytes / 1024).toFixed(0)} KB) and ${written.json}`);

    stage(9, "A downturn after the data: its applications scored in batch, then the monitor decides on retraining");
    const log = (line: string) => console.log(`  ${line}`);
    const period = { start: "2021-09-01T00:00:00Z", end: "2021-12-31T00:00:00Z", shift: DOWNTURN_SHIFT };
    const applications = ".demo/downturn/applications.parquet";
    const downturnRows = Math.max(2000, Math.round(rows / 4));
    await appendPeriod({ out: config.data_dir, rows: downturnRows, seed, period, applications }, { log });
    await scoreMain(
      ["--input", applications, "--output", ".demo/downturn/scored", "--job", "downturn", "--quarantine"],
      log,
    );
    const monitored = await monitorMain([
      ...["--scored", ".demo/downturn/scored", "--since", "2021-11-01", "--until", "2021-12-31"],
      ...["--train-days", "120", "--seed", String(seed)],
    ], log);
    console.log(`  decision: ${monitored?.decision} (deno task monitor would exit ${monitored?.exitCode})`);

    await store.close();
    console.log(`\nDemo finished in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  });
}

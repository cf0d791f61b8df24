/**
 * `deno task demo`: the whole flow that exists so far, on embedded defaults and generated data, printing what each
 * stage did. Later stages (training, materialization, serving, batch scoring, drift) add themselves here.
 *
 * Flags: `--rows N` (loans to generate, default 20,000), `--seed S` (default 42).
 * @module
 */
import { intFlag, parseTaskArgs, runTask } from "../lib/cli/mod.ts";
import { creditRepo } from "../lib/credit/repo.ts";
import { FeatureStore } from "../lib/feature_store/feature_store.ts";
import { generateData } from "../lib/credit/write_data.ts";
import { buildTrainingSet } from "./training_set.ts";
import { main as trainMain } from "./train.ts";
import { main as predictMain } from "./predict.ts";
import { readTable } from "../lib/io/mod.ts";

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
    const store = await FeatureStore.open({ repo: (config) => creditRepo({ dataDir: config.data_dir }) });
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
    const report = await buildTrainingSet(store, {});
    console.log(
      `  ${report.rows} loans x ${report.columns.length} columns (loan columns + credit_history + zipcode_features) ` +
        `-> ${report.out} in ${report.seconds.toFixed(1)} s`,
    );

    stage(4, "Train a tfjs credit-default model (recall-first threshold), record the run, register a version");
    await trainMain(["--seed", String(seed)], (line) => console.log(`  ${line}`));

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

    await store.close();
    console.log(`\nDemo finished in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  });
}

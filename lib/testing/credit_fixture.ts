/**
 * A small, real credit setup for tests of the decision server and its pages: generated data, the definitions
 * applied, features materialized to a SQLite online store, and a quickly trained logistic model registered as
 * champion. Everything lives under one temporary folder.
 *
 * @example
 * ```ts
 * import { trainedCreditFixture } from "./credit_fixture.ts";
 * const dir = await Deno.makeTempDir();
 * const config = await trainedCreditFixture(dir);
 * // startDecisionServer({ hostname: "127.0.0.1", port: 0, config, asOf: new Date("2021-09-01T00:00:00Z") })
 * ```
 * @module
 */
import { type FeatureStoreConfig, resolveConfig } from "../feature_store/config.ts";
import { FeatureStore } from "../feature_store/feature_store.ts";
import { readTable } from "../io/mod.ts";
import { creditTrainingSource } from "../credit/model_spec.ts";
import { generateData } from "../credit/write_data.ts";
import { trainModel } from "../model/train.ts";

/**
 * Generates 3,000 loans (seed 11) under `dir`, applies and materializes the credit repo into `dir/online.db` and
 * trains a logistic model (5 epochs) registered as champion in `dir/models`. Returns the configuration. With
 * `charts: true` the run also saves its SVG charts (slower).
 *
 * @example
 * ```ts
 * import { trainedCreditFixture } from "./credit_fixture.ts";
 * const config = await trainedCreditFixture(await Deno.makeTempDir(), { charts: true });
 * ```
 */
export async function trainedCreditFixture(dir: string, opts: { charts?: boolean } = {}): Promise<FeatureStoreConfig> {
  await generateData({ rows: 3000, seed: 11, out: `${dir}/data`, zipcodes: 500 });
  const config = resolveConfig({
    fromFile: {
      data_dir: `${dir}/data`,
      registry: `${dir}/registry.json`,
      model_store: `${dir}/models`,
      online_store: { type: "sqlite", path: `${dir}/online.db` },
    },
  });
  const source = creditTrainingSource("generated", { dataDir: config.data_dir });
  const store = await FeatureStore.open({ config, repo: source.repo });
  try {
    await store.apply({ log: () => {} });
    await store.materialize({ start: new Date("2019-01-01T00:00:00Z"), end: new Date("2022-01-01T00:00:00Z") });
    await trainModel({
      source,
      store,
      modelType: "logistic",
      epochs: 5,
      root: config.model_store,
      charts: opts.charts ?? false,
      log: () => {},
    });
  } finally {
    await store.close();
  }
  return config;
}

/**
 * A loan application from the fixture's data whose applicant has a stored credit history (the first loan's
 * fields with the first credit-history person), as `/score` takes it.
 *
 * @example
 * ```ts
 * import { fixtureApplication } from "./credit_fixture.ts";
 * const application = await fixtureApplication(config.data_dir);
 * await fetch("http://127.0.0.1:6566/score", { method: "POST", body: JSON.stringify(application) });
 * ```
 */
export async function fixtureApplication(dataDir: string): Promise<{
  zipcode: number;
  dob_ssn: string;
  person_age: number;
  person_income: number;
  person_home_ownership: string;
  person_emp_length: number;
  loan_intent: string;
  loan_amnt: number;
  loan_int_rate: number;
}> {
  const loans = await readTable(`${dataDir}/loan_table.parquet`);
  const credit = await readTable(`${dataDir}/credit_history.parquet`, { columns: ["dob_ssn"] });
  const loan = loans.get(0)!.toJSON();
  return {
    zipcode: Number(loan.zipcode),
    dob_ssn: String(credit.getChild("dob_ssn")!.get(0)),
    person_age: Number(loan.person_age),
    person_income: Number(loan.person_income),
    person_home_ownership: String(loan.person_home_ownership),
    person_emp_length: Number(loan.person_emp_length),
    loan_intent: String(loan.loan_intent),
    loan_amnt: Number(loan.loan_amnt),
    loan_int_rate: Number(loan.loan_int_rate),
  };
}

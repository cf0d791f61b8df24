/**
 * A small, real credit setup for tests of the decision server and its pages: generated data, the definitions
 * applied, features materialized to a SQLite online store, and a quickly trained logistic model registered as
 * champion. Everything lives under one temporary folder; the world is built by `buildCreditModel` of
 * ./credit_model_fixture.ts, which the shared, cached fixtures of other tests use too.
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
import type { FeatureStoreConfig } from "../feature_store/config.ts";
import { readTable } from "../io/mod.ts";
import { type ApplicationBody, applicationFromRow } from "../credit/application.ts";
import { buildCreditModel } from "./credit_model_fixture.ts";

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
export function trainedCreditFixture(dir: string, opts: { charts?: boolean } = {}): Promise<FeatureStoreConfig> {
  return buildCreditModel(dir, { modelType: "logistic", epochs: 5, materialize: true, charts: opts.charts });
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
export async function fixtureApplication(dataDir: string): Promise<ApplicationBody> {
  const loans = await readTable(`${dataDir}/loan_table.parquet`);
  const credit = await readTable(`${dataDir}/credit_history.parquet`, { columns: ["dob_ssn"] });
  return { ...applicationFromRow(loans.get(0)!.toJSON()), dob_ssn: String(credit.getChild("dob_ssn")!.get(0)) };
}

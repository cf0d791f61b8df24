/**
 * A small credit world for tests that need a trained model: generated loans, credit history and zipcodes in a
 * temporary folder, a quickly trained model registered as `champion`, and (optionally) the features materialized
 * into a SQLite online store. Built once per process and options (tests in one file share it); removed at exit.
 *
 * @example
 * ```ts
 * import { creditModelFixture } from "./credit_model_fixture.ts";
 * const { config, loans } = await creditModelFixture({ rows: 3000 });
 * const scorer = await loadModel({ root: config.model_store, alias: "champion" });
 * ```
 * @module
 */
import { type FeatureStoreConfig, resolveConfig } from "../feature_store/config.ts";
import { FeatureStore } from "../feature_store/feature_store.ts";
import { generateData } from "../credit/write_data.ts";
import { creditTrainingSource } from "../credit/model_spec.ts";
import { trainModel } from "../model/train.ts";

/** Options of {@link creditModelFixture}. */
export interface CreditModelFixtureOptions {
  /** Loans generated (default 3000). */
  rows?: number;
  /** Seed of the data and the training (default 11). */
  seed?: number;
  /** Model type (default "mlp", 3 members). */
  modelType?: string;
  /** Training epochs (default 4: a usable model in seconds). */
  epochs?: number;
  /** Materialize the features into the SQLite online store (default false). */
  materialize?: boolean;
}

/** What {@link creditModelFixture} built. */
export interface CreditModelFixture {
  dir: string;
  config: FeatureStoreConfig;
  /** The generated loan applications (Parquet). */
  loans: string;
}

const built = new Map<string, Promise<CreditModelFixture>>();
const dirs: string[] = [];
globalThis.addEventListener("unload", () => {
  for (const d of dirs) {
    try {
      Deno.removeSync(d, { recursive: true });
    } catch { /* gone */ }
  }
});

/** Options of {@link buildCreditModel}. */
export interface BuildCreditModelOptions {
  /** Loans generated (default 3000). */
  rows?: number;
  /** Seed of the generated data (default 11). */
  dataSeed?: number;
  modelType: string;
  epochs: number;
  /** Seed of the training (trainModel's default when absent). */
  trainSeed?: number;
  /** Apply the definitions and materialize the features into the SQLite online store (default false). */
  materialize?: boolean;
  /** Save the run's SVG charts (slower; default false). */
  charts?: boolean;
}

/**
 * Builds a credit world under `dir`: data generated into `dir/data` (500 zipcodes), registry `dir/registry.json`,
 * online store `dir/online.db` (materialized 2019-2022 when asked), and a model trained on the generated source and
 * registered as champion in `dir/models`. Returns the configuration.
 *
 * @example
 * ```ts
 * const config = await buildCreditModel(await Deno.makeTempDir(), { modelType: "logistic", epochs: 5 });
 * ```
 */
export async function buildCreditModel(dir: string, opts: BuildCreditModelOptions): Promise<FeatureStoreConfig> {
  await generateData({ rows: opts.rows ?? 3000, seed: opts.dataSeed ?? 11, out: `${dir}/data`, zipcodes: 500 });
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
    if (opts.materialize) {
      await store.apply({ log: () => {} });
      await store.materialize({ start: new Date("2019-01-01T00:00:00Z"), end: new Date("2022-01-01T00:00:00Z") });
    }
    await trainModel({
      name: "credit_default",
      source,
      store,
      modelType: opts.modelType,
      epochs: opts.epochs,
      seed: opts.trainSeed,
      root: config.model_store,
      charts: opts.charts ?? false,
      log: () => {},
    });
  } finally {
    await store.close();
  }
  return config;
}

async function build(opts: CreditModelFixtureOptions): Promise<CreditModelFixture> {
  const dir = await Deno.makeTempDir({ prefix: "credit-fixture-" });
  dirs.push(dir);
  const config = await buildCreditModel(dir, {
    rows: opts.rows,
    dataSeed: opts.seed,
    modelType: opts.modelType ?? "mlp",
    epochs: opts.epochs ?? 4,
    trainSeed: opts.seed ?? 11,
    materialize: opts.materialize,
  });
  return { dir, config, loans: `${dir}/data/loan_table.parquet` };
}

/**
 * The fixture for these options, built on first use.
 *
 * @example
 * ```ts
 * const fx = await creditModelFixture({ materialize: true });
 * ```
 */
export function creditModelFixture(opts: CreditModelFixtureOptions = {}): Promise<CreditModelFixture> {
  const key = JSON.stringify(opts);
  let p = built.get(key);
  if (!p) {
    p = build(opts);
    built.set(key, p);
  }
  return p;
}

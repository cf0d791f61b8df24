/**
 * `deno task training-set [--entities FILE|s3://...] [--entities-sql SQL] [--service NAME | --features a:b,c:d]
 *  [--full-feature-names] [--out FILE|s3://...]`: builds a point-in-time correct training set with the configured
 * offline store and writes it as Parquet (or CSV by extension), atomically.
 *
 * Defaults: the generated loan table as entity rows, feature service `credit_score_v1`,
 * `<data_dir>/training_set.parquet` as output.
 *
 * @example
 * ```sh
 * deno task training-set --out s3://bucket/training/2021-08.parquet
 * ```
 * @module
 */
import { parseTaskArgs, runTask, UsageError } from "../lib/cli/mod.ts";
import { allFeatureRefs, type OpenedRepo, openRepoFlag, storedFeatureRefs } from "../lib/repo/load.ts";
import { FeatureStore } from "../lib/feature_store/feature_store.ts";
import { toS3Options } from "../lib/feature_store/config.ts";
import { writeTable } from "../lib/io/mod.ts";

const USAGE = "deno task training-set [--repo DIR] [--entities FILE|s3://...] [--entities-sql SQL] " +
  "[--service NAME | --features view:feature,...] [--full-feature-names] [--out FILE|s3://...]";

/** What {@link buildTrainingSet} wrote. */
export interface TrainingSetReport {
  rows: number;
  columns: string[];
  out: string;
  bytes: number;
  seconds: number;
}

/**
 * Builds and writes a training set (the task's body, callable from the demo and tests).
 *
 * @example
 * ```ts
 * const report = await buildTrainingSet(store, { out: "data/generated/training_set.parquet" });
 * ```
 */
export async function buildTrainingSet(
  store: FeatureStore,
  opts: {
    entities?: string;
    entitiesSql?: string;
    service?: string;
    features?: string[];
    fullFeatureNames?: boolean;
    out?: string;
    /** The repo whose model spec gives the default entity rows and stored features. */
    repo?: OpenedRepo;
  },
): Promise<TrainingSetReport> {
  const started = performance.now();
  const dataDir = store.config.data_dir.replace(/\/+$/, "");
  const entities = opts.entitiesSql ? { sql: opts.entitiesSql } : opts.entities ?? opts.repo?.model.entityRows ??
    `${dataDir}/loan_table.parquet`;
  const features = opts.features ??
    (opts.service
      ? store.getFeatureService(opts.service)
      : opts.repo
      ? storedFeatureRefs(opts.repo)
      : allFeatureRefs(store.repo));
  const table = await store.getHistoricalFeatures({ entities, features, fullFeatureNames: opts.fullFeatureNames });
  const out = opts.out ?? `${dataDir}/training_set.parquet`;
  const { bytes } = await writeTable(out, table, { s3: toS3Options(store.config.s3) });
  return {
    rows: table.numRows,
    columns: table.schema.fields.map((f) => f.name),
    out,
    bytes,
    seconds: (performance.now() - started) / 1000,
  };
}

if (import.meta.main) {
  await runTask(async () => {
    const { values } = parseTaskArgs(Deno.args, {
      usage: USAGE,
      options: {
        repo: { type: "string" },
        entities: { type: "string" },
        "entities-sql": { type: "string" },
        service: { type: "string" },
        features: { type: "string" },
        "full-feature-names": { type: "boolean" },
        out: { type: "string" },
      },
    });
    if (values.help) return void console.log(`usage: ${USAGE}`);
    if (values.service && values.features) throw new UsageError(`Give "--service" or "--features", not both`, USAGE);
    if (values.entities && values["entities-sql"]) {
      throw new UsageError(`Give "--entities" or "--entities-sql", not both`, USAGE);
    }
    const opened = await openRepoFlag(values.repo as string | undefined);
    const store = await FeatureStore.open({ config: opened.config, repo: opened.features });
    try {
      const report = await buildTrainingSet(store, {
        entities: values.entities as string | undefined,
        entitiesSql: values["entities-sql"] as string | undefined,
        service: values.service as string | undefined,
        features: values.features ? String(values.features).split(",").map((s) => s.trim()).filter(Boolean) : undefined,
        fullFeatureNames: Boolean(values["full-feature-names"]),
        out: values.out as string | undefined,
        repo: opened,
      });
      console.log(
        `Training set: ${report.rows} rows x ${report.columns.length} columns -> ${report.out} ` +
          `(${report.bytes} bytes, ${report.seconds.toFixed(1)} s, offline store "${store.offline.type}")`,
      );
    } finally {
      await store.close();
    }
  });
}

/**
 * Where a model's training rows come from and how they are split: the training table (given, or built by the
 * point-in-time join of a {@link TrainingSource}), its rows split by time, the training rows that pass the input
 * rules, and the definition recorded with the run.
 *
 * @example
 * ```ts
 * import { loadTrainingTable, splitTrainingSet } from "./training_set.ts";
 * const table = await loadTrainingTable({ source: trainingSourceOf(await openRepo()), spec });
 * const set = await splitTrainingSet(table, { spec, test: 0.2, validation: 0.1 });
 * set.train.length; set.summary.description;
 * ```
 * @module
 */
import type * as arrow from "apache-arrow";
import { FeatureStore } from "../feature_store/feature_store.ts";
import { resolveConfig } from "../feature_store/config.ts";
import type { FeatureRepo, FeatureService } from "../feature_store/definitions.ts";
import { featureRefs } from "../feature_store/definitions.ts";
import { type FeatureSpec, type RawRow, validateRow } from "./preprocess.ts";
import { type SplitSummary, splitSummary, tableFingerprint, tableToRows, timeSplit } from "./time_split.ts";
import type { Json } from "./tracking.ts";

/** Where the training table comes from when none is given. */
export interface TrainingSource {
  /** Definitions to join with. */
  repo: FeatureRepo;
  /** Entity rows: a file (local or s3://, Parquet or CSV) or an Arrow table. */
  entities: string | arrow.Table;
  /** Feature references `view:feature`, or a feature service. */
  features: string[] | FeatureService;
  /** Label of the data for the run ("real", "generated", ...). */
  kind?: string;
  /** The matching feature spec (used when `featureSpec` is not given). */
  spec?: FeatureSpec;
}

/**
 * The training table: `trainingTable` as given, else the point-in-time join of `source` through `store` (default a
 * file store with embedded defaults, closed afterwards). The label and timestamp columns must be there.
 *
 * @example
 * ```ts
 * const table = await loadTrainingTable({ source: trainingSourceOf(await openRepo()), spec, log: console.log });
 * ```
 */
export async function loadTrainingTable(opts: {
  trainingTable?: arrow.Table;
  source?: TrainingSource;
  store?: FeatureStore;
  spec: FeatureSpec;
  log?: (line: string) => void;
}): Promise<arrow.Table> {
  const log = opts.log ?? (() => {});
  let table = opts.trainingTable;
  if (!table) {
    if (!opts.source) throw new Error("Give a trainingTable or a source to build it from");
    const store = opts.store ??
      await FeatureStore.open({ config: resolveConfig({}), repo: opts.source.repo });
    try {
      const started = performance.now();
      table = await store.getHistoricalFeatures({ entities: opts.source.entities, features: opts.source.features });
      log(
        `training set: ${table.numRows} rows x ${table.numCols} columns (point-in-time join, ${
          ((performance.now() - started) / 1000).toFixed(1)
        } s)`,
      );
    } finally {
      if (!opts.store) await store.close();
    }
  }
  for (const column of [opts.spec.label, opts.spec.timestampColumn ?? "event_timestamp"]) {
    if (!table.getChild(column)) throw new Error(`Training table has no column "${column}"`);
  }
  return table;
}

/** A training table split by time (see {@link splitTrainingSet}). */
export interface TrainingSet {
  table: arrow.Table;
  /** sha256 of the table's Arrow IPC bytes. */
  fingerprint: string;
  /** Training rows that pass the spec's input rules (the flagged ones are left out). */
  train: RawRow[];
  /** Their indices in the table. */
  trainIndex: number[];
  validation: RawRow[];
  test: RawRow[];
  /** Training rows left out because an input was out of range. */
  flaggedTrainingRows: number;
  summary: SplitSummary;
}

/**
 * Fingerprints the table, splits its rows by time (oldest train, next `validation` share, newest `test` share) and
 * leaves out the training rows that break the spec's rules.
 *
 * @example
 * ```ts
 * const set = await splitTrainingSet(table, { spec, test: 0.2, validation: 0.1 });
 * set.summary.test; // newest 20% of the rows
 * ```
 */
export async function splitTrainingSet(
  table: arrow.Table,
  opts: { spec: FeatureSpec; test: number; validation: number; log?: (line: string) => void },
): Promise<TrainingSet> {
  const fingerprint = await tableFingerprint(table);
  const rows = tableToRows(table);
  const split = timeSplit(rows, {
    timestampColumn: opts.spec.timestampColumn ?? "event_timestamp",
    test: opts.test,
    validation: opts.validation,
  });
  const rules = opts.spec.rules ?? [];
  const trainIndex = split.train.filter((i) => validateRow(rows[i], rules).length === 0);
  const flaggedTrainingRows = split.train.length - trainIndex.length;
  const summary = splitSummary(split, { test: opts.test });
  opts.log?.(`split: ${summary.description}; ${flaggedTrainingRows} flagged training rows left out`);
  return {
    table,
    fingerprint,
    train: trainIndex.map((i) => rows[i]),
    trainIndex,
    validation: split.validation.map((i) => rows[i]),
    test: split.test.map((i) => rows[i]),
    flaggedTrainingRows,
    summary,
  };
}

/**
 * The training set's definition as recorded with the run (`training_set.json`): entity rows, feature references, the
 * views joined with their ttl, join keys and sources, the label and timestamp columns.
 *
 * @example
 * ```ts
 * trainingSetDefinition(trainingSourceOf(await openRepo({ dir: "/srv/churn" })), spec).views; // [{ name: "usage", ... }]
 * ```
 */
export function trainingSetDefinition(source: TrainingSource | undefined, spec: FeatureSpec): Json {
  if (!source) return { entities: "in-memory table", features: null, views: [], label: spec.label };
  const refs = Array.isArray(source.features) ? [...source.features] : featureRefs(source.features);
  const viewNames = new Set(refs.map((r) => r.split(":")[0]));
  return {
    entities: typeof source.entities === "string"
      ? source.entities
      : `in-memory table (${source.entities.numRows} rows)`,
    features: refs,
    views: source.repo.views.filter((v) => viewNames.has(v.name)).map((v) => ({
      name: v.name,
      ttl_seconds: v.ttlSeconds,
      join_keys: v.entities.map((e) => e.name),
      source: v.source.kind === "file_source" ? v.source.path : v.source.name,
    })),
    label: spec.label,
    timestamp: spec.timestampColumn ?? "event_timestamp",
    full_feature_names: false,
  };
}

/**
 * The training reference saved with every trained model: what drift is measured against.
 *
 * It holds the model's input columns (the raw columns its preprocessing reads, {@linkcode inputColumns}) on the rows
 * it was trained on, with their event time, their label and the model's calibrated probability of default (column
 * `probability`, the name batch scoring writes), stored among the run's artifacts:
 *
 * ```
 * <run>/artifacts/reference/training.parquet   the rows (at most 200,000, evenly spread over time)
 * <run>/artifacts/reference/reference.json     what they are: columns, label, timestamp, rows, sampling
 * ```
 *
 * A registered version finds it through its run id ({@linkcode readTrainingReference}).
 *
 * @example
 * ```ts
 * import { readTrainingReference } from "./reference.ts";
 * const ref = await readTrainingReference({ root: "data/models", name: "churn", alias: "champion" });
 * console.log(ref.meta.rows, ref.meta.features, ref.table.getChild("probability")?.get(0));
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import {
  type IoOptions,
  joinUri,
  ObjectNotFoundError,
  readJson,
  readTable,
  writeBytes,
  writeTable,
} from "../io/mod.ts";
import { takeVector } from "../feature_store/offline/take.ts";
import { type FeatureSpec, inputColumns } from "./preprocess.ts";
import { getRun } from "./tracking.ts";
import { getVersion, type ModelVersion } from "./registry.ts";

/** Where the reference lives inside a run's artifacts. */
export const REFERENCE_FILES = {
  table: "reference/training.parquet",
  meta: "reference/reference.json",
} as const;

/** Name of the model's score column in the reference (and in batch-scoring output). */
export const SCORE_COLUMN = "probability";

/** Default cap on the reference's rows. */
export const REFERENCE_MAX_ROWS = 200_000;

/** The description stored beside the reference rows (`reference/reference.json`). */
export interface ReferenceMeta {
  format: "training-reference/1";
  /** Rows stored. */
  rows: number;
  /** Training rows they were taken from (more than `rows` when sampled). */
  source_rows: number;
  /** "all" or "every k-th training row in time order". */
  sampling: string;
  /** The model's input columns (what feature drift is measured on). */
  features: string[];
  /** Label column (null when absent). */
  label: string | null;
  /** Event-time column. */
  timestamp: string;
  /** Score column: the model's probability of default on each row. */
  score: typeof SCORE_COLUMN;
  /** Which rows: the model's training rows (oldest part of the time split, out-of-range rows left out). */
  split: "train";
  /** ISO times of the first and last reference row. */
  from: string | null;
  to: string | null;
}

/** Options of {@linkcode buildTrainingReference}. */
export interface BuildReferenceOptions {
  /** The model's feature spec (its input columns, label and timestamp column). */
  spec: FeatureSpec;
  /** Row numbers of `table` the model was trained on, in time order. */
  rows: ArrayLike<number>;
  /** The model's probability on each of those rows (same order). */
  probability: ArrayLike<number>;
  /** At most this many rows are kept, evenly spread (default {@linkcode REFERENCE_MAX_ROWS}). */
  maxRows?: number;
}

function isoOfMicros(v: arrow.Vector, i: number): string | null {
  if (v.length === 0) return null;
  const data = v.data[0];
  if (!arrow.DataType.isTimestamp(v.type) || v.data.length !== 1) {
    const raw = v.get(i);
    const ms = raw instanceof Date ? raw.getTime() : Number(raw);
    return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
  }
  const unit = (v.type as arrow.Timestamp).unit;
  const raw = Number((data.values as BigInt64Array)[data.offset + i]);
  const ms = unit === arrow.TimeUnit.SECOND
    ? raw * 1000
    : unit === arrow.TimeUnit.MILLISECOND
    ? raw
    : unit === arrow.TimeUnit.MICROSECOND
    ? raw / 1000
    : raw / 1e6;
  return new Date(Math.floor(ms)).toISOString();
}

/**
 * The reference table of a trained model: its input columns, event time and label on its training rows (same Arrow
 * types as the training table), plus the model's probability (Float64). Sampled evenly over the rows when there are
 * more than `maxRows`.
 *
 * @example
 * ```ts
 * const { table: ref, meta } = buildTrainingReference(training, { spec, rows: [0, 1, 2], probability: [0.1, 0.5, 0.2] });
 * ref.numCols; // input columns + timestamp + label + probability
 * ```
 */
export function buildTrainingReference(
  table: arrow.Table,
  opts: BuildReferenceOptions,
): { table: arrow.Table; meta: ReferenceMeta } {
  const n = opts.rows.length;
  if (opts.probability.length !== n) {
    throw new Error(`Reference has ${n} rows but ${opts.probability.length} probabilities`);
  }
  const max = opts.maxRows ?? REFERENCE_MAX_ROWS;
  if (!(Number.isInteger(max) && max >= 1)) throw new Error(`Reference maxRows "${max}" must be a whole number >= 1`);
  const keep = Math.min(n, max);
  // every k-th row (fractional stride) keeps the time coverage of the training rows
  const pick = Int32Array.from({ length: keep }, (_, j) => (keep === n ? j : Math.floor((j * n) / keep)));
  const indices = Int32Array.from(pick, (j) => opts.rows[j]);
  const timestamp = opts.spec.timestampColumn ?? "event_timestamp";
  const features = inputColumns(opts.spec).filter((c) => table.getChild(c) !== null);
  const label = table.getChild(opts.spec.label) ? opts.spec.label : null;
  const names = [timestamp, ...features.filter((c) => c !== timestamp && c !== label), ...(label ? [label] : [])];
  const columns: Record<string, arrow.Vector> = {};
  for (const name of names) {
    const v = table.getChild(name);
    if (!v) throw new Error(`Training table has no column "${name}"`);
    columns[name] = takeVector(v, indices);
  }
  columns[SCORE_COLUMN] = arrow.makeVector(Float64Array.from(pick, (j) => opts.probability[j]));
  const out = new arrow.Table(columns);
  const ts = out.getChild(timestamp)!;
  return {
    table: out,
    meta: {
      format: "training-reference/1",
      rows: keep,
      source_rows: n,
      sampling: keep === n ? "all" : `every ${(n / keep).toFixed(2)}-th training row in time order`,
      features,
      label,
      timestamp,
      score: SCORE_COLUMN,
      split: "train",
      from: isoOfMicros(ts, 0),
      to: isoOfMicros(ts, keep - 1),
    },
  };
}

/**
 * Writes a reference (Parquet, then its description last) under a run's artifact folder. Returns the table's URI.
 *
 * @example
 * ```ts
 * await writeTrainingReference(run.artifactUri, buildTrainingReference(table, opts));
 * ```
 */
export async function writeTrainingReference(
  artifactUri: string,
  ref: { table: arrow.Table; meta: ReferenceMeta },
  opts: { io?: IoOptions } = {},
): Promise<string> {
  const uri = joinUri(artifactUri, REFERENCE_FILES.table);
  await writeTable(uri, ref.table, { ...opts.io });
  await writeBytes(
    joinUri(artifactUri, REFERENCE_FILES.meta),
    new TextEncoder().encode(JSON.stringify(ref.meta, null, 2) + "\n"),
    { ...opts.io, contentType: "application/json" },
  );
  return uri;
}

/** A model version's training reference, as read by {@linkcode readTrainingReference}. */
export interface TrainingReference {
  table: arrow.Table;
  meta: ReferenceMeta;
  /** URI of the Parquet file. */
  uri: string;
  /** The registered version it belongs to. */
  version: ModelVersion;
}

/**
 * Where a run's reference is (`<run artifacts>/reference/training.parquet`).
 *
 * @example
 * ```ts
 * await trainingReferenceUri("data/models", version.run_id); // ".../runs/churn/<run>/artifacts/reference/training.parquet"
 * ```
 */
export async function trainingReferenceUri(
  root: string,
  runId: string,
  opts: { io?: IoOptions } = {},
): Promise<string> {
  const run = await getRun(root, runId, opts);
  return joinUri(run.artifact_uri, REFERENCE_FILES.table);
}

/**
 * Reads the training reference of a registered version (by alias, number, or the latest). Versions trained before
 * references existed have none: the error says so and names the run.
 *
 * @example
 * ```ts
 * const ref = await readTrainingReference({ root: "data/models", name: "churn", alias: "champion" });
 * ```
 */
export async function readTrainingReference(opts: {
  root: string;
  name: string;
  alias?: string;
  version?: number;
  io?: IoOptions;
  /** Read only these columns of the table (default all). */
  columns?: string[];
}): Promise<TrainingReference> {
  const name = opts.name;
  const version = await getVersion({ root: opts.root, name, alias: opts.alias, version: opts.version, io: opts.io });
  const run = await getRun(opts.root, version.run_id, { io: opts.io });
  const metaUri = joinUri(run.artifact_uri, REFERENCE_FILES.meta);
  let meta: ReferenceMeta;
  try {
    meta = await readJson(metaUri, opts.io) as ReferenceMeta;
  } catch (err) {
    if (err instanceof ObjectNotFoundError) {
      throw new Error(
        `Model "${name}" version ${version.version} (run "${version.run_id}") has no training reference ` +
          `("${metaUri}" is missing); retrain it to record one`,
      );
    }
    throw err;
  }
  if (meta?.format !== "training-reference/1") {
    throw new Error(`"${metaUri}" is not a training reference (format "${meta?.format}")`);
  }
  const uri = joinUri(run.artifact_uri, REFERENCE_FILES.table);
  const table = await readTable(uri, { ...opts.io, columns: opts.columns });
  return { table, meta, uri, version };
}

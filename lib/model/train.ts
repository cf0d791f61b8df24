/**
 * Training and loading of credit-default models.
 *
 * {@link trainModel}: builds (or takes) a point-in-time correct training table, splits it by time (train on the
 * older loans, validate on newer ones, test on the newest), fits the preprocessing on the training rows only, trains
 * tfjs networks (logistic regression or an MLP ensemble of a few seeds) with early stopping on validation AUC,
 * calibrates the scores on validation (Platt scaling, which keeps the ranking), chooses the decision threshold on
 * validation with the policy, evaluates on the held-out test rows, renders charts, records a run (params, per-epoch
 * metrics, artifacts: model, preprocessing, charts, training-set definition and data fingerprint, the training
 * reference that drift is measured against: see reference.ts) and registers a model version (the first becomes
 * `champion`).
 *
 * {@link loadModel}: a registered version (by alias or number) as a {@link ModelScorer} with `predict(rows)` and
 * `decide(row)` (probability, decision, threshold, reasons, flags).
 *
 * @example
 * ```ts
 * import { loadModel, trainModel } from "./train.ts";
 * import { creditTrainingSource } from "../credit/model_spec.ts";
 * const source = creditTrainingSource("generated");
 * const result = await trainModel({ source, root: "data/models", modelType: "mlp", seed: 42 });
 * const scorer = await loadModel({ root: "data/models", name: "credit_default", alias: "champion" });
 * scorer.decide({ person_age: 22, person_income: 59000, loan_amnt: 35000, ... });
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import type * as tf from "@tensorflow/tfjs";
import { type IoOptions, joinUri, readBytes } from "../io/mod.ts";
import { FeatureStore } from "../feature_store/feature_store.ts";
import { resolveConfig } from "../feature_store/config.ts";
import type { FeatureRepo, FeatureService } from "../feature_store/definitions.ts";
import { featureRefs } from "../feature_store/definitions.ts";
import {
  type FeatureSpec,
  fitPreprocessor,
  type Preprocessor,
  Preprocessor as PreprocessorClass,
} from "./preprocess.ts";
import { type Problem, type RawRow, validateRow } from "./preprocess.ts";
import { initBackend } from "./tfjs_backend.ts";
import { buildNetwork, type Dataset, type EpochLog, fitNetwork, loadNetwork, saveNetwork } from "./tfjs_model.ts";
import * as tfjs from "@tensorflow/tfjs";
import { evaluate, type Evaluation, rocAuc } from "./metrics.ts";
import {
  chooseThreshold,
  decide as decideAt,
  type Decision,
  type ThresholdChoice,
  type ThresholdPolicy,
} from "./policy.ts";
import { parseThresholdChoice } from "./policy.ts";
import {
  calibrationChart,
  confusionChart,
  prChart,
  rocChart,
  scoreDistributionChart,
  trainingCurveChart,
} from "./charts.ts";
import { type Json, startRun } from "./tracking.ts";
import { getAliases, getVersion, registerModel, setAlias } from "./registry.ts";
import { formatReason, type Reason, reasonCodes, sigmoid } from "./explain.ts";
import { type FusedEnsemble, fuseEnsemble } from "./fused_ensemble.ts";
import { buildTrainingReference, writeTrainingReference } from "./reference.ts";

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

/** Network and optimiser settings. */
export interface Hyperparameters {
  /** Hidden widths of the MLP (default [64, 32]). */
  hidden: number[];
  /** Networks of different seeds averaged (default 3 for the MLP, 1 for logistic regression). */
  members: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  lrDecay: number;
  patience: number;
  dropout: number;
  l2: number;
  /** Weight of defaults in the loss (default: non-defaults / defaults in the training rows). */
  positiveWeight?: number;
}

/** Options of {@link trainModel}. */
export interface TrainOptions extends Partial<Hyperparameters> {
  /** A ready training table (label, timestamp and feature columns). */
  trainingTable?: arrow.Table;
  /** Otherwise: where to build it from (the point-in-time join runs through `store` or the local engine). */
  source?: TrainingSource;
  /**
   * Label of the data the model was trained on ("real", "generated", ...), recorded as the run's and version's `data`
   * tag, which tells batch scoring and serving which feature sources the model reads (default `source.kind`, else
   * "table"). Give it with a `trainingTable` built from known sources, as retraining does.
   */
  dataKind?: string;
  /** Feature store used to build the table (default: a file store with embedded defaults). */
  store?: FeatureStore;
  /** The model's features (default `source.spec`). */
  featureSpec?: FeatureSpec;
  modelType?: "logistic" | "mlp";
  /** Threshold policy chosen on validation (default: target recall 0.9). */
  policy?: ThresholdPolicy;
  seed?: number;
  /** Share of the newest rows held out for the test (default 0.2). */
  testFraction?: number;
  /** Share of the rows just before the test used for validation (default 0.1). */
  validationFraction?: number;
  /** Model store root (local or s3://); default the configured `model_store`. */
  root?: string;
  /** Registered model name and experiment (default "credit_default"). */
  name?: string;
  /** Register a model version (default true). */
  register?: boolean;
  /** Record a run with the model files (default true); false trains and evaluates only (benchmarks). */
  track?: boolean;
  /** Set the `champion` alias when the model has none (default true). */
  autoChampion?: boolean;
  /** Render and store SVG charts (default true). */
  charts?: boolean;
  /** Save the training reference (input columns, label, probability on the training rows; default true). */
  reference?: boolean;
  io?: IoOptions;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** Called after each epoch of each network (`member` counts from 1), e.g. to draw progress. */
  onEpoch?: (epoch: EpochLog & { member: number }) => void;
  /** Extra run tags. */
  tags?: Record<string, string>;
}

/** What {@link trainModel} returns. */
export interface TrainResult {
  /** Run id ("" when not tracked). */
  runId: string;
  /** Registered version (null when `register: false`). */
  version: number | null;
  /** Whether this training made the version champion. */
  champion: boolean;
  test: Evaluation;
  validation: Evaluation;
  threshold: ThresholdChoice;
  /** Seconds spent fitting the preprocessing and the networks. */
  trainSeconds: number;
  /** Backend tfjs ran on. */
  backend: string;
  /** The first member's training curve. */
  history: EpochLog[];
  /** Best epoch of each member. */
  bestEpochs: number[];
  split: SplitSummary;
  /** sha256 of the training table's Arrow IPC bytes. */
  fingerprint: string;
  /** Training rows left out because an input was out of range. */
  flaggedTrainingRows: number;
  /** Where the model files are ("" when not tracked). */
  modelUri: string;
  /** Where the training reference is ("" when not saved; see reference.ts). */
  referenceUri: string;
}

/** The time-based split as recorded with the run. */
export interface SplitSummary {
  rows: number;
  train: number;
  validation: number;
  test: number;
  /** ISO times: first training row, first validation row, first test row, last test row. */
  trainFrom: string | null;
  validationFrom: string | null;
  testFrom: string | null;
  testTo: string | null;
  description: string;
}

/** The model's own description file (`model/model.json` in the run's artifacts). */
export interface ModelMeta {
  format: "credit-model/1";
  modelType: "logistic" | "mlp";
  members: number;
  /** Platt scaling of the members' mean logit: p = sigmoid(a * logit + b). */
  calibration: { a: number; b: number };
  /** Most frequent level per one-hot feature in training (the baseline applicant with the medians). */
  baselineModes: Record<string, string>;
  label: string;
  backend: string;
  seed: number;
  trainedAt: string;
}

/**
 * Arrow table rows as plain objects (bigints as numbers, timestamps as epoch milliseconds).
 *
 * @example
 * ```ts
 * tableToRows(arrow.tableFromArrays({ n: BigInt64Array.of(5n) })); // [{ n: 5 }]
 * ```
 */
export function tableToRows(table: arrow.Table): RawRow[] {
  const names = table.schema.fields.map((f) => f.name);
  const columns = names.map((name) => {
    const vector = table.getChild(name)!;
    const out = new Array(table.numRows);
    let i = 0;
    for (const v of vector) out[i++] = typeof v === "bigint" ? Number(v) : v;
    return out;
  });
  const rows: RawRow[] = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row: RawRow = {};
    for (let c = 0; c < names.length; c++) row[names[c]] = columns[c][r];
    rows[r] = row;
  }
  return rows;
}

/**
 * Splits row indices by time: the oldest rows train, the next `validation` share validates, the newest `test`
 * share is held out. Ties keep the input order; rows without a timestamp are refused.
 *
 * @example
 * ```ts
 * const s = timeSplit([3, 1, 2, 5, 4].map((t) => ({ ts: t })), { timestampColumn: "ts", test: 0.2, validation: 0.2 });
 * // s.train = [1, 2, 0], s.validation = [4], s.test = [3]
 * ```
 */
export function timeSplit(
  rows: readonly RawRow[],
  opts: { timestampColumn: string; test: number; validation: number },
): { train: number[]; validation: number[]; test: number[]; times: number[] } {
  const times = rows.map((r, i) => {
    const v = r[opts.timestampColumn];
    const t = v instanceof Date ? v.getTime() : typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : NaN;
    if (!Number.isFinite(t)) throw new Error(`Row ${i} has no usable "${opts.timestampColumn}": "${String(v)}"`);
    return t;
  });
  if (!(opts.test > 0 && opts.validation > 0 && opts.test + opts.validation < 1)) {
    throw new Error(
      `Split shares must be positive and leave training rows, got test ${opts.test}, validation ${opts.validation}`,
    );
  }
  const order = times.map((_, i) => i).sort((a, b) => times[a] - times[b] || a - b);
  const n = order.length;
  const nTest = Math.round(n * opts.test);
  const nVal = Math.round(n * opts.validation);
  return {
    train: order.slice(0, n - nTest - nVal),
    validation: order.slice(n - nTest - nVal, n - nTest),
    test: order.slice(n - nTest),
    times,
  };
}

/**
 * sha256 (hex) of a table's Arrow IPC stream bytes: the training data's fingerprint.
 *
 * @example
 * ```ts
 * const a = await tableFingerprint(table);
 * a === (await tableFingerprint(table)); // true
 * ```
 */
export async function tableFingerprint(table: arrow.Table): Promise<string> {
  const bytes = arrow.tableToIPC(table, "stream");
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Platt scaling: the a, b minimising log loss of sigmoid(a * logit + b) (Newton's method with a small ridge).
 * Monotone for a > 0, so ranking metrics are unchanged.
 *
 * @example
 * ```ts
 * const { a, b } = fitPlatt(Float32Array.of(-2, -1, 1, 2), Float32Array.of(0, 0, 1, 1));
 * ```
 */
export function fitPlatt(logits: ArrayLike<number>, labels: ArrayLike<number>): { a: number; b: number } {
  let a = 1;
  let b = 0;
  const n = logits.length;
  if (n === 0) return { a, b };
  for (let iter = 0; iter < 50; iter++) {
    let ga = 0, gb = 0, haa = 1e-6, hab = 0, hbb = 1e-6;
    for (let i = 0; i < n; i++) {
      const z = logits[i];
      const p = sigmoid(a * z + b);
      const d = p - labels[i];
      const w = p * (1 - p);
      ga += d * z;
      gb += d;
      haa += w * z * z;
      hab += w * z;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-12)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  if (!(a > 0) || !Number.isFinite(b)) return { a: 1, b: 0 };
  return { a, b };
}

/** Mean logit of the networks for encoded rows. */
function meanLogits(networks: tf.LayersModel[], x: Float32Array, rows: number): Float32Array {
  const out = new Float32Array(rows);
  if (rows === 0) return out;
  const cols = x.length / rows;
  const chunk = 8192;
  for (let start = 0; start < rows; start += chunk) {
    const end = Math.min(rows, start + chunk);
    const values = tfjs.tidy(() => {
      const input = tfjs.tensor2d(x.subarray(start * cols, end * cols), [end - start, cols]);
      const logits = networks.map((n) => n.predict(input) as tf.Tensor);
      return tfjs.div(tfjs.addN(logits), networks.length).dataSync() as Float32Array;
    });
    out.set(values, start);
  }
  return out;
}

/** The decision for one application, with its reasons and input flags. */
export interface DecisionResult {
  probability: number;
  decision: Decision;
  threshold: number;
  reasons: Reason[];
  /** Out-of-range inputs (empty when the application is fine). */
  flags: Problem[];
}

/** Options of {@link ModelScorer.decide}. */
export interface DecideOptions {
  /** What to do with out-of-range inputs: throw ("refuse", default) or score and report them ("mark"). */
  onInvalid?: "refuse" | "mark";
  /** Number of reasons (default 3). */
  top?: number;
}

/** An application refused because some inputs are out of range. */
export class InvalidApplicationError extends Error {
  /** @param problems What is out of range. */
  constructor(readonly problems: Problem[]) {
    super(`Application refused: ${problems.map((p) => p.reason).join("; ")}`);
    this.name = "InvalidApplicationError";
  }
}

/** A trained model ready to score: preprocessing, networks, calibration and the stored threshold. */
export class ModelScorer {
  readonly baseline: Float32Array;

  /** Prefer {@link loadModel}. */
  constructor(
    readonly meta: ModelMeta,
    readonly preprocessor: Preprocessor,
    readonly networks: tf.LayersModel[],
    readonly threshold: ThresholdChoice,
    readonly version: number | null = null,
  ) {
    this.baseline = preprocessor.baseline(meta.baselineModes);
  }

  #fused: FusedEnsemble | null | undefined;

  /** Calibrated log-odds of default for encoded rows. */
  logOddsEncoded(x: Float32Array, rows: number): Float32Array {
    // small batches (one decision with its reason codes) go through the merged ensemble: 3 matMuls, not 3 predicts
    if (this.#fused === undefined) this.#fused = fuseEnsemble(this.networks);
    const z = this.#fused && rows <= 1024 ? this.#fused.meanLogits(x, rows) : meanLogits(this.networks, x, rows);
    const { a, b } = this.meta.calibration;
    return z.map((v) => a * v + b);
  }

  /** Probabilities of default for encoded rows. */
  predictEncoded(x: Float32Array, rows: number): Float32Array {
    return this.logOddsEncoded(x, rows).map(sigmoid);
  }

  /**
   * Probabilities of default for raw rows (not validated; see {@link ModelScorer.validate}).
   *
   * @example
   * ```ts
   * scorer.predict([{ person_age: 30, person_income: 50000, loan_amnt: 5000 }]); // Float32Array [0.08]
   * ```
   */
  predict(rows: readonly RawRow[]): Float32Array {
    const { data } = this.preprocessor.transform(rows);
    return this.predictEncoded(data, rows.length);
  }

  /** Out-of-range inputs of a row under the model's rules. */
  validate(row: RawRow): Problem[] {
    return validateRow(row, this.preprocessor.spec.rules ?? []);
  }

  /**
   * Scores one application and decides with the stored threshold, giving the reasons that raised its risk most.
   *
   * @example
   * ```ts
   * const d = scorer.decide(application);
   * console.log(d.decision === "reject" ? "loan rejected!" : "loan approved!", d.probability, d.reasons);
   * ```
   */
  decide(row: RawRow, opts: DecideOptions = {}): DecisionResult {
    const flags = this.validate(row);
    if (flags.length && (opts.onInvalid ?? "refuse") === "refuse") throw new InvalidApplicationError(flags);
    const { probability, reasons } = reasonCodes({
      row,
      preprocessor: this.preprocessor,
      baseline: this.baseline,
      score: (x, n) => this.logOddsEncoded(x, n),
      top: opts.top ?? 3,
    });
    const threshold = this.threshold.threshold;
    return { probability, decision: decideAt(probability, threshold), threshold, reasons, flags };
  }

  /** Frees the networks' tensors. */
  dispose(): void {
    this.#fused?.dispose();
    for (const n of this.networks) n.dispose();
  }
}

/** Files of a saved model, under its folder. */
export const MODEL_FILES = {
  meta: "model.json",
  preprocessing: "preprocessing.json",
  policy: "policy.json",
  network: (k: number) => `network_${k}`,
} as const;

function json(bytes: Uint8Array): unknown {
  return JSON.parse(new TextDecoder().decode(bytes));
}

/**
 * Loads a model from its folder (the `model/` artifacts of a run, local or s3://).
 *
 * @example
 * ```ts
 * const scorer = await loadModelFrom("data/models/runs/credit_default/<run>/artifacts/model");
 * ```
 */
export async function loadModelFrom(
  uri: string,
  opts: { io?: IoOptions; version?: number } = {},
): Promise<ModelScorer> {
  await initBackend();
  const meta = json(await readBytes(joinUri(uri, MODEL_FILES.meta), opts.io)) as ModelMeta;
  if (meta?.format !== "credit-model/1") {
    throw new Error(`"${joinUri(uri, MODEL_FILES.meta)}" is not a credit model (format "${meta?.format}")`);
  }
  const pre = PreprocessorClass.fromJSON(
    json(await readBytes(joinUri(uri, MODEL_FILES.preprocessing), opts.io)) as ReturnType<Preprocessor["toJSON"]>,
  );
  const threshold = parseThresholdChoice(json(await readBytes(joinUri(uri, MODEL_FILES.policy), opts.io)));
  const networks: tf.LayersModel[] = [];
  for (let k = 0; k < meta.members; k++) {
    networks.push(await loadNetwork(joinUri(uri, MODEL_FILES.network(k)), opts.io));
  }
  return new ModelScorer(meta, pre, networks, threshold, opts.version ?? null);
}

/**
 * Loads a registered model version by alias (e.g. "champion") or number (default: the latest version).
 *
 * @example
 * ```ts
 * const scorer = await loadModel({ root: "data/models", name: "credit_default", alias: "champion" });
 * ```
 */
export async function loadModel(
  opts: { root: string; name?: string; alias?: string; version?: number; io?: IoOptions },
): Promise<ModelScorer> {
  const v = await getVersion({
    root: opts.root,
    name: opts.name ?? "credit_default",
    alias: opts.alias,
    version: opts.version,
    io: opts.io,
  });
  return await loadModelFrom(v.artifact_uri, { io: opts.io, version: v.version });
}

function labelsOf(rows: readonly RawRow[], label: string): Float32Array {
  return Float32Array.from(rows, (r, i) => {
    const v = r[label];
    const n = typeof v === "bigint" ? Number(v) : typeof v === "boolean" ? Number(v) : v;
    if (n !== 0 && n !== 1) throw new Error(`Row ${i} has label "${label}" = "${String(v)}"; expected 0 or 1`);
    return n;
  });
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

/**
 * Default hyperparameters per model type (tuned on the real loans' validation split).
 *
 * @example
 * ```ts
 * defaultHyperparameters("mlp").hidden; // [64, 32]
 * ```
 */
export function defaultHyperparameters(modelType: "logistic" | "mlp"): Hyperparameters {
  return modelType === "mlp"
    ? {
      hidden: [64, 32],
      members: 3,
      epochs: 60,
      batchSize: 256,
      learningRate: 5e-3,
      lrDecay: 0.9,
      patience: 8,
      dropout: 0.1,
      l2: 1e-4,
    }
    : {
      hidden: [],
      members: 1,
      epochs: 80,
      batchSize: 256,
      learningRate: 1e-2,
      lrDecay: 0.97,
      patience: 8,
      dropout: 0,
      l2: 1e-4,
    };
}

function definitionOf(source: TrainingSource | undefined, spec: FeatureSpec): Json {
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

/**
 * Trains, evaluates, records and registers a credit-default model (see the module doc).
 *
 * @example
 * ```ts
 * const r = await trainModel({ source: creditTrainingSource("real"), root: "data/models", seed: 42 });
 * console.log(r.test.rocAuc, r.threshold.threshold, r.version);
 * ```
 */
export async function trainModel(opts: TrainOptions): Promise<TrainResult> {
  const log = opts.log ?? (() => {});
  const modelType = opts.modelType ?? "mlp";
  const seed = opts.seed ?? 42;
  const spec = opts.featureSpec ?? opts.source?.spec;
  const dataKind = opts.dataKind ?? opts.source?.kind ?? "table";
  if (!spec) throw new Error("Give a featureSpec (or a source with a spec)");
  const hp: Hyperparameters = { ...defaultHyperparameters(modelType) };
  for (const key of Object.keys(hp) as (keyof Hyperparameters)[]) {
    if (opts[key] !== undefined) (hp as unknown as Record<string, unknown>)[key] = opts[key];
  }
  if (opts.positiveWeight !== undefined) hp.positiveWeight = opts.positiveWeight;
  const policy: ThresholdPolicy = opts.policy ?? { kind: "target_recall", targetRecall: 0.9 };
  const name = opts.name ?? "credit_default";

  // 1. the training table
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
  for (const column of [spec.label, spec.timestampColumn ?? "event_timestamp"]) {
    if (!table.getChild(column)) throw new Error(`Training table has no column "${column}"`);
  }
  const root = opts.root ?? (opts.store?.config.model_store ?? resolveConfig({}).model_store);
  const fingerprint = await tableFingerprint(table);
  const rows = tableToRows(table);
  const split = timeSplit(rows, {
    timestampColumn: spec.timestampColumn ?? "event_timestamp",
    test: opts.testFraction ?? 0.2,
    validation: opts.validationFraction ?? 0.1,
  });
  const rules = spec.rules ?? [];
  const trainIndex = split.train.filter((i) => validateRow(rows[i], rules).length === 0);
  const trainRows = trainIndex.map((i) => rows[i]);
  const flaggedTrainingRows = split.train.length - trainRows.length;
  const valRows = split.validation.map((i) => rows[i]);
  const testRows = split.test.map((i) => rows[i]);
  const t = (idx: number[], k: number) => split.times[idx[k]];
  const splitSummary: SplitSummary = {
    rows: rows.length,
    train: split.train.length,
    validation: split.validation.length,
    test: split.test.length,
    trainFrom: iso(t(split.train, 0)),
    validationFrom: iso(t(split.validation, 0)),
    testFrom: iso(t(split.test, 0)),
    testTo: iso(t(split.test, split.test.length - 1)),
    description: `time-based: oldest ${split.train.length} rows train, next ${split.validation.length} validate ` +
      `(early stopping, calibration, threshold), newest ${split.test.length} (${
        Math.round((opts.testFraction ?? 0.2) * 100)
      }%) test`,
  };
  log(`split: ${splitSummary.description}; ${flaggedTrainingRows} flagged training rows left out`);

  // 2. preprocessing and networks
  const backend = await initBackend({ log });
  const started = performance.now();
  const pre = fitPreprocessor(spec, trainRows);
  const baselineModes = pre.modes(trainRows);
  const encode = (rs: RawRow[]): Dataset => {
    const m = pre.transform(rs);
    return { x: m.data, y: labelsOf(rs, spec.label), rows: m.rows, cols: m.cols };
  };
  const train = encode(trainRows);
  const validation = encode(valRows);
  const test = encode(testRows);
  const networks: tf.LayersModel[] = [];
  const histories: EpochLog[][] = [];
  const bestEpochs: number[] = [];
  for (let k = 0; k < hp.members; k++) {
    const net = buildNetwork({ type: modelType, inputs: pre.width, hidden: hp.hidden, seed: seed + 1000 * k });
    const fit = await fitNetwork(net, {
      train,
      validation,
      seed: seed + 1000 * k,
      epochs: hp.epochs,
      batchSize: hp.batchSize,
      learningRate: hp.learningRate,
      lrDecay: hp.lrDecay,
      patience: hp.patience,
      dropout: modelType === "mlp" ? hp.dropout : 0,
      l2: hp.l2,
      positiveWeight: hp.positiveWeight,
      metric: (y, p) => rocAuc(p, y),
      onEpoch: opts.onEpoch && ((e) => opts.onEpoch!({ ...e, member: k + 1 })),
    });
    log(`network ${k + 1}/${hp.members}: best epoch ${fit.bestEpoch}, validation AUC ${fit.bestMetric.toFixed(4)}`);
    networks.push(net);
    histories.push(fit.history);
    bestEpochs.push(fit.bestEpoch);
  }
  const calibration = fitPlatt(meanLogits(networks, validation.x, validation.rows), validation.y);
  const trainSeconds = (performance.now() - started) / 1000;
  const meta: ModelMeta = {
    format: "credit-model/1",
    modelType,
    members: hp.members,
    calibration,
    baselineModes,
    label: spec.label,
    backend,
    seed,
    trainedAt: new Date().toISOString(),
  };
  const placeholder: ThresholdChoice = {
    threshold: 0.5,
    policy,
    achieved: { recall: 0, precision: 0, approvalRate: 0, n: 0 },
  };
  const scorer = new ModelScorer(meta, pre, networks, placeholder);
  const valP = scorer.predictEncoded(validation.x, validation.rows);
  const threshold = chooseThreshold(valP, validation.y, policy);
  const testP = scorer.predictEncoded(test.x, test.rows);
  const testEval = evaluate(testP, test.y, threshold.threshold);
  const valEval = evaluate(valP, validation.y, threshold.threshold);
  log(
    `test ROC AUC ${testEval.rocAuc.toFixed(4)}, PR AUC ${testEval.prAuc.toFixed(4)}, KS ${
      testEval.ks.statistic.toFixed(3)
    }, ` +
      `recall ${testEval.confusion.recall.toFixed(3)} at threshold ${threshold.threshold.toFixed(4)} (train ${
        trainSeconds.toFixed(1)
      } s, ${backend})`,
  );

  if (opts.track === false) {
    scorer.dispose();
    return {
      runId: "",
      version: null,
      champion: false,
      test: testEval,
      validation: valEval,
      threshold,
      trainSeconds,
      backend,
      history: histories[0],
      bestEpochs,
      split: splitSummary,
      fingerprint,
      flaggedTrainingRows,
      modelUri: "",
      referenceUri: "",
    };
  }

  // 3. the run
  const run = await startRun({
    root,
    experiment: name,
    io: opts.io,
    tags: { model_type: modelType, data: dataKind, backend, ...(opts.tags ?? {}) },
  });
  const modelPrefix = "model";
  const modelUri = joinUri(run.artifactUri, modelPrefix);
  try {
    await run.logParams({
      model_type: modelType,
      seed,
      ...hp,
      hidden: hp.hidden.join("x") || "none",
      positive_weight: hp.positiveWeight ?? "balanced",
      policy: policy as unknown as Json,
      features: spec.features.map((f) => f.name).join(","),
      input_columns: pre.width,
      split: splitSummary as unknown as Json,
      data_fingerprint: fingerprint,
    });
    for (const [k, history] of histories.entries()) {
      const suffix = k === 0 ? "" : `_m${k + 1}`;
      for (const e of history) {
        await run.logMetrics(
          { [`loss${suffix}`]: e.loss, [`val_loss${suffix}`]: e.valLoss, [`val_auc${suffix}`]: e.valMetric },
          e.epoch,
        );
      }
    }
    const metrics: Record<string, number> = {
      test_auc: testEval.rocAuc,
      test_pr_auc: testEval.prAuc,
      test_ks: testEval.ks.statistic,
      test_gini: testEval.gini,
      test_brier: testEval.brierScore,
      test_ece: testEval.expectedCalibrationError,
      test_recall: testEval.confusion.recall,
      test_precision: testEval.confusion.precision,
      test_approval_rate: testEval.confusion.approvalRate,
      val_auc_final: valEval.rocAuc,
      threshold: threshold.threshold,
      train_seconds: trainSeconds,
    };
    await run.logMetrics(metrics);
    for (const [k, net] of networks.entries()) {
      await saveNetwork(net, joinUri(modelUri, MODEL_FILES.network(k)), opts.io);
    }
    await run.logJson(`${modelPrefix}/${MODEL_FILES.preprocessing}`, pre.toJSON());
    await run.logJson(`${modelPrefix}/${MODEL_FILES.policy}`, threshold);
    await run.logJson(`${modelPrefix}/${MODEL_FILES.meta}`, meta);
    await run.logJson("training_set.json", {
      definition: definitionOf(opts.source, spec),
      fingerprint: {
        sha256_arrow_ipc: fingerprint,
        rows: table.numRows,
        columns: table.schema.fields.map((f) => `${f.name}:${f.type}`),
      },
      split: splitSummary,
      flagged_training_rows: flaggedTrainingRows,
    });
    await run.logJson("evaluation/test.json", testEval);
    await run.logJson("evaluation/validation.json", valEval);
    const referenceUri = opts.reference ?? true
      ? await writeTrainingReference(
        run.artifactUri,
        buildTrainingReference(table, {
          spec,
          rows: trainIndex,
          probability: scorer.predictEncoded(train.x, train.rows),
        }),
        { io: opts.io },
      )
      : "";
    if (opts.charts ?? true) {
      const c = testEval.confusion;
      const charts: [string, Promise<string>][] = [
        ["roc", rocChart({ fpr: testEval.curves.roc.fpr, tpr: testEval.curves.roc.tpr }, { auc: testEval.rocAuc })],
        ["pr", prChart(testEval.curves.pr, { averagePrecision: testEval.prAuc, prevalence: testEval.prevalence })],
        ["calibration", calibrationChart(testEval.calibration)],
        ["score_distribution", scoreDistributionChart(testP, test.y, { threshold: threshold.threshold })],
        [
          "training_curve",
          trainingCurveChart(
            histories[0].map((e) => ({ epoch: e.epoch, loss: e.loss, val_loss: e.valLoss, val_auc: e.valMetric })),
          ),
        ],
        ["confusion", confusionChart({ tp: c.tp, fp: c.fp, tn: c.tn, fn: c.fn, threshold: threshold.threshold })],
      ];
      for (const [chart, svg] of charts) await run.logArtifact(`charts/${chart}.svg`, await svg);
    }
    await run.end("FINISHED");
    let version: number | null = null;
    let champion = false;
    if (opts.register ?? true) {
      const v = await registerModel({
        root,
        name,
        runId: run.runId,
        artifactPrefix: modelPrefix,
        metrics,
        description: `${modelType} on ${opts.dataKind ?? opts.source?.kind ?? "a given table"}; test ROC AUC ${
          testEval.rocAuc.toFixed(4)
        }`,
        tags: { model_type: modelType, data: dataKind },
        io: opts.io,
      });
      version = v.version;
      const aliases = await getAliases({ root, name, io: opts.io });
      if ((opts.autoChampion ?? true) && !("champion" in aliases)) {
        await setAlias({ root, name, alias: "champion", version, io: opts.io });
        champion = true;
      }
    }
    return {
      runId: run.runId,
      version,
      champion,
      test: testEval,
      validation: valEval,
      threshold,
      trainSeconds,
      backend,
      history: histories[0],
      bestEpochs,
      split: splitSummary,
      fingerprint,
      flaggedTrainingRows,
      modelUri,
      referenceUri,
    };
  } catch (err) {
    if (run.status === "RUNNING") await run.end("FAILED", { error: (err as Error).message }).catch(() => {});
    throw err;
  } finally {
    scorer.dispose();
  }
}

export { formatReason };

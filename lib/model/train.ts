/**
 * Training of binary-outcome models (default, churn, fraud), as a pipeline of named steps (each in its own file):
 *
 * 1. {@link loadTrainingTable} (training_set.ts): the given table, or the point-in-time join of a source;
 * 2. {@link splitTrainingSet}: fingerprint, time split (train on the older rows, validate on newer ones, test on the
 *    newest), training rows with out-of-range inputs left out;
 * 3. {@link fitEnsemble} (fit_ensemble.ts): preprocessing fitted on the training rows only, the members of the model
 *    type (model_types.ts: logistic regression, an MLP ensemble, ...) trained with early stopping on validation AUC,
 *    Platt calibration on validation (calibration.ts), which keeps the ranking;
 * 4. {@link evaluateOnHoldout} (train_evaluation.ts): the threshold chosen on validation with the policy, evaluation
 *    on the held-out test rows;
 * 5. {@link recordTrainingRun} (training_run.ts): the run (params, per-epoch metrics, the model files, charts,
 *    training-set definition and data fingerprint, the training reference that drift is measured against: see
 *    reference.ts);
 * 6. {@link registerTrainedModel}: a model version (the first becomes `champion`).
 *
 * Loading and scoring live in scorer.ts ({@link loadModel}, {@link ModelScorer}); this module re-exports them, the
 * split and the calibration for the modules that import them from here.
 *
 * @example
 * ```ts
 * import { loadModel, trainModel } from "./train.ts";
 * import { openRepo, trainingSourceOf } from "../repo/load.ts";
 * const source = trainingSourceOf(await openRepo());
 * const result = await trainModel({ source, root: "data/models", modelType: "mlp", seed: 42 });
 * const scorer = await loadModel({ root: "data/models", name: "churn", alias: "champion" });
 * scorer.decide({ plan: "pro", tenure_months: 3, monthly_spend: 42, ... });
 * ```
 * @module
 */
import type * as arrow from "apache-arrow";
import type { IoOptions } from "../io/mod.ts";
import type { FeatureStore } from "../feature_store/feature_store.ts";
import { resolveConfig } from "../feature_store/config.ts";
import type { FeatureSpec } from "./preprocess.ts";
import type { EpochLog } from "./tfjs_model.ts";
import type { Evaluation } from "./metrics.ts";
import type { ThresholdChoice, ThresholdPolicy } from "./policy.ts";
import { startRun } from "./tracking.ts";
import { formatReason } from "./explain.ts";
import {
  type Hyperparameters,
  type ModelType,
  modelType as modelTypeNamed,
  resolveHyperparameters,
} from "./model_types.ts";
import { loadTrainingTable, splitTrainingSet, type TrainingSet, type TrainingSource } from "./training_set.ts";
import type { SplitSummary } from "./time_split.ts";
import { ensembleScorer, fitEnsemble, type FittedEnsemble } from "./fit_ensemble.ts";
import { evaluateOnHoldout, type HoldoutEvaluation } from "./train_evaluation.ts";
import { type RecordedRun, recordTrainingRun, registerTrainedModel } from "./training_run.ts";

export type { TrainingSource } from "./training_set.ts";
export { defaultHyperparameters, type Hyperparameters } from "./model_types.ts";
export { type SplitSummary, tableFingerprint, tableToRows, timeSplit } from "./time_split.ts";
export { fitPlatt } from "./calibration.ts";
export {
  type DecideOptions,
  type DecisionResult,
  InvalidApplicationError,
  loadModel,
  loadModelFrom,
  MODEL_FILES,
  type ModelMeta,
  ModelScorer,
} from "./scorer.ts";
export { formatReason };

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
  /** A registered model type (model_types.ts; default "mlp"); an unknown name is an error listing the known ones. */
  modelType?: string;
  /** Threshold policy chosen on validation (default: target recall 0.9). */
  policy?: ThresholdPolicy;
  seed?: number;
  /** Share of the newest rows held out for the test (default 0.2). */
  testFraction?: number;
  /** Share of the rows just before the test used for validation (default 0.1). */
  validationFraction?: number;
  /** Model store root (local or s3://); default the configured `model_store`. */
  root?: string;
  /** Registered model name and experiment (the repo's model spec names it). */
  name: string;
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

/** The settings of a training, defaults applied. */
interface TrainSettings {
  type: ModelType;
  hyperparameters: Hyperparameters;
  seed: number;
  spec: FeatureSpec;
  policy: ThresholdPolicy;
  name: string;
  dataKind: string;
}

function trainSettings(opts: TrainOptions): TrainSettings {
  const type = modelTypeNamed(opts.modelType ?? "mlp");
  const spec = opts.featureSpec ?? opts.source?.spec;
  if (!spec) throw new Error("Give a featureSpec (or a source with a spec)");
  return {
    type,
    hyperparameters: resolveHyperparameters(type, opts),
    seed: opts.seed ?? 42,
    spec,
    policy: opts.policy ?? { kind: "target_recall", targetRecall: 0.9 },
    name: opts.name,
    dataKind: opts.dataKind ?? opts.source?.kind ?? "table",
  };
}

function trainResult(
  parts: { set: TrainingSet; fitted: FittedEnsemble; evaluation: HoldoutEvaluation },
  recorded: Partial<RecordedRun> & { runId?: string; version?: number | null; champion?: boolean } = {},
): TrainResult {
  const { set, fitted, evaluation } = parts;
  return {
    runId: recorded.runId ?? "",
    version: recorded.version ?? null,
    champion: recorded.champion ?? false,
    test: evaluation.test,
    validation: evaluation.validation,
    threshold: evaluation.threshold,
    trainSeconds: fitted.trainSeconds,
    backend: fitted.backend,
    history: fitted.histories[0],
    bestEpochs: fitted.bestEpochs,
    split: set.summary,
    fingerprint: set.fingerprint,
    flaggedTrainingRows: set.flaggedTrainingRows,
    modelUri: recorded.modelUri ?? "",
    referenceUri: recorded.referenceUri ?? "",
  };
}

/**
 * Trains, evaluates, records and registers a binary-outcome model (see the module doc).
 *
 * @example
 * ```ts
 * const r = await trainModel({ source: trainingSourceOf(await openRepo({ dir: "/srv/churn" })), root: "data/models", seed: 42 });
 * console.log(r.test.rocAuc, r.threshold.threshold, r.version);
 * ```
 */
export async function trainModel(opts: TrainOptions): Promise<TrainResult> {
  const log = opts.log ?? (() => {});
  const settings = trainSettings(opts);
  const { type, spec, seed, policy, name } = settings;
  const table = await loadTrainingTable({ ...opts, spec, log });
  const set = await splitTrainingSet(table, {
    spec,
    test: opts.testFraction ?? 0.2,
    validation: opts.validationFraction ?? 0.1,
    log,
  });
  const fitted = await fitEnsemble({
    type,
    hyperparameters: settings.hyperparameters,
    seed,
    spec,
    rows: { train: set.train, validation: set.validation, test: set.test },
    log,
    onEpoch: opts.onEpoch,
  });
  const scorer = ensembleScorer(fitted, { type: type.name, seed, label: spec.label, policy });
  try {
    const evaluation = evaluateOnHoldout(scorer, fitted.data, {
      policy,
      log,
      trainSeconds: fitted.trainSeconds,
      backend: fitted.backend,
    });
    if (opts.track === false) return trainResult({ set, fitted, evaluation });

    const root = opts.root ?? (opts.store?.config.model_store ?? resolveConfig({}).model_store);
    const tags = { model_type: type.name, data: settings.dataKind };
    const run = await startRun({
      root,
      experiment: name,
      io: opts.io,
      tags: { ...tags, backend: fitted.backend, ...(opts.tags ?? {}) },
    });
    try {
      const outcome = { ...settings, source: opts.source, set, fitted, scorer, evaluation };
      const recorded = await recordTrainingRun(run, outcome, {
        charts: opts.charts,
        reference: opts.reference,
        io: opts.io,
      });
      const registered = opts.register ?? true
        ? await registerTrainedModel({
          root,
          name,
          run,
          metrics: recorded.metrics,
          description: `${type.name} on ${opts.dataKind ?? opts.source?.kind ?? "a given table"}; test ROC AUC ${
            evaluation.test.rocAuc.toFixed(4)
          }`,
          tags,
          autoChampion: opts.autoChampion,
          io: opts.io,
        })
        : { version: null, champion: false };
      return trainResult({ set, fitted, evaluation }, { runId: run.runId, ...recorded, ...registered });
    } catch (err) {
      if (run.status === "RUNNING") await run.end("FAILED", { error: (err as Error).message }).catch(() => {});
      throw err;
    }
  } finally {
    scorer.dispose();
  }
}

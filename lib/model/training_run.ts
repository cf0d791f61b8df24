/**
 * The recording steps of training: the run (params, per-epoch and final metrics, the model files, the training-set
 * definition and fingerprint, the evaluations, the test metrics by segment when the spec declares `segments`, the
 * training reference that drift is measured against, SVG charts) and the registered model version (the first one
 * becomes `champion`; its metrics include the flat segment figures).
 *
 * @example
 * ```ts
 * import { recordTrainingRun, registerTrainedModel } from "./training_run.ts";
 * const run = await startRun({ root, experiment: "churn" });
 * const recorded = await recordTrainingRun(run, training, { charts: true });
 * const { version, champion } = await registerTrainedModel({ root, name: "churn", run, ...recorded });
 * ```
 * @module
 */
import type { IoOptions } from "../io/mod.ts";
import type { FeatureSpec } from "./preprocess.ts";
import type { ThresholdPolicy } from "./policy.ts";
import type { Hyperparameters, ModelType } from "./model_types.ts";
import type { FittedEnsemble } from "./fit_ensemble.ts";
import type { HoldoutEvaluation } from "./train_evaluation.ts";
import { MODEL_ARTIFACT_PREFIX, type ModelScorer, saveModel } from "./scorer.ts";
import { type TrainingSet, trainingSetDefinition, type TrainingSource } from "./training_set.ts";
import type { Json, Run } from "./tracking.ts";
import { getAliases, registerModel, setAlias } from "./registry.ts";
import { buildTrainingReference, writeTrainingReference } from "./reference.ts";
import { segmentMetrics, segmentMetricsFlat, type SegmentReport, segmentsOf } from "./segments.ts";
import {
  calibrationChart,
  confusionChart,
  prChart,
  rocChart,
  scoreDistributionChart,
  trainingCurveChart,
} from "./charts.ts";

/** Everything a training produced, as {@link recordTrainingRun} records it. */
export interface TrainingOutcome {
  type: ModelType;
  seed: number;
  hyperparameters: Hyperparameters;
  policy: ThresholdPolicy;
  spec: FeatureSpec;
  /** Where the table came from (absent: an in-memory table). */
  source?: TrainingSource;
  set: TrainingSet;
  fitted: FittedEnsemble;
  /** The fitted model (its threshold is the placeholder; `evaluation.threshold` is saved). */
  scorer: ModelScorer;
  evaluation: HoldoutEvaluation;
}

/** What {@link recordTrainingRun} returns. */
export interface RecordedRun {
  /** The final metrics (also given to the registered version). */
  metrics: Record<string, number>;
  /** The model folder (`<run>/artifacts/model`). */
  modelUri: string;
  /** The training reference ("" when not saved). */
  referenceUri: string;
  /** The test metrics by segment (null when the spec has no `segments`); also `evaluation/segments.json`. */
  segments: SegmentReport | null;
}

/** Where the test metrics by segment are in a run's artifacts. */
export const SEGMENTS_ARTIFACT = "evaluation/segments.json";

/**
 * The test metrics by the spec's `segments` (lib/model/segments.ts: recall, precision, approval rate, ROC AUC with 95%
 * bootstrap intervals, approval-rate ratios flagged under 0.8), or null when the spec declares none.
 *
 * @example
 * ```ts
 * testSegments(outcome)?.flagged; // [{ segment: "age_band", value: "under 25", approval_ratio: 0.74 }]
 * ```
 */
export function testSegments(
  outcome: Pick<TrainingOutcome, "spec" | "set" | "evaluation" | "fitted" | "seed">,
): SegmentReport | null {
  const segments = segmentsOf(outcome.spec);
  if (!segments.length) return null;
  const { testProbability, threshold } = outcome.evaluation;
  return segmentMetrics({
    rows: outcome.set.test,
    scores: testProbability,
    labels: outcome.fitted.data.test.y,
    threshold: threshold.threshold,
    segments,
    seed: outcome.seed,
  });
}

/** The final metrics of a training, as logged with the run and its registered version. */
export function trainingMetrics(outcome: TrainingOutcome): Record<string, number> {
  const { test, validation, threshold } = outcome.evaluation;
  return {
    test_auc: test.rocAuc,
    test_pr_auc: test.prAuc,
    test_ks: test.ks.statistic,
    test_gini: test.gini,
    test_brier: test.brierScore,
    test_ece: test.expectedCalibrationError,
    test_recall: test.confusion.recall,
    test_precision: test.confusion.precision,
    test_approval_rate: test.confusion.approvalRate,
    val_auc_final: validation.rocAuc,
    threshold: threshold.threshold,
    train_seconds: outcome.fitted.trainSeconds,
  };
}

async function logParamsAndCurves(run: Run, outcome: TrainingOutcome): Promise<void> {
  const { hyperparameters: hp, set, fitted } = outcome;
  await run.logParams({
    model_type: outcome.type.name,
    seed: outcome.seed,
    ...hp,
    hidden: hp.hidden.join("x") || "none",
    positive_weight: hp.positiveWeight ?? "balanced",
    policy: outcome.policy as unknown as Json,
    features: outcome.spec.features.map((f) => f.name).join(","),
    input_columns: fitted.preprocessor.width,
    split: set.summary as unknown as Json,
    data_fingerprint: set.fingerprint,
  });
  for (const [k, history] of fitted.histories.entries()) {
    const suffix = k === 0 ? "" : `_m${k + 1}`;
    for (const e of history) {
      await run.logMetrics(
        { [`loss${suffix}`]: e.loss, [`val_loss${suffix}`]: e.valLoss, [`val_auc${suffix}`]: e.valMetric },
        e.epoch,
      );
    }
  }
}

async function logTrainingSet(run: Run, outcome: TrainingOutcome): Promise<void> {
  const { set } = outcome;
  await run.logJson("training_set.json", {
    definition: trainingSetDefinition(outcome.source, outcome.spec),
    fingerprint: {
      sha256_arrow_ipc: set.fingerprint,
      rows: set.table.numRows,
      columns: set.table.schema.fields.map((f) => `${f.name}:${f.type}`),
    },
    split: set.summary,
    flagged_training_rows: set.flaggedTrainingRows,
  });
}

async function logCharts(run: Run, outcome: TrainingOutcome): Promise<void> {
  const { test: testEval, threshold, testProbability } = outcome.evaluation;
  const c = testEval.confusion;
  const charts: [string, Promise<string>][] = [
    ["roc", rocChart({ fpr: testEval.curves.roc.fpr, tpr: testEval.curves.roc.tpr }, { auc: testEval.rocAuc })],
    ["pr", prChart(testEval.curves.pr, { averagePrecision: testEval.prAuc, prevalence: testEval.prevalence })],
    ["calibration", calibrationChart(testEval.calibration)],
    [
      "score_distribution",
      scoreDistributionChart(testProbability, outcome.fitted.data.test.y, { threshold: threshold.threshold }),
    ],
    [
      "training_curve",
      trainingCurveChart(
        outcome.fitted.histories[0].map((e) => ({
          epoch: e.epoch,
          loss: e.loss,
          val_loss: e.valLoss,
          val_auc: e.valMetric,
        })),
      ),
    ],
    ["confusion", confusionChart({ tp: c.tp, fp: c.fp, tn: c.tn, fn: c.fn, threshold: threshold.threshold })],
  ];
  for (const [chart, svg] of charts) await run.logArtifact(`charts/${chart}.svg`, await svg);
}

/**
 * Records a training in its run and ends the run as FINISHED (see the module doc); the caller marks it FAILED on
 * an error.
 */
export async function recordTrainingRun(
  run: Run,
  outcome: TrainingOutcome,
  opts: { charts?: boolean; reference?: boolean; io?: IoOptions } = {},
): Promise<RecordedRun> {
  const { scorer, evaluation, set, fitted } = outcome;
  await logParamsAndCurves(run, outcome);
  const segments = testSegments(outcome);
  const metrics = { ...trainingMetrics(outcome), ...(segments ? segmentMetricsFlat(segments) : {}) };
  await run.logMetrics(metrics);
  const modelUri = await saveModel(run, {
    meta: scorer.meta,
    preprocessor: scorer.preprocessor,
    networks: scorer.networks,
    threshold: evaluation.threshold,
  }, { io: opts.io });
  await logTrainingSet(run, outcome);
  await run.logJson("evaluation/test.json", evaluation.test);
  await run.logJson("evaluation/validation.json", evaluation.validation);
  if (segments) await run.logJson(SEGMENTS_ARTIFACT, segments as unknown as Json);
  const referenceUri = opts.reference ?? true
    ? await writeTrainingReference(
      run.artifactUri,
      buildTrainingReference(set.table, {
        spec: outcome.spec,
        rows: set.trainIndex,
        probability: scorer.predictEncoded(fitted.data.train.x, fitted.data.train.rows),
      }),
      { io: opts.io },
    )
    : "";
  if (opts.charts ?? true) await logCharts(run, outcome);
  await run.end("FINISHED");
  return { metrics, modelUri, referenceUri, segments };
}

/**
 * Registers the run's model as a new version of `name`, and makes it `champion` when the model has none and
 * `autoChampion` is not false.
 *
 * @example
 * ```ts
 * const { version, champion } = await registerTrainedModel({ root, name, run, metrics, description, tags });
 * ```
 */
export async function registerTrainedModel(opts: {
  root: string;
  name: string;
  run: Run;
  metrics: Record<string, number>;
  description: string;
  tags: Record<string, string>;
  autoChampion?: boolean;
  io?: IoOptions;
}): Promise<{ version: number; champion: boolean }> {
  const { root, name, io } = opts;
  const v = await registerModel({
    root,
    name,
    runId: opts.run.runId,
    artifactPrefix: MODEL_ARTIFACT_PREFIX,
    metrics: opts.metrics,
    description: opts.description,
    tags: opts.tags,
    io,
  });
  const aliases = await getAliases({ root, name, io });
  if ((opts.autoChampion ?? true) && !("champion" in aliases)) {
    await setAlias({ root, name, alias: "champion", version: v.version, io });
    return { version: v.version, champion: true };
  }
  return { version: v.version, champion: false };
}

/**
 * The fitting step of training: the preprocessing fitted on the training rows only, the rows encoded, the ensemble's
 * members built and trained by their model type (member k seeded `seed + 1000 k`, early stopping on validation AUC)
 * and the mean logit calibrated on validation (Platt scaling).
 *
 * @example
 * ```ts
 * import { fitEnsemble } from "./fit_ensemble.ts";
 * const type = modelType("logistic");
 * const fitted = await fitEnsemble({
 *   type, hyperparameters: type.defaultHyperparameters(), seed: 42, spec,
 *   rows: { train: set.train, validation: set.validation, test: set.test },
 * });
 * fitted.networks.length; // 1
 * ```
 * @module
 */
import { type FeatureSpec, fitPreprocessor, type Preprocessor, type RawRow } from "./preprocess.ts";
import { initBackend } from "./tfjs_backend.ts";
import type { Dataset, EpochLog } from "./tfjs_model.ts";
import { rocAuc } from "./metrics.ts";
import type { Hyperparameters, ModelMember, ModelType } from "./model_types.ts";
import { fitPlatt } from "./calibration.ts";
import { meanLogits, type ModelMeta, ModelScorer } from "./scorer.ts";
import type { ThresholdChoice, ThresholdPolicy } from "./policy.ts";

/** Options of {@link fitEnsemble}. */
export interface FitEnsembleOptions {
  type: ModelType;
  hyperparameters: Hyperparameters;
  seed: number;
  spec: FeatureSpec;
  /** Raw rows of the three parts (validation for early stopping and calibration; test is only encoded). */
  rows: { train: RawRow[]; validation: RawRow[]; test: RawRow[] };
  log?: (line: string) => void;
  /** Called after each epoch of each member (`member` counts from 1). */
  onEpoch?: (epoch: EpochLog & { member: number }) => void;
}

/** What {@link fitEnsemble} returns. */
export interface FittedEnsemble {
  /** Backend tfjs ran on. */
  backend: string;
  preprocessor: Preprocessor;
  /** Most frequent level per one-hot feature in the training rows. */
  baselineModes: Record<string, string>;
  /** The encoded parts. */
  data: { train: Dataset; validation: Dataset; test: Dataset };
  /** The members (tfjs networks or generic members, as the type builds them). */
  networks: ModelMember[];
  /** Training curve of each member. */
  histories: EpochLog[][];
  /** Best epoch of each member. */
  bestEpochs: number[];
  /** Platt scaling of the members' mean logit on validation. */
  calibration: { a: number; b: number };
  /** Seconds spent fitting the preprocessing, the networks and the calibration. */
  trainSeconds: number;
}

/**
 * 0/1 labels of rows as float32; anything else is an error naming the row.
 *
 * @example
 * ```ts
 * labelsOf([{ y: 1 }, { y: false }], "y"); // Float32Array [1, 0]
 * ```
 */
export function labelsOf(rows: readonly RawRow[], label: string): Float32Array {
  return Float32Array.from(rows, (r, i) => {
    const v = r[label];
    const n = typeof v === "bigint" ? Number(v) : typeof v === "boolean" ? Number(v) : v;
    if (n !== 0 && n !== 1) throw new Error(`Row ${i} has label "${label}" = "${String(v)}"; expected 0 or 1`);
    return n;
  });
}

/** See the module doc. */
export async function fitEnsemble(opts: FitEnsembleOptions): Promise<FittedEnsemble> {
  const { type, hyperparameters: hp, seed, spec } = opts;
  const log = opts.log ?? (() => {});
  const backend = await initBackend({ log });
  const started = performance.now();
  const pre = fitPreprocessor(spec, opts.rows.train);
  const baselineModes = pre.modes(opts.rows.train);
  const encode = (rs: RawRow[]): Dataset => {
    const m = pre.transform(rs);
    return { x: m.data, y: labelsOf(rs, spec.label), rows: m.rows, cols: m.cols };
  };
  const train = encode(opts.rows.train);
  const validation = encode(opts.rows.validation);
  const test = encode(opts.rows.test);
  const networks: ModelMember[] = [];
  const histories: EpochLog[][] = [];
  const bestEpochs: number[] = [];
  for (let k = 0; k < hp.members; k++) {
    const memberSeed = seed + 1000 * k;
    const net = type.buildMember({ inputs: pre.width, hyperparameters: hp, seed: memberSeed });
    const fit = await type.fitMember(net, {
      train,
      validation,
      hyperparameters: hp,
      seed: memberSeed,
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
  return {
    backend,
    preprocessor: pre,
    baselineModes,
    data: { train, validation, test },
    networks,
    histories,
    bestEpochs,
    calibration,
    trainSeconds,
  };
}

/**
 * The fitted ensemble as a {@link ModelScorer} (its description `meta` as saved in `model.json`), scoring with a
 * placeholder threshold of 0.5 until the policy chooses one on validation.
 *
 * @example
 * ```ts
 * const scorer = ensembleScorer(fitted, { type: "mlp", seed: 42, label: "churned", policy });
 * scorer.predictEncoded(fitted.data.validation.x, fitted.data.validation.rows);
 * ```
 */
export function ensembleScorer(
  fitted: FittedEnsemble,
  opts: { type: string; seed: number; label: string; policy: ThresholdPolicy },
): ModelScorer {
  const meta: ModelMeta = {
    format: "credit-model/1",
    modelType: opts.type,
    members: fitted.networks.length,
    calibration: fitted.calibration,
    baselineModes: fitted.baselineModes,
    label: opts.label,
    backend: fitted.backend,
    seed: opts.seed,
    trainedAt: new Date().toISOString(),
  };
  const placeholder: ThresholdChoice = {
    threshold: 0.5,
    policy: opts.policy,
    achieved: { recall: 0, precision: 0, approvalRate: 0, n: 0 },
  };
  return new ModelScorer(meta, fitted.preprocessor, fitted.networks, placeholder);
}

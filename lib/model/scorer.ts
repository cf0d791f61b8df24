/**
 * A trained model ready to score ({@link ModelScorer}: `predict(rows)`, `decide(row)` with the probability,
 * decision, threshold, reasons and input flags), and its files: {@link saveModel} writes them with a run,
 * {@link loadModelFrom} reads them from a folder, {@link loadModel} from the registry (by alias or version).
 *
 * A model is an ensemble of networks of one model type (model_types.ts) whose logits are averaged, then calibrated
 * (Platt scaling), with the preprocessing fitted on its training rows and the decision threshold chosen on validation.
 *
 * @example
 * ```ts
 * import { loadModel } from "./scorer.ts";
 * const scorer = await loadModel({ root: "data/models", name: "churn", alias: "champion" });
 * const d = scorer.decide({ plan: "pro", tenure_months: 3, monthly_spend: 42 });
 * d.decision; d.probability; d.reasons;
 * scorer.dispose();
 * ```
 * @module
 */
import * as tfjs from "@tensorflow/tfjs";
import type * as tf from "@tensorflow/tfjs";
import { type IoOptions, joinUri, readBytes } from "../io/mod.ts";
import { Preprocessor, type PreprocessorJson, type Problem, type RawRow, validateRow } from "./preprocess.ts";
import { initBackend } from "./tfjs_backend.ts";
import { decide as decideAt, type Decision, parseThresholdChoice, type ThresholdChoice } from "./policy.ts";
import { type Reason, reasonCodes } from "./explain.ts";
import { sigmoid } from "../numeric/special.ts";
import { type FusedEnsemble, fuseEnsemble } from "./fused_ensemble.ts";
import { getVersion } from "./registry.ts";
import type { Run } from "./tracking.ts";
import { isLogitMember, type ModelMember, type ModelType, modelType } from "./model_types.ts";

/** The model's own description file (`model/model.json` in the run's artifacts). */
export interface ModelMeta {
  /** The saved model format (named so since the first version; kept for the models already saved). */
  format: "credit-model/1";
  /** The registered model type (model_types.ts), e.g. "mlp" or "logistic". */
  modelType: string;
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
 * Mean logit of the members for encoded rows: tfjs networks by forward passes in chunks of 8192 rows; when any member
 * is a generic {@link LogitMember}, every member's float32 logits are averaged in float64.
 *
 * @example
 * ```ts
 * const z = meanLogits(scorer.networks, x, rows); // uncalibrated
 * ```
 */
export function meanLogits(members: readonly ModelMember[], x: Float32Array, rows: number): Float32Array {
  const out = new Float32Array(rows);
  if (rows === 0) return out;
  if (members.some(isLogitMember)) {
    const sum = new Float64Array(rows);
    for (const m of members) {
      const z = isLogitMember(m) ? m.logits(x, rows) : meanLogits([m], x, rows);
      for (let i = 0; i < rows; i++) sum[i] += z[i];
    }
    for (let i = 0; i < rows; i++) out[i] = sum[i] / members.length;
    return out;
  }
  const networks = members as tf.LayersModel[];
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

/**
 * A trained model ready to score: preprocessing, members (tfjs networks or generic {@link LogitMember}s, see
 * model_types.ts), calibration and the stored threshold.
 */
export class ModelScorer {
  readonly baseline: Float32Array;

  /** Prefer {@link loadModel}. */
  constructor(
    readonly meta: ModelMeta,
    readonly preprocessor: Preprocessor,
    readonly networks: ModelMember[],
    readonly threshold: ThresholdChoice,
    readonly version: number | null = null,
  ) {
    this.baseline = preprocessor.baseline(meta.baselineModes);
  }

  #fused: FusedEnsemble | null | undefined;

  /** Calibrated log-odds of default for encoded rows. */
  logOddsEncoded(x: Float32Array, rows: number): Float32Array {
    // small batches (one decision with its reason codes) go through the merged ensemble: 3 matMuls, not 3 predicts
    if (this.#fused === undefined) {
      this.#fused = this.networks.some(isLogitMember) ? null : fuseEnsemble(this.networks as tf.LayersModel[]);
    }
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
   * scorer.predict([{ plan: "pro", tenure_months: 30, monthly_spend: 50 }]); // Float32Array [0.08]
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
   * console.log(d.decision, d.probability, d.reasons);
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

  /** Frees the members (the networks' tensors). */
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

/** The folder of the model files in a run's artifacts. */
export const MODEL_ARTIFACT_PREFIX = "model";

/** The parts of a model its files hold (a {@link ModelScorer} has them). */
export type ModelParts = Pick<ModelScorer, "meta" | "preprocessor" | "networks" | "threshold">;

/**
 * Saves a model's files under `prefix` (default {@link MODEL_ARTIFACT_PREFIX}) in a run's artifacts: each network through its model type,
 * then the preprocessing, the threshold policy and the model description. Returns the model folder's URI.
 *
 * @example
 * ```ts
 * const uri = await saveModel(run, scorer); // <run>/artifacts/model, what loadModelFrom reads
 * ```
 */
export async function saveModel(
  run: Run,
  model: ModelParts,
  opts: { prefix?: string; io?: IoOptions } = {},
): Promise<string> {
  const prefix = opts.prefix ?? MODEL_ARTIFACT_PREFIX;
  const uri = joinUri(run.artifactUri, prefix);
  const type = modelType(model.meta.modelType);
  for (const [k, net] of model.networks.entries()) {
    await type.saveMember(net, joinUri(uri, MODEL_FILES.network(k)), opts.io);
  }
  await run.logJson(`${prefix}/${MODEL_FILES.preprocessing}`, model.preprocessor.toJSON());
  await run.logJson(`${prefix}/${MODEL_FILES.policy}`, model.threshold);
  await run.logJson(`${prefix}/${MODEL_FILES.meta}`, model.meta);
  return uri;
}

/**
 * Loads a model from its folder (the `model/` artifacts of a run, local or s3://). Its networks are read by its
 * model type; a type that is not registered is an error naming the known ones.
 *
 * @example
 * ```ts
 * const scorer = await loadModelFrom("data/models/runs/churn/<run>/artifacts/model");
 * ```
 */
export async function loadModelFrom(
  uri: string,
  opts: { io?: IoOptions; version?: number } = {},
): Promise<ModelScorer> {
  await initBackend();
  const metaUri = joinUri(uri, MODEL_FILES.meta);
  const meta = json(await readBytes(metaUri, opts.io)) as ModelMeta;
  if (meta?.format !== "credit-model/1") {
    throw new Error(
      `"${metaUri}" is not a model of this toolkit (format "${meta?.format}", expected "credit-model/1")`,
    );
  }
  let type: ModelType;
  try {
    type = modelType(meta.modelType);
  } catch (err) {
    throw new Error(`"${metaUri}": ${(err as Error).message}`);
  }
  const pre = Preprocessor.fromJSON(
    json(await readBytes(joinUri(uri, MODEL_FILES.preprocessing), opts.io)) as PreprocessorJson,
  );
  const threshold = parseThresholdChoice(json(await readBytes(joinUri(uri, MODEL_FILES.policy), opts.io)));
  const networks: ModelMember[] = [];
  for (let k = 0; k < meta.members; k++) {
    networks.push(await type.loadMember(joinUri(uri, MODEL_FILES.network(k)), opts.io));
  }
  return new ModelScorer(meta, pre, networks, threshold, opts.version ?? null);
}

/**
 * Loads a registered model version by alias (e.g. "champion") or number (default: the latest version).
 *
 * @example
 * ```ts
 * const scorer = await loadModel({ root: "data/models", name: "churn", alias: "champion" });
 * ```
 */
export async function loadModel(
  opts: { root: string; name: string; alias?: string; version?: number; io?: IoOptions },
): Promise<ModelScorer> {
  const v = await getVersion({
    root: opts.root,
    name: opts.name,
    alias: opts.alias,
    version: opts.version,
    io: opts.io,
  });
  return await loadModelFrom(v.artifact_uri, { io: opts.io, version: v.version });
}

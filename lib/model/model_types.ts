/**
 * The model types {@link trainModel} can train, behind one interface and chosen by name from a registry (as Feast
 * picks a store class from a config string): an MLP ensemble (the default), logistic regression and gradient-boosted trees (gbdt.ts) are registered here; a new type
 * is one {@link ModelType} passed to {@link registerModelType}, and `--model`, the repo's model spec, training,
 * loading and the fast scorers pick it up by its name.
 *
 * A type says what it trains (default hyperparameters; how one ensemble member is built, fitted, saved and loaded)
 * and which fast paths it offers: with `denseLayers` its members are read as plain dense stacks, which gives it the
 * batch kernel (batch_scorer.ts) and the online decider (online_decider.ts); without it scoring runs through the
 * members' own forward passes (`ModelScorer.logOddsEncoded`). Members are tfjs networks or any {@link LogitMember}
 * (encoded rows to logits), which the scorer, reasons, batch scoring and `/score` all accept.
 *
 * The name is what model files store (`model.json`'s `modelType`), so the registered names of existing types never
 * change.
 *
 * @example
 * ```ts
 * import { MODEL_TYPE_NAMES, modelType } from "./model_types.ts";
 * MODEL_TYPE_NAMES; // ["mlp", "logistic", "gbdt"]
 * modelType("mlp").defaultHyperparameters().hidden; // [64, 32]
 * modelType("forest"); // throws: Unknown model type "forest"; known types: "mlp", "logistic" and "gbdt"
 * ```
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { IoOptions } from "../io/mod.ts";
import {
  buildNetwork,
  type Dataset,
  type EpochLog,
  fitNetwork,
  type FitResult,
  loadNetwork,
  saveNetwork,
} from "./tfjs_model.ts";
import { type DenseLayer, denseLayers } from "./dense_layers.ts";
import { GbdtMember, loadGbdtMember, saveGbdtMember } from "./gbdt_member.ts";
import { gbdtParams } from "./gbdt.ts";

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
  /**
   * Settings of one type only (e.g. the gbdt type's `maxLeaves`); the type checks them and an unknown name is an
   * error.
   */
  params?: Record<string, number>;
}

/**
 * An ensemble member that is not a tfjs network (e.g. gradient-boosted trees): it maps encoded rows (row-major,
 * `rows x cols`) to logits and frees what it holds. Saved and loaded through its {@link ModelType}.
 *
 * @example
 * ```ts
 * const member: LogitMember = { logits: (x, rows) => new Float32Array(rows), dispose: () => {} };
 * ```
 */
export interface LogitMember {
  /** Uncalibrated logits of `rows` encoded rows in `x` (row-major). */
  logits(x: Float32Array, rows: number): Float32Array;
  /** Frees the member's resources. */
  dispose(): void;
}

/** One member of a model: a tfjs network (the dense types) or any {@link LogitMember}. */
export type ModelMember = tf.LayersModel | LogitMember;

/**
 * Whether a member is a generic {@link LogitMember} (not a tfjs network).
 *
 * @example
 * ```ts
 * isLogitMember(network); // false
 * ```
 */
export function isLogitMember(member: ModelMember): member is LogitMember {
  return typeof (member as Partial<LogitMember>).logits === "function";
}

/** What {@link ModelType.fitMember} gets: encoded rows, the settings and the member's own seed. */
export interface MemberFitOptions {
  train: Dataset;
  validation: Dataset;
  hyperparameters: Hyperparameters;
  /** The member's seed (the run's seed + 1000 x its index). */
  seed: number;
  /** Early-stopping metric on validation, larger is better (default ROC AUC). */
  metric?: (y: Float32Array, p: Float32Array) => number;
  /** Called after each epoch. */
  onEpoch?: (log: EpochLog) => void;
}

/**
 * A kind of model {@link trainModel} can train. Models are ensembles of `members` members of the same type (tfjs
 * networks or {@link LogitMember}s) whose logits are averaged, then calibrated (see train.ts).
 *
 * @example
 * ```ts
 * const type = modelType("logistic");
 * const member = type.buildMember({ inputs: 20, hyperparameters: type.defaultHyperparameters(), seed: 42 });
 * const fit = await type.fitMember(member, { train, validation, hyperparameters: type.defaultHyperparameters(), seed: 42 });
 * ```
 */
export interface ModelType {
  /** The name given as `--model` and stored in model files, run params and tags. */
  readonly name: string;
  /** One line for usage texts and docs. */
  readonly description: string;
  /** Default hyperparameters (a fresh object each call). */
  defaultHyperparameters(): Hyperparameters;
  /** One untrained ensemble member taking `inputs` encoded columns. */
  buildMember(opts: { inputs: number; hyperparameters: Hyperparameters; seed: number }): ModelMember;
  /** Trains a member in place (seeded, early stopping on validation, best weights restored). */
  fitMember(member: ModelMember, opts: MemberFitOptions): Promise<FitResult>;
  /** Saves a trained member under `dir` (local or s3://). */
  saveMember(member: ModelMember, dir: string, io?: IoOptions): Promise<void>;
  /** Loads a member saved by {@link ModelType.saveMember}. */
  loadMember(dir: string, io?: IoOptions): Promise<ModelMember>;
  /**
   * Optional capability, the dense fast paths: a trained member as a plain stack of dense layers (null when this
   * member is not one). Types that have it are scored by the batch kernel (batch_scorer.ts) and decided by the online
   * decider (online_decider.ts); others through tfjs forward passes (`ModelScorer`).
   */
  denseLayers?(member: ModelMember): DenseLayer[] | null;
}

const registered = new Map<string, ModelType>();
const names: string[] = [];

/**
 * Names of the registered model types, in registration order (for flags such as `--model`); types registered later
 * appear here too.
 *
 * @example
 * ```ts
 * choiceFlag(values, "model", MODEL_TYPE_NAMES); // "mlp"
 * ```
 */
export const MODEL_TYPE_NAMES: readonly string[] = names;

/**
 * Adds a model type to the registry; a second type of the same name is an error.
 *
 * @example
 * ```ts
 * registerModelType({ ...modelType("mlp"), name: "wide_mlp", description: "MLP 256x128",
 *   defaultHyperparameters: () => ({ ...modelType("mlp").defaultHyperparameters(), hidden: [256, 128] }) });
 * ```
 */
export function registerModelType(type: ModelType): ModelType {
  if (!/^[a-z][a-z0-9_]*$/.test(type.name)) {
    throw new Error(`Model type name "${type.name}" must be lowercase letters, digits and underscores`);
  }
  if (registered.has(type.name)) throw new Error(`Model type "${type.name}" is already registered`);
  registered.set(type.name, type);
  names.push(type.name);
  return type;
}

/** The registered names quoted, as an error message lists them: `"mlp" and "logistic"`. */
function knownTypes(): string {
  const quoted = names.map((n) => `"${n}"`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}` : quoted[0] ?? "none";
}

/**
 * The registered model type of that name; an unknown name is an error listing the known ones.
 *
 * @example
 * ```ts
 * modelType("logistic").defaultHyperparameters().members; // 1
 * ```
 */
export function modelType(name: string): ModelType {
  const type = registered.get(name);
  if (!type) throw new Error(`Unknown model type "${name}"; known types: ${knownTypes()}`);
  return type;
}

/**
 * The registered model type of that name, or undefined.
 *
 * @example
 * ```ts
 * findModelType("forest"); // undefined
 * ```
 */
export function findModelType(name: string): ModelType | undefined {
  return registered.get(name);
}

/**
 * Default hyperparameters of a model type (tuned on the real loans' validation split).
 *
 * @example
 * ```ts
 * defaultHyperparameters("mlp").hidden; // [64, 32]
 * ```
 */
export function defaultHyperparameters(name: string): Hyperparameters {
  return modelType(name).defaultHyperparameters();
}

/**
 * A type's defaults with the given settings on top (undefined settings keep the default).
 *
 * @example
 * ```ts
 * resolveHyperparameters(modelType("mlp"), { epochs: 5 }).epochs; // 5
 * ```
 */
export function resolveHyperparameters(type: ModelType, overrides: Partial<Hyperparameters>): Hyperparameters {
  const hp: Hyperparameters = { ...type.defaultHyperparameters() };
  for (const key of Object.keys(hp) as (keyof Hyperparameters)[]) {
    if (overrides[key] !== undefined) (hp as unknown as Record<string, unknown>)[key] = overrides[key];
  }
  if (overrides.positiveWeight !== undefined) hp.positiveWeight = overrides.positiveWeight;
  if (overrides.params !== undefined) hp.params = { ...(hp.params ?? {}), ...overrides.params };
  return hp;
}

/** The member as a tfjs network; a generic member is an error naming the type. */
function network(member: ModelMember, type: string): tf.LayersModel {
  if (isLogitMember(member)) throw new Error(`Model type "${type}" takes tfjs networks; got another kind of member`);
  return member;
}

/** Members of the dense types: tfjs networks trained by `fitNetwork`, saved as layers models. */
function denseMember(opts: { dropout: boolean; type: string }) {
  return {
    async fitMember(member: ModelMember, fit: MemberFitOptions): Promise<FitResult> {
      const hp = fit.hyperparameters;
      if (hp.params && Object.keys(hp.params).length) {
        throw new Error(
          `Model type "${opts.type}" has no parameter "${
            Object.keys(hp.params)[0]
          }"; give its settings as hyperparameters`,
        );
      }
      return await fitNetwork(network(member, opts.type), {
        train: fit.train,
        validation: fit.validation,
        seed: fit.seed,
        epochs: hp.epochs,
        batchSize: hp.batchSize,
        learningRate: hp.learningRate,
        lrDecay: hp.lrDecay,
        patience: hp.patience,
        dropout: opts.dropout ? hp.dropout : 0,
        l2: hp.l2,
        positiveWeight: hp.positiveWeight,
        metric: fit.metric,
        onEpoch: fit.onEpoch,
      });
    },
    async saveMember(member: ModelMember, dir: string, io?: IoOptions): Promise<void> {
      await saveNetwork(network(member, opts.type), dir, io);
    },
    loadMember: (dir: string, io?: IoOptions): Promise<ModelMember> => loadNetwork(dir, io),
    denseLayers: (member: ModelMember): DenseLayer[] | null => isLogitMember(member) ? null : denseLayers(member),
  };
}

/** An MLP ensemble: dense relu layers (`hidden`, default 64 x 32) with dropout, 3 members of different seeds. */
export const MLP: ModelType = registerModelType({
  name: "mlp",
  description: "MLP ensemble (dense relu layers, averaged members)",
  defaultHyperparameters: () => ({
    hidden: [64, 32],
    members: 3,
    epochs: 60,
    batchSize: 256,
    learningRate: 5e-3,
    lrDecay: 0.9,
    patience: 8,
    dropout: 0.1,
    l2: 1e-4,
  }),
  buildMember: ({ inputs, hyperparameters, seed }) => buildNetwork({ inputs, hidden: hyperparameters.hidden, seed }),
  ...denseMember({ dropout: true, type: "mlp" }),
});

/** Logistic regression: one dense logit, one member, no dropout. */
export const LOGISTIC: ModelType = registerModelType({
  name: "logistic",
  description: "logistic regression (one dense logit)",
  defaultHyperparameters: () => ({
    hidden: [],
    members: 1,
    epochs: 80,
    batchSize: 256,
    learningRate: 1e-2,
    lrDecay: 0.97,
    patience: 8,
    dropout: 0,
    l2: 1e-4,
  }),
  buildMember: ({ inputs, seed }) => buildNetwork({ inputs, hidden: [], seed }),
  ...denseMember({ dropout: false, type: "logistic" }),
});

/** The member as a gbdt member; another kind is an error. */
function gbdtMember(member: ModelMember): GbdtMember {
  if (!(member instanceof GbdtMember)) throw new Error(`Model type "gbdt" takes gbdt members; got another kind`);
  return member;
}

/**
 * Gradient-boosted trees (gbdt.ts) on the encoded rows: `epochs` is the most trees, `learningRate` the shrinkage,
 * `patience` the trees without a better validation AUC before stopping, `l2` the penalty on leaf values, `members`
 * the seeds averaged; tree settings (`maxLeaves`, `minLeaf`, `maxBins`, `rowSample`, `colSample`, ...) go in `params`.
 * Scored without tfjs (no dense fast paths: batch scoring and `/score` use `ModelScorer.logOddsEncoded`).
 */
export const GBDT: ModelType = registerModelType({
  name: "gbdt",
  description: "gradient-boosted trees (histogram-based, leaf-wise, early stopping)",
  defaultHyperparameters: () => ({
    hidden: [],
    members: 1,
    epochs: 1000,
    batchSize: 0,
    learningRate: 0.05,
    lrDecay: 1,
    patience: 100,
    dropout: 0,
    l2: 1,
    params: {},
  }),
  buildMember: ({ inputs, hyperparameters }) => {
    gbdtParams(hyperparameters.params); // unknown settings fail before any training
    return new GbdtMember(inputs);
  },
  fitMember: (member, fit) => {
    const hp = fit.hyperparameters;
    const result = gbdtMember(member).fit(fit.train, fit.validation, {
      ...gbdtParams(hp.params),
      trees: hp.epochs,
      learningRate: hp.learningRate,
      l2: hp.l2,
      patience: hp.patience,
      positiveWeight: hp.positiveWeight,
      seed: fit.seed,
      metric: fit.metric,
      onEpoch: fit.onEpoch,
    });
    return Promise.resolve({ history: result.history, bestEpoch: result.bestEpoch, bestMetric: result.bestMetric });
  },
  saveMember: (member, dir, io) => saveGbdtMember(gbdtMember(member), dir, io),
  loadMember: (dir, io) => loadGbdtMember(dir, io),
});

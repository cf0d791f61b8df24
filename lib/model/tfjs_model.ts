/**
 * tfjs models for binary default prediction: logistic regression and a small MLP, trained by a seeded loop
 * (seeded initialisers, seeded shuffling and dropout masks, class weights, L2, Adam with a decaying learning rate,
 * early stopping on a validation metric, best weights restored), saved and loaded through `lib/io` so a model can live
 * on a local path or `s3://`.
 *
 * The network outputs a logit; {@link predictProba} applies the sigmoid.
 *
 * @example
 * ```ts
 * import { buildNetwork, fitNetwork, predictProba } from "./tfjs_model.ts";
 * const net = buildNetwork({ inputs: 4, hidden: [64, 32], seed: 1 });
 * const history = await fitNetwork(net, { train, validation, epochs: 20, seed: 1 });
 * const p = predictProba(net, validation.x, validation.rows);
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type IoOptions, joinUri, readBytes, readJson, writeBytes } from "../io/mod.ts";
import { seededRandom } from "../numeric/random.ts";

/**
 * The architecture of a network: dense hidden layers (none: logistic regression) then one linear logit. Which
 * architecture a model type trains is the type's choice (model_types.ts).
 */
export interface NetworkConfig {
  /** Number of input columns. */
  inputs: number;
  /** Hidden layer widths (default none, or [64, 32] with `type: "mlp"`). */
  hidden?: number[];
  /**
   * Shorthand of the two classic shapes: "logistic" has no hidden layer whatever `hidden` says, "mlp" defaults
   * `hidden` to [64, 32]. Absent: the shape `hidden` gives.
   */
  type?: "logistic" | "mlp";
  /** Hidden activation (default "relu"). */
  activation?: "relu" | "elu" | "tanh" | "swish";
  /** Seed of the kernel initialisers. */
  seed: number;
}

/** A dataset: a row-major Float32 matrix and its 0/1 labels. */
export interface Dataset {
  x: Float32Array;
  y: Float32Array;
  rows: number;
  cols: number;
}

/** Per-epoch figures of a training run (the training curve). */
export interface EpochLog {
  epoch: number;
  loss: number;
  valLoss: number;
  /** Validation metric used for early stopping (ROC AUC unless told otherwise). */
  valMetric: number;
  learningRate: number;
}

/** Options of {@link fitNetwork}. */
export interface FitOptions {
  train: Dataset;
  validation: Dataset;
  /** Maximum epochs (default 60). */
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Learning rate multiplier per epoch (default 0.95). */
  lrDecay?: number;
  /** Epochs without improvement of the validation metric before stopping (default 8). */
  patience?: number;
  /** Weight of positive (default) rows; negatives weigh 1 (default: negatives / positives). */
  positiveWeight?: number;
  /** L2 penalty on kernels (default 1e-4). */
  l2?: number;
  /** Dropout rate after each hidden layer during training (default 0.1). */
  dropout?: number;
  /** Seed of shuffling and dropout. */
  seed: number;
  /** Validation metric, larger is better (default: ROC AUC). */
  metric?: (y: Float32Array, p: Float32Array) => number;
  /** Called after each epoch. */
  onEpoch?: (log: EpochLog) => void;
}

/** What {@link fitNetwork} returns. */
export interface FitResult {
  history: EpochLog[];
  /** Epoch (1-based) whose weights were kept. */
  bestEpoch: number;
  bestMetric: number;
}

/**
 * ROC AUC by ranks (ties averaged); 0.5 when a class is absent. Used as the default early-stopping metric.
 *
 * @example
 * ```ts
 * rankAuc(Float32Array.of(0, 1), Float32Array.of(0.2, 0.9)); // 1
 * ```
 */
export function rankAuc(y: ArrayLike<number>, p: ArrayLike<number>): number {
  const n = y.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[a] - p[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && p[idx[j + 1]] === p[idx[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (y[idx[k]] === 1) {
        pos++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return 0.5;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * Builds a network: logistic regression (one dense logit) or an MLP (dense hidden layers then a logit).
 *
 * @example
 * ```ts
 * const logistic = buildNetwork({ inputs: 10, seed: 3 });
 * const mlp = buildNetwork({ inputs: 10, hidden: [64, 32], seed: 3 });
 * ```
 */
export function buildNetwork(config: NetworkConfig): tf.Sequential {
  const model = tf.sequential();
  const hidden = config.type === "logistic" ? [] : config.hidden ?? (config.type === "mlp" ? [64, 32] : []);
  hidden.forEach((units, i) => {
    model.add(tf.layers.dense({
      units,
      activation: config.activation ?? "relu",
      inputShape: i === 0 ? [config.inputs] : undefined,
      kernelInitializer: tf.initializers.heNormal({ seed: config.seed * 31 + i + 1 }),
      biasInitializer: "zeros",
      name: `hidden_${i + 1}`,
    }));
  });
  model.add(tf.layers.dense({
    units: 1,
    activation: "linear",
    inputShape: hidden.length === 0 ? [config.inputs] : undefined,
    kernelInitializer: tf.initializers.glorotUniform({ seed: config.seed * 31 + 97 }),
    biasInitializer: "zeros",
    name: "logit",
  }));
  return model;
}

function gatherRows(src: Dataset, order: Uint32Array, start: number, end: number) {
  const n = end - start;
  const x = new Float32Array(n * src.cols);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = order[start + i];
    x.set(src.x.subarray(r * src.cols, (r + 1) * src.cols), i * src.cols);
    y[i] = src.y[r];
  }
  return { x, y, n };
}

/**
 * Probabilities of the positive class for a row-major matrix, predicted in chunks.
 *
 * @example
 * ```ts
 * const p = predictProba(net, Float32Array.of(0, 1, 2, 3), 1);
 * ```
 */
export function predictProba(model: tf.LayersModel, x: Float32Array, rows: number): Float32Array {
  const out = new Float32Array(rows);
  if (rows === 0) return out;
  const cols = x.length / rows;
  const chunk = 8192;
  for (let start = 0; start < rows; start += chunk) {
    const end = Math.min(rows, start + chunk);
    const values = tf.tidy(() => {
      const input = tf.tensor2d(x.subarray(start * cols, end * cols), [end - start, cols]);
      return tf.sigmoid(model.predict(input) as tf.Tensor).dataSync() as Float32Array;
    });
    out.set(values, start);
  }
  return out;
}

function logLoss(y: Float32Array, p: Float32Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(1 - 1e-7, Math.max(1e-7, p[i]));
    s -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return s / Math.max(1, y.length);
}

/**
 * Trains `model` in place with a seeded loop and early stopping; the best epoch's weights are restored.
 *
 * @example
 * ```ts
 * const { history, bestEpoch } = await fitNetwork(net, { train, validation, seed: 42, epochs: 30 });
 * ```
 */
export async function fitNetwork(model: tf.LayersModel, opts: FitOptions): Promise<FitResult> {
  const { train, validation } = opts;
  if (train.rows === 0) throw new Error("Cannot train on 0 rows");
  const epochs = opts.epochs ?? 60;
  const batchSize = opts.batchSize ?? 256;
  const baseLr = opts.learningRate ?? 2e-3;
  const decay = opts.lrDecay ?? 0.95;
  const patience = opts.patience ?? 8;
  const l2 = opts.l2 ?? 1e-4;
  const dropout = opts.dropout ?? 0.1;
  const metric = opts.metric ?? rankAuc;
  let positives = 0;
  for (let i = 0; i < train.rows; i++) positives += train.y[i];
  const posWeight = opts.positiveWeight ?? (positives > 0 ? (train.rows - positives) / positives : 1);
  const random = seededRandom(opts.seed);
  const optimizer = tf.train.adam(baseLr);
  const layers = model.layers;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = model.trainableWeights.filter((w) => w.name.includes("kernel")).map((w) => w.read());
  const order = Uint32Array.from({ length: train.rows }, (_, i) => i);
  const history: EpochLog[] = [];
  let best = -Infinity;
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] | null = null;
  let stale = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const lr = baseLr * decay ** (epoch - 1);
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      let lossSum = 0;
      let batches = 0;
      for (let start = 0; start < train.rows; start += batchSize) {
        const end = Math.min(train.rows, start + batchSize);
        const batch = gatherRows(train, order, start, end);
        const w = batch.y.map((v) => (v === 1 ? posWeight : 1));
        const dropSeed = Math.floor(random() * 2 ** 31);
        const cost = tf.tidy(() => {
          const xb = tf.tensor2d(batch.x, [batch.n, train.cols]);
          const yb = tf.tensor2d(batch.y, [batch.n, 1]);
          const wb = tf.tensor2d(w, [batch.n, 1]);
          return optimizer.minimize(
            () => {
              let h: tf.Tensor = xb;
              layers.forEach((layer, li) => {
                h = layer.apply(h) as tf.Tensor;
                if (dropout > 0 && li < layers.length - 1) h = tf.dropout(h, dropout, undefined, dropSeed + li);
              });
              const bce = tf.losses.sigmoidCrossEntropy(yb, h, wb, 0, tf.Reduction.SUM_BY_NONZERO_WEIGHTS);
              if (l2 === 0 || kernels.length === 0) return bce as tf.Scalar;
              const penalty = tf.addN(kernels.map((k) => tf.sum(tf.square(k))));
              return tf.add(bce, tf.mul(l2, penalty)) as tf.Scalar;
            },
            true,
            vars,
          ) as tf.Scalar;
        }) as tf.Scalar;
        lossSum += cost.dataSync()[0];
        cost.dispose();
        batches++;
      }
      const p = predictProba(model, validation.x, validation.rows);
      const log: EpochLog = {
        epoch,
        loss: lossSum / Math.max(1, batches),
        valLoss: logLoss(validation.y, p),
        valMetric: validation.rows ? metric(validation.y, p) : NaN,
        learningRate: lr,
      };
      history.push(log);
      opts.onEpoch?.(log);
      await new Promise((resolve) => setTimeout(resolve, 0)); // let timers and I/O run between epochs
      if (log.valMetric > best + 1e-5 || validation.rows === 0) {
        best = log.valMetric;
        bestEpoch = epoch;
        bestWeights?.forEach((t) => t.dispose());
        bestWeights = model.getWeights().map((t) => t.clone());
        stale = 0;
      } else if (++stale >= patience) {
        break;
      }
    }
    if (bestWeights) model.setWeights(bestWeights);
  } finally {
    bestWeights?.forEach((t) => t.dispose());
    optimizer.dispose();
  }
  return { history, bestEpoch, bestMetric: best };
}

/** Files a saved network consists of, under its folder. */
export const NETWORK_FILES = { topology: "model.json", weights: "weights.bin" } as const;

function concatBuffers(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data);
  const total = data.reduce((a, b) => a + b.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out;
}

/**
 * Saves a network as `model.json` + `weights.bin` under `dir` (local path or s3://) through a tfjs save handler
 * that writes with `lib/io` (atomic writes). Returns the written URIs.
 *
 * @example
 * ```ts
 * await saveNetwork(net, "s3://models/credit/3/network");
 * ```
 */
export async function saveNetwork(model: tf.LayersModel, dir: string, io: IoOptions = {}): Promise<string[]> {
  const written: string[] = [];
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weights = concatBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[]);
    const json = {
      format: "layers-model",
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: [NETWORK_FILES.weights], weights: artifacts.weightSpecs }],
    };
    const weightsUri = joinUri(dir, NETWORK_FILES.weights);
    const topologyUri = joinUri(dir, NETWORK_FILES.topology);
    await writeBytes(weightsUri, weights, io);
    await writeBytes(topologyUri, new TextEncoder().encode(JSON.stringify(json)), io);
    written.push(topologyUri, weightsUri);
    return {
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON", weightDataBytes: weights.length },
    };
  }));
  return written;
}

/**
 * Loads a network saved by {@link saveNetwork} through a custom tfjs IOHandler reading with `lib/io`.
 *
 * @example
 * ```ts
 * const net = await loadNetwork("data/models/churn/versions/1/network");
 * ```
 */
export async function loadNetwork(dir: string, io: IoOptions = {}): Promise<tf.LayersModel> {
  const handler: tf.io.IOHandler = {
    load: async () => {
      const json = await readJson(joinUri(dir, NETWORK_FILES.topology), io) as tf.io.ModelJSON;
      const manifest = json.weightsManifest?.[0];
      if (!manifest) throw new Error(`Model file "${joinUri(dir, NETWORK_FILES.topology)}" has no weights manifest`);
      const bytes = await readBytes(joinUri(dir, manifest.paths[0]), io);
      const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      return { modelTopology: json.modelTopology, weightSpecs: manifest.weights, weightData, format: json.format };
    },
  };
  return await tf.loadLayersModel(handler);
}

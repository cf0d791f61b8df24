/**
 * A trained network read as plain data: its stack of dense layers (row-major float32 kernels, biases, activations).
 * This is what the fast paths run on, the batch kernel (batch_scorer.ts, variant_kernel.ts) and the online decider
 * (online_decider.ts); a model type offers them by reading its members with {@link denseLayers} (its
 * `denseLayers` capability in model_types.ts).
 *
 * @example
 * ```ts
 * import { denseLayers } from "./dense_layers.ts";
 * const layers = denseLayers(network); // null: not a plain dense stack (use tfjs forward passes)
 * layers?.map((l) => `${l.inputs}x${l.units} ${l.activation}`); // ["23x64 relu", "64x32 relu", "32x1 linear"]
 * ```
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { sigmoid } from "../numeric/special.ts";

/** One dense layer of one ensemble member. */
export interface DenseLayer {
  /** Row-major `inputs x units`. */
  kernel: Float32Array;
  bias: Float32Array;
  inputs: number;
  units: number;
  activation: string;
}

/** Activations the fast paths compute (see {@link activate}). */
export const DENSE_ACTIVATIONS: ReadonlySet<string> = new Set(["relu", "linear", "elu", "sigmoid"]);

/**
 * A dense layer's activation (one of {@link DENSE_ACTIVATIONS}) of one pre-activation.
 *
 * @example
 * ```ts
 * activate("relu", -2); // 0
 * ```
 */
export function activate(name: string, z: number): number {
  switch (name) {
    case "relu":
      return z > 0 ? z : 0;
    case "elu":
      return z > 0 ? z : Math.exp(z) - 1;
    case "sigmoid":
      return sigmoid(z);
    default:
      return z;
  }
}

/**
 * The dense layers of a network, or null when it is not a plain stack of Dense layers with fusable activations and a
 * single linear output.
 *
 * @example
 * ```ts
 * const layers = denseLayers(buildNetwork({ inputs: 4, hidden: [8], seed: 1 }));
 * layers?.length; // 2
 * ```
 */
export function denseLayers(model: tf.LayersModel): DenseLayer[] | null {
  const out: DenseLayer[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls === "Dropout" || cls === "InputLayer") continue;
    if (cls !== "Dense") return null;
    const config = layer.getConfig() as { activation?: string };
    const [k, b] = layer.getWeights();
    if (!k || k.shape.length !== 2) return null;
    const [inputs, units] = k.shape as [number, number];
    const activation = config.activation ?? "linear";
    if (!DENSE_ACTIVATIONS.has(activation)) return null;
    out.push({
      kernel: (k.dataSync() as Float32Array).slice(),
      bias: b ? (b.dataSync() as Float32Array).slice() : new Float32Array(units),
      inputs,
      units,
      activation,
    });
  }
  const last = out[out.length - 1];
  if (!last || last.units !== 1 || last.activation !== "linear") return null;
  return out;
}

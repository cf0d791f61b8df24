/**
 * Fast inference for an ensemble of dense networks: the members (same depth and activations, different seeds) are
 * merged into ONE network — first layers side by side, deeper layers block-diagonal, and the output layers folded
 * into a single column that is already the members' mean logit — and each layer runs as one fused tfjs matMul.
 * Three matMuls per call instead of three `LayersModel.predict` loops: what `/score` needs for a sub-millisecond
 * decision with reason codes. Equal to the mean of the members' logits up to float32 rounding.
 *
 * @example
 * ```ts
 * import { fuseEnsemble } from "./fused_ensemble.ts";
 * const fused = fuseEnsemble(networks); // null when the networks are not plain dense stacks
 * const logits = fused!.meanLogits(x, rows);
 * ```
 * @module
 */
import * as tfjs from "@tensorflow/tfjs";
import type * as tf from "@tensorflow/tfjs";

type Activation = "relu" | "linear" | "elu" | "sigmoid";
const FUSABLE = new Set<string>(["relu", "linear", "elu", "sigmoid"]);

interface DenseWeights {
  kernel: Float32Array;
  bias: Float32Array;
  inputs: number;
  units: number;
  activation: string;
}

/** A merged ensemble; see the module doc. */
export interface FusedEnsemble {
  /** Mean logit of the members for `rows` encoded rows in `x` (row-major). */
  meanLogits(x: Float32Array, rows: number): Float32Array;
  /** Frees the merged weights. */
  dispose(): void;
}

function denseLayers(model: tf.LayersModel): DenseWeights[] | null {
  const out: DenseWeights[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls === "Dropout" || cls === "InputLayer") continue;
    if (cls !== "Dense") return null;
    const config = layer.getConfig() as { activation?: string; useBias?: boolean };
    const [k, b] = layer.getWeights();
    if (!k || k.shape.length !== 2) return null;
    const [inputs, units] = k.shape as [number, number];
    out.push({
      kernel: k.dataSync() as Float32Array,
      bias: b ? (b.dataSync() as Float32Array) : new Float32Array(units),
      inputs,
      units,
      activation: config.activation ?? "linear",
    });
  }
  return out.length ? out : null;
}

/**
 * Merges the members, or returns null when they are not all plain dense stacks of the same shape with fusable
 * activations (then callers keep `predict`).
 */
export function fuseEnsemble(networks: readonly tf.LayersModel[]): FusedEnsemble | null {
  if (networks.length === 0) return null;
  const members = networks.map(denseLayers);
  if (members.some((m) => m === null)) return null;
  const ms = members as DenseWeights[][];
  const depth = ms[0].length;
  const last = depth - 1;
  for (const m of ms) {
    if (m.length !== depth) return null;
    for (let l = 0; l < depth; l++) {
      if (m[l].inputs !== ms[0][l].inputs || m[l].units !== ms[0][l].units) return null;
      if (m[l].activation !== ms[0][l].activation || !FUSABLE.has(m[l].activation)) return null;
    }
    if (m[last].units !== 1 || m[last].activation !== "linear") return null;
  }
  const M = ms.length;
  const layers: { kernel: tf.Tensor2D; bias: tf.Tensor1D; activation: Activation }[] = [];
  for (let l = 0; l < depth; l++) {
    const inputs = l === 0 ? ms[0][0].inputs : ms[0][l].inputs * M;
    const units = l === last ? 1 : ms[0][l].units * M;
    const kernel = new Float32Array(inputs * units);
    const bias = new Float32Array(units);
    for (let m = 0; m < M; m++) {
      const w = ms[m][l];
      const rowOffset = l === 0 ? 0 : m * w.inputs;
      const colOffset = l === last ? 0 : m * w.units;
      const scale = l === last ? 1 / M : 1;
      for (let i = 0; i < w.inputs; i++) {
        for (let j = 0; j < w.units; j++) {
          kernel[(rowOffset + i) * units + colOffset + j] += w.kernel[i * w.units + j] * scale;
        }
      }
      for (let j = 0; j < w.units; j++) bias[colOffset + j] += w.bias[j] * scale;
    }
    layers.push({
      kernel: tfjs.tensor2d(kernel, [inputs, units]),
      bias: tfjs.tensor1d(bias),
      activation: ms[0][l].activation as Activation,
    });
  }
  const width = ms[0][0].inputs;
  return {
    meanLogits(x, rows) {
      if (rows === 0) return new Float32Array(0);
      if (x.length !== rows * width) throw new Error(`Expected ${rows} x ${width} inputs, got ${x.length} values`);
      return tfjs.tidy(() => {
        let h: tf.Tensor2D = tfjs.tensor2d(x, [rows, width]);
        for (const layer of layers) {
          h = tfjs.fused.matMul({
            a: h,
            b: layer.kernel,
            bias: layer.bias,
            activation: layer.activation,
          }) as tf.Tensor2D;
        }
        return h.dataSync() as Float32Array;
      }).slice();
    },
    dispose() {
      for (const layer of layers) {
        layer.kernel.dispose();
        layer.bias.dispose();
      }
    },
  };
}

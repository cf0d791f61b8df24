/**
 * One decision at a time, fast: what `POST /score` needs. The same answer as {@link ModelScorer.decide}
 * (probability, decision, threshold, reasons with their impacts) to float32 rounding, in a few tens of
 * microseconds and without tfjs: `decide` runs ~20 forward passes of the ensemble through tfjs tensors per request
 * (one per feature group, for the reason codes), which costs ~200 µs and makes garbage whose collection lengthens
 * the latency tail under load.
 *
 * The work is the batch scorer's (batch_scorer.ts), specialised to one row and kept in preallocated buffers:
 *
 * - the first dense layer's pre-activations of the applicant are computed once (only its non-zero columns count:
 *   most are one-hot zeros); each reason-code variant (a feature group set to the baseline applicant's values) is
 *   those plus `(baseline_c - x_c) * W[c, :]` for the group's differing columns;
 * - groups whose columns already equal the baseline's are skipped (impact 0, never a reason);
 * - the variants' whole forward passes run in the batch scorer's WebAssembly SIMD kernel (variant_kernel.ts: first
 *   layer deltas, then the deeper layers per member) where the network suits it (relu/linear layers, widths a
 *   multiple of 4); otherwise in plain JavaScript, as row-times-matrix products that skip inputs a relu made zero,
 *   summed in float64.
 *
 * The mean logit and calibrated log-odds are rounded to float32 as `ModelScorer.logOddsEncoded` does; the tfjs path
 * sums in another order (the kernel in float32 too), so the two agree to float32 precision: probabilities within
 * 1e-6, log-odds within ~1e-6 of their size (online_decider_test.ts). Models whose type lacks the `denseLayers`
 * capability (model_types.ts) and networks that are not plain dense stacks have no fast path
 * ({@link OnlineDecider.fromScorer} returns null; keep `ModelScorer.decide`).
 *
 * @example
 * ```ts
 * import { OnlineDecider } from "./online_decider.ts";
 * const decider = await OnlineDecider.fromScorer(scorer); // null: use scorer.decide
 * const d = decider ? decider.decide(application) : scorer.decide(application);
 * d.probability; d.decision; d.reasons[0].feature;
 * ```
 * @module
 */
import { batchModelOf } from "./batch_scorer.ts";
import { activate, type DenseLayer } from "./dense_layers.ts";
import { type VariantInput, VariantKernel } from "./variant_kernel.ts";
import type { Preprocessor, RawRow } from "./preprocess.ts";
import { MIN_REASON_IMPACT, type Reason } from "./explain.ts";
import { sigmoid } from "../numeric/special.ts";
import { decide as decideAt } from "./policy.ts";
import { type DecideOptions, type DecisionResult, InvalidApplicationError, type ModelScorer } from "./scorer.ts";

function activateInPlace(name: string, h: Float64Array, n: number): void {
  if (name !== "linear") { for (let u = 0; u < n; u++) h[u] = activate(name, h[u]); }
}

/** A deeper (second or later) dense layer of one member, as float64 for the hot loop. */
interface Layer {
  kernel: Float64Array;
  bias: Float64Array;
  inputs: number;
  units: number;
  act: string;
}

/** See the module doc. */
export class OnlineDecider {
  readonly preprocessor: Preprocessor;
  readonly threshold: number;
  readonly #validate: (row: RawRow) => ReturnType<ModelScorer["validate"]>;
  readonly #baseline: Float32Array;
  readonly #groups: string[];
  /** The groups' columns flattened: group g owns #groupFlat[#groupStart[g] .. #groupStart[g + 1]). */
  readonly #groupStart: Int32Array;
  readonly #groupFlat: Int32Array;
  readonly #calibration: { a: number; b: number };
  /** Members. */
  readonly #M: number;
  /** First-layer units per member. */
  readonly #H: number;
  readonly #firstAct: string;
  /** First layer, members side by side: `width x (M * H)` row-major, and its bias. */
  readonly #W: Float64Array;
  readonly #bias: Float64Array;
  /** Deeper layers per member (empty for logistic regression: the first layer is the output). */
  readonly #deep: Layer[][];
  // buffers reused by every call (one decision at a time: JavaScript is single-threaded and decide is synchronous)
  readonly #x: Float32Array;
  readonly #z0: Float64Array;
  readonly #z: Float64Array;
  readonly #h: Float64Array[];
  readonly #impacts: Float64Array;
  /** The WebAssembly path (null: JavaScript): the kernel, its input (buffers reused) and the variants' log-odds. */
  readonly #kernel: { kernel: VariantKernel; input: VariantInput; groups: Int32Array; rows: Int32Array } | null = null;
  readonly #variantLogOdds: Float64Array;

  private constructor(
    scorer: ModelScorer,
    members: DenseLayer[][],
    kernel: VariantKernel | null,
  ) {
    const pre = scorer.preprocessor;
    this.preprocessor = pre;
    this.threshold = scorer.threshold.threshold;
    this.#validate = (row) => scorer.validate(row);
    this.#baseline = scorer.baseline;
    this.#groups = [...pre.groups.keys()];
    this.#groupStart = new Int32Array(this.#groups.length + 1);
    this.#groups.forEach((g, k) => (this.#groupStart[k + 1] = this.#groupStart[k] + pre.groups.get(g)!.length));
    this.#groupFlat = new Int32Array(this.#groupStart[this.#groups.length]);
    this.#groups.forEach((g, k) => this.#groupFlat.set(pre.groups.get(g)!, this.#groupStart[k]));
    this.#calibration = scorer.meta.calibration;
    const M = members.length;
    const l0 = members[0][0];
    const H = l0.units;
    const width = l0.inputs;
    if (width !== pre.width) {
      throw new Error(`The network takes ${width} inputs but the preprocessing makes ${pre.width} columns`);
    }
    this.#M = M;
    this.#H = H;
    this.#firstAct = l0.activation;
    const units = M * H;
    this.#W = new Float64Array(width * units);
    this.#bias = new Float64Array(units);
    members.forEach((layers, m) => {
      const w = layers[0];
      for (let i = 0; i < width; i++) {
        for (let j = 0; j < H; j++) this.#W[i * units + m * H + j] = w.kernel[i * H + j];
      }
      for (let j = 0; j < H; j++) this.#bias[m * H + j] = w.bias[j];
    });
    this.#deep = members.map((layers) =>
      layers.slice(1).map((l) => ({
        kernel: Float64Array.from(l.kernel),
        bias: Float64Array.from(l.bias),
        inputs: l.inputs,
        units: l.units,
        act: l.activation,
      }))
    );
    this.#x = new Float32Array(width);
    this.#z0 = new Float64Array(units);
    this.#z = new Float64Array(units);
    const widest = Math.max(H, ...members[0].map((l) => l.units));
    this.#h = [new Float64Array(widest), new Float64Array(widest)];
    this.#impacts = new Float64Array(this.#groups.length);
    this.#variantLogOdds = new Float64Array(this.#groups.length + 1);
    if (
      kernel && (l0.activation === "relu" || l0.activation === "linear") && H % 4 === 0 && members[0].length > 1 &&
      kernel.setDeep(members.map((m) => m.slice(1)))
    ) {
      const W32 = Float32Array.from(this.#W);
      const groups = new Int32Array(this.#groups.length + 1);
      const rows = new Int32Array(this.#groups.length + 1); // every variant is of row 0
      this.#kernel = {
        kernel,
        groups,
        rows,
        input: {
          first: new Float32Array(units),
          x: this.#x,
          width,
          base: this.#baseline,
          W: W32,
          units,
          members: M,
          relu: l0.activation === "relu",
          rowsOf: rows,
          groupsOf: groups,
          groupStart: this.#groupStart,
          groupFlat: this.#groupFlat,
        },
      };
    }
  }

  /**
   * The fast path for a loaded model, or null when its networks are not plain dense stacks of one shape (then use
   * `scorer.decide`).
   */
  static async fromScorer(scorer: ModelScorer, opts: { simd?: boolean } = {}): Promise<OnlineDecider | null> {
    const model = batchModelOf(scorer);
    if (!model) return null;
    return new OnlineDecider(scorer, model.members, opts.simd === false ? null : await VariantKernel.create());
  }

  /** Whether the forward passes run in the WebAssembly kernel (else in JavaScript). */
  get simd(): boolean {
    return this.#kernel !== null;
  }

  /** Calibrated log-odds (float32-rounded, as `ModelScorer.logOddsEncoded`) from first-layer pre-activations. */
  #logOdds(z: Float64Array): number {
    const M = this.#M, H = this.#H;
    let sum = 0;
    for (let m = 0; m < M; m++) {
      const layers = this.#deep[m];
      if (layers.length === 0) {
        sum += z[m * H]; // logistic regression: one linear unit per member
        continue;
      }
      // first-layer activation of this member into h[0]
      let cur = this.#h[0];
      let next = this.#h[1];
      for (let u = 0; u < H; u++) cur[u] = z[m * H + u];
      activateInPlace(this.#firstAct, cur, H);
      for (let l = 0; l < layers.length; l++) {
        const { kernel, bias, inputs, units, act } = layers[l];
        for (let j = 0; j < units; j++) next[j] = bias[j];
        for (let i = 0; i < inputs; i++) {
          const a = cur[i];
          if (a === 0) continue;
          const row = i * units;
          for (let j = 0; j < units; j++) next[j] += a * kernel[row + j];
        }
        activateInPlace(act, next, units);
        const t = cur;
        cur = next;
        next = t;
      }
      sum += cur[0];
    }
    const { a, b } = this.#calibration;
    return Math.fround(a * Math.fround(sum / M) + b);
  }

  /**
   * Scores one application and decides with the stored threshold, with the reasons that raised its risk most:
   * `ModelScorer.decide`'s answer (see the module doc for the rounding).
   *
   * @example
   * ```ts
   * const d = decider.decide(application, { top: 3 });
   * console.log(d.decision, d.probability, d.reasons.map((r) => r.feature));
   * ```
   */
  decide(row: RawRow, opts: DecideOptions = {}): DecisionResult {
    const flags = this.#validate(row);
    if (flags.length && (opts.onInvalid ?? "refuse") === "refuse") throw new InvalidApplicationError(flags);
    const pre = this.preprocessor;
    const x = this.#x;
    x.fill(0);
    pre.encodeInto(row, x, 0);
    const width = x.length;
    const units = this.#M * this.#H;
    const W = this.#W, z0 = this.#z0, z = this.#z, base = this.#baseline;
    z0.set(this.#bias);
    for (let c = 0; c < width; c++) {
      const v = x[c];
      if (v === 0) continue;
      const at = c * units;
      for (let u = 0; u < units; u++) z0[u] += v * W[at + u];
    }
    // reason codes: each group that differs from the baseline, set to the baseline
    const G = this.#groups.length;
    const impacts = this.#impacts;
    const minImpact = MIN_REASON_IMPACT;
    let logOdds: number;
    let found = 0;
    if (this.#kernel) {
      // variant 0 is the applicant, then one per differing group; all passes in one kernel call
      const { kernel, input, groups } = this.#kernel;
      input.first.set(z0);
      groups[0] = -1;
      let V = 1;
      for (let g = 0; g < G; g++) {
        impacts[g] = NaN;
        for (let k = this.#groupStart[g], end = this.#groupStart[g + 1]; k < end; k++) {
          const c = this.#groupFlat[k];
          if (base[c] !== x[c]) {
            groups[V++] = g;
            break;
          }
        }
      }
      input.rowsOf = this.#kernel.rows.subarray(0, V);
      input.groupsOf = groups.subarray(0, V);
      const logits = kernel.logits(input);
      const M = this.#M;
      const { a, b } = this.#calibration;
      const lo = this.#variantLogOdds;
      for (let v = 0; v < V; v++) {
        let sum = 0;
        for (let m = 0; m < M; m++) sum += logits[m][v];
        lo[v] = Math.fround(a * Math.fround(sum / M) + b);
      }
      logOdds = lo[0];
      for (let v = 1; v < V; v++) {
        const impact = logOdds - lo[v];
        if (impact >= minImpact) {
          impacts[groups[v]] = impact;
          found++;
        }
      }
    } else {
      logOdds = this.#logOdds(z0);
      for (let g = 0; g < G; g++) {
        impacts[g] = NaN;
        let changed = false;
        for (let k = this.#groupStart[g], end = this.#groupStart[g + 1]; k < end; k++) {
          const c = this.#groupFlat[k];
          const d = base[c] - x[c];
          if (d === 0) continue;
          if (!changed) {
            z.set(z0);
            changed = true;
          }
          const at = c * units;
          for (let u = 0; u < units; u++) z[u] += d * W[at + u];
        }
        if (!changed) continue;
        const impact = logOdds - this.#logOdds(z);
        if (impact >= minImpact) {
          impacts[g] = impact;
          found++;
        }
      }
    }
    const probability = sigmoid(logOdds);
    const reasons: Reason[] = [];
    if (found > 0) {
      const order: number[] = [];
      for (let g = 0; g < G; g++) if (impacts[g] === impacts[g]) order.push(g);
      const groups = this.#groups;
      order.sort((p, q) => impacts[q] - impacts[p] || (groups[p] < groups[q] ? -1 : 1));
      const top = Math.min(order.length, opts.top ?? 3);
      for (let k = 0; k < top; k++) {
        const g = order[k];
        const feature = groups[g];
        const impact = impacts[g];
        reasons.push({
          feature,
          text: pre.describe(feature),
          value: pre.rawValue(feature, row),
          impact,
          probabilityImpact: probability - sigmoid(logOdds - impact),
        });
      }
    }
    const threshold = this.threshold;
    return { probability, decision: decideAt(probability, threshold), threshold, reasons, flags };
  }
}

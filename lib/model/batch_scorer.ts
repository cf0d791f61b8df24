/**
 * Scoring many applications at once with the same answers as {@link ModelScorer.decide}: columnar encoding (the
 * preprocessor's rules, applied column by column instead of row by row) and exact reason codes computed in batches.
 *
 * Reason codes replace each feature group of an applicant by the baseline applicant's and measure the drop in
 * log-odds: one extra forward pass per group and row (`explain.ts`). Done row by row that is ~20 small tfjs calls per
 * application; here it is a few large ones, and cheaper per pass:
 *
 * - the first dense layer's pre-activations of every variant are the applicant's plus the change of the replaced
 *   columns only (`z + (baseline_c - x_c) * W[c, :]` for the group's columns), computed in plain JavaScript from the
 *   applicant's pre-activations (one tfjs matMul per batch) instead of a full input x weights product per variant;
 * - the deeper layers run per ensemble member over all variants of a chunk of rows, not through the merged
 *   block-diagonal network, which would multiply zeros for two members in three: in the same WebAssembly kernel
 *   (relu/linear layers, the same float32 sums in the same order as tfjs's XNNPACK matMuls, without copying the
 *   activations in and out of tfjs), else as tfjs (wasm) matMuls;
 * - groups whose columns already equal the baseline's have impact 0 and are skipped (they can never be a reason);
 * - by default (`reasons: "rejected"`) only rejected applications get reasons (adverse-action notices are owed for
 *   rejections); `"all"` gives them to every row, `"none"` skips them.
 *
 * Probabilities, decisions and reasons equal `decide`'s up to float32 rounding (see batch_scorer_test.ts). The fast
 * path is a capability of the model type (`denseLayers` in model_types.ts, which reads members as dense stacks:
 * dense_layers.ts); models of other types, and networks that are not plain dense stacks, fall back to full forward
 * passes through `ModelScorer.logOddsEncoded`.
 *
 * A {@link BatchModel} is plain data (typed arrays and JSON): it can be posted to a worker, which builds its own
 * {@link BatchScorer} with {@link BatchScorer.fromModel}.
 *
 * @example
 * ```ts
 * import { BatchScorer } from "./batch_scorer.ts";
 * const batch = await BatchScorer.fromScorer(scorer);
 * const scores = batch.score({
 *   rows: 2,
 *   numbers: { person_age: Float64Array.of(30, 41), person_income: Float64Array.of(52000, NaN) },
 *   texts: { loan_intent: { codes: Int32Array.of(0, 1), values: ["EDUCATION", "VENTURE"] } },
 * }, { reasons: "all" });
 * scores.probability[0]; // equals scorer.decide({ person_age: 30, person_income: 52000, loan_intent: "EDUCATION" }).probability
 * batch.groups[scores.reasonGroups[0]]; // the first reason of row 0, e.g. "loan_to_income"
 * ```
 * @module
 */
import * as tfjs from "@tensorflow/tfjs";
import type * as tf from "@tensorflow/tfjs";
import {
  type BucketFeature,
  type CategoricalFeature,
  type CrossFeature,
  type FeatureSpec,
  type NumericOptions,
  type NumericState,
  Preprocessor,
  type PreprocessorJson,
  toLevel,
} from "./preprocess.ts";
import type { ModelMeta, ModelScorer } from "./scorer.ts";
import { activate, type DenseLayer } from "./dense_layers.ts";
import { findModelType } from "./model_types.ts";
import { initBackend } from "./tfjs_backend.ts";
import { VariantKernel } from "./variant_kernel.ts";
import { DEFAULT_REASON_MODE, MIN_REASON_IMPACT, type ReasonMode } from "./explain.ts";
import { sigmoid } from "../numeric/special.ts";

export { activate, type DenseLayer } from "./dense_layers.ts";

/** A text column, dictionary-coded: `codes[i]` indexes `values` (-1 = missing). */
export interface TextColumn {
  codes: Int32Array;
  values: readonly string[];
}

/** Raw application rows by column: numbers (NaN = missing) and dictionary-coded texts. Absent columns are missing. */
export interface ColumnarInput {
  rows: number;
  numbers: Record<string, Float64Array>;
  texts: Record<string, TextColumn>;
}

/** Everything a {@link BatchScorer} needs, as plain data (structured-clone friendly). */
export interface BatchModel {
  preprocessor: PreprocessorJson;
  baselineModes: Record<string, string>;
  calibration: { a: number; b: number };
  threshold: number;
  /** Dense layers per ensemble member (all members the same shape). */
  members: DenseLayer[][];
}

/** Which rows get reason codes. */
export type { ReasonMode };

/** Options of {@link BatchScorer.score}. */
export interface BatchScoreOptions {
  /** Rows that get reasons (default "rejected", {@link DEFAULT_REASON_MODE}). */
  reasons?: ReasonMode;
  /** Reasons per row (default 3). */
  top?: number;
  /** Smallest impact (log-odds) that counts as a reason (default 0.01, as `reasonCodes`). */
  minImpact?: number;
}

/** Scores of a batch; reasons are row-major `rows x top`. */
export interface BatchScores {
  rows: number;
  top: number;
  /** Calibrated log-odds of default. */
  logOdds: Float64Array;
  probability: Float64Array;
  /** 1 = reject (probability >= threshold). */
  reject: Uint8Array;
  /** Index into {@link BatchScorer.groups} of each reason, -1 where there is none. */
  reasonGroups: Int16Array;
  /** Impact (log-odds) of each reason, NaN where there is none. */
  reasonImpacts: Float64Array;
}

/**
 * The plain-data form of a loaded model for batch scoring, or null when its model type has no `denseLayers`
 * capability (model_types.ts) or its networks are not plain dense stacks of one shape (then use
 * {@link BatchScorer.fromScorer}, which falls back to full forward passes).
 *
 * @example
 * ```ts
 * const model = batchModelOf(scorer);
 * if (model) worker.postMessage({ model });
 * ```
 */
export function batchModelOf(scorer: ModelScorer): BatchModel | null {
  const read = findModelType(scorer.meta.modelType)?.denseLayers;
  if (!read) return null;
  const members = scorer.networks.map((n) => read(n));
  if (members.length === 0 || members.some((m) => m === null)) return null;
  const ms = members as DenseLayer[][];
  for (const m of ms) {
    if (m.length !== ms[0].length) return null;
    for (let l = 0; l < m.length; l++) {
      const a = m[l], b = ms[0][l];
      if (a.inputs !== b.inputs || a.units !== b.units || a.activation !== b.activation) return null;
    }
  }
  const meta: ModelMeta = scorer.meta;
  return {
    preprocessor: scorer.preprocessor.toJSON(),
    baselineModes: meta.baselineModes,
    calibration: meta.calibration,
    threshold: scorer.threshold.threshold,
    members: ms,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Columnar encoding

function numberColumn(input: ColumnarInput, column: string): Float64Array {
  const nums = input.numbers[column];
  if (nums) return nums;
  const out = new Float64Array(input.rows).fill(NaN);
  const text = input.texts[column];
  if (text) {
    const parsed = text.values.map((v) => {
      const s = String(v);
      if (s.trim() === "") return NaN;
      const n = Number(s);
      return Number.isFinite(n) ? n : NaN;
    });
    for (let i = 0; i < input.rows; i++) {
      const c = text.codes[i];
      if (c >= 0) out[i] = parsed[c];
    }
  }
  return out;
}

/** Level strings of a column by row: dictionary codes into `levels` (-1 = missing), as `toLevel` would give. */
function levelColumn(input: ColumnarInput, column: string): { codes: Int32Array; levels: string[] } {
  const text = input.texts[column];
  if (text) {
    const levels: string[] = [];
    const byLevel = new Map<string, number>();
    const remap = text.values.map((v) => {
      const l = toLevel(v);
      if (l === null) return -1;
      let k = byLevel.get(l);
      if (k === undefined) {
        k = levels.length;
        levels.push(l);
        byLevel.set(l, k);
      }
      return k;
    });
    const codes = new Int32Array(input.rows);
    for (let i = 0; i < input.rows; i++) {
      const c = text.codes[i];
      codes[i] = c >= 0 ? remap[c] : -1;
    }
    return { codes, levels };
  }
  const nums = input.numbers[column];
  const codes = new Int32Array(input.rows).fill(-1);
  const levels: string[] = [];
  if (nums) {
    const byLevel = new Map<number, number>();
    for (let i = 0; i < input.rows; i++) {
      const v = nums[i];
      if (v !== v) continue;
      let k = byLevel.get(v);
      if (k === undefined) {
        k = levels.length;
        levels.push(toLevel(v)!);
        byLevel.set(v, k);
      }
      codes[i] = k;
    }
  }
  return { codes, levels };
}

function bucketName(edges: number[], i: number): string {
  if (i === 0) return `<${edges[0]}`;
  if (i === edges.length) return `>=${edges[edges.length - 1]}`;
  return `${edges[i - 1]}-${edges[i]}`;
}

/**
 * Encodes columnar rows into the preprocessor's row-major Float32 matrix, value for value what
 * `Preprocessor.transform` gives for the same rows as objects.
 *
 * @example
 * ```ts
 * const x = encodeColumnar(pre, { rows: 1, numbers: { person_income: Float64Array.of(42000) }, texts: {} });
 * x.length === pre.width; // true
 * ```
 */
export function encodeColumnar(pre: Preprocessor, input: ColumnarInput): Float32Array {
  const spec: FeatureSpec = pre.spec;
  const n = input.rows;
  const width = pre.width;
  const out = new Float32Array(n * width);
  const raw = new Map<string, Float64Array>();
  let c0 = 0;
  for (const f of spec.features) {
    const st = pre.state[f.name];
    if ("center" in st) {
      let values: Float64Array;
      if (f.kind === "numeric") values = numberColumn(input, f.column ?? f.name);
      else if (f.kind === "ratio") {
        const den = numberColumn(input, f.denominator);
        const nums = f.numerator.map((c) => numberColumn(input, c));
        values = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const d = den[i];
          let missing = d !== d || d <= 0;
          let num = 0;
          for (const col of nums) {
            const v = col[i];
            if (v !== v) missing = true;
            else num += v;
          }
          values[i] = missing ? NaN : num / d;
        }
      } else if (f.kind === "product") {
        const factors = f.factors.map((name) => raw.get(name)!);
        values = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          let p = 1;
          let missing = false;
          for (const col of factors) {
            const v = col[i];
            if (v !== v) missing = true;
            else p *= v;
          }
          values[i] = missing ? NaN : p;
        }
      } else throw new Error(`Feature "${f.name}" has numeric state but kind "${f.kind}"`);
      raw.set(f.name, values);
      encodeNumericColumn(f as NumericOptions, st, values, out, width, c0);
      c0 += 1 + (st.indicator ? 1 : 0) + Math.max(0, (st.edges?.length ?? 0) - 1);
    } else {
      const index = new Map<string, number>();
      st.levels.forEach((l, i) => index.set(l, i));
      const unknown = st.levels.length;
      const slot = (level: string | null) => (level === null ? unknown : index.get(level) ?? unknown);
      const g = f as CategoricalFeature | BucketFeature | CrossFeature;
      if (g.kind === "categorical") {
        const { codes, levels } = levelColumn(input, g.column ?? g.name);
        const slots = levels.map(slot);
        for (let i = 0; i < n; i++) {
          const k = codes[i];
          out[i * width + c0 + (k < 0 ? unknown : slots[k])] = 1;
        }
      } else if (g.kind === "bucket") {
        const values = numberColumn(input, g.column);
        const slots = Array.from({ length: g.edges.length + 1 }, (_, i) => slot(bucketName(g.edges, i)));
        for (let i = 0; i < n; i++) {
          const v = values[i];
          let s = unknown;
          if (v === v) {
            let b = 0;
            while (b < g.edges.length && v >= g.edges[b]) b++;
            s = slots[b];
          }
          out[i * width + c0 + s] = 1;
        }
      } else {
        const parts = g.columns.map((c) => levelColumn(input, c));
        const cache = new Map<string, number>();
        const at = new Int32Array(parts.length);
        for (let i = 0; i < n; i++) {
          let key = "";
          let missing = false;
          for (let p = 0; p < parts.length; p++) {
            const k = parts[p].codes[i];
            if (k < 0) {
              missing = true;
              break;
            }
            at[p] = k;
            key += `${k},`;
          }
          let s = unknown;
          if (!missing) {
            let hit = cache.get(key);
            if (hit === undefined) {
              hit = slot(parts.map((part, p) => part.levels[at[p]]).join("|"));
              cache.set(key, hit);
            }
            s = hit;
          }
          out[i * width + c0 + s] = 1;
        }
      }
      c0 += st.levels.length + 1;
    }
  }
  if (c0 !== width) throw new Error(`Columnar encoding wrote ${c0} columns, expected ${width}`);
  return out;
}

function encodeNumericColumn(
  f: NumericOptions,
  st: NumericState,
  values: Float64Array,
  out: Float32Array,
  width: number,
  c0: number,
): void {
  const clip = f.clip ?? 10;
  const e = st.edges;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const missing = v !== v;
    const x = missing ? st.fill : f.log ? Math.log1p(Math.max(v, 0)) : v;
    let c = i * width + c0;
    out[c++] = Math.max(-clip, Math.min(clip, (x - st.center) / st.scale));
    if (st.indicator) out[c++] = missing ? 1 : 0;
    if (e) {
      for (let b = 1; b < e.length; b++) {
        out[c++] = missing ? 0 : x <= e[b - 1] ? 0 : x >= e[b] ? 1 : (x - e[b - 1]) / (e[b] - e[b - 1]);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Scoring

function readAndDispose(t: tf.Tensor): Float32Array {
  try {
    return t.dataSync() as Float32Array;
  } finally {
    t.dispose();
  }
}

/** Scores encoded rows into calibrated log-odds (the fallback for networks that are not dense stacks). */
type LogOddsFn = (x: Float32Array, rows: number) => Float32Array;

/**
 * First-layer activations of variants (the hot loop of reason codes): the row's pre-activations plus, for the group
 * set to the baseline, `(baseline_c - x_c) * W[c, :]` for each of its columns that differs; then the activation,
 * written per member into `hidden[m]` (`V x H`). `kind`: 1 = relu, 2 = linear, 0 = other (by name).
 */
function variantActivations(
  first: Float32Array,
  x: Float32Array,
  width: number,
  rowsOf: Int32Array,
  groupsOf: Int32Array,
  groupStart: Int32Array,
  groupFlat: Int32Array,
  base: Float32Array,
  W: Float32Array,
  M: number,
  H: number,
  kind: number,
  hidden: Float32Array[],
  activation: string,
): void {
  const units = H * M;
  const z = new Float64Array(units);
  const V = rowsOf.length;
  for (let v = 0; v < V; v++) {
    const r = rowsOf[v];
    const g = groupsOf[v];
    const zr = r * units;
    for (let u = 0; u < units; u++) z[u] = first[zr + u];
    if (g >= 0) {
      const xr = r * width;
      for (let k = groupStart[g], end = groupStart[g + 1]; k < end; k++) {
        const c = groupFlat[k];
        const d = base[c] - x[xr + c];
        if (d === 0) continue;
        const row = c * units;
        for (let u = 0; u < units; u++) z[u] += d * W[row + u];
      }
    }
    const at = v * H;
    for (let m = 0; m < M; m++) {
      const h = hidden[m];
      const zo = m * H;
      if (kind === 1) {
        for (let u = 0; u < H; u++) {
          const s = z[zo + u];
          h[at + u] = s > 0 ? s : 0;
        }
      } else if (kind === 2) {
        for (let u = 0; u < H; u++) h[at + u] = z[zo + u];
      } else {
        for (let u = 0; u < H; u++) h[at + u] = activate(activation, z[zo + u]);
      }
    }
  }
}

/** Rows scored per chunk of variants (bounds the variant matrices to a few tens of MB). */
const CHUNK_ROWS = 2048;

/** See the module doc. */
export class BatchScorer {
  /** Feature group names, in the preprocessor's order (reason indices point here). */
  readonly groups: string[];
  readonly preprocessor: Preprocessor;
  readonly baseline: Float32Array;
  readonly threshold: number;
  readonly #groupCols: Int32Array[];
  /** The groups' columns flattened: group g owns #groupFlat[#groupStart[g] .. #groupStart[g + 1]). */
  readonly #groupStart: Int32Array;
  readonly #groupFlat: Int32Array;
  readonly #nameRank: Int32Array;
  readonly #calibration: { a: number; b: number };
  readonly #model: BatchModel | null;
  readonly #fallback: LogOddsFn | null;
  #tensors:
    | { first: tf.Tensor2D; firstBias: tf.Tensor1D; deep: { kernel: tf.Tensor2D; bias: tf.Tensor1D }[][] }
    | null = null;

  private constructor(
    pre: Preprocessor,
    baselineModes: Record<string, string>,
    calibration: { a: number; b: number },
    threshold: number,
    model: BatchModel | null,
    fallback: LogOddsFn | null,
  ) {
    this.preprocessor = pre;
    this.baseline = pre.baseline(baselineModes);
    this.threshold = threshold;
    this.groups = [...pre.groups.keys()];
    this.#groupCols = this.groups.map((g) => Int32Array.from(pre.groups.get(g)!));
    this.#groupStart = new Int32Array(this.groups.length + 1);
    this.#groupCols.forEach((cols, g) => (this.#groupStart[g + 1] = this.#groupStart[g] + cols.length));
    this.#groupFlat = new Int32Array(this.#groupStart[this.groups.length]);
    this.#groupCols.forEach((cols, g) => this.#groupFlat.set(cols, this.#groupStart[g]));
    const sorted = [...this.groups].sort();
    this.#nameRank = Int32Array.from(this.groups, (g) => sorted.indexOf(g));
    this.#calibration = calibration;
    this.#model = model;
    this.#fallback = fallback;
    if (model) {
      const width = model.members[0][0].inputs;
      if (width !== pre.width) {
        throw new Error(`The network takes ${width} inputs but the preprocessing makes ${pre.width} columns`);
      }
    }
  }

  /**
   * A batch scorer for a loaded model: the fast path when its networks are dense stacks, else full forward passes
   * through `scorer.logOddsEncoded`. `simd: false` uses the JavaScript loop instead of the WebAssembly kernel.
   */
  static async fromScorer(scorer: ModelScorer, opts: { simd?: boolean } = {}): Promise<BatchScorer> {
    const model = batchModelOf(scorer);
    const batch = new BatchScorer(
      scorer.preprocessor,
      scorer.meta.baselineModes,
      scorer.meta.calibration,
      scorer.threshold.threshold,
      model,
      model ? null : (x, n) => scorer.logOddsEncoded(x, n),
    );
    if (model && opts.simd !== false) batch.#kernel = await VariantKernel.create();
    return batch;
  }

  /** A batch scorer from {@link batchModelOf}'s plain data (e.g. in a worker); initialises tfjs first. */
  static async fromModel(model: BatchModel): Promise<BatchScorer> {
    await initBackend({ log: () => {} });
    const batch = new BatchScorer(
      Preprocessor.fromJSON(model.preprocessor),
      model.baselineModes,
      model.calibration,
      model.threshold,
      model,
      null,
    );
    batch.#kernel = await VariantKernel.create();
    return batch;
  }

  /** Whether the fast path (first-layer deltas, per-member matMuls) is used. */
  get fast(): boolean {
    return this.#model !== null;
  }

  /** Encodes columnar rows (see {@link encodeColumnar}). */
  encode(input: ColumnarInput): Float32Array {
    return encodeColumnar(this.preprocessor, input);
  }

  /** Scores columnar rows. */
  score(input: ColumnarInput, opts: BatchScoreOptions = {}): BatchScores {
    return this.scoreEncoded(this.encode(input), input.rows, opts);
  }

  /** Scores encoded rows (row-major, `rows x preprocessor.width`). */
  scoreEncoded(x: Float32Array, rows: number, opts: BatchScoreOptions = {}): BatchScores {
    const width = this.preprocessor.width;
    if (x.length !== rows * width) throw new Error(`Expected ${rows} x ${width} encoded values, got ${x.length}`);
    const top = opts.top ?? 3;
    const minImpact = opts.minImpact ?? MIN_REASON_IMPACT;
    const mode = opts.reasons ?? DEFAULT_REASON_MODE;
    const out: BatchScores = {
      rows,
      top,
      logOdds: new Float64Array(rows),
      probability: new Float64Array(rows),
      reject: new Uint8Array(rows),
      reasonGroups: new Int16Array(rows * top).fill(-1),
      reasonImpacts: new Float64Array(rows * top).fill(NaN),
    };
    for (let start = 0; start < rows; start += CHUNK_ROWS) {
      const end = Math.min(rows, start + CHUNK_ROWS);
      this.#scoreChunk(x.subarray(start * width, end * width), end - start, start, out, mode, top, minImpact);
    }
    return out;
  }

  #scoreChunk(
    x: Float32Array,
    n: number,
    offset: number,
    out: BatchScores,
    mode: ReasonMode,
    top: number,
    minImpact: number,
  ): void {
    const width = this.preprocessor.width;
    const G = this.groups.length;
    const base = this.baseline;
    // variants: per row, the row itself then each group whose columns differ from the baseline
    const first = this.#firstLayer(x, n);
    const baseLogOdds = this.#forward(
      first,
      x,
      Int32Array.from({ length: n }, (_, i) => i),
      new Int32Array(n).fill(-1),
    );
    const wantReasons = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const lo = baseLogOdds[i];
      const p = sigmoid(lo);
      out.logOdds[offset + i] = lo;
      out.probability[offset + i] = p;
      const reject = p >= this.threshold ? 1 : 0;
      out.reject[offset + i] = reject;
      wantReasons[i] = mode === "all" || (mode === "rejected" && reject) ? 1 : 0;
    }
    if (mode === "none") return;
    const rowsOf: number[] = [];
    const groupsOf: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!wantReasons[i]) continue;
      const at = i * width;
      for (let g = 0; g < G; g++) {
        const cols = this.#groupCols[g];
        let differs = false;
        for (let k = 0; k < cols.length; k++) {
          if (x[at + cols[k]] !== base[cols[k]]) {
            differs = true;
            break;
          }
        }
        if (differs) {
          rowsOf.push(i);
          groupsOf.push(g);
        }
      }
    }
    if (rowsOf.length === 0) return;
    const variantLogOdds = this.#forward(first, x, Int32Array.from(rowsOf), Int32Array.from(groupsOf));
    // per row: impacts of its variants, top ones by impact (ties by name), as reasonCodes orders them
    const topGroups = new Int32Array(top);
    const topImpacts = new Float64Array(top);
    let v = 0;
    while (v < rowsOf.length) {
      const i = rowsOf[v];
      let count = 0;
      for (; v < rowsOf.length && rowsOf[v] === i; v++) {
        const g = groupsOf[v];
        const impact = baseLogOdds[i] - variantLogOdds[v];
        if (!(impact >= minImpact)) continue;
        // insertion into the sorted top list
        let pos = count;
        while (
          pos > 0 &&
          (impact > topImpacts[pos - 1] ||
            (impact === topImpacts[pos - 1] && this.#nameRank[g] < this.#nameRank[topGroups[pos - 1]]))
        ) pos--;
        if (pos >= top) continue;
        for (let k = Math.min(count, top - 1); k > pos; k--) {
          topImpacts[k] = topImpacts[k - 1];
          topGroups[k] = topGroups[k - 1];
        }
        topImpacts[pos] = impact;
        topGroups[pos] = g;
        if (count < top) count++;
      }
      for (let k = 0; k < count; k++) {
        out.reasonGroups[(offset + i) * top + k] = topGroups[k];
        out.reasonImpacts[(offset + i) * top + k] = topImpacts[k];
      }
    }
  }

  /** Pre-activations of the (fused) first layer for the chunk's rows, `n x units` (null on the fallback path). */
  #firstLayer(x: Float32Array, n: number): Float32Array | null {
    if (!this.#model) return null;
    const t = this.#ensureTensors();
    // tidy must return the tensor: handed a typed array it would walk every element looking for tensors
    const z = tfjs.tidy(() => {
      const input = tfjs.tensor2d(x, [n, this.preprocessor.width]);
      return tfjs.add(tfjs.matMul(input, t.first), t.firstBias);
    });
    return readAndDispose(z);
  }

  #ensureTensors() {
    if (this.#tensors) return this.#tensors;
    const members = this.#model!.members;
    const M = members.length;
    const l0 = members[0][0];
    const units = l0.units * M;
    const kernel = new Float32Array(l0.inputs * units);
    const bias = new Float32Array(units);
    members.forEach((layers, m) => {
      const w = layers[0];
      for (let i = 0; i < w.inputs; i++) {
        for (let j = 0; j < w.units; j++) kernel[i * units + m * w.units + j] = w.kernel[i * w.units + j];
      }
      bias.set(w.bias, m * w.units);
    });
    this.#tensors = {
      first: tfjs.tensor2d(kernel, [l0.inputs, units]),
      firstBias: tfjs.tensor1d(bias),
      deep: members.map((layers) =>
        layers.slice(1).map((l) => ({
          kernel: tfjs.tensor2d(l.kernel, [l.inputs, l.units]),
          bias: tfjs.tensor1d(l.bias),
        }))
      ),
    };
    this.#firstKernel = kernel;
    return this.#tensors;
  }

  #firstKernel: Float32Array | null = null;
  /** The WebAssembly SIMD kernel for first-layer variants (null: the JavaScript loop). */
  #kernel: VariantKernel | null = null;
  /** Whether the kernel also runs the deeper layers (decided on first use). */
  #deepKernel: boolean | null = null;

  /**
   * Calibrated log-odds of variants: `rowsOf[v]` is the chunk row, `groupsOf[v]` the group set to the baseline
   * (-1 = none). Variants of one row must be contiguous.
   */
  #forward(
    first: Float32Array | null,
    x: Float32Array,
    rowsOf: Int32Array,
    groupsOf: Int32Array,
  ): Float64Array {
    const V = rowsOf.length;
    const { a, b } = this.#calibration;
    const result = new Float64Array(V);
    const width = this.preprocessor.width;
    if (!this.#model || !first) {
      const batch = new Float32Array(V * width);
      for (let v = 0; v < V; v++) {
        const at = v * width;
        batch.set(x.subarray(rowsOf[v] * width, (rowsOf[v] + 1) * width), at);
        const g = groupsOf[v];
        if (g >= 0) { for (const c of this.#groupCols[g]) batch[at + c] = this.baseline[c]; }
      }
      const z = this.#fallback!(batch, V);
      for (let v = 0; v < V; v++) result[v] = z[v];
      return result;
    }
    const members = this.#model.members;
    const M = members.length;
    const l0 = members[0][0];
    const H = l0.units;
    const W = this.#firstKernel!;
    const act = l0.activation;
    // first-layer activations of every variant, one matrix per member
    let hidden: Float32Array[];
    const mean = new Float64Array(V);
    if (this.#kernel && (act === "relu" || act === "linear") && H % 4 === 0) {
      const input = {
        first,
        x,
        width,
        base: this.baseline,
        W,
        units: H * M,
        members: M,
        relu: act === "relu",
        rowsOf,
        groupsOf,
        groupStart: this.#groupStart,
        groupFlat: this.#groupFlat,
      };
      // whole passes in the kernel when the deeper layers suit it (the same sums as tfjs's matMuls, no copies)
      this.#deepKernel ??= members[0].length > 1 && this.#kernel.setDeep(members.map((m) => m.slice(1)));
      if (this.#deepKernel) {
        const logits = this.#kernel.logits(input);
        for (let m = 0; m < M; m++) for (let v = 0; v < V; v++) mean[v] += logits[m][v];
        for (let v = 0; v < V; v++) result[v] = Math.fround(a * Math.fround(mean[v] / M) + b);
        return result;
      }
      hidden = this.#kernel.run(input);
    } else {
      hidden = members.map(() => new Float32Array(V * H));
      variantActivations(
        first,
        x,
        width,
        rowsOf,
        groupsOf,
        this.#groupStart,
        this.#groupFlat,
        this.baseline,
        W,
        M,
        H,
        act === "relu" ? 1 : act === "linear" ? 2 : 0,
        hidden,
        act,
      );
    }
    if (members[0].length === 1) {
      // logistic regression: the first layer is the output
      for (let m = 0; m < M; m++) for (let v = 0; v < V; v++) mean[v] += hidden[m][v];
    } else {
      const t = this.#ensureTensors();
      for (let m = 0; m < M; m++) {
        const layers = members[m];
        const logits = readAndDispose(tfjs.tidy(() => {
          let h: tf.Tensor2D = tfjs.tensor2d(hidden[m], [V, H]);
          for (let l = 1; l < layers.length; l++) {
            const w = t.deep[m][l - 1];
            h = tfjs.fused.matMul({
              a: h,
              b: w.kernel,
              bias: w.bias,
              activation: layers[l].activation as "relu" | "linear" | "elu" | "sigmoid",
            }) as tf.Tensor2D;
          }
          return h;
        }));
        for (let v = 0; v < V; v++) mean[v] += logits[v];
      }
    }
    for (let v = 0; v < V; v++) {
      // as ModelScorer.logOddsEncoded: float32 mean logit, calibrated, kept as float32
      result[v] = Math.fround(a * Math.fround(mean[v] / M) + b);
    }
    return result;
  }

  /** Frees the tensors. */
  dispose(): void {
    if (!this.#tensors) return;
    this.#tensors.first.dispose();
    this.#tensors.firstBias.dispose();
    for (const layers of this.#tensors.deep) {
      for (const l of layers) {
        l.kernel.dispose();
        l.bias.dispose();
      }
    }
    this.#tensors = null;
  }
}

/**
 * Histogram-based gradient-boosted trees in TypeScript (the idea of LightGBM and scikit-learn's
 * HistGradientBoostingClassifier): each encoded column is cut into at most `maxBins` bins (midpoints between distinct
 * training values, or quantiles when there are more), trees grow leaf-wise up to `maxLeaves` leaves on gradient and
 * hessian histograms of the binary log loss (the larger child's histogram is the parent's minus the smaller one's),
 * leaves take the Newton step `-G / (H + l2)` times the learning rate, and boosting stops early when the validation
 * metric (ROC AUC unless told otherwise) has not improved for `patience` trees; the best number of trees is kept.
 * Row and column subsampling are seeded: the same seed gives the same trees.
 *
 * A trained model is plain data (`GbdtJson`, saved as one JSON file) and scores encoded rows without tfjs.
 *
 * @example
 * ```ts
 * import { fitGbdt, gbdtLogits } from "./gbdt.ts";
 * const { model } = fitGbdt(train, validation, { trees: 300, learningRate: 0.05, seed: 42 });
 * const z = gbdtLogits(model, validation.x, validation.rows); // log-odds, uncalibrated
 * ```
 * @module
 */
import type { Dataset, EpochLog } from "./tfjs_model.ts";
import { rocAuc } from "./metrics.ts";
import { seededRandom } from "../numeric/random.ts";
import { sigmoid } from "../numeric/special.ts";

/** One tree as flat arrays; node 0 is the root, `feature[k] = -1` marks a leaf whose log-odds is `value[k]`. */
export interface GbdtTree {
  feature: number[];
  /** Rows with `x[feature] <= threshold` go left. */
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

/** A trained model as plain data (what `gbdt.json` holds). */
export interface GbdtJson {
  format: "credit-gbdt/1";
  /** Encoded columns the model reads. */
  cols: number;
  /** Initial log-odds (the training rows' weighted base rate). */
  bias: number;
  trees: GbdtTree[];
}

/** Tree settings of the gbdt type (the `params` of its hyperparameters). */
export interface GbdtParams {
  /** Leaves per tree (default 31). */
  maxLeaves: number;
  /** Depth limit, 0 for none (default 0). */
  maxDepth: number;
  /** Fewest training rows in a leaf (default 20). */
  minLeaf: number;
  /** Bins per column, 2..255 (default 255). */
  maxBins: number;
  /** Share of the training rows each tree sees (default 1). */
  rowSample: number;
  /** Share of the columns each tree may split on (default 1). */
  colSample: number;
  /** Smallest gain of a split (default 0). */
  minGain: number;
  /** Smallest hessian sum in a leaf (default 1e-3). */
  minHessian: number;
}

/** The defaults of {@link GbdtParams}. */
export const GBDT_PARAM_DEFAULTS: Readonly<GbdtParams> = Object.freeze({
  maxLeaves: 31,
  maxDepth: 0,
  minLeaf: 20,
  maxBins: 255,
  rowSample: 1,
  colSample: 1,
  minGain: 0,
  minHessian: 1e-3,
});

/**
 * Tree settings with the given ones on top of the defaults; an unknown name or a value out of range is an error.
 *
 * @example
 * ```ts
 * gbdtParams({ maxLeaves: 15 }).minLeaf; // 20
 * gbdtParams({ leaves: 15 }); // throws: Unknown gbdt parameter "leaves"; known: "maxLeaves", ...
 * ```
 */
export function gbdtParams(overrides: Record<string, number> = {}): GbdtParams {
  const out: GbdtParams = { ...GBDT_PARAM_DEFAULTS };
  const known = Object.keys(GBDT_PARAM_DEFAULTS);
  for (const [key, value] of Object.entries(overrides)) {
    if (!known.includes(key)) {
      throw new Error(`Unknown gbdt parameter "${key}"; known: ${known.map((k) => `"${k}"`).join(", ")}`);
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new Error(`Gbdt parameter "${key}" must be a finite number, got "${String(value)}"`);
    }
    (out as unknown as Record<string, number>)[key] = value;
  }
  const check = (ok: boolean, key: keyof GbdtParams, want: string) => {
    if (!ok) throw new Error(`Gbdt parameter "${key}" is "${out[key]}"; expected ${want}`);
  };
  check(Number.isInteger(out.maxLeaves) && out.maxLeaves >= 2, "maxLeaves", "a whole number >= 2");
  check(Number.isInteger(out.maxDepth) && out.maxDepth >= 0, "maxDepth", "a whole number >= 0");
  check(Number.isInteger(out.minLeaf) && out.minLeaf >= 1, "minLeaf", "a whole number >= 1");
  check(Number.isInteger(out.maxBins) && out.maxBins >= 2 && out.maxBins <= 255, "maxBins", "a whole number in 2..255");
  check(out.rowSample > 0 && out.rowSample <= 1, "rowSample", "a share in (0, 1]");
  check(out.colSample > 0 && out.colSample <= 1, "colSample", "a share in (0, 1]");
  check(out.minGain >= 0, "minGain", "at least 0");
  check(out.minHessian >= 0, "minHessian", "at least 0");
  return out;
}

/** Options of {@link fitGbdt}. */
export interface GbdtFitOptions extends Partial<GbdtParams> {
  /** Most trees (default 500). */
  trees?: number;
  /** Shrinkage of each tree (default 0.05). */
  learningRate?: number;
  /** L2 penalty on leaf values (default 1). */
  l2?: number;
  /** Trees without a better validation metric before stopping (default 50). */
  patience?: number;
  /** Weight of positive rows in the loss (default 1). */
  positiveWeight?: number;
  seed?: number;
  /** Early-stopping metric on validation probabilities, larger is better (default ROC AUC). */
  metric?: (y: Float32Array, p: Float32Array) => number;
  /** Called after each tree (`epoch` is the number of trees). */
  onEpoch?: (log: EpochLog) => void;
}

/** What {@link fitGbdt} returns. */
export interface GbdtFit {
  model: GbdtJson;
  history: EpochLog[];
  /** Trees kept (1-based iteration of the best validation metric). */
  bestEpoch: number;
  bestMetric: number;
}

/**
 * Log-odds of encoded rows (row-major, `rows x model.cols`) under a model.
 *
 * @example
 * ```ts
 * gbdtLogits(model, x, 2); // Float32Array [-2.1, 0.7]
 * ```
 */
export function gbdtLogits(model: GbdtJson, x: Float32Array, rows: number): Float32Array {
  const cols = model.cols;
  if (x.length !== rows * cols) {
    throw new Error(`Expected ${rows} x ${cols} = ${rows * cols} values, got "${x.length}"`);
  }
  const sums = new Float64Array(rows).fill(model.bias);
  for (const t of model.trees) {
    const { feature, threshold, left, right, value } = t;
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      let k = 0;
      let f = feature[0];
      while (f >= 0) {
        k = x[base + f] <= threshold[k] ? left[k] : right[k];
        f = feature[k];
      }
      sums[r] += value[k];
    }
  }
  return Float32Array.from(sums);
}

/** Column bins: `codes[f * n + i]` is row i's bin of column f; `edges[f]` its thresholds (bin b: x <= edges[b]). */
interface Binned {
  codes: Uint8Array;
  edges: Float64Array[];
}

function binColumns(data: Dataset, maxBins: number): Binned {
  const { rows: n, cols, x } = data;
  const codes = new Uint8Array(n * cols);
  const edges: Float64Array[] = [];
  const column = new Float64Array(n);
  for (let f = 0; f < cols; f++) {
    for (let i = 0; i < n; i++) column[i] = x[i * cols + f];
    const sorted = column.slice().sort();
    const distinct: number[] = [];
    for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
    const cuts: number[] = [];
    if (distinct.length <= maxBins) {
      for (let k = 1; k < distinct.length; k++) cuts.push((distinct[k - 1] + distinct[k]) / 2);
    } else {
      // quantile cuts: midpoints between the value at each quantile and the next distinct value above it
      let last = -Infinity;
      for (let k = 1; k < maxBins; k++) {
        const v = sorted[Math.min(n - 1, Math.floor((k * n) / maxBins))];
        const at = upperBound(distinct, v);
        if (at >= distinct.length) break;
        const cut = (v + distinct[at]) / 2;
        if (cut > last) {
          cuts.push(cut);
          last = cut;
        }
      }
    }
    const e = Float64Array.from(cuts);
    edges.push(e);
    const base = f * n;
    for (let i = 0; i < n; i++) codes[base + i] = lowerBound(e, column[i]);
  }
  return { codes, edges };
}

/** Index of the first element > v in a sorted array. */
function upperBound(a: ArrayLike<number>, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of edges < v: the bin of v (v <= edges[bin]). */
function lowerBound(a: ArrayLike<number>, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A leaf being grown: its rows `order[start..end)`, sums, histogram and best split. */
interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  /** Gradient, hessian and count per (column, bin): `hist[(f * 256 + b) * 3 + 0..2]`. */
  hist: Float64Array;
  gain: number;
  feature: number;
  bin: number;
}

const B = 256;

function logLoss(y: Float32Array, z: Float64Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    // log(1 + e^z) - y z, stable
    const v = z[i];
    s += (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v))) - y[i] * v;
  }
  return y.length ? s / y.length : NaN;
}

/**
 * Trains gradient-boosted trees on encoded rows; see the module doc. Deterministic for a seed.
 *
 * @example
 * ```ts
 * const fit = fitGbdt(train, validation, { trees: 200, seed: 1, maxLeaves: 15 });
 * fit.bestEpoch; // trees kept
 * ```
 */
export function fitGbdt(train: Dataset, validation: Dataset, opts: GbdtFitOptions = {}): GbdtFit {
  const { trees: _t, learningRate: _lr, l2: _l2, patience: _p, positiveWeight: _w, seed: _s, metric: _m, ...rest } =
    opts;
  delete (rest as Record<string, unknown>).onEpoch;
  const p = gbdtParams(rest as Record<string, number>);
  const maxTrees = opts.trees ?? 500;
  const lr = opts.learningRate ?? 0.05;
  const l2 = opts.l2 ?? 1;
  const patience = opts.patience ?? 50;
  const posW = opts.positiveWeight ?? 1;
  const metric = opts.metric ?? ((y: Float32Array, pr: Float32Array) => rocAuc(pr, y));
  const rand = seededRandom(opts.seed ?? 42);
  const n = train.rows, cols = train.cols;
  if (n === 0) throw new Error("Cannot train on 0 rows");
  if (validation.rows && validation.cols !== cols) {
    throw new Error(`Validation has ${validation.cols} columns; training has "${cols}"`);
  }
  const { codes, edges } = binColumns(train, p.maxBins);
  const usable = [...Array(cols).keys()].filter((f) => edges[f].length > 0);

  const y = train.y;
  const w = Float64Array.from(y, (v) => (v === 1 ? posW : 1));
  let sw = 0, swy = 0;
  for (let i = 0; i < n; i++) {
    sw += w[i];
    swy += w[i] * y[i];
  }
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, swy / sw));
  const bias = Math.log(rate / (1 - rate));
  const F = new Float64Array(n).fill(bias);
  const Fv = new Float64Array(validation.rows).fill(bias);
  const g = new Float64Array(n), h = new Float64Array(n);
  const order = new Int32Array(n);
  const scratch = new Int32Array(n);
  const model: GbdtJson = { format: "credit-gbdt/1", cols, bias, trees: [] };
  const history: EpochLog[] = [];
  let best = -Infinity, bestEpoch = 0, stale = 0;
  const pv = new Float32Array(validation.rows);

  const buildHist = (start: number, end: number, features: number[]): Float64Array => {
    const hist = new Float64Array(cols * B * 3);
    for (const f of features) {
      const col = f * n, base = f * B;
      for (let r = start; r < end; r++) {
        const i = order[r];
        const k = (base + codes[col + i]) * 3;
        hist[k] += g[i];
        hist[k + 1] += h[i];
        hist[k + 2] += 1;
      }
    }
    return hist;
  };
  const findSplit = (leaf: Leaf, features: number[]) => {
    leaf.gain = -Infinity;
    leaf.feature = -1;
    if (p.maxDepth > 0 && leaf.depth >= p.maxDepth) return;
    const count = leaf.end - leaf.start;
    if (count < 2 * p.minLeaf) return;
    const G = leaf.g, H = leaf.h;
    const parent = (G * G) / (H + l2);
    const hist = leaf.hist;
    for (const f of features) {
      const nb = edges[f].length; // bins 0..nb; a split at b sends bins <= b left
      let gl = 0, hl = 0, cl = 0;
      const base = f * B * 3;
      for (let b = 0; b < nb; b++) {
        const k = base + b * 3;
        gl += hist[k];
        hl += hist[k + 1];
        cl += hist[k + 2];
        if (cl < p.minLeaf || hl < p.minHessian) continue;
        const cr = count - cl;
        if (cr < p.minLeaf) break;
        const hr = H - hl;
        if (hr < p.minHessian) continue;
        const gr = G - gl;
        const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parent;
        if (gain > leaf.gain) {
          leaf.gain = gain;
          leaf.feature = f;
          leaf.bin = b;
        }
      }
    }
  };

  for (let t = 1; t <= maxTrees; t++) {
    for (let i = 0; i < n; i++) {
      const pr = sigmoid(F[i]);
      g[i] = w[i] * (pr - y[i]);
      h[i] = w[i] * Math.max(pr * (1 - pr), 1e-16);
    }
    // rows and columns of this tree
    let m = 0;
    if (p.rowSample < 1) {
      for (let i = 0; i < n; i++) if (rand() < p.rowSample) order[m++] = i;
    } else {
      for (let i = 0; i < n; i++) order[m++] = i;
    }
    let features = usable;
    if (p.colSample < 1 && usable.length > 1) {
      const keep = Math.max(1, Math.round(usable.length * p.colSample));
      const shuffled = usable.slice();
      for (let k = shuffled.length - 1; k > 0; k--) {
        const j = Math.floor(rand() * (k + 1));
        [shuffled[k], shuffled[j]] = [shuffled[j], shuffled[k]];
      }
      features = shuffled.slice(0, keep).sort((a, b) => a - b);
    }
    const tree: GbdtTree = { feature: [-1], threshold: [0], left: [-1], right: [-1], value: [0] };
    const splitBin: number[] = [0];
    let G0 = 0, H0 = 0;
    for (let r = 0; r < m; r++) {
      G0 += g[order[r]];
      H0 += h[order[r]];
    }
    const root: Leaf = {
      node: 0,
      start: 0,
      end: m,
      depth: 0,
      g: G0,
      h: H0,
      hist: buildHist(0, m, features),
      gain: -Infinity,
      feature: -1,
      bin: 0,
    };
    findSplit(root, features);
    const leaves: Leaf[] = [root];
    while (leaves.length < p.maxLeaves) {
      let pick = -1;
      for (let k = 0; k < leaves.length; k++) {
        if (leaves[k].feature >= 0 && leaves[k].gain > p.minGain && (pick < 0 || leaves[k].gain > leaves[pick].gain)) {
          pick = k;
        }
      }
      if (pick < 0) break;
      const leaf = leaves[pick];
      const f = leaf.feature, b = leaf.bin, col = f * n;
      // stable partition of the leaf's rows
      let lo = leaf.start, hiCount = 0;
      for (let r = leaf.start; r < leaf.end; r++) {
        const i = order[r];
        if (codes[col + i] <= b) order[lo++] = i;
        else scratch[hiCount++] = i;
      }
      order.set(scratch.subarray(0, hiCount), lo);
      let gl = 0, hl = 0;
      for (let r = leaf.start; r < lo; r++) {
        gl += g[order[r]];
        hl += h[order[r]];
      }
      const li = tree.feature.length, ri = li + 1;
      tree.feature[leaf.node] = f;
      tree.threshold[leaf.node] = edges[f][b];
      splitBin[leaf.node] = b;
      tree.left[leaf.node] = li;
      tree.right[leaf.node] = ri;
      for (const _ of [li, ri]) {
        tree.feature.push(-1);
        tree.threshold.push(0);
        tree.left.push(-1);
        tree.right.push(-1);
        tree.value.push(0);
        splitBin.push(0);
      }
      const left: Leaf = {
        node: li,
        start: leaf.start,
        end: lo,
        depth: leaf.depth + 1,
        g: gl,
        h: hl,
        hist: leaf.hist,
        gain: -Infinity,
        feature: -1,
        bin: 0,
      };
      const right: Leaf = { ...left, node: ri, start: lo, end: leaf.end, g: leaf.g - gl, h: leaf.h - hl };
      const [small, large] = lo - leaf.start <= leaf.end - lo ? [left, right] : [right, left];
      small.hist = buildHist(small.start, small.end, features);
      const parentHist = leaf.hist;
      large.hist = parentHist;
      for (const fi of features) {
        const s = fi * B * 3, e = s + (edges[fi].length + 1) * 3;
        for (let k = s; k < e; k++) parentHist[k] -= small.hist[k];
      }
      findSplit(left, features);
      findSplit(right, features);
      leaves.splice(pick, 1, left, right);
    }
    for (const leaf of leaves) tree.value[leaf.node] = (-leaf.g / (leaf.h + l2)) * lr;
    // update the scores of every training row (by bins) and validation row (by values)
    for (let i = 0; i < n; i++) {
      let k = 0;
      while (tree.feature[k] >= 0) {
        const fk = tree.feature[k];
        k = codes[fk * n + i] <= splitBin[k] ? tree.left[k] : tree.right[k];
      }
      F[i] += tree.value[k];
    }
    model.trees.push(tree);
    const vz = gbdtLogits({ ...model, trees: [tree], bias: 0 }, validation.x, validation.rows);
    for (let i = 0; i < validation.rows; i++) {
      Fv[i] += vz[i];
      pv[i] = sigmoid(Fv[i]);
    }
    const log: EpochLog = {
      epoch: t,
      loss: logLoss(y, F),
      valLoss: validation.rows ? logLoss(validation.y, Fv) : NaN,
      valMetric: validation.rows ? metric(validation.y, pv) : NaN,
      learningRate: lr,
    };
    history.push(log);
    opts.onEpoch?.(log);
    if (!validation.rows) {
      bestEpoch = t;
      continue;
    }
    if (log.valMetric > best) {
      best = log.valMetric;
      bestEpoch = t;
      stale = 0;
    } else if (++stale >= patience) break;
    if (leaves.length === 1) break; // nothing left to split
  }
  model.trees = model.trees.slice(0, Math.max(1, bestEpoch));
  return { model, history, bestEpoch: Math.max(1, bestEpoch), bestMetric: best };
}

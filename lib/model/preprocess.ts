/**
 * Preprocessing for tabular credit models, fitted on training rows only and saved as JSON with the model.
 *
 * A {@link FeatureSpec} declares the model's features; every feature is a small pure function of the raw row:
 * - `numeric`: a column, optionally `log1p` (money), imputed (training median or a constant) with a missing
 *   indicator, robust-scaled ((x - median) / IQR) and clipped;
 * - `ratio`: the sum of some columns over another (loan amount to income, total debt to income), then as numeric;
 * - `product`: the product of other numeric features' raw values (interest rate x loan-to-income), then as numeric;
 * - `categorical`: one-hot over the levels seen at least `minCount` times in training plus an explicit
 *   `__unknown__` bucket (unseen, rare and missing values);
 * - `bucket`: a numeric column cut at fixed edges, one-hot (age bands);
 * - `cross`: the combination of two categorical columns, one-hot (loan intent x home ownership).
 *
 * Each feature becomes one *group* of model columns; reason codes speak about groups, with the feature's
 * `description` as the readable text. Range rules ({@link RangeRule}) flag out-of-range inputs per row.
 *
 * @example
 * ```ts
 * import { fitPreprocessor, Preprocessor } from "./preprocess.ts";
 * const spec = {
 *   label: "churned",
 *   features: [
 *     { kind: "numeric", name: "person_income", description: "income", log: true },
 *     { kind: "categorical", name: "loan_intent", description: "purpose of the loan" },
 *   ],
 * } as const;
 * const pre = fitPreprocessor(spec, [{ person_income: 50000, loan_intent: "EDUCATION" }]);
 * const { data, cols } = pre.transform([{ person_income: null, loan_intent: "VENTURE" }]);
 * const again = Preprocessor.fromJSON(JSON.parse(JSON.stringify(pre.toJSON())));
 * ```
 * @module
 */

/** A raw input row: column name to value (numbers, bigints, strings, null; anything else counts as missing). */
export type RawRow = Record<string, unknown>;

/** Fields shared by every feature. */
interface FeatureBase {
  /** The feature's (and its column group's) name. */
  name: string;
  /** Readable text for reason codes, e.g. "missed payments in the last 6 months". */
  description: string;
}

/** Numeric options shared by numeric, ratio and product features. */
export interface NumericOptions {
  /** Apply `log1p(max(x, 0))` before scaling (money columns). */
  log?: boolean;
  /** Imputation of missing values: the training median (default) or a constant in raw units. */
  impute?: "median" | number;
  /** Scaled values are clipped to [-clip, clip] (default 10). */
  clip?: number;
  /**
   * Adds a piecewise-linear encoding over this many training quantile bins (one column per bin: 0 below it,
   * 1 above it, linear inside), which lets a small network bend the feature's effect like a tree's splits.
   */
  bins?: number;
}

/** A numeric column. */
export interface NumericFeature extends FeatureBase, NumericOptions {
  kind: "numeric";
  /** Source column (default `name`). */
  column?: string;
}

/** The sum of `numerator` columns divided by `denominator` (missing when the denominator is missing or <= 0). */
export interface RatioFeature extends FeatureBase, NumericOptions {
  kind: "ratio";
  numerator: string[];
  denominator: string;
}

/** The product of other features' raw values (numeric, ratio or product features named in `factors`). */
export interface ProductFeature extends FeatureBase, NumericOptions {
  kind: "product";
  factors: string[];
}

/** A categorical column, one-hot with an explicit unknown bucket. */
export interface CategoricalFeature extends FeatureBase {
  kind: "categorical";
  column?: string;
  /** Levels seen fewer times than this in training go to the unknown bucket (default 1). */
  minCount?: number;
}

/** A numeric column cut at `edges` (ascending): level i holds edges[i-1] <= x < edges[i]; one-hot. */
export interface BucketFeature extends FeatureBase {
  kind: "bucket";
  column: string;
  edges: number[];
}

/** The combination of categorical columns (values joined with "|"), one-hot with an unknown bucket. */
export interface CrossFeature extends FeatureBase {
  kind: "cross";
  columns: string[];
  minCount?: number;
}

/** Any feature of a {@link FeatureSpec}. */
export type Feature =
  | NumericFeature
  | RatioFeature
  | ProductFeature
  | CategoricalFeature
  | BucketFeature
  | CrossFeature;

/** A flag raised when a column's value is outside its allowed range. */
export interface RangeRule {
  column: string;
  min?: number;
  max?: number;
  /** The value must not exceed this other column's value (e.g. employment length <= age). */
  maxColumn?: string;
  /** Readable name used in the problem text (default the column name). */
  label?: string;
}

/** What a model consumes: its features, label and input checks. Plain data, stored with the model. */
export interface FeatureSpec {
  /** Label column (1 = default). */
  label: string;
  /** Event time column used for the time-based split. */
  timestampColumn?: string;
  features: readonly Feature[];
  /** Out-of-range checks applied to every row before scoring. */
  rules?: readonly RangeRule[];
}

/** One out-of-range input found by {@link validateRow}. */
export interface Problem {
  column: string;
  value: unknown;
  reason: string;
}

/** Fitted state of a numeric-like feature. */
export interface NumericState {
  /** Median of the (logged) training values: also the imputed value unless `impute` is a constant. */
  center: number;
  /** Interquartile range of the (logged) training values (falls back to the std, then 1). */
  scale: number;
  /** Value (after log) put in place of a missing one. */
  fill: number;
  /** Whether a missing-indicator column follows (training had missing values). */
  indicator: boolean;
  /** Bin edges (training quantiles after log, min to max) of the piecewise-linear encoding, when `bins` is set. */
  edges?: number[];
}

/** Fitted state of a one-hot feature: its known levels (the unknown bucket is implicit and last). */
export interface LevelState {
  levels: string[];
}

/** The JSON form of a fitted preprocessor. */
export interface PreprocessorJson {
  format: "credit-preprocessor/1";
  spec: FeatureSpec;
  state: Record<string, NumericState | LevelState>;
}

/** One model column: its name and the feature group it belongs to. */
export interface ColumnInfo {
  name: string;
  group: string;
}

/** The unknown bucket's level name. */
export const UNKNOWN = "__unknown__";

/**
 * A raw value as a finite number, or null (null, undefined, NaN, infinities, non-numeric strings).
 *
 * @example
 * ```ts
 * toNumber(12n); // 12
 * toNumber("3.5"); // 3.5
 * toNumber(""); // null
 * ```
 */
export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    if (value.trim() === "") return null;
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  if (value instanceof Date) return value.getTime();
  return null;
}

/**
 * A raw value as a category string, or null when missing.
 *
 * @example
 * ```ts
 * toLevel(" RENT "); // "RENT"
 * toLevel(7n); // "7"
 * ```
 */
export function toLevel(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const s = String(value).trim();
  return s === "" ? null : s;
}

/**
 * The out-of-range inputs of one row, as problems naming the column and value (an empty list when the row is fine).
 * Missing values are not problems (they are imputed).
 *
 * @example
 * ```ts
 * validateRow({ person_age: 133 }, [{ column: "person_age", min: 18, max: 100 }]);
 * // [{ column: "person_age", value: 133, reason: 'person_age is 133; expected between 18 and 100' }]
 * ```
 */
export function validateRow(row: RawRow, rules: readonly RangeRule[]): Problem[] {
  const problems: Problem[] = [];
  for (const rule of rules) {
    const raw = row[rule.column];
    const value = toNumber(raw);
    if (raw !== null && raw !== undefined && value === null && typeof raw === "string" && raw.trim() !== "") {
      problems.push({
        column: rule.column,
        value: raw,
        reason: `${rule.label ?? rule.column} is "${raw}"; not a number`,
      });
      continue;
    }
    if (value === null) continue;
    const label = rule.label ?? rule.column;
    const tooLow = rule.min !== undefined && value < rule.min;
    const tooHigh = rule.max !== undefined && value > rule.max;
    if (tooLow || tooHigh) {
      const expected = rule.min !== undefined && rule.max !== undefined
        ? `between ${rule.min} and ${rule.max}`
        : rule.min !== undefined
        ? `at least ${rule.min}`
        : `at most ${rule.max}`;
      problems.push({ column: rule.column, value, reason: `${label} is ${value}; expected ${expected}` });
      continue;
    }
    if (rule.maxColumn) {
      const other = toNumber(row[rule.maxColumn]);
      if (other !== null && value > other) {
        problems.push({
          column: rule.column,
          value,
          reason: `${label} is ${value}; expected at most ${rule.maxColumn} (${other})`,
        });
      }
    }
  }
  return problems;
}

/**
 * Columns a spec reads from raw rows (for selecting them from a table).
 *
 * @example
 * ```ts
 * inputColumns({ label: "y", features: [{ kind: "ratio", name: "lti", numerator: ["a"], denominator: "i", description: "" }] });
 * // ["a", "i"]
 * ```
 */
export function inputColumns(spec: FeatureSpec): string[] {
  const out = new Set<string>();
  for (const f of spec.features) {
    switch (f.kind) {
      case "numeric":
      case "categorical":
        out.add(f.column ?? f.name);
        break;
      case "ratio":
        for (const c of [...f.numerator, f.denominator]) out.add(c);
        break;
      case "bucket":
        out.add(f.column);
        break;
      case "cross":
        for (const c of f.columns) out.add(c);
        break;
      case "product":
        break;
    }
  }
  for (const r of spec.rules ?? []) {
    out.add(r.column);
    if (r.maxColumn) out.add(r.maxColumn);
  }
  return [...out];
}

function checkSpec(spec: FeatureSpec): void {
  const names = new Set<string>();
  for (const f of spec.features) {
    if (names.has(f.name)) throw new Error(`Feature "${f.name}" is defined twice`);
    if (f.kind === "product") {
      for (const factor of f.factors) {
        const ref = spec.features.find((g) => g.name === factor);
        if (!ref || !names.has(factor)) {
          throw new Error(`Product feature "${f.name}" needs factor "${factor}" defined before it`);
        }
        if (ref.kind !== "numeric" && ref.kind !== "ratio" && ref.kind !== "product") {
          throw new Error(`Product feature "${f.name}": factor "${factor}" is not numeric`);
        }
      }
    }
    if (f.kind === "bucket" && f.edges.some((e, i) => i > 0 && e <= f.edges[i - 1])) {
      throw new Error(`Bucket feature "${f.name}" needs ascending edges, got ${JSON.stringify(f.edges)}`);
    }
    names.add(f.name);
  }
}

/**
 * The raw (unscaled) value of every numeric-like feature for one row, in spec order (null when missing).
 * Products multiply their factors' raw values.
 */
function rawNumbers(spec: FeatureSpec, row: RawRow): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const f of spec.features) {
    if (f.kind === "numeric") out.set(f.name, toNumber(row[f.column ?? f.name]));
    else if (f.kind === "ratio") {
      const den = toNumber(row[f.denominator]);
      let num = 0;
      let missing = den === null || den <= 0;
      for (const c of f.numerator) {
        const v = toNumber(row[c]);
        if (v === null) missing = true;
        else num += v;
      }
      out.set(f.name, missing ? null : num / den!);
    } else if (f.kind === "product") {
      let p = 1;
      let missing = false;
      for (const factor of f.factors) {
        const v = out.get(factor);
        if (v === null || v === undefined) missing = true;
        else p *= v;
      }
      out.set(f.name, missing ? null : p);
    }
  }
  return out;
}

function levelOf(f: CategoricalFeature | BucketFeature | CrossFeature, row: RawRow): string | null {
  if (f.kind === "categorical") return toLevel(row[f.column ?? f.name]);
  if (f.kind === "bucket") {
    const v = toNumber(row[f.column]);
    if (v === null) return null;
    let i = 0;
    while (i < f.edges.length && v >= f.edges[i]) i++;
    return bucketName(f.edges, i);
  }
  const parts = f.columns.map((c) => toLevel(row[c]));
  return parts.some((p) => p === null) ? null : parts.join("|");
}

function bucketName(edges: number[], i: number): string {
  if (i === 0) return `<${edges[0]}`;
  if (i === edges.length) return `>=${edges[edges.length - 1]}`;
  return `${edges[i - 1]}-${edges[i]}`;
}

function logged(f: NumericOptions, v: number): number {
  return f.log ? Math.log1p(Math.max(v, 0)) : v;
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Writes a numeric feature's columns (scaled value, missing indicator, bins) at `c`; returns the next column. */
function encodeNumeric(
  f: NumericOptions,
  st: NumericState,
  x: number,
  missing: boolean,
  out: Float32Array,
  c: number,
): number {
  const clip = f.clip ?? 10;
  out[c++] = Math.max(-clip, Math.min(clip, (x - st.center) / st.scale));
  if (st.indicator) out[c++] = missing ? 1 : 0;
  const e = st.edges;
  if (e) {
    for (let b = 1; b < e.length; b++) {
      out[c++] = missing ? 0 : x <= e[b - 1] ? 0 : x >= e[b] ? 1 : (x - e[b - 1]) / (e[b] - e[b - 1]);
    }
  }
  return c;
}

/**
 * Fits a preprocessor on training rows only (medians, IQRs, levels).
 *
 * @example
 * ```ts
 * const pre = fitPreprocessor(spec, trainingRows);
 * pre.columns.length; // model input width
 * ```
 */
export function fitPreprocessor(spec: FeatureSpec, rows: readonly RawRow[]): Preprocessor {
  checkSpec(spec);
  if (rows.length === 0) throw new Error("Cannot fit preprocessing on 0 rows");
  const state: Record<string, NumericState | LevelState> = {};
  const raws = rows.map((r) => rawNumbers(spec, r));
  for (const f of spec.features) {
    if (f.kind === "numeric" || f.kind === "ratio" || f.kind === "product") {
      const values: number[] = [];
      let missing = 0;
      for (const m of raws) {
        const v = m.get(f.name);
        if (v === null || v === undefined) missing++;
        else values.push(logged(f, v));
      }
      const sorted = Float64Array.from(values).sort();
      const center = sorted.length ? quantile(sorted, 0.5) : 0;
      let scale = sorted.length ? quantile(sorted, 0.75) - quantile(sorted, 0.25) : 1;
      if (!(scale > 1e-12)) {
        const mean = values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
        const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(values.length, 1));
        scale = sd > 1e-12 ? sd : 1;
      }
      const fill = typeof f.impute === "number" ? logged(f, f.impute) : center;
      const st: NumericState = { center, scale, fill, indicator: missing > 0 };
      if (f.bins && f.bins > 1 && sorted.length) {
        const edges: number[] = [];
        for (let b = 0; b <= f.bins; b++) {
          const q = quantile(sorted, b / f.bins);
          if (edges.length === 0 || q > edges[edges.length - 1] + 1e-9) edges.push(q);
        }
        if (edges.length >= 3) st.edges = edges;
      }
      state[f.name] = st;
    } else {
      const counts = new Map<string, number>();
      for (const r of rows) {
        const level = levelOf(f, r);
        if (level !== null) counts.set(level, (counts.get(level) ?? 0) + 1);
      }
      const min = f.kind === "bucket" ? 1 : f.minCount ?? 1;
      const levels = [...counts].filter(([, n]) => n >= min).map(([l]) => l).sort();
      state[f.name] = { levels };
    }
  }
  return new Preprocessor(spec, state);
}

/** A fitted preprocessor: raw rows to a dense Float32 matrix, plus baselines for reason codes. */
export class Preprocessor {
  /** The model's columns in order, each with its feature group. */
  readonly columns: ColumnInfo[];
  /** For each group (feature name), the indices of its columns. */
  readonly groups: Map<string, number[]>;
  readonly #levelIndex = new Map<string, Map<string, number>>();

  /** @param spec The features. @param state Fitted statistics per feature. */
  constructor(readonly spec: FeatureSpec, readonly state: Record<string, NumericState | LevelState>) {
    checkSpec(spec);
    this.columns = [];
    this.groups = new Map();
    for (const f of spec.features) {
      const st = state[f.name];
      if (!st) throw new Error(`Preprocessing state lacks feature "${f.name}"`);
      const start = this.columns.length;
      if ("center" in st) {
        this.columns.push({ name: f.name, group: f.name });
        if (st.indicator) this.columns.push({ name: `${f.name}__missing`, group: f.name });
        for (let b = 1; b < (st.edges?.length ?? 0); b++) {
          this.columns.push({ name: `${f.name}__bin${b}`, group: f.name });
        }
      } else {
        const index = new Map<string, number>();
        st.levels.forEach((l, i) => {
          index.set(l, i);
          this.columns.push({ name: `${f.name}=${l}`, group: f.name });
        });
        this.columns.push({ name: `${f.name}=${UNKNOWN}`, group: f.name });
        this.#levelIndex.set(f.name, index);
      }
      this.groups.set(f.name, Array.from({ length: this.columns.length - start }, (_, i) => start + i));
    }
  }

  /** Rebuilds a preprocessor from {@link Preprocessor.toJSON}'s output. */
  static fromJSON(json: PreprocessorJson): Preprocessor {
    if (json?.format !== "credit-preprocessor/1") {
      throw new Error(`Unknown preprocessing format "${json?.format}"; expected "credit-preprocessor/1"`);
    }
    return new Preprocessor(json.spec, json.state);
  }

  /** The JSON form (spec and fitted statistics). */
  toJSON(): PreprocessorJson {
    return { format: "credit-preprocessor/1", spec: this.spec, state: this.state };
  }

  /** Number of model input columns. */
  get width(): number {
    return this.columns.length;
  }

  /** Readable text of a feature group. */
  describe(group: string): string {
    return this.spec.features.find((f) => f.name === group)?.description ?? group;
  }

  /**
   * The applicant's value of a feature group before encoding (a number for numeric-like features, the level for
   * one-hot ones; null when missing).
   *
   * @example
   * ```ts
   * pre.rawValue("loan_to_income", { loan_amnt: 10000, person_income: 40000 }); // 0.25
   * ```
   */
  rawValue(group: string, row: RawRow): number | string | null {
    const f = this.spec.features.find((g) => g.name === group);
    if (!f) throw new Error(`Unknown feature "${group}"`);
    if (f.kind === "numeric" || f.kind === "ratio" || f.kind === "product") {
      return rawNumbers(this.spec, row).get(group) ?? null;
    }
    return levelOf(f, row);
  }

  /**
   * Encodes rows into a row-major Float32 matrix of `rows.length` x {@link Preprocessor.width}.
   *
   * @example
   * ```ts
   * const { data, rows, cols } = pre.transform([{ person_income: 42000 }]);
   * ```
   */
  transform(rows: readonly RawRow[]): { data: Float32Array; rows: number; cols: number } {
    const cols = this.columns.length;
    const data = new Float32Array(rows.length * cols);
    for (let i = 0; i < rows.length; i++) this.encodeInto(rows[i], data, i * cols);
    return { data, rows: rows.length, cols };
  }

  /** Encodes one row into `out` starting at `offset`. */
  encodeInto(row: RawRow, out: Float32Array, offset = 0): void {
    const raw = rawNumbers(this.spec, row);
    let c = offset;
    for (const f of this.spec.features) {
      const st = this.state[f.name];
      if ("center" in st) {
        const nf = f as NumericOptions;
        const v = raw.get(f.name);
        const missing = v === null || v === undefined;
        const x = missing ? st.fill : logged(nf, v);
        c = encodeNumeric(nf, st, x, missing, out, c);
      } else {
        const index = this.#levelIndex.get(f.name)!;
        const level = levelOf(f as CategoricalFeature | BucketFeature | CrossFeature, row);
        const i = level === null ? undefined : index.get(level);
        out[c + (i ?? st.levels.length)] = 1;
        c += st.levels.length + 1;
      }
    }
  }

  /**
   * The baseline applicant in model columns: numeric features at their training median (scaled 0, not missing),
   * one-hot features at their most frequent training level. Reason codes compare against it.
   */
  baseline(modes: Record<string, string>): Float32Array {
    const out = new Float32Array(this.columns.length);
    let c = 0;
    for (const f of this.spec.features) {
      const st = this.state[f.name];
      if ("center" in st) {
        c = encodeNumeric(f as NumericOptions, st, st.center, false, out, c);
      } else {
        const i = st.levels.indexOf(modes[f.name] ?? "");
        out[c + (i < 0 ? st.levels.length : i)] = 1;
        c += st.levels.length + 1;
      }
    }
    return out;
  }

  /**
   * Most frequent level per one-hot feature among `rows` (used to store the baseline applicant with the model).
   */
  modes(rows: readonly RawRow[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of this.spec.features) {
      if (f.kind !== "categorical" && f.kind !== "bucket" && f.kind !== "cross") continue;
      const counts = new Map<string, number>();
      for (const r of rows) {
        const level = levelOf(f, r);
        if (level !== null) counts.set(level, (counts.get(level) ?? 0) + 1);
      }
      let best = UNKNOWN;
      let n = -1;
      for (const [l, k] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        if (k > n) [best, n] = [l, k];
      }
      out[f.name] = best;
    }
    return out;
  }
}

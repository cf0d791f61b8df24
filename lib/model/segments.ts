/**
 * Metrics by segment for fair-lending reviews: for each segment column (an age band, home ownership, loan intent,
 * ...) and each of its values, on the test rows at the model's threshold: rows, defaults, recall, precision, approval
 * rate and ROC AUC, each with a 95% bootstrap interval (rows resampled with replacement within the segment, seeded),
 * and the approval-rate ratio against the segment value approved most often, flagged under 0.8 (the four-fifths
 * rule of adverse-impact analysis).
 *
 * A segment is a column name (its values as they are) or {@link SegmentBands} (a numeric column cut into bands, e.g.
 * an age band from `person_age`). Protected attributes are never model inputs, but they stay columns of the training
 * set so that they can be reported on here.
 *
 * @example
 * ```ts
 * import { segmentMetrics } from "./segments.ts";
 * const report = segmentMetrics({
 *   rows: [{ own: "RENT" }, { own: "RENT" }, { own: "OWN" }, { own: "OWN" }],
 *   scores: [0.9, 0.1, 0.8, 0.2],
 *   labels: [1, 0, 0, 1],
 *   threshold: 0.5,
 *   segments: ["own"],
 * });
 * report.segments[0].rows.map((r) => [r.value, r.approval_rate.value]); // [["OWN", 0.5], ["RENT", 0.5]]
 * ```
 * @module
 */
import { type NumericArray, rocAuc } from "./metrics.ts";
import { seededRandom } from "../numeric/random.ts";

/** A numeric column cut into bands at `edges` (each edge starts a band: `[25, 35]` -> under 25, 25-34, 35 and over). */
export interface SegmentBands {
  /** Name of the segment in reports ("age_band"). */
  name: string;
  /** The numeric column. */
  column: string;
  /** Increasing band starts. */
  edges: readonly number[];
}

/** A segment: a column whose values are reported as they are, or a banded numeric column. */
export type SegmentDefinition = string | SegmentBands;

/** A figure with its 95% bootstrap interval (null where undefined, e.g. recall of a segment without defaults). */
export interface Estimate {
  value: number | null;
  low: number | null;
  high: number | null;
}

/** One value of a segment. */
export interface SegmentRow {
  value: string;
  n: number;
  defaults: number;
  /** Share of the defaults rejected. */
  recall: Estimate;
  /** Share of the rejected that defaulted. */
  precision: Estimate;
  /** Share approved (score below the threshold). */
  approval_rate: Estimate;
  roc_auc: Estimate;
  /** Approval rate over the best value's (null when no value has enough rows or the best approves none). */
  approval_ratio: number | null;
  /** Under the ratio floor (only values with at least `min_rows` rows are flagged). */
  flagged: boolean;
}

/** One segment's values. */
export interface SegmentTable {
  segment: string;
  column: string;
  /** The value with the highest approval rate among those with at least `min_rows` rows (null when none). */
  best: string | null;
  rows: SegmentRow[];
}

/** What {@link segmentMetrics} returns (plain JSON). */
export interface SegmentReport {
  format: "segment-metrics/1";
  threshold: number;
  resamples: number;
  seed: number;
  /** The four-fifths rule's floor of the approval-rate ratio (default 0.8). */
  ratio_floor: number;
  /** Values with fewer rows are reported but neither best nor flagged. */
  min_rows: number;
  segments: SegmentTable[];
  /** Every flagged value. */
  flagged: { segment: string; value: string; approval_ratio: number }[];
  /** The lowest approval-rate ratio over the values with enough rows (null when none). */
  min_approval_ratio: number | null;
}

/** Options of {@link segmentMetrics}. */
export interface SegmentMetricsOptions {
  /** The test rows (at least the segment columns), in the order of `scores` and `labels`. */
  rows: readonly Record<string, unknown>[];
  /** Probabilities of default. */
  scores: NumericArray;
  /** 0/1 labels (1 = default). */
  labels: NumericArray;
  /** Reject at or above. */
  threshold: number;
  segments: readonly SegmentDefinition[];
  /** Bootstrap resamples per segment value (default 200; 0: no intervals). */
  resamples?: number;
  /** Seed of the bootstrap (default 1). */
  seed?: number;
  /** Flag approval-rate ratios below this (default 0.8). */
  ratioFloor?: number;
  /** Fewest rows for a value to be the best or flagged (default 30). */
  minRows?: number;
}

/** The name of a segment. */
export function segmentName(d: SegmentDefinition): string {
  return typeof d === "string" ? d : d.name;
}

/** The column a segment reads. */
export function segmentColumn(d: SegmentDefinition): string {
  return typeof d === "string" ? d : d.column;
}

/**
 * Checks segment definitions; errors name the offending one.
 *
 * @example
 * ```ts
 * checkSegments([{ name: "age_band", column: "person_age", edges: [25, 35] }, "loan_intent"]); // no error
 * ```
 */
export function checkSegments(segments: readonly SegmentDefinition[]): void {
  if (!Array.isArray(segments)) throw new Error(`Segments must be a list, got ${JSON.stringify(segments)}`);
  const names = new Set<string>();
  for (const d of segments) {
    if (typeof d === "string") {
      if (d === "") throw new Error(`A segment has an empty column name`);
    } else {
      if (!d || typeof d.name !== "string" || d.name === "" || typeof d.column !== "string" || d.column === "") {
        throw new Error(`Segment ${JSON.stringify(d)} needs a "name" and a "column"`);
      }
      const e = d.edges;
      if (!Array.isArray(e) || e.length === 0 || e.some((x, i) => !Number.isFinite(x) || (i > 0 && x <= e[i - 1]))) {
        throw new Error(`Segment "${d.name}" needs increasing finite "edges", got ${JSON.stringify(e)}`);
      }
    }
    const name = segmentName(d);
    if (names.has(name)) throw new Error(`Segment "${name}" is declared twice`);
    names.add(name);
  }
}

const fmtEdge = (x: number) => String(x);

/**
 * The band of a value: `under <first edge>`, `<edge>-<next edge - 1>` for whole-number edges (else
 * `<edge> to <next edge>`), `<last edge> and over`.
 *
 * @example
 * ```ts
 * bandLabel([25, 35, 62], 30); // "25-34"
 * bandLabel([25, 35, 62], 70); // "62 and over"
 * ```
 */
export function bandLabel(edges: readonly number[], value: number): string {
  if (value < edges[0]) return `under ${fmtEdge(edges[0])}`;
  for (let i = 0; i < edges.length - 1; i++) {
    if (value < edges[i + 1]) {
      const [a, b] = [edges[i], edges[i + 1]];
      return Number.isInteger(a) && Number.isInteger(b) ? `${a}-${b - 1}` : `${fmtEdge(a)} to ${fmtEdge(b)}`;
    }
  }
  return `${fmtEdge(edges[edges.length - 1])} and over`;
}

/** Every band's label in order. */
function bandLabels(edges: readonly number[]): string[] {
  return [edges[0] - 1, ...edges].map((x) => bandLabel(edges, x));
}

/** The label of a missing value. */
export const MISSING_SEGMENT = "missing";

/**
 * A row's value of a segment (`missing` for null, absent or non-numeric values of a banded column).
 *
 * @example
 * ```ts
 * segmentValue({ name: "age_band", column: "person_age", edges: [25] }, { person_age: 40 }); // "25 and over"
 * ```
 */
export function segmentValue(d: SegmentDefinition, row: Record<string, unknown>): string {
  const v = row[segmentColumn(d)];
  if (v === null || v === undefined || v === "") return MISSING_SEGMENT;
  if (typeof d === "string") return String(v);
  const x = typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : Number(v);
  return Number.isFinite(x) ? bandLabel(d.edges, x) : MISSING_SEGMENT;
}

interface Figures {
  recall: number | null;
  precision: number | null;
  approval: number;
  auc: number | null;
}

function figures(scores: Float64Array, labels: Float64Array, threshold: number): Figures {
  let tp = 0, fp = 0, fn = 0, pos = 0;
  const n = scores.length;
  for (let i = 0; i < n; i++) {
    const reject = scores[i] >= threshold;
    if (labels[i] === 1) {
      pos++;
      if (reject) tp++;
      else fn++;
    } else if (reject) fp++;
  }
  return {
    recall: tp + fn === 0 ? null : tp / (tp + fn),
    precision: tp + fp === 0 ? null : tp / (tp + fp),
    approval: (n - tp - fp) / n,
    auc: pos === 0 || pos === n ? null : rocAuc(scores, labels),
  };
}

function quantile(sorted: number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function estimate(value: number | null, draws: number[]): Estimate {
  if (value === null || draws.length === 0) return { value, low: null, high: null };
  draws.sort((a, b) => a - b);
  return { value, low: quantile(draws, 0.025), high: quantile(draws, 0.975) };
}

/**
 * Per segment value on the test rows: n, defaults, recall, precision, approval rate and ROC AUC with 95% bootstrap
 * intervals, and the approval-rate ratio against the best value, flagged under `ratioFloor` (see the module doc).
 * Values are ordered by band (banded segments) or by name, `missing` last.
 *
 * @example
 * ```ts
 * const r = segmentMetrics({ rows, scores, labels, threshold: 0.3, segments: ["loan_intent"] });
 * r.flagged; // [{ segment: "loan_intent", value: "MEDICAL", approval_ratio: 0.74 }]
 * ```
 */
export function segmentMetrics(opts: SegmentMetricsOptions): SegmentReport {
  const { rows, scores, labels, threshold } = opts;
  const n = rows.length;
  if (scores.length !== n || labels.length !== n) {
    throw new Error(`Got ${n} rows, ${scores.length} scores and ${labels.length} labels; they must match`);
  }
  if (typeof threshold !== "number" || Number.isNaN(threshold)) {
    throw new Error(`Threshold is not a number: "${threshold}"`);
  }
  checkSegments(opts.segments);
  const resamples = opts.resamples ?? 200;
  const seed = opts.seed ?? 1;
  const floor = opts.ratioFloor ?? 0.8;
  const minRows = opts.minRows ?? 30;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new Error(`Label at row ${i} is not 0 or 1: "${labels[i]}"`);
  }
  const tables: SegmentTable[] = [];
  const flagged: SegmentReport["flagged"] = [];
  let minRatio: number | null = null;
  for (const d of opts.segments) {
    const groups = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const v = segmentValue(d, rows[i]);
      let g = groups.get(v);
      if (!g) groups.set(v, g = []);
      g.push(i);
    }
    const order = typeof d === "string" ? [] : bandLabels(d.edges);
    const values = [...groups.keys()].sort((a, b) => {
      if (a === MISSING_SEGMENT || b === MISSING_SEGMENT) return a === b ? 0 : a === MISSING_SEGMENT ? 1 : -1;
      return order.length ? order.indexOf(a) - order.indexOf(b) : a < b ? -1 : a > b ? 1 : 0;
    });
    const rand = seededRandom(seed);
    const out: SegmentRow[] = values.map((value) => {
      const idx = groups.get(value)!;
      const m = idx.length;
      const s = Float64Array.from(idx, (i) => scores[i]);
      const y = Float64Array.from(idx, (i) => labels[i]);
      const point = figures(s, y, threshold);
      const draws = {
        recall: [] as number[],
        precision: [] as number[],
        approval: [] as number[],
        auc: [] as number[],
      };
      const bs = new Float64Array(m), by = new Float64Array(m);
      for (let r = 0; r < resamples; r++) {
        for (let i = 0; i < m; i++) {
          const j = Math.floor(rand() * m);
          bs[i] = s[j];
          by[i] = y[j];
        }
        const f = figures(bs, by, threshold);
        if (f.recall !== null) draws.recall.push(f.recall);
        if (f.precision !== null) draws.precision.push(f.precision);
        draws.approval.push(f.approval);
        if (f.auc !== null) draws.auc.push(f.auc);
      }
      return {
        value,
        n: m,
        defaults: y.reduce((a, b) => a + b, 0),
        recall: estimate(point.recall, draws.recall),
        precision: estimate(point.precision, draws.precision),
        approval_rate: estimate(point.approval, draws.approval),
        roc_auc: estimate(point.auc, draws.auc),
        approval_ratio: null,
        flagged: false,
      };
    });
    let best: SegmentRow | null = null;
    for (const r of out) {
      if (r.n >= minRows && (best === null || r.approval_rate.value! > best.approval_rate.value!)) best = r;
    }
    if (best && best.approval_rate.value! > 0) {
      for (const r of out) {
        r.approval_ratio = r.approval_rate.value! / best.approval_rate.value!;
        if (r.n >= minRows) {
          minRatio = minRatio === null ? r.approval_ratio : Math.min(minRatio, r.approval_ratio);
          if (r.approval_ratio < floor) {
            r.flagged = true;
            flagged.push({ segment: segmentName(d), value: r.value, approval_ratio: r.approval_ratio });
          }
        }
      }
    }
    tables.push({ segment: segmentName(d), column: segmentColumn(d), best: best?.value ?? null, rows: out });
  }
  return {
    format: "segment-metrics/1",
    threshold,
    resamples,
    seed,
    ratio_floor: floor,
    min_rows: minRows,
    segments: tables,
    flagged,
    min_approval_ratio: minRatio,
  };
}

/** A segment value as a metric-name part (letters, digits, "_", "-", "."). */
function slug(x: string): string {
  return x.toLowerCase().replace(/[^a-z0-9_.-]+/g, "_").replace(/^_+|_+$/g, "") || "_";
}

/**
 * The report as flat run/registry metrics: `segment.<segment>.<value>.<figure>` (n, defaults, recall, precision,
 * approval_rate, roc_auc, approval_ratio; undefined figures left out), `segment_min_approval_ratio` and
 * `segment_flags` (the number of flagged values).
 *
 * @example
 * ```ts
 * segmentMetricsFlat(report)["segment.age_band.25-34.approval_rate"]; // 0.61
 * ```
 */
export function segmentMetricsFlat(report: SegmentReport): Record<string, number> {
  const out: Record<string, number> = { segment_flags: report.flagged.length };
  if (report.min_approval_ratio !== null) out.segment_min_approval_ratio = report.min_approval_ratio;
  for (const t of report.segments) {
    for (const r of t.rows) {
      const key = `segment.${slug(t.segment)}.${slug(r.value)}`;
      const put = (k: string, v: number | null) => {
        if (v !== null && Number.isFinite(v)) out[`${key}.${k}`] = v;
      };
      put("n", r.n);
      put("defaults", r.defaults);
      put("recall", r.recall.value);
      put("precision", r.precision.value);
      put("approval_rate", r.approval_rate.value);
      put("roc_auc", r.roc_auc.value);
      put("approval_ratio", r.approval_ratio);
    }
  }
  return out;
}

/**
 * The segment definitions a spec carries (a feature spec built from a repo's model spec keeps its `segments`).
 *
 * @example
 * ```ts
 * segmentsOf({ label: "y", features: [], segments: ["loan_intent"] }); // ["loan_intent"]
 * ```
 */
export function segmentsOf(spec: object): readonly SegmentDefinition[] {
  const s = (spec as { segments?: readonly SegmentDefinition[] }).segments;
  return Array.isArray(s) ? s : [];
}

/**
 * Drift of one column: picks the test (Evidently's default or the user's), runs it with PSI (CSI) beside it, and
 * gathers what the report shows: missing shares, new categories, binned shares for the charts, notes for empty,
 * all-null and constant columns. Synchronous and free of Arrow, so it runs in a worker as well as in-process.
 *
 * @example
 * ```ts
 * import { compareNumeric, summarizeNumeric } from "./column_drift.ts";
 * import { sampleFromValues } from "./sample.ts";
 * const ref = summarizeNumeric(sampleFromValues(Float64Array.from([1, 2, 3, 4, 5, 6, 7])));
 * const drift = compareNumeric({
 *   column: "x", reference: ref, referenceCounts: { rows: 7, missing: 0 },
 *   current: sampleFromValues(Float64Array.from([5, 6, 7, 8, 9, 10])), currentCounts: { rows: 6, missing: 0 },
 * });
 * drift.test; // "ks"
 * ```
 * @module
 */
import { binCounts, PSI_DEFAULT_BINS, psiFromCounts, psiTerms, quantileEdges } from "./psi.ts";
import {
  type CategoricalInput,
  type ColumnKind,
  defaultStatTest,
  getStatTest,
  MAX_CATEGORICAL_DISTINCT,
  requireKind,
  type ScoreKind,
  type StatTest,
  type TestOutcome,
} from "./registry.ts";
import { countBelow, type NumericSample, quantile, runLengths, type SampleStats, sampleStats } from "./sample.ts";
import { WASSERSTEIN_MIN_STD } from "./wasserstein.ts";

/** Per-column settings. */
export interface ColumnOptions {
  /** Test name instead of the default. */
  test?: string;
  /** Threshold instead of the test's default. */
  threshold?: number;
  /** PSI quantile bins (default 10). */
  psiBins?: number;
  /** Bins of the numerical charts (default 20). */
  histogramBins?: number;
  /** Categories drawn in charts before the rest is folded into one bar (default 12). */
  chartCategories?: number;
  /** Also return the PSI table per bin (the score column). */
  psiTable?: boolean;
  /**
   * Whether a numeric column holds integers (Evidently: only an integer column with at most 5 distinct values,
   * counted over reference and current together, is categorical; floats stay numerical). Default true.
   */
  integer?: boolean;
}

/** Rows and missing values (null, NaN, +-Infinity) on one side. */
export interface SideCounts {
  rows: number;
  missing: number;
}

/** Shares per bin or category for the charts. */
export interface Histogram {
  /** Bin edges (numerical) or null (categorical). */
  edges: number[] | null;
  /** Bin or category labels. */
  labels: string[];
  reference: number[];
  current: number[];
  /** True when values beyond the 1st/99th percentiles were folded into the outer bins. */
  folded_tails: boolean;
  /** Categorical: how many categories the last bar ("other (N categories)") groups; absent when none are grouped. */
  other_categories?: number;
}

/** One bin of a PSI table. */
export interface PsiBin {
  /** Lower edge (exclusive), null for the open first bin or a category. */
  lower: number | null;
  /** Upper edge (inclusive), null for the open last bin or a category. */
  upper: number | null;
  /** The category, for categorical columns. */
  category?: string;
  reference_share: number;
  current_share: number;
  /** This bin's term of the PSI (empty bins with Evidently's epsilon). */
  contribution: number;
}

/** A column's drift result as it appears in the JSON report. */
export interface ColumnDrift {
  column: string;
  kind: ColumnKind;
  test: string;
  test_label: string;
  score_kind: ScoreKind;
  threshold: number;
  /** The test's score (p-value or distance); null when the column could not be tested (see `note`). */
  score: number | null;
  drifted: boolean;
  /** KS D, chi-square, z, or the raw Wasserstein distance; null otherwise. */
  statistic: number | null;
  /** PSI (CSI) of the column, null when not computable. */
  psi: number | null;
  /** Non-missing values compared. */
  reference_count: number;
  current_count: number;
  missing_share_reference: number;
  missing_share_current: number;
  /** Distinct non-missing reference values. */
  distinct_reference: number;
  /** Categories seen in current data but not in reference (most frequent first, at most 20). */
  new_categories: string[];
  new_categories_count: number;
  note: string | null;
  /** True when the reference came from a profile sketch (the score is then approximate; see `note`). */
  approximate: boolean;
  details: Record<string, number | string>;
  histogram: Histogram | null;
  /** PSI per bin, for the score column. */
  psi_bins?: PsiBin[];
}

/** A numerical reference column as the tests need it (what a profile stores). */
export interface NumericReference {
  sample: NumericSample;
  stats: SampleStats;
  psi: { edges: number[]; counts: number[] };
  /** Set when `sample` is a sketch: W1 between the sketch and the data, and the KS bound. */
  approximate: { wasserstein: number; ks: number } | null;
}

const MAX_NEW_CATEGORIES = 20;

/**
 * Statistics and PSI bins of a numerical reference sample.
 *
 * @example
 * ```ts
 * import { summarizeNumeric } from "./column_drift.ts";
 * import { sampleFromValues } from "./sample.ts";
 * summarizeNumeric(sampleFromValues(Float64Array.from([3, 1, 2]))).stats.mean; // 2
 * ```
 */
export function summarizeNumeric(sample: NumericSample, psiBins = PSI_DEFAULT_BINS): NumericReference {
  const stats = sampleStats(sample);
  const edges = sample.n > 0 ? quantileEdges(sample, psiBins) : [];
  return { sample, stats, psi: { edges, counts: binCounts(sample, edges) }, approximate: null };
}

/** Round to 6 significant digits (chart data only). */
function r6(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}

function share(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}

function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

interface Chosen {
  test: StatTest;
  kind: ColumnKind;
  threshold: number;
}

function chooseTest(
  column: string,
  defaultKind: ColumnKind,
  numericType: boolean,
  referenceCount: number,
  distinctValues: number,
  opts: ColumnOptions,
): Chosen {
  let kind = defaultKind;
  const test = getStatTest(
    opts.test ?? defaultStatTest({ kind, referenceCount, distinctValues }),
  );
  if (!test.kinds.includes(kind)) {
    // a numeric column may be tested either way: the user's test decides
    const other: ColumnKind = kind === "numerical" ? "categorical" : "numerical";
    if (numericType && test.kinds.includes(other)) kind = other;
    else requireKind(test, kind, column);
  }
  const threshold = opts.threshold ?? test.defaultThreshold;
  if (!Number.isFinite(threshold)) throw new Error(`Threshold for column "${column}" is ${threshold}`);
  return { test, kind, threshold };
}

function emptyResult(
  column: string,
  chosen: Chosen,
  ref: SideCounts,
  cur: SideCounts,
  refCount: number,
  curCount: number,
  distinct: number,
): ColumnDrift {
  const side = (c: SideCounts, n: number, name: string) =>
    c.rows === 0 ? `no rows in ${name} data` : n === 0 ? `all values missing in ${name} data` : null;
  const note = [side(ref, refCount, "reference"), side(cur, curCount, "current")].filter(Boolean).join("; ");
  return {
    column,
    kind: chosen.kind,
    test: chosen.test.name,
    test_label: chosen.test.label,
    score_kind: chosen.test.scoreKind,
    threshold: chosen.threshold,
    score: null,
    drifted: false,
    statistic: null,
    psi: null,
    reference_count: refCount,
    current_count: curCount,
    missing_share_reference: share(ref.missing, ref.rows),
    missing_share_current: share(cur.missing, cur.rows),
    distinct_reference: distinct,
    new_categories: [],
    new_categories_count: 0,
    note: `not tested: ${note}`,
    approximate: false,
    details: {},
    histogram: null,
  };
}

function outcomeFields(chosen: Chosen, outcome: TestOutcome) {
  const score = outcome.score;
  const valid = typeof score === "number" && !Number.isNaN(score);
  return {
    score: valid ? score : null,
    drifted: valid ? chosen.test.drifted(score, chosen.threshold) : false,
    statistic: outcome.statistic ?? null,
    details: outcome.details ?? {},
  };
}

/** Values of a numerical column as category labels with counts (for numbers with few distinct values). */
export function numericCategories(sample: NumericSample): Map<string, number> {
  const rl = runLengths(sample);
  const out = new Map<string, number>();
  for (let i = 0; i < rl.values.length; i++) {
    const key = String(rl.values[i]);
    out.set(key, (out.get(key) ?? 0) + rl.counts[i]);
  }
  return out;
}

function numericHistogram(ref: NumericReference, cur: NumericSample, curStats: SampleStats, bins: number): Histogram {
  const rs = ref.stats;
  let lo = Math.min(rs.min, curStats.min), hi = Math.max(rs.max, curStats.max);
  let folded = false;
  const qlo = Math.min(quantile(ref.sample, 0.01), quantile(cur, 0.01));
  const qhi = Math.max(quantile(ref.sample, 0.99), quantile(cur, 0.99));
  if (qhi > qlo && hi - lo > 3 * (qhi - qlo)) {
    lo = qlo;
    hi = qhi;
    folded = true;
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges: number[] = [];
  for (let i = 0; i <= bins; i++) edges.push(i === bins ? hi : lo + (i * (hi - lo)) / bins);
  const counts = (s: NumericSample) => {
    const out: number[] = [];
    let prev = 0;
    for (let i = 1; i <= bins; i++) {
      const next = i === bins ? s.n : countBelow(s, edges[i]);
      out.push(r6((next - prev) / s.n));
      prev = next;
    }
    return out;
  };
  const labels = edges.slice(0, -1).map((e, i) => `${fmtNum(e)} – ${fmtNum(edges[i + 1])}`);
  return { edges: edges.map(r6), labels, reference: counts(ref.sample), current: counts(cur), folded_tails: folded };
}

function categoricalHistogram(
  labels: string[],
  ref: number[],
  cur: number[],
  maxBars: number,
): Histogram {
  const rt = ref.reduce((a, b) => a + b, 0), ct = cur.reduce((a, b) => a + b, 0);
  const order = labels.map((_, i) => i).sort((a, b) =>
    (share(ref[b], rt) + share(cur[b], ct)) - (share(ref[a], rt) + share(cur[a], ct)) ||
    (labels[a] < labels[b] ? -1 : 1)
  );
  const shown = order.length > maxBars ? order.slice(0, maxBars - 1) : order;
  const out: Histogram = {
    edges: null,
    labels: shown.map((i) => labels[i]),
    reference: shown.map((i) => r6(share(ref[i], rt))),
    current: shown.map((i) => r6(share(cur[i], ct))),
    folded_tails: false,
  };
  if (shown.length < order.length) {
    const rest = order.slice(shown.length);
    out.labels.push(`other (${rest.length} categories)`);
    out.other_categories = rest.length;
    out.reference.push(r6(rest.reduce((a, i) => a + share(ref[i], rt), 0)));
    out.current.push(r6(rest.reduce((a, i) => a + share(cur[i], ct), 0)));
  }
  return out;
}

/** Input of {@link compareNumeric}. */
export interface NumericComparison {
  column: string;
  reference: NumericReference;
  referenceCounts: SideCounts;
  current: NumericSample;
  currentCounts: SideCounts;
  options?: ColumnOptions;
}

/**
 * Drift of a numeric-typed column (tested as categorical when the reference has at most 5 distinct values).
 *
 * @example
 * ```ts
 * import { compareNumeric, summarizeNumeric } from "./column_drift.ts";
 * import { sampleFromValues } from "./sample.ts";
 * compareNumeric({
 *   column: "age", reference: summarizeNumeric(sampleFromValues(Float64Array.from([20, 30, 40, 50, 60, 70]))),
 *   referenceCounts: { rows: 6, missing: 0 }, current: sampleFromValues(Float64Array.from([25, 35])),
 *   currentCounts: { rows: 3, missing: 1 },
 * }).missing_share_current; // 1/3
 * ```
 */
export function compareNumeric(input: NumericComparison): ColumnDrift {
  const opts = input.options ?? {};
  const { column, reference: ref, current: cur } = input;
  const distinct = ref.stats.distinct;
  let defaultKind: ColumnKind = opts.integer === false || distinct > MAX_CATEGORICAL_DISTINCT
    ? "numerical"
    : "categorical";
  if (defaultKind === "categorical" && cur.n > 0) {
    // integers: the distinct values of both sides together decide
    const keys = new Set(numericCategories(ref.sample).keys());
    for (const k of numericCategories(cur).keys()) keys.add(k);
    if (keys.size > MAX_CATEGORICAL_DISTINCT) defaultKind = "numerical";
  }
  if (ref.sample.n === 0 || cur.n === 0) {
    const chosen = chooseTest(column, defaultKind, true, ref.sample.n, distinct, opts);
    return emptyResult(column, chosen, input.referenceCounts, input.currentCounts, ref.sample.n, cur.n, distinct);
  }
  const curStats = sampleStats(cur);
  // distinct values on both sides (decides chi-square vs Z for small categorical references)
  let union = distinct;
  if (defaultKind === "categorical") {
    const keys = new Set(numericCategories(ref.sample).keys());
    for (const k of numericCategories(cur).keys()) keys.add(k);
    union = keys.size;
  }
  const chosen = chooseTest(column, defaultKind, true, ref.sample.n, union, opts);
  if (chosen.kind === "categorical") {
    const result = compareCategories({
      column,
      reference: numericCategories(ref.sample),
      referenceCounts: input.referenceCounts,
      current: numericCategories(cur),
      currentCounts: input.currentCounts,
      options: { ...opts, test: chosen.test.name },
      numericLabels: true,
    });
    if (ref.approximate) {
      result.approximate = true;
      result.note = joinNotes(result.note, "reference from a profile sketch");
    }
    return result;
  }
  const outcome = chosen.test.numerical!({
    reference: ref.sample,
    current: cur,
    referenceStats: ref.stats,
    currentStats: curStats,
    psi: ref.psi,
    psiBins: opts.psiBins,
  });
  const curPsiCounts = binCounts(cur, ref.psi.edges);
  const psi = psiFromCounts(ref.psi.counts, curPsiCounts);
  const notes: string[] = [];
  if (distinct === 1) notes.push("constant in reference");
  let approximate = false;
  if (ref.approximate) {
    approximate = true;
    const bound = chosen.test.name === "wasserstein"
      ? `score within ±${fmtNum(ref.approximate.wasserstein / Math.max(ref.stats.std, WASSERSTEIN_MIN_STD))}`
      : chosen.test.name === "ks"
      ? `KS statistic within ±${fmtNum(ref.approximate.ks)}`
      : "approximate score";
    notes.push(`reference from a profile sketch: ${bound}`);
  }
  const drift: ColumnDrift = {
    column,
    kind: "numerical",
    test: chosen.test.name,
    test_label: chosen.test.label,
    score_kind: chosen.test.scoreKind,
    threshold: chosen.threshold,
    ...outcomeFields(chosen, outcome),
    psi,
    reference_count: ref.sample.n,
    current_count: cur.n,
    missing_share_reference: share(input.referenceCounts.missing, input.referenceCounts.rows),
    missing_share_current: share(input.currentCounts.missing, input.currentCounts.rows),
    distinct_reference: distinct,
    new_categories: [],
    new_categories_count: 0,
    note: notes.length ? notes.join("; ") : null,
    approximate,
    details: {
      ...outcomeFields(chosen, outcome).details,
      reference_mean: ref.stats.mean,
      current_mean: curStats.mean,
      reference_std: ref.stats.std,
      current_std: curStats.std,
    },
    histogram: numericHistogram(ref, cur, curStats, opts.histogramBins ?? 20),
  };
  if (opts.psiTable) {
    const terms = psiTerms(ref.psi.counts, curPsiCounts);
    const edges = ref.psi.edges;
    drift.psi_bins = terms.map((t, i) => ({
      lower: i === 0 ? null : edges[i - 1],
      upper: i === edges.length ? null : edges[i],
      reference_share: share(ref.psi.counts[i], ref.sample.n),
      current_share: share(curPsiCounts[i], cur.n),
      contribution: t,
    }));
  }
  return drift;
}

function joinNotes(a: string | null, b: string): string {
  return a ? `${a}; ${b}` : b;
}

/** Input of {@link compareCategories}. */
export interface CategoricalComparison {
  column: string;
  /** Category label -> count (missing values excluded). */
  reference: Map<string, number>;
  referenceCounts: SideCounts;
  current: Map<string, number>;
  currentCounts: SideCounts;
  options?: ColumnOptions;
  /** Labels are numbers (sorted numerically for the Z-test's first category). */
  numericLabels?: boolean;
}

/**
 * Drift of a categorical column from category counts; a category new in current data counts 0 in reference.
 *
 * @example
 * ```ts
 * import { compareCategories } from "./column_drift.ts";
 * compareCategories({
 *   column: "intent", reference: new Map([["EDUCATION", 40], ["MEDICAL", 60]]), referenceCounts: { rows: 100, missing: 0 },
 *   current: new Map([["EDUCATION", 70], ["MEDICAL", 20], ["VENTURE", 10]]), currentCounts: { rows: 100, missing: 0 },
 * }).new_categories; // ["VENTURE"]
 * ```
 */
export function compareCategories(input: CategoricalComparison): ColumnDrift {
  const opts = input.options ?? {};
  const { column } = input;
  const labels = [...new Set([...input.reference.keys(), ...input.current.keys()])];
  if (input.numericLabels) labels.sort((a, b) => Number(a) - Number(b));
  else labels.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const ref = labels.map((l) => input.reference.get(l) ?? 0);
  const cur = labels.map((l) => input.current.get(l) ?? 0);
  const refN = ref.reduce((a, b) => a + b, 0), curN = cur.reduce((a, b) => a + b, 0);
  const distinct = input.reference.size;
  const chosen = chooseTest(column, "categorical", false, refN, labels.length, opts);
  if (chosen.kind !== "categorical") requireKind(chosen.test, "categorical", column);
  if (refN === 0 || curN === 0) {
    return emptyResult(column, chosen, input.referenceCounts, input.currentCounts, refN, curN, distinct);
  }
  const testInput: CategoricalInput = { labels, reference: ref, current: cur };
  const outcome = chosen.test.categorical!(testInput);
  const fresh = labels.map((l, i) => ({ l, c: cur[i], r: ref[i] })).filter((x) => x.r === 0 && x.c > 0)
    .sort((a, b) => b.c - a.c);
  const notes: string[] = [];
  if (distinct === 1) notes.push("constant in reference");
  if (fresh.length) notes.push(`${fresh.length} categor${fresh.length === 1 ? "y" : "ies"} new in current data`);
  if (!input.numericLabels && refN > 50 && distinct > 0.5 * refN) {
    notes.push(`looks like an identifier (${distinct} distinct values in ${refN} rows)`);
  }
  const fields = outcomeFields(chosen, outcome);
  if (fields.score === null) notes.push(`the ${chosen.test.name} test is undefined here (${labels.length} category)`);
  const drift: ColumnDrift = {
    column,
    kind: "categorical",
    test: chosen.test.name,
    test_label: chosen.test.label,
    score_kind: chosen.test.scoreKind,
    threshold: chosen.threshold,
    ...fields,
    psi: psiFromCounts(ref, cur),
    reference_count: refN,
    current_count: curN,
    missing_share_reference: share(input.referenceCounts.missing, input.referenceCounts.rows),
    missing_share_current: share(input.currentCounts.missing, input.currentCounts.rows),
    distinct_reference: distinct,
    new_categories: fresh.slice(0, MAX_NEW_CATEGORIES).map((x) => x.l),
    new_categories_count: fresh.length,
    note: notes.length ? notes.join("; ") : null,
    approximate: false,
    histogram: categoricalHistogram(labels, ref, cur, opts.chartCategories ?? 12),
  };
  if (opts.psiTable) {
    const terms = psiTerms(ref, cur);
    drift.psi_bins = labels.map((l, i) => ({
      lower: null,
      upper: null,
      category: l,
      reference_share: share(ref[i], refN),
      current_share: share(cur[i], curN),
      contribution: terms[i],
    }));
  }
  return drift;
}

/**
 * Sort key: drifted columns first, then by how far the score is past (or short of) its threshold; untested last.
 *
 * @example
 * ```ts
 * import { severity } from "./column_drift.ts";
 * severity({ score: 0.3, threshold: 0.1, score_kind: "distance" }); // 3
 * ```
 */
export function severity(d: Pick<ColumnDrift, "score" | "threshold" | "score_kind">): number {
  if (d.score === null) return -Infinity;
  if (d.score_kind === "distance") return d.threshold > 0 ? d.score / d.threshold : d.score;
  if (d.score <= 0) return Infinity;
  if (d.score >= 1) return 0;
  return Math.log(d.score) / Math.log(d.threshold);
}

/**
 * The registry of drift tests: each test says which column kinds it applies to, whether its score is a p-value
 * (drift below the threshold) or a distance (drift at or above it), and its default threshold. The default per
 * column follows Evidently:
 *
 * | column kind | reference values <= 1,000 | reference values > 1,000 |
 * | --- | --- | --- |
 * | numerical (numbers with more than 5 distinct values) | `ks` (p <= 0.05) | `wasserstein` normed (>= 0.1) |
 * | categorical, more than 2 values (reference and current) | `chisquare` (p < 0.05) | `jensenshannon` (>= 0.1) |
 * | categorical, at most 2 values | `z` (p < 0.05) | `jensenshannon` (>= 0.1) |
 *
 * `psi` (>= 0.1) applies to both kinds. Register your own with {@link registerStatTest}; a user picks a test per
 * column by name (`--test column=psi`).
 *
 * @example
 * ```ts
 * import { defaultStatTest, getStatTest } from "./registry.ts";
 * const name = defaultStatTest({ kind: "numerical", referenceCount: 5000, distinctValues: 900 }); // "wasserstein"
 * getStatTest(name).defaultThreshold; // 0.1
 * ```
 * @module
 */
import { chiSquareTest } from "./chisquare.ts";
import { histogramCounts, jensenShannonDistance, sturgesEdges } from "./jensen_shannon.ts";
import { ks2samp } from "./ks.ts";
import { binCounts, psiFromCounts, quantileEdges } from "./psi.ts";
import { type NumericSample, runLengths, type SampleStats } from "./sample.ts";
import { zTest } from "./two_proportion_z.ts";
import { WASSERSTEIN_MIN_STD, wassersteinDistance } from "./wasserstein.ts";

/** How a column is tested. */
export type ColumnKind = "numerical" | "categorical";

/** Whether a low score (p-value) or a high score (distance) means drift. */
export type ScoreKind = "p_value" | "distance";

/** What a numerical test receives: both samples sorted, and the reference's statistics. */
export interface NumericInput {
  reference: NumericSample;
  current: NumericSample;
  referenceStats: SampleStats;
  currentStats: SampleStats;
  /** PSI cut points and reference counts computed on the full reference (kept exact in a saved profile). */
  psi?: { edges: number[]; counts: number[] };
  /** Quantile bins for PSI (default 10). */
  psiBins?: number;
}

/** What a categorical test receives: counts aligned by category, categories in sorted order. */
export interface CategoricalInput {
  labels: string[];
  reference: number[];
  current: number[];
}

/** A test's answer: the score compared with the threshold, and anything worth showing. */
export interface TestOutcome {
  score: number;
  /** The test statistic when the score is a p-value (KS D, chi-square, z) or the raw distance. */
  statistic?: number | null;
  details?: Record<string, number | string>;
}

/** A drift test. */
export interface StatTest {
  /** Name used in flags and reports (`ks`, `wasserstein`, ...). */
  name: string;
  /** Human label ("K-S p-value"). */
  label: string;
  kinds: readonly ColumnKind[];
  scoreKind: ScoreKind;
  defaultThreshold: number;
  /** Whether `score` means drift at `threshold`. */
  drifted(score: number, threshold: number): boolean;
  numerical?(input: NumericInput): TestOutcome;
  categorical?(input: CategoricalInput): TestOutcome;
}

const pLess = (score: number, threshold: number) => score < threshold;
const pAtMost = (score: number, threshold: number) => score <= threshold;
const atLeast = (score: number, threshold: number) => score >= threshold;

/** Evidently's switch from the small-sample tests to the distances: reference values above this. */
export const SMALL_REFERENCE_ROWS = 1000;
/** Numbers with at most this many distinct reference values are categorical. */
export const MAX_CATEGORICAL_DISTINCT = 5;

function numericShares(input: NumericInput): { reference: number[]; current: number[]; bins: number } {
  // Evidently's get_binned_data: Sturges bins over both samples when the reference has > 20 distinct values,
  // else one bin per value seen on either side
  const { reference, current, referenceStats: rs, currentStats: cs } = input;
  if (rs.distinct > 20) {
    const edges = sturgesEdges(Math.min(rs.min, cs.min), Math.max(rs.max, cs.max), reference.n + current.n);
    const rc = histogramCounts(reference, edges), cc = histogramCounts(current, edges);
    return {
      reference: Array.from(rc, (x) => x / reference.n),
      current: Array.from(cc, (x) => x / current.n),
      bins: edges.length - 1,
    };
  }
  const a = runLengths(reference), b = runLengths(current);
  const ref: number[] = [], cur: number[] = [];
  let i = 0, j = 0;
  while (i < a.values.length || j < b.values.length) {
    const x = j >= b.values.length || (i < a.values.length && a.values[i] <= b.values[j]) ? a.values[i] : b.values[j];
    ref.push(i < a.values.length && a.values[i] === x ? a.counts[i++] / reference.n : 0);
    cur.push(j < b.values.length && b.values[j] === x ? b.counts[j++] / current.n : 0);
  }
  return { reference: ref, current: cur, bins: ref.length };
}

function shares(counts: number[]): number[] {
  let total = 0;
  for (const c of counts) total += c;
  return counts.map((c) => c / total);
}

const BUILTIN: StatTest[] = [
  {
    name: "ks",
    label: "K-S p-value",
    kinds: ["numerical"],
    scoreKind: "p_value",
    defaultThreshold: 0.05,
    drifted: pAtMost,
    numerical: ({ reference, current }) => {
      const r = ks2samp(reference, current);
      return { score: r.pvalue, statistic: r.statistic, details: { method: r.method } };
    },
  },
  {
    name: "wasserstein",
    label: "Wasserstein distance (normed)",
    kinds: ["numerical"],
    scoreKind: "distance",
    defaultThreshold: 0.1,
    drifted: atLeast,
    numerical: ({ reference, current, referenceStats }) => {
      const raw = wassersteinDistance(reference, current);
      return {
        score: raw / Math.max(referenceStats.std, WASSERSTEIN_MIN_STD),
        statistic: raw,
        details: { reference_std: referenceStats.std },
      };
    },
  },
  {
    name: "chisquare",
    label: "chi-square p-value",
    kinds: ["categorical"],
    scoreKind: "p_value",
    defaultThreshold: 0.05,
    drifted: pLess,
    categorical: ({ reference, current }) => {
      const r = chiSquareTest(reference, current);
      return { score: r.pvalue, statistic: r.statistic, details: { degrees_of_freedom: reference.length - 1 } };
    },
  },
  {
    name: "z",
    label: "Z-test p-value",
    kinds: ["categorical"],
    scoreKind: "p_value",
    defaultThreshold: 0.05,
    drifted: pLess,
    categorical: ({ reference, current }) => {
      const r = zTest(reference, current);
      return { score: r.pvalue, statistic: r.z };
    },
  },
  {
    name: "jensenshannon",
    label: "Jensen-Shannon distance",
    kinds: ["numerical", "categorical"],
    scoreKind: "distance",
    defaultThreshold: 0.1,
    drifted: atLeast,
    numerical: (input) => {
      const s = numericShares(input);
      return { score: jensenShannonDistance(s.reference, s.current), details: { bins: s.bins } };
    },
    categorical: ({ reference, current }) => ({
      score: jensenShannonDistance(shares(reference), shares(current)),
    }),
  },
  {
    name: "psi",
    label: "PSI",
    kinds: ["numerical", "categorical"],
    scoreKind: "distance",
    defaultThreshold: 0.1,
    drifted: atLeast,
    numerical: (input) => {
      const edges = input.psi?.edges ?? quantileEdges(input.reference, input.psiBins);
      const refCounts = input.psi?.counts ?? binCounts(input.reference, edges);
      return { score: psiFromCounts(refCounts, binCounts(input.current, edges)), details: { bins: edges.length + 1 } };
    },
    categorical: ({ reference, current }) => ({ score: psiFromCounts(reference, current) }),
  },
];

const TESTS = new Map<string, StatTest>(BUILTIN.map((t) => [t.name, t]));
const BUILTIN_NAMES = new Set(BUILTIN.map((t) => t.name));

/**
 * Adds (or replaces) a test under its name. Tests you register run on the calling thread (the built-in ones may
 * run in workers).
 *
 * @example
 * ```ts
 * import { registerStatTest } from "./registry.ts";
 * registerStatTest({
 *   name: "mean_shift", label: "Mean shift (in reference std)", kinds: ["numerical"], scoreKind: "distance",
 *   defaultThreshold: 0.2, drifted: (s, t) => s >= t,
 *   numerical: ({ referenceStats: r, currentStats: c }) => ({ score: Math.abs(c.mean - r.mean) / r.std }),
 * });
 * ```
 */
export function registerStatTest(test: StatTest): void {
  if (!/^[a-z][a-z0-9_]*$/.test(test.name)) throw new Error(`Test name "${test.name}" must be lowercase snake_case`);
  for (const k of test.kinds) {
    if (k === "numerical" && !test.numerical) {
      throw new Error(`Test "${test.name}" lists numerical but has no numerical()`);
    }
    if (k === "categorical" && !test.categorical) {
      throw new Error(`Test "${test.name}" lists categorical but has no categorical()`);
    }
  }
  TESTS.set(test.name, test);
}

/**
 * The test registered under `name`; an unknown name is an error listing the known ones.
 *
 * @example
 * ```ts
 * import { getStatTest } from "./registry.ts";
 * getStatTest("psi").scoreKind; // "distance"
 * ```
 */
export function getStatTest(name: string): StatTest {
  const t = TESTS.get(name);
  if (!t) throw new Error(`Unknown drift test "${name}"; known tests: ${[...TESTS.keys()].join(", ")}`);
  return t;
}

/**
 * Names of every registered test.
 *
 * @example
 * ```ts
 * import { statTestNames } from "./registry.ts";
 * statTestNames(); // ["ks", "wasserstein", "chisquare", "z", "jensenshannon", "psi"]
 * ```
 */
export function statTestNames(): string[] {
  return [...TESTS.keys()];
}

/**
 * Whether `name` is one of the built-in tests (which workers know).
 *
 * @example
 * ```ts
 * import { isBuiltinTest } from "./registry.ts";
 * isBuiltinTest("ks"); // true
 * ```
 */
export function isBuiltinTest(name: string): boolean {
  return BUILTIN_NAMES.has(name) && TESTS.get(name) === BUILTIN.find((t) => t.name === name);
}

/**
 * Evidently's default test for a column (see the module doc). `distinctValues` counts values seen in reference or
 * current data (it decides chi-square vs Z for small categorical references).
 *
 * @example
 * ```ts
 * import { defaultStatTest } from "./registry.ts";
 * defaultStatTest({ kind: "categorical", referenceCount: 800, distinctValues: 2 }); // "z"
 * ```
 */
export function defaultStatTest(
  opts: { kind: ColumnKind; referenceCount: number; distinctValues: number },
): string {
  if (opts.referenceCount <= SMALL_REFERENCE_ROWS) {
    if (opts.kind === "numerical") return "ks";
    return opts.distinctValues > 2 ? "chisquare" : "z";
  }
  return opts.kind === "numerical" ? "wasserstein" : "jensenshannon";
}

/**
 * Checks that `test` applies to `kind`, naming the column otherwise.
 *
 * @example
 * ```ts
 * import { getStatTest, requireKind } from "./registry.ts";
 * requireKind(getStatTest("psi"), "categorical", "loan_intent");
 * ```
 */
export function requireKind(test: StatTest, kind: ColumnKind, column: string): void {
  if (!test.kinds.includes(kind)) {
    throw new Error(
      `Test "${test.name}" does not apply to ${kind} column "${column}"; it takes ${test.kinds.join(" or ")} columns`,
    );
  }
}

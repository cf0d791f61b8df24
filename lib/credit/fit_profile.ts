/**
 * Learns the synthetic generator's profile from the real tutorial files: summary statistics only (quantile grids,
 * category shares, normal-score correlations, logistic-regression coefficients, segment default rates), never rows.
 *
 * Run: `deno run --allow-read --allow-write lib/credit/fit_profile.ts [--data DIR] [--out FILE]`
 * (defaults: `../shared/data/feast-credit` and `lib/credit/generator_profile.json`).
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { cholesky, type Copula, fitCopula, quantiles } from "./copula.ts";
import { loanRiskFeatures, loanRiskWidth } from "./risk.ts";
import { sigmoid } from "../numeric/special.ts";

/** The learned profile the generator replays. */
export interface GeneratorProfile {
  /** Format version of this file. */
  version: 1;
  /** Where the statistics were learned from. */
  source: string;
  loans: {
    count: number;
    defaultRate: number;
    /** First and last event timestamps, in microseconds since the epoch (UTC). */
    startUs: number;
    endUs: number;
    /** Home-ownership categories, most frequent first; shares and default rates in the same order. */
    homeOwnership: { values: string[]; shares: number[]; defaultRates: number[] };
    /** Loan intents, most frequent first; shares per home-ownership category; overall default rates. */
    intents: { values: string[]; sharesByHome: number[][]; defaultRates: number[] };
    /** Per numeric column: [rounding step, share of values that are multiples of it] (step 0: two decimals). */
    steps: Record<string, [number, number]>;
    /** Per home-ownership category, a copula of person_age, person_income, person_emp_length, loan_amnt, loan_int_rate. */
    copulaByHome: Copula[];
    /** Logistic regression of loan_status on the loan risk features (see risk.ts), fitted on the real rows. */
    defaultModel: { coefficients: number[] };
    /** Observed default rate by loan-to-income bin (edges are lower bounds), for reference and checks. */
    defaultRateByLoanToIncome: { edges: number[]; rates: number[] };
  };
  zipcodes: {
    count: number;
    eventTimestampUs: number;
    locationTypes: { values: string[]; shares: number[] };
    /** Per three-digit zip prefix: [prefix, most frequent state, number of zipcodes]. */
    prefixes: [number, string, number][];
    /** Copula of tax_returns_filed, population, total_wages. */
    copula: Copula;
    zipcodesPerCity: number;
  };
  credit: {
    /** Quantile grids (see copula.ts QUANTILE_GRID) of the four dues and of hard pulls in the sample. */
    dues: Copula;
    hardPulls: number[];
    /** Mean missed payments per month, and the log-normal spread of that rate across people. */
    missedPerMonth: number;
    missedRateSigma: number;
    /** Shares of people with 0, 1 and 2 or more bankruptcies. */
    bankruptcyShares: number[];
  };
}

/** Columns of the real credit history sample, as parsed from CSV. */
export type CsvRows = Record<string, string>[];

const ROUND_STEPS = [1000, 500, 100, 50, 25, 10, 5, 1];

/**
 * The largest of 1000, 500, 100, 50, 25, 10, 5, 1 that at least 60% of the values are multiples of (0 when the
 * values are not integers, meaning "keep two decimals").
 *
 * @example
 * ```ts
 * import { roundingStep } from "./fit_profile.ts";
 * console.assert(roundingStep([1000, 2500, 3000]) === 500 && roundingStep([1.25, 2]) === 0);
 * ```
 */
export function roundingStep(values: ArrayLike<number>): number {
  let integers = 0;
  for (let i = 0; i < values.length; i++) if (Number.isInteger(values[i])) integers++;
  if (integers < values.length * 0.99) return 0;
  for (const step of ROUND_STEPS) if (multipleShare(values, step) >= 0.6) return step;
  return 1;
}

/**
 * Share of the values that are multiples of `step` (1 for step 0).
 *
 * @example
 * ```ts
 * import { multipleShare } from "./fit_profile.ts";
 * console.assert(multipleShare([1000, 2500, 3000, 7], 1000) === 0.5);
 * ```
 */
export function multipleShare(values: ArrayLike<number>, step: number): number {
  if (step === 0 || values.length === 0) return 1;
  let hits = 0;
  for (let i = 0; i < values.length; i++) if (values[i] % step === 0) hits++;
  return hits / values.length;
}

/**
 * Fits a logistic regression by Newton-Raphson with a small ridge. `rows` are feature vectors (include an
 * intercept column yourself); returns the coefficients.
 *
 * @example
 * ```ts
 * import { fitLogistic } from "./fit_profile.ts";
 * const x = [[1, 0], [1, 0], [1, 1], [1, 1], [1, 0], [1, 1]].map((r) => Float64Array.from(r));
 * const beta = fitLogistic(x, [0, 0, 1, 1, 1, 0]);
 * console.assert(beta.length === 2);
 * ```
 */
export function fitLogistic(
  rows: Float64Array[],
  y: ArrayLike<number>,
  opts: { ridge?: number; iterations?: number } = {},
): number[] {
  const p = rows[0].length;
  const ridge = opts.ridge ?? 1e-3;
  let beta = new Array<number>(p).fill(0);
  for (let iter = 0; iter < (opts.iterations ?? 30); iter++) {
    const grad = new Array<number>(p).fill(0);
    const hess = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    for (let i = 0; i < rows.length; i++) {
      const x = rows[i];
      let eta = 0;
      for (let j = 0; j < p; j++) eta += beta[j] * x[j];
      const mu = sigmoid(eta);
      const w = mu * (1 - mu);
      for (let j = 0; j < p; j++) {
        grad[j] += (y[i] - mu) * x[j];
        for (let k = 0; k <= j; k++) hess[j][k] += w * x[j] * x[k];
      }
    }
    for (let j = 0; j < p; j++) {
      grad[j] -= ridge * beta[j];
      hess[j][j] += ridge;
      for (let k = 0; k < j; k++) hess[k][j] = hess[j][k];
    }
    const l = cholesky(hess);
    const step = solveCholesky(l, grad);
    beta = beta.map((b, j) => b + step[j]);
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  return beta;
}

function solveCholesky(l: number[][], b: number[]): number[] {
  const n = b.length;
  const y = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * y[k];
    y[i] = s / l[i][i];
  }
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

/**
 * Value shares of a categorical column, most frequent first (ties by name).
 *
 * @example
 * ```ts
 * import { categoryShares } from "./fit_profile.ts";
 * const s = categoryShares(["a", "b", "b", "b"]);
 * console.assert(s.values[0] === "b" && s.shares[0] === 0.75);
 * ```
 */
export function categoryShares(values: ArrayLike<string>): { values: string[]; shares: number[] } {
  const counts = new Map<string, number>();
  for (let i = 0; i < values.length; i++) counts.set(values[i], (counts.get(values[i]) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return { values: sorted.map(([v]) => v), shares: sorted.map(([, c]) => round6(c / values.length)) };
}

function round6(x: number): number {
  return Number(x.toFixed(6));
}

function numbers(table: arrow.Table, name: string): Float64Array {
  const column = table.getChild(name);
  if (!column) throw new TypeError(`Column "${name}" is missing`);
  return Float64Array.from(column.toArray() as ArrayLike<number | bigint>, Number);
}

function strings(table: arrow.Table, name: string): string[] {
  const column = table.getChild(name);
  if (!column) throw new TypeError(`Column "${name}" is missing`);
  return Array.from(column.toArray() as ArrayLike<string>);
}

/**
 * Raw microsecond values of a timestamp column (arrow's `get` returns lossy milliseconds).
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { timestampMicros } from "./fit_profile.ts";
 * const t = arrow.tableFromArrays({ ts: BigInt64Array.from([1n]) });
 * console.assert(timestampMicros(t, "ts")[0] === 1);
 * ```
 */
export function timestampMicros(table: arrow.Table, name: string): Float64Array {
  const column = table.getChild(name);
  if (!column) throw new TypeError(`Column "${name}" is missing`);
  const out = new Float64Array(column.length);
  let at = 0;
  for (const data of column.data) {
    const values = data.values as BigInt64Array;
    for (let i = 0; i < data.length; i++) out[at++] = Number(values[data.offset + i]);
  }
  return out;
}

function fitLoans(loans: arrow.Table): GeneratorProfile["loans"] {
  const n = loans.numRows;
  const status = numbers(loans, "loan_status");
  const homes = strings(loans, "person_home_ownership");
  const intents = strings(loans, "loan_intent");
  const home = categoryShares(homes);
  const intent = categoryShares(intents);
  const homeIndex = homes.map((h) => home.values.indexOf(h));
  const intentIndex = intents.map((v) => intent.values.indexOf(v));
  const rateOf = (mask: (i: number) => boolean) => {
    let k = 0, d = 0;
    for (let i = 0; i < n; i++) if (mask(i)) (k++, d += status[i]);
    return k === 0 ? 0 : round6(d / k);
  };
  const cols: Record<string, Float64Array> = {
    person_age: numbers(loans, "person_age"),
    person_income: numbers(loans, "person_income"),
    person_emp_length: numbers(loans, "person_emp_length"),
    loan_amnt: numbers(loans, "loan_amnt"),
    loan_int_rate: numbers(loans, "loan_int_rate"),
  };
  const copulaByHome = home.values.map((_, h) => {
    const pick = (a: Float64Array) => a.filter((_, i) => homeIndex[i] === h);
    return fitCopula(Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, pick(v)])));
  });
  const sharesByHome = home.values.map((_, h) => {
    const counts = new Array<number>(intent.values.length).fill(0);
    let total = 0;
    for (let i = 0; i < n; i++) if (homeIndex[i] === h) (counts[intentIndex[i]]++, total++);
    return counts.map((c) => round6(c / total));
  });
  const width = loanRiskWidth(home.values.length, intent.values.length);
  const rows = Array.from({ length: n }, (_, i) =>
    loanRiskFeatures(
      {
        intRate: cols.loan_int_rate[i],
        loanAmnt: cols.loan_amnt[i],
        income: cols.person_income[i],
        empLength: cols.person_emp_length[i],
        home: homeIndex[i],
        intent: intentIndex[i],
      },
      home.values.length,
      new Float64Array(width),
    ));
  const edges = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
  const lti = (i: number) => cols.loan_amnt[i] / cols.person_income[i];
  const ts = timestampMicros(loans, "event_timestamp");
  return {
    count: n,
    defaultRate: rateOf(() => true),
    startUs: ts.reduce((a, b) => Math.min(a, b)),
    endUs: ts.reduce((a, b) => Math.max(a, b)),
    homeOwnership: { ...home, defaultRates: home.values.map((_, h) => rateOf((i) => homeIndex[i] === h)) },
    intents: {
      values: intent.values,
      sharesByHome,
      defaultRates: intent.values.map((_, k) => rateOf((i) => intentIndex[i] === k)),
    },
    steps: Object.fromEntries(
      Object.entries(cols).map(([k, v]) => {
        const step = roundingStep(v);
        return [k, [step, round6(multipleShare(v, step))]];
      }),
    ),
    copulaByHome,
    defaultModel: { coefficients: fitLogistic(rows, status).map((b) => Number(b.toFixed(5))) },
    defaultRateByLoanToIncome: {
      edges,
      rates: edges.map((lo, e) => rateOf((i) => lti(i) >= lo && lti(i) < (edges[e + 1] ?? Infinity))),
    },
  };
}

function fitZipcodes(zips: arrow.Table): GeneratorProfile["zipcodes"] {
  const codes = numbers(zips, "zipcode");
  const states = strings(zips, "state");
  const byPrefix = new Map<number, Map<string, number>>();
  for (let i = 0; i < codes.length; i++) {
    const prefix = Math.floor(codes[i] / 100);
    const m = byPrefix.get(prefix) ?? new Map<string, number>();
    m.set(states[i], (m.get(states[i]) ?? 0) + 1);
    byPrefix.set(prefix, m);
  }
  const prefixes = [...byPrefix].sort((a, b) => a[0] - b[0]).map(([prefix, m]): [number, string, number] => {
    const [state] = [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    return [prefix, state, [...m.values()].reduce((a, b) => a + b)];
  });
  const ts = timestampMicros(zips, "event_timestamp");
  return {
    count: zips.numRows,
    eventTimestampUs: ts.reduce((a, b) => Math.min(a, b)),
    locationTypes: categoryShares(strings(zips, "location_type")),
    prefixes,
    copula: fitCopula({
      tax_returns_filed: numbers(zips, "tax_returns_filed"),
      population: numbers(zips, "population"),
      total_wages: numbers(zips, "total_wages"),
    }),
    zipcodesPerCity: Number((zips.numRows / new Set(strings(zips, "city")).size).toFixed(3)),
  };
}

/**
 * Spread (sigma) of a log-normal missed-payment rate across people that gives the observed share of people with no
 * missed payment in six months, given the mean monthly rate (bisection over a Gauss-type grid).
 *
 * @example
 * ```ts
 * import { missedRateSigma } from "./fit_profile.ts";
 * console.assert(missedRateSigma(0.1, Math.exp(-0.6)) < 0.05);
 * ```
 */
export function missedRateSigma(perMonth: number, shareZero6m: number): number {
  const zeroShare = (sigma: number) => {
    let s = 0, w = 0;
    for (let k = -60; k <= 60; k++) {
      const u = k / 10;
      const weight = Math.exp(-u * u / 2);
      s += weight * Math.exp(-6 * perMonth * Math.exp(sigma * u - sigma * sigma / 2));
      w += weight;
    }
    return s / w;
  };
  let lo = 0, hi = 4;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (zeroShare(mid) < shareZero6m) lo = mid;
    else hi = mid;
  }
  return Number(((lo + hi) / 2).toFixed(4));
}

function fitCredit(rows: CsvRows): GeneratorProfile["credit"] {
  const col = (name: string) => {
    if (rows.length === 0 || !(name in rows[0])) throw new TypeError(`Credit column "${name}" is missing`);
    return Float64Array.from(rows, (r) => Number(r[name]));
  };
  const mean = (a: Float64Array) => a.reduce((s, x) => s + x, 0) / a.length;
  const perMonth = mean(col("missed_payments_2y")) / 24;
  const zero6m = col("missed_payments_6m").filter((x) => x === 0).length / rows.length;
  const bk = col("bankruptcies");
  return {
    dues: fitCopula({
      credit_card_due: col("credit_card_due"),
      mortgage_due: col("mortgage_due"),
      student_loan_due: col("student_loan_due"),
      vehicle_loan_due: col("vehicle_loan_due"),
    }),
    hardPulls: fitCopula({ hard_pulls: col("hard_pulls") }).quantiles[0],
    missedPerMonth: Number(perMonth.toFixed(5)),
    missedRateSigma: missedRateSigma(perMonth, zero6m),
    bankruptcyShares: [0, 1, 2].map((k) => round6(bk.filter((x) => (k < 2 ? x === k : x >= 2)).length / bk.length)),
  };
}

/**
 * Learns the whole profile from the real loan and zipcode tables and the credit history sample rows.
 *
 * @example
 * ```ts ignore
 * import { fitProfile, readRealData } from "./fit_profile.ts";
 * const profile = fitProfile(await readRealData("../shared/data/feast-credit"));
 * console.log(profile.loans.defaultRate);
 * ```
 */
export function fitProfile(
  data: { loans: arrow.Table; zipcodes: arrow.Table; credit: CsvRows; source?: string },
): GeneratorProfile {
  return {
    version: 1,
    source: data.source ?? "feast-credit-score-local-tutorial (loan_table, zipcode_table, credit_history_sample)",
    loans: fitLoans(data.loans),
    zipcodes: fitZipcodes(data.zipcodes),
    credit: fitCredit(data.credit),
  };
}

/**
 * Parses a simple CSV (no quoted fields) into rows keyed by header.
 *
 * @example
 * ```ts
 * import { parseSimpleCsv } from "./fit_profile.ts";
 * console.assert(parseSimpleCsv("a,b\n1,2\n")[0].b === "2");
 * ```
 */
export function parseSimpleCsv(text: string): CsvRows {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(",");
  return lines.slice(1).map((line) => {
    const cells = line.split(",");
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""]));
  });
}

/**
 * Reads a Parquet file into an Arrow table (parquet-wasm).
 *
 * @example
 * ```ts ignore
 * import { readParquetFile } from "./fit_profile.ts";
 * const t = await readParquetFile("../shared/data/feast-credit/loan_table.parquet");
 * ```
 */
export async function readParquetFile(path: string): Promise<arrow.Table> {
  const parquet = await import("parquet-wasm");
  await parquet.default();
  const table = parquet.readParquet(await Deno.readFile(path));
  return arrow.tableFromIPC(table.intoIPCStream());
}

/**
 * Reads the real loan table, zipcode table and credit history sample from the tutorial data folder.
 *
 * @example
 * ```ts ignore
 * import { readRealData } from "./fit_profile.ts";
 * const { loans } = await readRealData("../shared/data/feast-credit");
 * ```
 */
export async function readRealData(
  dir: string,
): Promise<{ loans: arrow.Table; zipcodes: arrow.Table; credit: CsvRows }> {
  return {
    loans: await readParquetFile(`${dir}/loan_table.parquet`),
    zipcodes: await readParquetFile(`${dir}/zipcode_table.parquet`),
    credit: parseSimpleCsv(await Deno.readTextFile(`${dir}/credit_history_sample.csv`)),
  };
}

/** Quantile helper re-exported for checks on generated data. */
export { quantiles };

if (import.meta.main) {
  const args = Deno.args;
  const flag = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
  };
  const dataDir = flag("--data", "../shared/data/feast-credit");
  const out = flag("--out", new URL("./generator_profile.json", import.meta.url).pathname);
  const profile = fitProfile(await readRealData(dataDir));
  const json = JSON.stringify(profile) + "\n";
  await Deno.writeTextFile(out, json);
  console.log(`Wrote ${out} (${json.length} bytes, default rate ${profile.loans.defaultRate})`);
}

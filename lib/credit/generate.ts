/**
 * Deterministic synthetic data for Feast's credit-scoring tutorial: `loan_table`, `zipcode_table` and
 * `credit_history`, in exactly the schemas of the real files (see schemas.ts), with distributions replayed from
 * the learned profile (generator_profile.json, written by fit_profile.ts) and streamed as Arrow record batches so
 * that memory stays bounded by a batch whatever the number of rows.
 *
 * ## Generative model
 *
 * Zipcodes: per three-digit prefix, the real number of zipcodes (scaled to the requested count, at most 100 per
 * prefix) with the prefix's real most frequent state, synthetic city names shared by ~2 neighbouring zipcodes,
 * location types by real shares, and (tax_returns_filed, population, total_wages) from a Gaussian copula of the
 * real columns. All rows are at the real timestamp (2017-01-01T12:00Z). About 1% of zipcodes get a second row:
 * half are corrections (same event timestamp, a later created timestamp, population and wages revised), half are
 * newer figures (an event timestamp in 2019-01-01 .. 2021-06-01). Correction rows come after the base rows.
 *
 * People (in blocks of {@link PEOPLE_PER_BLOCK}, each block with its own seeded generator, so the data do not
 * depend on the batch size): home ownership by real shares; a latent risk `r ~ N(0, 1)`; age, income and
 * employment length at the first loan from the real copula of that home-ownership class. Loans are spread over
 * people in a block at random (every person gets one when there are more loans than people; the rest go to
 * random people, so some have several). Each loan draws its intent (real shares given home ownership), amount and
 * interest rate from the copula conditioned on the person's values; the interest rate's normal score is mixed
 * with the latent risk (weight 0.5), a grade-like effect. Loan timestamps are uniform over the real window
 * (2020-08-25 .. 2021-08-25) with microseconds; ~2% of people with several loans apply twice at the same
 * instant. The date of birth is set so that `person_age` is the exact age at every loan; `dob_ssn` is
 * `YYYYMMDD_NNNN` and unique (NNNN counts people born on that day, scrambled). ~0.1% of loans carry a zipcode
 * absent from the zipcode table.
 *
 * Credit history: missed payments are a Poisson process whose monthly rate is log-normal across people (mean and
 * spread fitted on the real sample, correlated 0.85 with `r`); base bankruptcies (real shares, correlated with
 * `r`), base hard pulls (real quantiles) plus one per loan application in the last two years; dues from the real
 * quantiles, then evolving (card dues random walk, mortgage/student/vehicle amortising). Snapshots are taken every
 * 30-120 days from 150-330 days before the first loan to 0-60 days after the last, by a daily batch run: every
 * snapshot of a day shares one event timestamp (with microseconds), created a few minutes later. With a 90-day
 * ttl about 7% of loans have no snapshot in force. Dirty corners: ~3% of people have no credit history; ~2% of
 * snapshots arrive first with wrong values and are corrected by a row with the same dob_ssn and event timestamp
 * and a later created timestamp; ~0.4% of rows are exact duplicates; ~0.5% of rows have one feature null; ~1% of
 * loans have a snapshot at exactly the loan timestamp and ~1% one at exactly the loan timestamp minus 90 days.
 *
 * Default: `logit P(loan_status = 1) = shift + β·loanRiskFeatures(loan) + creditRiskTerm(snapshot in force)
 * + zipRiskTerm(zipcode wages)` (see risk.ts), where β is the logistic regression fitted on the real loans and the
 * snapshot in force is the one a point-in-time join with ttl 90 days returns (true, corrected values; when there is
 * none, the unobserved credit state at the loan time counts instead). `shift` is calibrated on a pilot run so the
 * default rate matches the real one (21.7%). After a default the person misses ~4 more payments over the next
 * 10-150 days and may go bankrupt, so snapshots after the loan leak the outcome: a join that looks into the future
 * shows a stronger (false) signal than the honest point-in-time join.
 *
 * Later periods (`period` option, e.g. to demonstrate drift monitoring): new people with their own random streams and
 * dob_ssn numbers, loans uniform over the period, the same zipcodes; the default rate is calibrated as for the base
 * period, then the period's shifts apply: incomes scaled, interest rates raised (both also raise the default risk
 * through β), log-odds of default moved, and for mortgage holders raised further (a pattern the base period does
 * not have). Without `period` the data are exactly the base period's.
 *
 * Order: loans and credit history come person by person (people in index order; a person's loans and snapshots
 * in time order), so neither table is sorted by event timestamp; `loan_id` counts from 10000 in that order.
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import profileJson from "./generator_profile.json" with { type: "json" };
import { cholesky, fromQuantiles, normalQuantile, QUANTILE_GRID } from "./copula.ts";
import { normalCdf, sigmoid } from "../numeric/special.ts";
import type { GeneratorProfile } from "./fit_profile.ts";
import { hashInts, Rng } from "../numeric/random.ts";
import { type CreditRiskInput, creditRiskTerm, loanRiskFeatures, loanRiskWidth, zipRiskTerm } from "./risk.ts";
import {
  type ColumnValues,
  CREDIT_FEATURES,
  CREDIT_HISTORY_SCHEMA,
  LOAN_SCHEMA,
  makeBatch,
  ZIPCODE_SCHEMA,
} from "./schemas.ts";

/** The profile bundled with the repository (learned from the real tutorial files). */
export const DEFAULT_PROFILE: GeneratorProfile = profileJson as unknown as GeneratorProfile;

/** People per generator block: part of the determinism contract (changing it changes the data). */
export const PEOPLE_PER_BLOCK = 1024;

/** Feast's credit_history ttl, used to decide which snapshot is in force at a loan. */
export const CREDIT_TTL_US = 90 * 86_400_000_000;

const DAY_US = 86_400_000_000;
const YEAR_US = 365.2425 * DAY_US;
const MONTH_US = YEAR_US / 12;
const FIRST_LOAN_ID = 10_000;
const STREAM_ZIP = 1;
const STREAM_PEOPLE = 2;
const STREAM_PILOT = 3;
const PILOT_SEED = 0x5eed;
const RATE_RISK_WEIGHT = 0.5;

/** Options of the generator; every count has a default. */
export interface GenerateOptions {
  /** Seed of every random stream (default 42). */
  seed?: number;
  /** Number of loan rows (default 20,000). */
  loans?: number;
  /** Number of people (default ceil(0.9 × loans), at least 1). */
  people?: number;
  /** Number of distinct zipcodes (default the real count, 28,844; at most 100 per real prefix). */
  zipcodes?: number;
  /** Rows per emitted record batch (default 65,536); does not change the data. */
  batchSize?: number;
  /** The learned profile (default the bundled one). */
  profile?: GeneratorProfile;
  /** A later period with shifted distributions (default none: the period and distributions of the profile). */
  period?: LaterPeriod;
}

/**
 * A later period of applications, e.g. to demonstrate and test drift monitoring: new people (their own random
 * streams and dob_ssn numbers), loans uniform over `[start, end]`, the same zipcodes, and optionally shifted
 * distributions. The default rate is calibrated as for the base period, then `shift` moves it.
 */
export interface LaterPeriod {
  /** First and last loan time (ISO 8601 or Date). */
  start: Date | string;
  end: Date | string;
  /**
   * 1..9 (default 1): the period's own random streams and dob_ssn numbers (unique across the base period and the
   * other periods while fewer than 1,000 people of a period share a birth day).
   */
  index?: number;
  /** loan_id of the period's first loan (default 10,000 + 1,000,000 × index). */
  firstLoanId?: number;
  /** How the period differs (default: not at all). */
  shift?: PeriodShift;
}

/** Shifts of a later period's distributions. */
export interface PeriodShift {
  /** Incomes multiplied by this (default 1; 0.8 = 20% lower). */
  incomeFactor?: number;
  /** Interest-rate points added (default 0). */
  rateShift?: number;
  /** Log-odds added to every loan's default (default 0). */
  defaultLogit?: number;
  /**
   * Log-odds of default added for applicants with a mortgage (default 0): rising rates squeeze mortgage holders,
   * whom the base period shows as safer than renters, so a model trained on the base period ranks them wrong.
   */
  mortgageLogit?: number;
}

/**
 * A downturn: incomes 15% lower and rates 2 points higher (through the base risk model alone the default rate rises
 * from about 22% to 33%), mortgage holders squeezed by the higher rates (+2.5 log-odds: their default rate goes from
 * about 13% to 45%, above renters' 34%), and -0.6 log-odds for everyone so that the default rate ends near 37%.
 */
export const DOWNTURN_SHIFT: Readonly<Required<PeriodShift>> = {
  incomeFactor: 0.85,
  rateShift: 2,
  defaultLogit: -0.6,
  mortgageLogit: 2.5,
};

/** Row counts a generator will produce (credit history and zipcode rows are known only after generation). */
export interface GeneratorPlan {
  seed: number;
  loans: number;
  people: number;
  zipcodes: number;
  blocks: number;
  batchSize: number;
  /** The calibrated log-odds shift that brings the default rate to the profile's. */
  shift: number;
}

/** A prepared generator: call the three methods for independent streams of record batches. */
export interface CreditDataGenerator {
  plan: GeneratorPlan;
  /** Zipcode rows: base rows then correction rows. */
  zipcodeBatches(): Generator<arrow.RecordBatch>;
  /** Loan rows; `onBlock(done, total)` is called after every block of people. */
  loanBatches(opts?: { onBlock?: (done: number, total: number) => void }): Generator<arrow.RecordBatch>;
  /** Credit history rows; `onBlock(done, total)` is called after every block of people. */
  creditHistoryBatches(opts?: { onBlock?: (done: number, total: number) => void }): Generator<arrow.RecordBatch>;
}

// ---------------------------------------------------------------------------------------------------------------
// Small pure helpers

/**
 * Index drawn from a list of shares (they need not sum exactly to 1) for a uniform `u` in [0, 1).
 *
 * @example
 * ```ts
 * import { pickShare } from "./generate.ts";
 * console.assert(pickShare([0.5, 0.5], 0.7) === 1 && pickShare([0.2, 0.8], 0.1) === 0);
 * ```
 */
export function pickShare(shares: readonly number[], u: number): number {
  let total = 0;
  for (const s of shares) total += s;
  let acc = 0;
  const target = u * total;
  for (let i = 0; i < shares.length; i++) {
    acc += shares[i];
    if (target < acc) return i;
  }
  return shares.length - 1;
}

/** A calendar date. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/**
 * The UTC calendar date of a microsecond timestamp.
 *
 * @example
 * ```ts
 * import { civilDate } from "./generate.ts";
 * console.assert(civilDate(0).year === 1970);
 * ```
 */
export function civilDate(us: number): CivilDate {
  const d = new Date(Math.floor(us / 1000));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * Age in whole years at a microsecond timestamp of someone born on `dob` (UTC calendar).
 *
 * @example
 * ```ts
 * import { ageAt } from "./generate.ts";
 * const t = Date.UTC(2021, 5, 1) * 1000;
 * console.assert(ageAt({ year: 2000, month: 6, day: 1 }, t) === 21 && ageAt({ year: 2000, month: 6, day: 2 }, t) === 20);
 * ```
 */
export function ageAt(dob: CivilDate, us: number): number {
  const at = civilDate(us);
  const beforeBirthday = at.month < dob.month || (at.month === dob.month && at.day < dob.day);
  return at.year - dob.year - (beforeBirthday ? 1 : 0);
}

/**
 * Parses the date part of a `YYYYMMDD_NNNN` dob_ssn.
 *
 * @example
 * ```ts
 * import { parseDobSsn } from "./generate.ts";
 * console.assert(parseDobSsn("19530219_5179").month === 2);
 * ```
 */
export function parseDobSsn(dobSsn: string): CivilDate {
  const m = /^(\d{4})(\d{2})(\d{2})_\d{4}$/.exec(dobSsn);
  if (!m) throw new TypeError(`Value "${dobSsn}" is not a YYYYMMDD_NNNN dob_ssn`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function roundTo(value: number, step: [number, number], u: number): number {
  if (step[0] === 0) return Math.round(value * 100) / 100;
  return u < step[1] ? Math.round(value / step[0]) * step[0] : Math.round(value);
}

/** Offset within its day of a day's credit-bureau batch run: 18:00 plus up to an hour, with microseconds. */
function runOffsetUs(seed: number, day: number): number {
  return 18 * 3_600_000_000 + (hashInts([seed, day, 7]) % 3_600_000_000);
}

/** Delay between a batch run's event timestamp and its created timestamp: 1 to 11 minutes. */
function runDelayUs(seed: number, day: number): number {
  return 60_000_000 + (hashInts([seed, day, 8]) % 600_000_000);
}

const SYLLABLES = [
  "AL",
  "BER",
  "TON",
  "MAR",
  "SPRING",
  "FIELD",
  "WOOD",
  "LAKE",
  "RIDGE",
  "HAR",
  "BOR",
  "CLIF",
  "DALE",
  "GLEN",
  "HAVEN",
  "MONT",
  "NOR",
  "WEST",
  "EAST",
  "RICH",
  "CAR",
  "LIN",
  "OAK",
  "PINE",
  "ROCK",
  "STAN",
  "WIL",
  "KEN",
  "BROOK",
  "FORD",
  "LEY",
  "VER",
  "MILL",
  "ASH",
  "BURN",
  "CHES",
  "HOL",
  "LAN",
  "MEAD",
  "SEL",
];
const CITY_SUFFIXES = ["VILLE", "TON", "BURG", "FIELD", "PORT", " CITY", " SPRINGS", " FALLS", " HEIGHTS", ""];
const CITY_PREFIXES = ["NEW ", "NORTH ", "SOUTH ", "EAST ", "WEST ", "MOUNT ", "LAKE ", "FORT "];

/**
 * A synthetic, upper-case city name.
 *
 * @example
 * ```ts
 * import { cityName } from "./generate.ts";
 * import { Rng } from "../numeric/random.ts";
 * console.assert(/^[A-Z ]+$/.test(cityName(new Rng(1))));
 * ```
 */
export function cityName(rng: Rng): string {
  let name = SYLLABLES[rng.int(SYLLABLES.length)] + SYLLABLES[rng.int(SYLLABLES.length)].toLowerCase();
  name = name.toUpperCase();
  if (rng.bernoulli(0.6)) name += CITY_SUFFIXES[rng.int(CITY_SUFFIXES.length)];
  if (rng.bernoulli(0.12)) name = CITY_PREFIXES[rng.int(CITY_PREFIXES.length)] + name;
  return name;
}

// ---------------------------------------------------------------------------------------------------------------
// Zipcodes

interface ZipTable {
  zipcode: number[];
  city: string[];
  state: string[];
  locationType: string[];
  taxReturns: number[];
  population: number[];
  wages: number[];
  eventUs: number[];
  createdUs: number[];
  /** Number of base rows (one per zipcode); correction rows follow. */
  base: number;
}

/**
 * Splits `total` into integer parts proportional to `weights`, each at most `cap` (largest remainders first).
 *
 * @example
 * ```ts
 * import { allocate } from "./generate.ts";
 * console.assert(allocate([1, 1, 2], 4, 100).join() === "1,1,2" && allocate([1, 3], 4, 2).join() === "2,2");
 * ```
 */
export function allocate(weights: readonly number[], total: number, cap: number): number[] {
  const capacity = weights.filter((w) => w > 0).length * cap;
  if (total > capacity) throw new RangeError(`Count "${total}" exceeds the capacity of ${capacity}`);
  const out = new Array<number>(weights.length).fill(0);
  let remaining = total;
  let open = weights.map((w, i) => (w > 0 ? i : -1)).filter((i) => i >= 0);
  while (remaining > 0 && open.length > 0) {
    const sum = open.reduce((s, i) => s + weights[i], 0);
    const shares = open.map((i) => ({ i, exact: Math.min(cap - out[i], (remaining * weights[i]) / sum) }));
    let given = 0;
    for (const s of shares) {
      const whole = Math.floor(s.exact);
      out[s.i] += whole;
      given += whole;
    }
    const left = remaining - given;
    shares.sort((a, b) => (b.exact - Math.floor(b.exact)) - (a.exact - Math.floor(a.exact)) || a.i - b.i);
    let extra = 0;
    for (const s of shares) {
      if (extra >= left) break;
      if (out[s.i] < cap) (out[s.i]++, extra++);
    }
    remaining = left - extra;
    open = open.filter((i) => out[i] < cap);
  }
  return out;
}

function buildZipTable(profile: GeneratorProfile, count: number, seed: number): ZipTable {
  const zp = profile.zipcodes;
  const rng = Rng.fromKey([seed, STREAM_ZIP]);
  const counts = allocate(zp.prefixes.map((p) => p[2]), count, 100);
  const factor = cholesky(zp.copula.correlation);
  const t: ZipTable = {
    zipcode: [],
    city: [],
    state: [],
    locationType: [],
    taxReturns: [],
    population: [],
    wages: [],
    eventUs: [],
    createdUs: [],
    base: 0,
  };
  for (let p = 0; p < zp.prefixes.length; p++) {
    const c = counts[p];
    if (c === 0) continue;
    const [prefix, state] = zp.prefixes[p];
    const suffixes = Array.from({ length: 100 }, (_, i) => i);
    for (let i = 0; i < c; i++) {
      const j = i + rng.int(100 - i);
      [suffixes[i], suffixes[j]] = [suffixes[j], suffixes[i]];
    }
    const chosen = suffixes.slice(0, c).sort((a, b) => a - b);
    const cities = Array.from({ length: Math.max(1, Math.round(c / zp.zipcodesPerCity)) }, () => cityName(rng));
    for (let k = 0; k < c; k++) {
      const z = [rng.normal(), rng.normal(), rng.normal()];
      let [tax, pop, wages] = [0, 1, 2].map((i) => {
        let x = 0;
        for (let m = 0; m <= i; m++) x += factor[i][m] * z[m];
        return Math.round(fromQuantiles(QUANTILE_GRID, zp.copula.quantiles[i], normalCdf(x)));
      });
      tax = Math.max(1, tax);
      pop = Math.max(tax, pop);
      wages = Math.max(0, wages);
      t.zipcode.push(prefix * 100 + chosen[k]);
      t.city.push(cities[Math.min(cities.length - 1, Math.floor((k * cities.length) / c))]);
      t.state.push(state);
      t.locationType.push(zp.locationTypes.values[pickShare(zp.locationTypes.shares, rng.next())]);
      t.taxReturns.push(tax);
      t.population.push(pop);
      t.wages.push(wages);
      t.eventUs.push(zp.eventTimestampUs);
      t.createdUs.push(zp.eventTimestampUs);
    }
  }
  t.base = t.zipcode.length;
  const newerFrom = Date.UTC(2019, 0, 1) * 1000, newerTo = Date.UTC(2021, 5, 1) * 1000;
  for (let i = 0; i < t.base; i++) {
    if (!rng.bernoulli(0.01)) continue;
    const revision = rng.bernoulli(0.5);
    const event = revision ? zp.eventTimestampUs : Math.floor(rng.uniform(newerFrom, newerTo));
    const created = revision ? event + Math.floor(rng.uniform(30, 400) * DAY_US) : event;
    const scale = 1 + 0.05 * rng.normal();
    t.zipcode.push(t.zipcode[i]);
    t.city.push(t.city[i]);
    t.state.push(t.state[i]);
    t.locationType.push(t.locationType[i]);
    t.taxReturns.push(Math.max(1, Math.round(t.taxReturns[i] * (1 + 0.03 * rng.normal()))));
    t.population.push(Math.max(1, Math.round(t.population[i] * scale)));
    t.wages.push(Math.max(0, Math.round(t.wages[i] * scale * (1 + 0.03 * rng.normal()))));
    t.eventUs.push(event);
    t.createdUs.push(created);
  }
  return t;
}

// ---------------------------------------------------------------------------------------------------------------
// People, loans and credit history

interface Model {
  profile: GeneratorProfile;
  seed: number;
  homes: number;
  intents: number;
  factors: number[][][];
  beta: number[];
  zipcodes: number[];
  zipSet: Set<number>;
  averageWage: Map<number, number>;
  medianWage: number;
  shift: number;
  duesFactor: number[][];
  /** Index of the MORTGAGE home-ownership level (-1 when absent). */
  mortgage: number;
  /** Loan times (µs): the profile's window, or a later period's. */
  startUs: number;
  endUs: number;
  /** A later period's index (0 = the base period), first loan id and shifts. */
  period: number;
  firstLoanId: number;
  drift: Required<PeriodShift> | null;
}

/** Columns of emitted rows, accumulated until a batch is full. */
class Accumulator {
  #columns: Record<string, unknown[]> = {};
  #schema: arrow.Schema;
  #size: number;
  rows = 0;
  constructor(schema: arrow.Schema, batchSize: number) {
    this.#schema = schema;
    this.#size = batchSize;
    this.#reset();
  }
  #reset() {
    for (const f of this.#schema.fields) this.#columns[f.name] = [];
    this.rows = 0;
  }
  col(name: string): unknown[] {
    return this.#columns[name];
  }
  /** Marks one more row as complete (every column must have received its value). */
  commit() {
    this.rows++;
  }
  get full(): boolean {
    return this.rows >= this.#size;
  }
  /** Builds a batch of the first `n` rows (default all) and keeps the rest. */
  flush(n = this.rows): arrow.RecordBatch {
    const head: Record<string, ColumnValues> = {};
    for (const f of this.#schema.fields) {
      const values = this.#columns[f.name];
      head[f.name] = (n === values.length ? values : values.slice(0, n)) as ColumnValues;
      this.#columns[f.name] = n === values.length ? [] : values.slice(n);
    }
    this.rows -= n;
    return makeBatch(this.#schema, head);
  }
}

interface CreditSnapshot {
  eventUs: number;
  createdUs: number;
  dues: number[];
}

interface Person {
  dobSsn: string;
  dob: CivilDate;
  income: number;
  home: number;
  zipcode: number;
  loans: number[];
}

interface Sinks {
  loans?: Accumulator;
  credit?: Accumulator;
  /** Called with each loan's log-odds before the shift (pilot calibration). */
  onLogit?: (logit: number) => void;
}

/** Per-pass mutable state: the dob_ssn counters per birth day. */
interface PassState {
  bornOn: Map<number, number>;
}

function loanRangeOf(block: number, loans: number, people: number): [number, number, number, number] {
  const p0 = block * PEOPLE_PER_BLOCK;
  const p1 = Math.min(people, p0 + PEOPLE_PER_BLOCK);
  return [p0, p1, Math.floor((loans * p0) / people), Math.floor((loans * p1) / people)];
}

function countIn(times: number[], from: number, to: number): number {
  let n = 0;
  for (const t of times) if (t > from && t <= to) n++;
  return n;
}

function simulateBlock(
  model: Model,
  block: number,
  totals: { loans: number; people: number },
  state: PassState,
  sinks: Sinks,
  stream = STREAM_PEOPLE,
): void {
  const { profile, seed } = model;
  const lp = profile.loans;
  const cp = profile.credit;
  const rng = Rng.fromKey(model.period === 0 ? [seed, stream, block] : [seed, stream, block, model.period]);
  const [p0, p1, l0, l1] = loanRangeOf(block, totals.loans, totals.people);
  const nPeople = p1 - p0;
  const nLoans = l1 - l0;
  // Loans per person: one each while there are enough, the rest to random people of the block.
  const perPerson = new Int32Array(nPeople);
  if (nLoans >= nPeople) {
    perPerson.fill(1);
    for (let k = nPeople; k < nLoans; k++) perPerson[rng.int(nPeople)]++;
  } else {
    for (let k = 0; k < nLoans; k++) {
      let j = rng.int(nPeople);
      while (perPerson[j] > 0) j = (j + 1) % nPeople;
      perPerson[j] = 1;
    }
  }
  const features = new Float64Array(loanRiskWidth(model.homes, model.intents));
  const bkCut = (share: number) => (share >= 1 ? Infinity : share <= 0 ? -Infinity : normalQuantile(share));
  const [bk0, bk1] = [bkCut(cp.bankruptcyShares[0]), bkCut(cp.bankruptcyShares[0] + cp.bankruptcyShares[1])];
  let loanId = model.firstLoanId + l0;
  const drift = model.drift;
  for (let pi = 0; pi < nPeople; pi++) {
    const k = perPerson[pi];
    // --- person-level draws
    const home = pickShare(lp.homeOwnership.shares, rng.next());
    const copula = lp.copulaByHome[home];
    const factor = model.factors[home];
    const risk = rng.normal();
    const z = [rng.normal(), rng.normal(), rng.normal(), 0, 0];
    const xs = [0, 1, 2].map((i) => {
      let x = 0;
      for (let m = 0; m <= i; m++) x += factor[i][m] * z[m];
      return x;
    });
    const q = (col: number, x: number) => fromQuantiles(QUANTILE_GRID, copula.quantiles[col], normalCdf(x));
    const age0 = Math.min(90, Math.max(18, Math.round(q(0, xs[0]))));
    let income = Math.max(1000, roundTo(q(1, xs[1]), lp.steps.person_income, rng.next()));
    if (drift && drift.incomeFactor !== 1) income = Math.max(1000, Math.round(income * drift.incomeFactor));
    const emp0 = Math.max(0, Math.round(q(2, xs[2])));
    const zipcode = rng.bernoulli(0.001) ? unknownZipcode(model, rng) : model.zipcodes[rng.int(model.zipcodes.length)];
    // --- loan times (sorted), with rare same-instant duplicates
    const times: number[] = [];
    for (let j = 0; j < Math.max(k, 1); j++) times.push(Math.floor(rng.uniform(model.startUs, model.endUs + 1)));
    times.sort((a, b) => a - b);
    if (k >= 2 && rng.bernoulli(0.02)) times[1] = times[0];
    const loanTimes = k > 0 ? times : [];
    // --- date of birth consistent with age0 at the first loan, then a unique dob_ssn
    const dobUs = times[0] - (age0 + rng.uniform(0.02, 0.98)) * YEAR_US;
    const dob = civilDate(dobUs);
    const dobDay = Math.floor(Date.UTC(dob.year, dob.month - 1, dob.day) / 86_400_000);
    const nth = state.bornOn.get(dobDay) ?? 0;
    state.bornOn.set(dobDay, nth + 1);
    const ssn = ((nth + 1000 * model.period) * 7919 + hashInts([seed, dobDay + 1_000_000])) % 10_000;
    const person: Person = {
      dobSsn: `${pad(dob.year, 4)}${pad(dob.month, 2)}${pad(dob.day, 2)}_${pad(ssn, 4)}`,
      dob,
      income,
      home,
      zipcode,
      loans: loanTimes,
    };
    // --- latent credit process
    const hasHistory = !rng.bernoulli(0.03);
    const histStart = times[0] - rng.uniform(150, 330) * DAY_US;
    const histEnd = times[times.length - 1] + rng.uniform(0, 60) * DAY_US;
    const snapTimes: number[] = [];
    if (hasHistory) {
      for (let t = histStart; t <= histEnd; t += rng.uniform(30, 120) * DAY_US) snapTimes.push(t);
      for (const lt of loanTimes) {
        if (rng.bernoulli(0.01)) snapTimes.push(-lt); // exactly at the loan time (negative marks an exact time)
        if (rng.bernoulli(0.01)) snapTimes.push(-(lt - CREDIT_TTL_US)); // exactly at the ttl boundary
      }
    }
    const snapshots: CreditSnapshot[] = snapTimes.map((t) => {
      if (t < 0) return { eventUs: -t, createdUs: -t + runDelayUs(seed, Math.floor(-t / DAY_US)), dues: [] };
      const day = Math.floor(t / DAY_US);
      const eventUs = day * DAY_US + runOffsetUs(seed, day);
      return { eventUs, createdUs: eventUs + runDelayUs(seed, day), dues: [] };
    }).sort((a, b) => a.eventUs - b.eventUs);
    const missedMix = 0.85 * risk + Math.sqrt(1 - 0.85 ** 2) * rng.normal();
    const sigma = cp.missedRateSigma;
    const ratePerMonth = cp.missedPerMonth * Math.exp(sigma * missedMix - (sigma * sigma) / 2);
    const missFrom = histStart - 2 * YEAR_US;
    const missed: number[] = [];
    const nMissed = rng.poisson(ratePerMonth * ((histEnd - missFrom) / MONTH_US));
    for (let j = 0; j < nMissed; j++) missed.push(rng.uniform(missFrom, histEnd));
    const bkScore = 0.6 * risk + 0.8 * rng.normal();
    const baseBankruptcies = bkScore < bk0 ? 0 : bkScore < bk1 ? 1 : 2;
    const bankruptcyTimes: number[] = [];
    const hpScore = 0.4 * risk + Math.sqrt(1 - 0.16) * rng.normal();
    const baseHardPulls = Math.max(0, Math.round(fromQuantiles(QUANTILE_GRID, cp.hardPulls, normalCdf(hpScore)) * 0.7));
    // dues: base from the sample's quantiles, then evolving from snapshot to snapshot
    const dz = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
    const dues = [0, 1, 2, 3].map((i) => {
      let x = 0;
      for (let m = 0; m <= i; m++) x += model.duesFactor[i][m] * dz[m];
      return fromQuantiles(QUANTILE_GRID, cp.dues.quantiles[i], normalCdf(x));
    });
    let duesAt = histStart;
    for (const s of snapshots) {
      const months = Math.max(0, (s.eventUs - duesAt) / MONTH_US);
      duesAt = Math.max(duesAt, s.eventUs);
      dues[0] = Math.min(15_000, dues[0] * Math.exp(0.25 * rng.normal()) + 200 * months * rng.next());
      dues[1] = Math.max(0, dues[1] * (1 - 0.004 * months));
      dues[2] = Math.max(0, dues[2] * (1 - 0.006 * months));
      dues[3] = Math.max(0, dues[3] * (1 - 0.015 * months));
      s.dues = dues.map(Math.round);
    }
    const stateAt = (t: number, due: number[]): CreditRiskInput => ({
      creditCardDue: due[0],
      studentLoanDue: due[2],
      vehicleLoanDue: due[3],
      hardPulls: baseHardPulls + countIn(loanTimes, t - 2 * YEAR_US, t),
      missed2y: countIn(missed, t - 2 * YEAR_US, t),
      missed1y: countIn(missed, t - YEAR_US, t),
      missed6m: countIn(missed, t - YEAR_US / 2, t),
      bankruptcies: baseBankruptcies + countIn(bankruptcyTimes, -Infinity, t),
    });
    // --- loans, in time order
    const zipTerm = zipRiskTerm(model.averageWage.get(zipcode) ?? model.medianWage, model.medianWage);
    for (let j = 0; j < loanTimes.length; j++) {
      const ts = loanTimes[j];
      z[3] = rng.normal();
      z[4] = rng.normal();
      let xAmt = 0, xRate = 0;
      for (let m = 0; m <= 3; m++) xAmt += factor[3][m] * z[m];
      for (let m = 0; m <= 4; m++) xRate += factor[4][m] * z[m];
      xRate = Math.sqrt(1 - RATE_RISK_WEIGHT ** 2) * xRate + RATE_RISK_WEIGHT * risk;
      const loanAmnt = Math.max(500, roundTo(q(3, xAmt), lp.steps.loan_amnt, rng.next()));
      let intRate = roundTo(q(4, xRate), lp.steps.loan_int_rate, 0);
      if (drift && drift.rateShift !== 0) intRate = Math.round((intRate + drift.rateShift) * 100) / 100;
      const intent = pickShare(lp.intents.sharesByHome[home], rng.next());
      const empLength = emp0 + Math.floor((ts - times[0]) / YEAR_US);
      loanRiskFeatures({ intRate, loanAmnt, income, empLength, home, intent }, model.homes, features);
      let logit = 0;
      for (let m = 0; m < features.length; m++) logit += model.beta[m] * features[m];
      let inForce: CreditSnapshot | undefined;
      for (const s of snapshots) if (s.eventUs <= ts && s.eventUs >= ts - CREDIT_TTL_US) inForce = s;
      let latestDues = snapshots.length > 0 ? snapshots[0].dues : dues.map(Math.round);
      for (const s of snapshots) if (s.eventUs <= ts) latestDues = s.dues;
      const credit = inForce ? stateAt(inForce.eventUs, inForce.dues) : stateAt(ts, latestDues);
      logit += creditRiskTerm(credit, income) + zipTerm;
      if (drift) logit += drift.defaultLogit + (home === model.mortgage ? drift.mortgageLogit : 0);
      sinks.onLogit?.(logit);
      const status = rng.next() < sigmoid(logit + model.shift) ? 1 : 0;
      if (status === 1) {
        const extra = rng.poisson(4);
        for (let e = 0; e < extra; e++) missed.push(ts + rng.uniform(10, 150) * DAY_US);
        if (rng.bernoulli(0.08)) bankruptcyTimes.push(ts + rng.uniform(60, 300) * DAY_US);
      }
      const out = sinks.loans;
      if (out) {
        out.col("loan_id").push(loanId);
        out.col("dob_ssn").push(person.dobSsn);
        out.col("zipcode").push(zipcode);
        out.col("person_age").push(ageAt(dob, ts));
        out.col("person_income").push(income);
        out.col("person_home_ownership").push(lp.homeOwnership.values[home]);
        out.col("person_emp_length").push(empLength);
        out.col("loan_intent").push(lp.intents.values[intent]);
        out.col("loan_amnt").push(loanAmnt);
        out.col("loan_int_rate").push(intRate);
        out.col("loan_status").push(status);
        out.col("event_timestamp").push(ts);
        out.col("created_timestamp").push(ts);
        out.commit();
      }
      loanId++;
    }
    // --- credit history rows (after the loans, so post-default events show up). The draws happen whether or not
    // the rows are kept, so that the loan pass and the credit pass consume the same random numbers.
    const out = sinks.credit;
    for (const s of snapshots) {
      const st = stateAt(s.eventUs, s.dues);
      const truth = [
        s.dues[0],
        s.dues[1],
        s.dues[2],
        s.dues[3],
        st.hardPulls,
        st.missed2y,
        st.missed1y,
        st.missed6m,
        st.bankruptcies,
      ];
      const late = rng.bernoulli(0.02);
      const first: (number | null)[] = late
        ? truth.map((v, i) => (i < 4 ? Math.round(v * rng.uniform(0.6, 1.4)) : i >= 5 && i <= 7 ? v + 1 : v))
        : truth.slice();
      if (rng.bernoulli(0.005)) first[rng.int(first.length)] = null;
      const duplicate = rng.bernoulli(0.004);
      const correctedAt = s.createdUs + Math.floor(rng.uniform(1, 45) * DAY_US);
      if (!out) continue;
      emitCredit(out, person.dobSsn, first, s.eventUs, s.createdUs);
      if (duplicate) emitCredit(out, person.dobSsn, first, s.eventUs, s.createdUs);
      if (late) emitCredit(out, person.dobSsn, truth, s.eventUs, correctedAt);
    }
  }
}

function emitCredit(out: Accumulator, dobSsn: string, values: (number | null)[], eventUs: number, createdUs: number) {
  out.col("dob_ssn").push(dobSsn);
  for (let i = 0; i < CREDIT_FEATURES.length; i++) out.col(CREDIT_FEATURES[i]).push(values[i]);
  out.col("event_timestamp").push(eventUs);
  out.col("created_timestamp").push(createdUs);
  out.commit();
}

function unknownZipcode(model: Model, rng: Rng): number {
  for (;;) {
    const z = 1 + rng.int(99_999);
    if (!model.zipSet.has(z)) return z;
  }
}

function calibrateShift(model: Model, totals: { loans: number; people: number }): number {
  const people = Math.min(totals.people, 8 * PEOPLE_PER_BLOCK);
  const loans = Math.max(1, Math.round((totals.loans * people) / totals.people));
  const pilot: Model = { ...model, seed: PILOT_SEED, drift: null };
  const blocks = Math.ceil(people / PEOPLE_PER_BLOCK);
  const target = model.profile.loans.defaultRate;
  for (let round = 0; round < 3; round++) {
    const logits: number[] = [];
    const state: PassState = { bornOn: new Map() };
    for (let b = 0; b < blocks; b++) {
      simulateBlock(pilot, b, { loans, people }, state, { onLogit: (l) => logits.push(l) }, STREAM_PILOT);
    }
    let lo = -20, hi = 20;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      let mean = 0;
      for (const l of logits) mean += sigmoid(l + mid);
      if (mean / logits.length < target) lo = mid;
      else hi = mid;
    }
    pilot.shift = (lo + hi) / 2;
  }
  return Number(pilot.shift.toFixed(6));
}

function periodOf(period: LaterPeriod | undefined, profile: GeneratorProfile) {
  const lp = profile.loans;
  if (!period) return { startUs: lp.startUs, endUs: lp.endUs, period: 0, firstLoanId: FIRST_LOAN_ID, drift: null };
  const index = period.index ?? 1;
  if (!Number.isInteger(index) || index < 1 || index > 9) {
    throw new RangeError(`Option period.index "${index}" must be a whole number from 1 to 9`);
  }
  const us = (name: "start" | "end") => {
    const v = period[name];
    const ms = v instanceof Date ? v.getTime() : typeof v === "string" ? Date.parse(v) : NaN;
    if (!Number.isFinite(ms)) throw new RangeError(`Option period.${name} "${String(v)}" is not a valid time`);
    return ms * 1000;
  };
  const [startUs, endUs] = [us("start"), us("end")];
  if (!(endUs > startUs)) throw new RangeError(`Option period.end "${period.end}" must be after "${period.start}"`);
  const firstLoanId = period.firstLoanId ?? FIRST_LOAN_ID + 1_000_000 * index;
  if (!Number.isSafeInteger(firstLoanId) || firstLoanId < 0) {
    throw new RangeError(`Option period.firstLoanId "${firstLoanId}" must be a whole number >= 0`);
  }
  const shift = { incomeFactor: 1, rateShift: 0, defaultLogit: 0, mortgageLogit: 0, ...period.shift };
  for (const [name, value] of Object.entries(shift)) {
    if (typeof value !== "number" || !Number.isFinite(value) || (name === "incomeFactor" && value <= 0)) {
      throw new RangeError(
        `Option period.shift.${name} "${value}" must be a ${name === "incomeFactor" ? "positive " : ""}number`,
      );
    }
  }
  return { startUs, endUs, period: index, firstLoanId, drift: shift };
}

/**
 * Prepares a generator: builds the zipcode list and calibrates the default rate, then hands out independent
 * streams of record batches for the three tables (each stream re-runs the same deterministic simulation).
 *
 * @example
 * ```ts
 * import { createGenerator } from "./generate.ts";
 * const gen = createGenerator({ seed: 1, loans: 100, zipcodes: 50 });
 * let rows = 0;
 * for (const batch of gen.loanBatches()) rows += batch.numRows;
 * console.assert(rows === 100);
 * ```
 */
export function createGenerator(opts: GenerateOptions = {}): CreditDataGenerator {
  const profile = opts.profile ?? DEFAULT_PROFILE;
  const seed = opts.seed ?? 42;
  const loans = opts.loans ?? 20_000;
  const people = opts.people ?? Math.max(1, Math.ceil(loans * 0.9));
  const zipcodes = opts.zipcodes ?? profile.zipcodes.count;
  const batchSize = opts.batchSize ?? 65_536;
  for (
    const [name, value, min] of [["seed", seed, 0], ["loans", loans, 0], ["people", people, 1], [
      "zipcodes",
      zipcodes,
      1,
    ], ["batchSize", batchSize, 1]] as const
  ) {
    if (!Number.isSafeInteger(value) || value < min) {
      throw new RangeError(`Option ${name} "${value}" must be an integer of at least ${min}`);
    }
  }
  const zipTable = buildZipTable(profile, zipcodes, seed);
  const averageWage = new Map<number, number>();
  for (let i = 0; i < zipTable.base; i++) {
    averageWage.set(zipTable.zipcode[i], zipTable.wages[i] / Math.max(1, zipTable.taxReturns[i]));
  }
  const wagesSorted = [...averageWage.values()].sort((a, b) => a - b);
  const model: Model = {
    profile,
    seed,
    homes: profile.loans.homeOwnership.values.length,
    intents: profile.loans.intents.values.length,
    factors: profile.loans.copulaByHome.map((c) => cholesky(c.correlation)),
    beta: profile.loans.defaultModel.coefficients,
    zipcodes: zipTable.zipcode.slice(0, zipTable.base),
    zipSet: new Set(zipTable.zipcode),
    averageWage,
    medianWage: wagesSorted[Math.floor(wagesSorted.length / 2)],
    shift: 0,
    duesFactor: cholesky(profile.credit.dues.correlation),
    mortgage: profile.loans.homeOwnership.values.indexOf("MORTGAGE"),
    ...periodOf(opts.period, profile),
  };
  const totals = { loans, people };
  model.shift = calibrateShift(model, totals);
  const blocks = Math.ceil(people / PEOPLE_PER_BLOCK);
  const plan: GeneratorPlan = { seed, loans, people, zipcodes: zipTable.base, blocks, batchSize, shift: model.shift };

  function* run(which: "loans" | "credit", onBlock?: (done: number, total: number) => void) {
    const acc = new Accumulator(which === "loans" ? LOAN_SCHEMA : CREDIT_HISTORY_SCHEMA, batchSize);
    const state: PassState = { bornOn: new Map() };
    const sinks: Sinks = which === "loans" ? { loans: acc } : { credit: acc };
    for (let b = 0; b < blocks; b++) {
      simulateBlock(model, b, totals, state, sinks);
      while (acc.rows >= batchSize) yield acc.flush(batchSize);
      onBlock?.(b + 1, blocks);
    }
    if (acc.rows > 0) yield acc.flush();
  }

  return {
    plan,
    *zipcodeBatches() {
      const n = zipTable.zipcode.length;
      for (let from = 0; from < n; from += batchSize) {
        const to = Math.min(n, from + batchSize);
        yield makeBatch(ZIPCODE_SCHEMA, {
          zipcode: zipTable.zipcode.slice(from, to),
          city: zipTable.city.slice(from, to),
          state: zipTable.state.slice(from, to),
          location_type: zipTable.locationType.slice(from, to),
          tax_returns_filed: zipTable.taxReturns.slice(from, to),
          population: zipTable.population.slice(from, to),
          total_wages: zipTable.wages.slice(from, to),
          event_timestamp: zipTable.eventUs.slice(from, to),
          created_timestamp: zipTable.createdUs.slice(from, to),
        });
      }
    },
    loanBatches: (o = {}) => run("loans", o.onBlock),
    creditHistoryBatches: (o = {}) => run("credit", o.onBlock),
  };
}

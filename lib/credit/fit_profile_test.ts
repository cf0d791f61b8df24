import { assert, assertAlmostEquals, assertEquals, assertLess } from "@std/assert";
import * as arrow from "apache-arrow";
import { QUANTILE_GRID } from "./copula.ts";
import {
  categoryShares,
  type CsvRows,
  fitLogistic,
  fitProfile,
  type GeneratorProfile,
  missedRateSigma,
  multipleShare,
  parseSimpleCsv,
  readRealData,
  roundingStep,
  timestampMicros,
} from "./fit_profile.ts";
import { createGenerator, DEFAULT_PROFILE } from "./generate.ts";
import { Rng } from "../numeric/random.ts";
import { sigmoid } from "../numeric/special.ts";

const REAL_DIR = new URL("../../../shared/data/feast-credit", import.meta.url).pathname;
const hasRealData = await Deno.stat(REAL_DIR).then(() => true, () => false);

Deno.test("roundingStep and multipleShare find the round steps values use", () => {
  assertEquals(roundingStep([1000, 2500, 3500, 500, 7]), 500);
  assertEquals(roundingStep([1000, 2000, 3500, 40000, 7]), 1000);
  assertEquals(roundingStep([3, 7, 11]), 1);
  assertEquals(roundingStep([1.5, 2.25]), 0);
  assertEquals(multipleShare([25, 50, 60, 75], 25), 0.75);
});

Deno.test("categoryShares orders by frequency then name", () => {
  assertEquals(categoryShares(["b", "a", "c", "c"]), { values: ["c", "a", "b"], shares: [0.5, 0.25, 0.25] });
});

Deno.test("fitLogistic recovers the coefficients of simulated data", () => {
  const rng = new Rng(3);
  const rows: Float64Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const x = Float64Array.from([1, rng.normal(), rng.bernoulli(0.3) ? 1 : 0]);
    rows.push(x);
    y.push(rng.next() < sigmoid(-1 + 1.5 * x[1] - 0.8 * x[2]) ? 1 : 0);
  }
  const beta = fitLogistic(rows, y);
  assertAlmostEquals(beta[0], -1, 0.1);
  assertAlmostEquals(beta[1], 1.5, 0.1);
  assertAlmostEquals(beta[2], -0.8, 0.1);
});

Deno.test("missedRateSigma reproduces the share of people without a missed payment in 6 months", () => {
  const perMonth = 0.12, zeroShare = 0.59;
  const sigma = missedRateSigma(perMonth, zeroShare);
  const rng = new Rng(9);
  let zeros = 0;
  const n = 50_000;
  for (let i = 0; i < n; i++) {
    if (rng.poisson(6 * perMonth * Math.exp(sigma * rng.normal() - sigma * sigma / 2)) === 0) zeros++;
  }
  assertAlmostEquals(zeros / n, zeroShare, 0.01);
});

Deno.test("parseSimpleCsv keys cells by header", () => {
  assertEquals(parseSimpleCsv("a,b\r\n1,x\n2,\n"), [{ a: "1", b: "x" }, { a: "2", b: "" }]);
});

function assertSummaryOnly(profile: GeneratorProfile) {
  const json = JSON.stringify(profile);
  assertLess(json.length, 100_000);
  assertEquals(/\d{8}_\d{4}/.test(json), false, "a dob_ssn value leaked into the profile");
  for (const c of [...profile.loans.copulaByHome, profile.zipcodes.copula, profile.credit.dues]) {
    for (const q of c.quantiles) assertEquals(q.length, QUANTILE_GRID.length);
  }
  assertEquals(Object.keys(profile).sort(), ["credit", "loans", "source", "version", "zipcodes"]);
}

Deno.test("the committed profile holds summary statistics only", () => {
  assertSummaryOnly(DEFAULT_PROFILE);
  assertAlmostEquals(DEFAULT_PROFILE.loans.defaultRate, 0.2166, 0.001);
});

Deno.test("fitProfile learns back the generator's own distributions", () => {
  const gen = createGenerator({ seed: 2, loans: 6000, zipcodes: 2000 });
  const loans = new arrow.Table([...gen.loanBatches()]);
  const zipcodes = new arrow.Table([...gen.zipcodeBatches()]);
  const credit = new arrow.Table([...gen.creditHistoryBatches()]);
  const rows: CsvRows = [];
  for (let i = 0; i < credit.numRows; i++) {
    const r = credit.get(i)!.toJSON() as Record<string, unknown>;
    rows.push(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? "0" : String(v)])));
  }
  const refit = fitProfile({ loans, zipcodes, credit: rows });
  assertSummaryOnly(refit);
  assertEquals(refit.loans.count, 6000);
  assertEquals(refit.loans.homeOwnership.values.slice(0, 2), ["RENT", "MORTGAGE"]);
  assertAlmostEquals(refit.loans.homeOwnership.shares[0], DEFAULT_PROFILE.loans.homeOwnership.shares[0], 0.03);
  assertAlmostEquals(refit.loans.defaultRate, DEFAULT_PROFILE.loans.defaultRate, 0.03);
  const median = (p: GeneratorProfile) => p.loans.copulaByHome[0].quantiles[1][QUANTILE_GRID.indexOf(0.5)];
  assertAlmostEquals(median(refit) / median(DEFAULT_PROFILE), 1, 0.08);
  assertEquals(refit.zipcodes.count, zipcodes.numRows);
  assert(timestampMicros(loans, "event_timestamp").every((t) => t >= DEFAULT_PROFILE.loans.startUs));
});

Deno.test({
  name: "the committed profile is what fit_profile learns from the real files",
  ignore: !hasRealData,
  fn: async () => {
    const refit = JSON.parse(JSON.stringify(fitProfile(await readRealData(REAL_DIR))));
    assertEquals(refit, JSON.parse(JSON.stringify(DEFAULT_PROFILE)));
  },
});

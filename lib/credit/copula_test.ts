import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  cholesky,
  copulaValues,
  correlation,
  fitCopula,
  fromQuantiles,
  normalQuantile,
  normalScores,
  QUANTILE_GRID,
  quantiles,
} from "./copula.ts";
import { Rng } from "../numeric/random.ts";
import { normalCdf } from "../numeric/special.ts";

Deno.test("normalQuantile inverts normalCdf", () => {
  for (const p of [0.001, 0.02, 0.3, 0.5, 0.9, 0.999]) assertAlmostEquals(normalCdf(normalQuantile(p)), p, 1e-6);
  assertAlmostEquals(normalQuantile(0.8413447), 1, 1e-5);
  assertThrows(() => normalQuantile(1), RangeError, '"1"');
});

Deno.test("quantiles and fromQuantiles round-trip a sample's distribution", () => {
  const sample = Array.from({ length: 1001 }, (_, i) => i * 2);
  const q = quantiles(sample, QUANTILE_GRID);
  assertEquals(q[QUANTILE_GRID.indexOf(0.5)], 1000);
  assertEquals(fromQuantiles(QUANTILE_GRID, q, 0.25), 500);
  assertEquals(fromQuantiles(QUANTILE_GRID, q, 0), q[0]);
  assertEquals(fromQuantiles(QUANTILE_GRID, q, 1), q.at(-1));
});

Deno.test("normalScores give tied values the same score", () => {
  const s = normalScores([5, 1, 5, 3]);
  assertEquals(s[0], s[2]);
  assert(s[1] < s[3] && s[3] < s[0]);
});

Deno.test("a fitted copula reproduces marginals and rank correlation when sampled", () => {
  const rng = new Rng(11);
  const n = 20_000;
  const a = new Float64Array(n), b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z1 = rng.normal(), z2 = rng.normal();
    a[i] = Math.exp(z1);
    b[i] = 100 + 10 * (0.8 * z1 + 0.6 * z2);
  }
  const copula = fitCopula({ a, b });
  assertAlmostEquals(copula.correlation[0][1], 0.8, 0.02);
  const factor = cholesky(copula.correlation);
  const sa = new Float64Array(n), sb = new Float64Array(n);
  for (let i = 0; i < n; i++) [sa[i], sb[i]] = copulaValues(copula, factor, [rng.normal(), rng.normal()]);
  assertAlmostEquals(quantiles(sa, [0.5])[0], 1, 0.05);
  assertAlmostEquals(quantiles(sb, [0.9])[0], 100 + 10 * 1.2816, 0.5);
  assertAlmostEquals(correlation(normalScores(sa), normalScores(sb)), 0.8, 0.02);
});

Deno.test("cholesky rejects a matrix that is not positive definite", () => {
  assertThrows(() => cholesky([[1, 2], [2, 1]]), RangeError, '"1"');
});

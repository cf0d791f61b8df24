import { assertAlmostEquals, assertEquals } from "@std/assert";
import { chi2Sf, gammaincc, gcd, lgamma, normSf, pairwiseSum, roundHalfEven } from "./special.ts";
import { assertClose } from "./testdata/gen.ts";

Deno.test("lgamma matches factorials and the half-integer closed form", () => {
  let f = 1;
  for (let n = 1; n <= 25; n++) {
    const want = Math.log(f *= n);
    assertAlmostEquals(lgamma(n + 1), want, 1e-13 * Math.max(1, want), `lgamma(${n + 1})`);
  }
  assertClose(lgamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-14, "lgamma(0.5)");
  assertEquals(Number.isNaN(lgamma(0)), true);
});

Deno.test("gammaincc: exponential case, erfc case, bounds", () => {
  for (const x of [0.01, 0.5, 2, 10, 50]) assertClose(gammaincc(1, x), Math.exp(-x), 1e-13, `Q(1, ${x})`);
  assertClose(gammaincc(2, 3), 4 * Math.exp(-3), 1e-13, "Q(2, 3) = (1 + x) e^-x");
  assertEquals(gammaincc(3, 0), 1);
  assertEquals(gammaincc(3, Infinity), 0);
  assertEquals(Number.isNaN(gammaincc(-1, 1)), true);
  assertClose(chi2Sf(2, 5), Math.exp(-2.5), 1e-13, "chi2 sf with 2 df");
  assertEquals(Number.isNaN(chi2Sf(0, 1)), true, "no degrees of freedom");
  assertClose(normSf(-1) + normSf(1), 1, 1e-15, "symmetry");
});

Deno.test("pairwiseSum rounds like numpy's np.sum; roundHalfEven and gcd", () => {
  // 0.1 * 10 summed sequentially is 0.9999999999999999; numpy's unrolled pairwise sum gives 1.0
  assertEquals(pairwiseSum(new Array(10).fill(0.1)), 1);
  const many = Array.from({ length: 1000 }, (_, i) => 1 / (i + 1));
  assertClose(pairwiseSum(many), 7.485470860550345, 1e-15, "harmonic number H_1000");
  assertEquals([roundHalfEven(0.5), roundHalfEven(1.5), roundHalfEven(2.5), roundHalfEven(-2.5), roundHalfEven(2.4)], [
    0,
    2,
    2,
    -2,
    2,
  ]);
  assertEquals(gcd(1000000, 999000), 1000);
});

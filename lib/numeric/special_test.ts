import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import { chi2Sf, gammaincc, gcd, lgamma, normalCdf, normalSf, pairwiseSum, roundHalfEven, sigmoid } from "./special.ts";

/** Asserts |actual - expected| <= rtol * |expected| (an expected 0 or infinity must match exactly). */
function assertClose(actual: number, expected: number, rtol: number, what: string): void {
  if (expected === 0 || !Number.isFinite(expected)) {
    if (actual !== expected) throw new Error(`${what}: got ${actual}, expected ${expected}`);
    return;
  }
  const rel = Math.abs(actual - expected) / Math.abs(expected);
  if (!(rel <= rtol)) {
    throw new Error(`${what}: got ${actual}, expected ${expected} (relative error ${rel.toExponential(2)})`);
  }
}

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
  assertClose(normalSf(-1) + normalSf(1), 1, 1e-15, "symmetry");
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

// mpmath.ncdf(x) at 40 digits, of the double x
const NORMAL_CDF: [number, number][] = [
  [-37, 5.7255712225245768e-300],
  [-30, 4.9067139271481871e-198],
  [-20, 2.7536241186062337e-89],
  [-12, 1.776482112077679e-33],
  [-8, 6.2209605742717841e-16],
  [-5, 2.8665157187919391e-7],
  [-3, 0.0013498980316300945],
  [-1.959964, 0.024999999096442402],
  [-1, 0.15865525393145705],
  [-0.5, 0.3085375387259869],
  [-0.1, 0.46017216272297102],
  [-1e-8, 0.4999999960105772],
  [0, 0.5],
  [1e-8, 0.5000000039894228],
  [0.1, 0.53982783727702898],
  [0.5, 0.6914624612740131],
  [1, 0.84134474606854295],
  [1.959964, 0.9750000009035576],
  [3, 0.99865010196836991],
  [5, 0.99999971334842812],
  [8, 0.99999999999999938],
];

Deno.test("normalCdf and normalSf match mpmath to 1e-12 relative, both tails", () => {
  for (const [x, p] of NORMAL_CDF) {
    assertClose(normalCdf(x), p, 1e-12, `normalCdf(${x})`);
    assertClose(normalSf(-x), p, 1e-12, `normalSf(${-x})`);
  }
  assertEquals(normalCdf(-Infinity), 0);
  assertEquals(normalCdf(Infinity), 1);
  assertEquals(Number.isNaN(normalCdf(NaN)), true);
  // monotone across the switch between the two sides and the series / continued-fraction branches
  let last = 0;
  for (let x = -8; x <= 8; x += 1 / 64) {
    const p = normalCdf(x);
    assert(p >= last, `normalCdf decreases at ${x}`);
    last = p;
  }
});

// mpmath 1 / (1 + exp(-z)) at 40 digits
const SIGMOID: [number, number][] = [
  [-745, 5e-324],
  [-700, 9.8596765437597709e-305],
  [-40, 4.248354255291589e-18],
  [-5, 0.0066928509242848556],
  [-1, 0.26894142136999512],
  [-1e-10, 0.499999999975],
  [0, 0.5],
  [1e-10, 0.500000000025],
  [1, 0.73105857863000488],
  [5, 0.99330714907571514],
  [40, 1],
];

Deno.test("sigmoid matches mpmath to 1e-15 relative and neither overflows nor gives NaN far out", () => {
  for (const [z, p] of SIGMOID) {
    if (z === -745) assertEquals(sigmoid(z), p, "the smallest subnormal");
    else assertClose(sigmoid(z), p, 1e-15, `sigmoid(${z})`);
  }
  assertEquals(sigmoid(-1000), 0);
  assertEquals(sigmoid(1000), 1);
  assertEquals(sigmoid(Math.log(3)), 0.75);
  for (let z = -30; z <= 30; z += 0.25) assertClose(sigmoid(z) + sigmoid(-z), 1, 1e-15, `symmetry at ${z}`);
});

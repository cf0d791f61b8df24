import { assertEquals } from "@std/assert";
import { sortFloat64 } from "./sort.ts";
import { seededRandom as rng } from "../numeric/random.ts";

Deno.test("sortFloat64 equals the built-in sort on mixed signs, ties, zeros, extremes and integers", () => {
  const r = rng(7);
  const n = 50_000;
  const cases: Float64Array[] = [
    Float64Array.from({ length: n }, () => (r() - 0.5) * 1e6),
    Float64Array.from({ length: n }, () => Math.floor(r() * 10)),
    Float64Array.from(
      { length: n },
      (_, i) =>
        [0, -0, 1e-310, -1e-310, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity][i % 8] * (i % 3 ? 1 : 1),
    ),
    Float64Array.from({ length: n }, () => 42),
  ];
  for (const c of cases) {
    const expected = c.slice().sort();
    const got = sortFloat64(c.slice());
    assertEquals(got.length, expected.length);
    for (let i = 0; i < n; i++) {
      if (!Object.is(got[i], expected[i])) throw new Error(`index ${i}: ${got[i]} vs ${expected[i]}`);
    }
  }
});

Deno.test("sortFloat64 sorts small arrays in place", () => {
  const a = Float64Array.from([3, -1, 2]);
  assertEquals(Array.from(sortFloat64(a)), [-1, 2, 3]);
});

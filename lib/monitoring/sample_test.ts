import { assertEquals } from "@std/assert";
import {
  countAtMost,
  countBelow,
  quantile,
  runLengths,
  sampleFromSorted,
  sampleFromValues,
  sampleStats,
} from "./sample.ts";
import { assertClose, fixtureNumber, FIXTURES, generate } from "./testdata/gen.ts";

Deno.test("quantile matches np.quantile (linear) on plain and on distinct-with-counts samples", () => {
  for (const c of FIXTURES.quantile) {
    const s = sampleFromValues(generate(c.values));
    const rl = runLengths(s);
    const compact = sampleFromSorted(rl.values, rl.counts);
    c.q.forEach((q: number, i: number) => {
      assertClose(quantile(s, q), fixtureNumber(c.quantiles[i]), 1e-12, `${c.name} q=${q}`);
      assertClose(quantile(compact, q), fixtureNumber(c.quantiles[i]), 1e-12, `${c.name} q=${q} (counts)`);
    });
  }
});

Deno.test("counting helpers agree between plain and counted forms", () => {
  const s = sampleFromValues(Float64Array.from([3, 1, 2, 2, 5, 2]));
  const rl = runLengths(s);
  assertEquals(Array.from(rl.values), [1, 2, 3, 5]);
  assertEquals(Array.from(rl.counts), [1, 3, 1, 1]);
  const c = sampleFromSorted(rl.values, rl.counts);
  for (const x of [0, 1, 1.5, 2, 4, 5, 6]) {
    assertEquals(countAtMost(c, x), countAtMost(s, x), `<= ${x}`);
    assertEquals(countBelow(c, x), countBelow(s, x), `< ${x}`);
  }
  assertEquals(sampleStats(c), sampleStats(s));
  assertEquals(sampleStats(s).distinct, 4);
});

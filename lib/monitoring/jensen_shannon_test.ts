import { assertEquals } from "@std/assert";
import { histogramCounts, jensenShannonDistance, sturgesEdges } from "./jensen_shannon.ts";
import { sampleFromValues, sampleStats } from "./sample.ts";
import { assertClose, fixtureNumber, FIXTURES, generate } from "./testdata/gen.ts";

Deno.test("jensenShannonDistance agrees with scipy's distance.jensenshannon within 1e-9", () => {
  for (const c of FIXTURES.jensenshannon) {
    assertClose(jensenShannonDistance(c.p, c.q), fixtureNumber(c.distance), 1e-9, c.name);
  }
});

Deno.test("Sturges bins and counts match numpy's; binned distance matches scipy within 1e-9", () => {
  for (const c of FIXTURES.jensenshannon_binned) {
    const ref = sampleFromValues(generate(c.reference)), cur = sampleFromValues(generate(c.current));
    const a = sampleStats(ref), b = sampleStats(cur);
    const edges = sturgesEdges(Math.min(a.min, b.min), Math.max(a.max, b.max), ref.n + cur.n);
    assertEquals(edges.length - 1, c.bins, c.name);
    const rc = histogramCounts(ref, edges), cc = histogramCounts(cur, edges);
    assertEquals(Array.from(rc), c.reference_counts, c.name);
    assertEquals(Array.from(cc), c.current_counts, c.name);
    const d = jensenShannonDistance(Array.from(rc, (x) => x / ref.n), Array.from(cc, (x) => x / cur.n));
    assertClose(d, fixtureNumber(c.distance), 1e-9, c.name);
  }
});

Deno.test("identical distributions are at distance 0, disjoint ones at sqrt(ln 2)", () => {
  assertEquals(jensenShannonDistance([1, 2, 3], [2, 4, 6]), 0);
  assertClose(jensenShannonDistance([1, 0], [0, 1]), Math.sqrt(Math.LN2), 1e-15, "disjoint");
});

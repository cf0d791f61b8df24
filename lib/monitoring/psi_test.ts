import { assertEquals } from "@std/assert";
import { binCounts, fillZeroShares, psiFromCounts, quantileEdges } from "./psi.ts";
import { sampleFromValues } from "./sample.ts";
import { assertClose, fixtureNumber, FIXTURES, generate } from "./testdata/gen.ts";

Deno.test("PSI on reference deciles matches the numpy reference implementation (edges, counts, value)", () => {
  for (const c of FIXTURES.psi) {
    const ref = sampleFromValues(generate(c.reference)), cur = sampleFromValues(generate(c.current));
    const edges = quantileEdges(ref, c.bins);
    assertEquals(edges.length, c.edges.length, c.name);
    edges.forEach((e, i) => assertClose(e, fixtureNumber(c.edges[i]), 1e-12, `${c.name}: edge ${i}`));
    const rc = binCounts(ref, edges), cc = binCounts(cur, edges);
    assertEquals(rc, c.reference_counts, c.name);
    assertEquals(cc, c.current_counts, c.name);
    assertClose(psiFromCounts(rc, cc), fixtureNumber(c.psi), 1e-9, c.name);
  }
});

Deno.test("categorical PSI matches the reference implementation, new and missing categories included", () => {
  for (const c of FIXTURES.psi_categorical) {
    const keys = [...new Set([...Object.keys(c.reference), ...Object.keys(c.current)])].sort();
    const v = psiFromCounts(keys.map((k) => c.reference[k] ?? 0), keys.map((k) => c.current[k] ?? 0));
    assertClose(v, fixtureNumber(c.psi), 1e-9, c.name);
  }
});

Deno.test("empty bins get Evidently's epsilon: 1e-4, or the smallest share / 1e6 when that is <= 1e-4", () => {
  assertEquals(Array.from(fillZeroShares([0.5, 0.5, 0])), [0.5, 0.5, 0.0001]);
  assertEquals(Array.from(fillZeroShares([0.99995, 0.00005, 0])), [0.99995, 0.00005, 0.00005 / 1e6]);
});

Deno.test("PSI is 0 for identical shares and grows with the shift", () => {
  assertEquals(psiFromCounts([10, 20, 30], [20, 40, 60]), 0);
  const small = psiFromCounts([50, 50], [45, 55]), big = psiFromCounts([50, 50], [20, 80]);
  assertEquals(small < big, true);
});

import { assert, assertEquals } from "@std/assert";
import { ks2samp, ksStatistic } from "./ks.ts";
import { sampleFromSorted, sampleFromValues } from "./sample.ts";
import { assertClose, fixtureNumber, FIXTURES, generate } from "./testdata/gen.ts";

Deno.test("ks2samp agrees with scipy's ks_2samp (method auto) within 1e-9 on every fixture", () => {
  for (const c of FIXTURES.ks_2samp) {
    const r = ks2samp(sampleFromValues(generate(c.reference)), sampleFromValues(generate(c.current)));
    assertEquals(r.method, c.method, c.name);
    assertClose(r.statistic, fixtureNumber(c.statistic), 1e-9, `${c.name}: statistic`);
    assertClose(r.pvalue, fixtureNumber(c.pvalue), 1e-9, `${c.name}: p-value`);
  }
});

Deno.test("ks on distinct values with counts equals ks on the repeated values", () => {
  const raw = generate({ gen: "int", n: 3000, seed: 5, scale: 15, shift: 0 });
  const cur = sampleFromValues(generate({ gen: "int", n: 2000, seed: 6, scale: 15, shift: 1 }));
  const full = ks2samp(sampleFromValues(raw.slice()), cur);
  const sorted = sampleFromValues(raw.slice()).values;
  const values: number[] = [], counts: number[] = [];
  for (const v of sorted) {
    if (values.length && values[values.length - 1] === v) counts[counts.length - 1]++;
    else values.push(v), counts.push(1);
  }
  const compact = ks2samp(sampleFromSorted(Float64Array.from(values), Float64Array.from(counts)), cur);
  assertEquals(compact, full);
  assert(full.pvalue < 0.05, "a shift by one of fifteen levels is detected");
});

Deno.test("ks statistic is symmetric, 0 for identical samples and 1 for disjoint ones", () => {
  const a = sampleFromValues(Float64Array.from([1, 2, 3, 4]));
  const b = sampleFromValues(Float64Array.from([10, 11]));
  assertEquals(ksStatistic(a, a), 0);
  assertEquals(ksStatistic(a, b), 1);
  assertEquals(ksStatistic(b, a), 1);
});

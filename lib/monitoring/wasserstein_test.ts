import { assertEquals, assertThrows } from "@std/assert";
import { normedWasserstein, wassersteinDistance } from "./wasserstein.ts";
import { sampleFromValues, sampleStats } from "./sample.ts";
import { assertClose, fixtureNumber, FIXTURES, generate } from "./testdata/gen.ts";

Deno.test("wassersteinDistance agrees with scipy within 1e-9; std with np.std", () => {
  for (const c of FIXTURES.wasserstein) {
    const u = sampleFromValues(generate(c.reference)), v = sampleFromValues(generate(c.current));
    assertClose(wassersteinDistance(u, v), fixtureNumber(c.distance), 1e-9, `${c.name}: distance`);
    const std = sampleStats(u).std;
    assertClose(std, fixtureNumber(c.std_reference), 1e-9, `${c.name}: std`);
    const normed = normedWasserstein(u, v, std);
    assertClose(normed, fixtureNumber(c.distance) / Math.max(fixtureNumber(c.std_reference), 0.001), 1e-9, c.name);
  }
});

Deno.test("normed Wasserstein floors a zero reference std at 0.001 (Evidently)", () => {
  const u = sampleFromValues(Float64Array.from([4, 4, 4])), v = sampleFromValues(Float64Array.from([4, 4.5]));
  assertEquals(normedWasserstein(u, v, 0), 0.25 / 0.001);
});

Deno.test("wassersteinDistance refuses an empty sample", () => {
  assertThrows(() => wassersteinDistance(sampleFromValues(new Float64Array(0)), sampleFromValues(Float64Array.of(1))));
});

import { assertEquals } from "@std/assert";
import { ks2sampExact, kstwoSf, smirnovSf } from "./ks_distribution.ts";
import { assertClose, fixtureNumber, FIXTURES } from "./testdata/gen.ts";

Deno.test("kstwoSf agrees with scipy's kstwo.sf within 1e-9 in every regime", () => {
  for (const c of FIXTURES.kstwo_sf) {
    assertClose(kstwoSf(c.n, c.d), fixtureNumber(c.sf), 1e-9, `kstwo.sf(${c.d}, ${c.n})`);
  }
});

Deno.test("exact KS: equal sizes and zero distance", () => {
  assertEquals(ks2sampExact(5, 5, 0), { d: 0, p: 1 });
  const r = ks2sampExact(3, 4, 1)!;
  assertClose(r.p, 2 / 35, 1e-12, "two-sided p for complete separation of 3 and 4 values");
});

Deno.test("smirnovSf: closed forms at the edges", () => {
  assertEquals(smirnovSf(1, 0.3), 0.7);
  assertEquals(smirnovSf(10, 0), 1);
  assertEquals(smirnovSf(10, 1), 0);
  // x >= 1 - 1/n: (1 - x)^n
  assertClose(smirnovSf(10, 0.95), 0.05 ** 10, 1e-12, "smirnov(10, 0.95)");
});

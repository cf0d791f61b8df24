import { assertEquals } from "@std/assert";
import { zTest } from "./two_proportion_z.ts";
import { normalSf } from "../numeric/special.ts";
import { assertClose, fixtureNumber, FIXTURES } from "./testdata/gen.ts";

Deno.test("zTest agrees with the fixture (Evidently's statistic, scipy's norm.sf tail) within 1e-9", () => {
  for (const c of FIXTURES.z_test) {
    const keys = [...new Set([...Object.keys(c.reference), ...Object.keys(c.current)])].sort();
    const res = zTest(keys.map((k) => c.reference[k] ?? 0), keys.map((k) => c.current[k] ?? 0));
    assertClose(Math.abs(res.z), Math.abs(fixtureNumber(c.z)), 1e-9, `${c.name}: z`);
    assertClose(res.pvalue, fixtureNumber(c.pvalue), 1e-9, `${c.name}: p-value`);
  }
});

Deno.test("normalSf agrees with scipy's norm.sf within 1e-9 far into the tail", () => {
  for (const c of FIXTURES.norm_sf) assertClose(normalSf(c.z), fixtureNumber(c.sf), 1e-9, `norm.sf(${c.z})`);
});

Deno.test("one equal value on both sides gives p = 1", () => {
  assertEquals(zTest([20, 0], [30, 0]), { z: 0, pvalue: 1 });
});

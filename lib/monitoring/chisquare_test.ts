import { assertEquals } from "@std/assert";
import { chiSquareTest } from "./chisquare.ts";
import { chi2Sf } from "../numeric/special.ts";
import { assertClose, fixtureNumber, FIXTURES } from "./testdata/gen.ts";

function aligned(ref: Record<string, number>, cur: Record<string, number>): [number[], number[]] {
  const keys = [...new Set([...Object.keys(ref), ...Object.keys(cur)])].sort();
  return [keys.map((k) => ref[k] ?? 0), keys.map((k) => cur[k] ?? 0)];
}

Deno.test("chiSquareTest agrees with scipy's chisquare (Evidently's expected counts) within 1e-9", () => {
  for (const c of FIXTURES.chisquare) {
    const [r, k] = aligned(c.reference, c.current);
    const res = chiSquareTest(r, k);
    assertClose(res.statistic, fixtureNumber(c.statistic), 1e-9, `${c.name}: statistic`);
    assertClose(res.pvalue, fixtureNumber(c.pvalue), 1e-9, `${c.name}: p-value`);
  }
});

Deno.test("chi2Sf agrees with scipy's chdtrc within 1e-9", () => {
  for (const c of FIXTURES.chi2_sf) {
    assertClose(chi2Sf(c.df, c.x), fixtureNumber(c.sf), 1e-9, `chdtrc(${c.df}, ${c.x})`);
  }
});

Deno.test("a category new in current data makes the statistic infinite and p = 0", () => {
  const res = chiSquareTest([40, 35, 0], [30, 30, 5]);
  assertEquals(res.statistic, Infinity);
  assertEquals(res.pvalue, 0);
});

import { assertAlmostEquals, assertEquals } from "@std/assert";
import { featureStability } from "./stability.ts";

Deno.test("featureStability: PSI by hand for a category, a shifted numeric column is a major shift, missing counts", () => {
  const ref = [...Array(60).fill("A"), ...Array(40).fill("B")].map((v, i) => ({ c: v, x: i, m: i % 10 ? 1 : null }));
  const cur = [...Array(30).fill("A"), ...Array(70).fill("B")].map((v, i) => ({ c: v, x: i + 200, m: 1 }));
  const rows = featureStability(ref, cur, ["c", "x", "m"]);
  const c = rows.find((r) => r.feature === "c")!;
  // (0.3 - 0.6) ln(0.3 / 0.6) + (0.7 - 0.4) ln(0.7 / 0.4), the missing bin empty on both sides (epsilon: 0 term)
  assertAlmostEquals(c.psi, -0.3 * Math.log(0.5) + 0.3 * Math.log(0.7 / 0.4), 1e-9);
  assertEquals(c.verdict, "major shift");
  assertEquals(rows[0].feature, "x");
  assertEquals(rows.find((r) => r.feature === "m")!.missing_reference, 0.1);
  assertEquals(featureStability(ref, ref, ["x"])[0].psi, 0);
});

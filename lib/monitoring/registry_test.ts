import { assertEquals, assertThrows } from "@std/assert";
import {
  defaultStatTest,
  getStatTest,
  isBuiltinTest,
  registerStatTest,
  requireKind,
  statTestNames,
} from "./registry.ts";
import { sampleFromValues, sampleStats } from "./sample.ts";

Deno.test("defaults follow Evidently: KS/chi-square/Z up to 1,000 reference values, then Wasserstein/JS", () => {
  assertEquals(defaultStatTest({ kind: "numerical", referenceCount: 1000, distinctValues: 900 }), "ks");
  assertEquals(defaultStatTest({ kind: "numerical", referenceCount: 1001, distinctValues: 900 }), "wasserstein");
  assertEquals(defaultStatTest({ kind: "categorical", referenceCount: 1000, distinctValues: 3 }), "chisquare");
  assertEquals(defaultStatTest({ kind: "categorical", referenceCount: 1000, distinctValues: 2 }), "z");
  assertEquals(defaultStatTest({ kind: "categorical", referenceCount: 5000, distinctValues: 2 }), "jensenshannon");
});

Deno.test("tests know their kinds, score direction and thresholds", () => {
  assertEquals(statTestNames().slice(0, 6), ["ks", "wasserstein", "chisquare", "z", "jensenshannon", "psi"]);
  const ks = getStatTest("ks"), chi = getStatTest("chisquare"), w = getStatTest("wasserstein");
  assertEquals(
    [ks.drifted(0.05, 0.05), chi.drifted(0.05, 0.05)],
    [true, false],
    "KS drifts at p <= 0.05, chi-square at p < 0.05",
  );
  assertEquals([w.drifted(0.1, 0.1), w.drifted(0.099, 0.1)], [true, false]);
  assertEquals(getStatTest("psi").kinds, ["numerical", "categorical"]);
  assertThrows(() => getStatTest("nope"), Error, `Unknown drift test "nope"; known tests: ks, wasserstein`);
  assertThrows(
    () => requireKind(ks, "categorical", "intent"),
    Error,
    `Test "ks" does not apply to categorical column "intent"`,
  );
});

Deno.test("a registered test is found by name and runs on the calling thread", () => {
  registerStatTest({
    name: "mean_shift",
    label: "Mean shift",
    kinds: ["numerical"],
    scoreKind: "distance",
    defaultThreshold: 0.2,
    drifted: (s, t) => s >= t,
    numerical: ({ referenceStats: r, currentStats: c }) => ({ score: Math.abs(c.mean - r.mean) / r.std }),
  });
  const t = getStatTest("mean_shift");
  assertEquals(isBuiltinTest("mean_shift"), false);
  assertEquals(isBuiltinTest("ks"), true);
  const ref = sampleFromValues(Float64Array.from([1, 2, 3])), cur = sampleFromValues(Float64Array.from([2, 3, 4]));
  const out = t.numerical!({
    reference: ref,
    current: cur,
    referenceStats: sampleStats(ref),
    currentStats: sampleStats(cur),
  });
  assertEquals(out.score, 1 / Math.sqrt(2 / 3));
  assertThrows(() => registerStatTest({ ...t, name: "Bad Name" }), Error, "snake_case");
  assertThrows(
    () => registerStatTest({ ...t, name: "cat_only", categorical: undefined, kinds: ["categorical"] }),
    Error,
  );
});

Deno.test("numerical Jensen-Shannon bins like Evidently: per value up to 20 distinct values", () => {
  const js = getStatTest("jensenshannon");
  const ref = sampleFromValues(Float64Array.from([1, 1, 2, 2])),
    cur = sampleFromValues(Float64Array.from([2, 2, 3, 3]));
  const out = js.numerical!({
    reference: ref,
    current: cur,
    referenceStats: sampleStats(ref),
    currentStats: sampleStats(cur),
  });
  assertEquals(out.details, { bins: 3 });
});

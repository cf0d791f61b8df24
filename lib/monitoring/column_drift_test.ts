import { assertEquals, assertThrows } from "@std/assert";
import { compareCategories, compareNumeric, numericCategories, severity, summarizeNumeric } from "./column_drift.ts";
import { sampleFromValues } from "./sample.ts";

const counts = (rows: number, missing = 0) => ({ rows, missing });

Deno.test("a numeric column with few values is categorical unless the user's test says numerical", () => {
  const ref = summarizeNumeric(sampleFromValues(Float64Array.from({ length: 400 }, (_, i) => i % 3)));
  const cur = () => sampleFromValues(Float64Array.from({ length: 300 }, (_, i) => (i % 4 ? i % 3 : 5)));
  const d = compareNumeric({
    column: "n",
    reference: ref,
    referenceCounts: counts(400),
    current: cur(),
    currentCounts: counts(300),
  });
  assertEquals([d.kind, d.test], ["categorical", "chisquare"]);
  assertEquals(d.new_categories, ["5"]);
  assertEquals(d.score, 0, "a new category has expected count 0");
  const ks = compareNumeric({
    column: "n",
    reference: ref,
    referenceCounts: counts(400),
    current: cur(),
    currentCounts: counts(300),
    options: { test: "ks" },
  });
  assertEquals([ks.kind, ks.test], ["numerical", "ks"]);
});

Deno.test("string columns refuse numerical-only tests, naming the column", () => {
  assertThrows(
    () =>
      compareCategories({
        column: "intent",
        reference: new Map([["a", 1]]),
        referenceCounts: counts(1),
        current: new Map([["a", 1]]),
        currentCounts: counts(1),
        options: { test: "wasserstein" },
      }),
    Error,
    `Test "wasserstein" does not apply to categorical column "intent"`,
  );
});

Deno.test("identifier-like string columns get a note; chi-square with one category is not tested", () => {
  const ids = new Map(Array.from({ length: 100 }, (_, i) => [`id${i}`, 1] as [string, number]));
  const d = compareCategories({
    column: "id",
    reference: ids,
    referenceCounts: counts(100),
    current: ids,
    currentCounts: counts(100),
  });
  assertEquals(d.note, "looks like an identifier (100 distinct values in 100 rows)");
  const one = compareCategories({
    column: "c",
    reference: new Map([["a", 5]]),
    referenceCounts: counts(5),
    current: new Map([["a", 5]]),
    currentCounts: counts(5),
    options: { test: "chisquare" },
  });
  assertEquals([one.score, one.drifted], [null, false]);
});

Deno.test("severity orders by distance over threshold, p-values by log ratio, untested last", () => {
  assertEquals(severity({ score: 0.2, threshold: 0.1, score_kind: "distance" }), 2);
  assertEquals(severity({ score: 0.0025, threshold: 0.05, score_kind: "p_value" }) > 1, true);
  assertEquals(severity({ score: 0, threshold: 0.05, score_kind: "p_value" }), Infinity);
  assertEquals(severity({ score: null, threshold: 0.05, score_kind: "p_value" }), -Infinity);
  assertEquals([...numericCategories(sampleFromValues(Float64Array.from([2, 1, 2])))], [["1", 1], ["2", 2]]);
});

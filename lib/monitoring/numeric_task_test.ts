import { assertEquals } from "@std/assert";
import { runNumericTask } from "./numeric_task.ts";

Deno.test("runNumericTask filters, sorts and summarizes the reference, keeping few-valued columns compact", () => {
  const chunk = (v: number[]) => ({ values: Float64Array.from(v), validity: null, bitOffset: 0 });
  const ages = Array.from({ length: 400 }, (_, i) => 20 + (i % 10));
  const res = runNumericTask({
    column: "age",
    reference: { raw: [chunk([...ages, NaN])] },
    current: [chunk(ages.map((a) => a + 1))],
    referenceCounts: { rows: 401, missing: 0 },
    currentCounts: { rows: 400, missing: 0 },
    options: {},
  });
  assertEquals(res.referenceCounts, { rows: 401, missing: 1 });
  assertEquals(res.reference!.sample.values.length, 10, "distinct values with counts");
  assertEquals(res.reference!.sample.n, 400);
  assertEquals(res.drift.test, "ks", "400 reference values: KS");
  assertEquals(res.drift.statistic, 0.1, "every value moved up one of ten levels");
});

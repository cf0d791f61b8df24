import * as arrow from "apache-arrow";
import { assertEquals, assertThrows } from "@std/assert";
import { histogram, valueCounts } from "./distribution.ts";

Deno.test("histogram: equal-width bins, the last bin closed, missing counted", () => {
  const h = histogram(Float64Array.of(0, 1, 2, 3, 4, NaN), "x", { bins: 2 });
  assertEquals(h.bins.map((b) => [b.start, b.end, b.count]), [[0, 2, 2], [2, 4, 3]]);
  assertEquals([h.values, h.missing, h.below, h.above], [5, 1, 0, 0]);
  assertEquals(h.bins[1].share, 0.6);
});

Deno.test("histogram: quantile cuts count what falls outside; log bins; a fixed range", () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  const cut = histogram(values, "x", { bins: 10, upperQuantile: 0.9 });
  assertEquals(cut.above, 10);
  assertEquals(cut.bins.reduce((s, b) => s + b.count, 0), 90);
  const log = histogram(Float64Array.of(-1, 0, 1, 10, 100, 1000), "x", { bins: 3, log: true });
  assertEquals(log.below, 2);
  assertEquals(log.bins.map((b) => [Math.round(b.start), Math.round(b.end), b.count]), [[1, 10, 1], [10, 100, 1], [
    100,
    1000,
    2,
  ]]);
  const fixed = histogram(values, "x", { bins: 4, range: [0, 40] });
  assertEquals(fixed.bins.map((b) => b.count), [9, 10, 10, 11]);
  assertEquals(fixed.above, 60);
  assertThrows(() => histogram(values, "x", { range: [5, 5] }), Error, `range of "x"`);
  assertThrows(() => histogram(values, "x", { bins: 0 }), Error, `bins is "0"`);
});

Deno.test("histogram of a table column; a constant column gets one non-empty bin; no values, no bins", () => {
  const t = arrow.tableFromArrays({ a: Int32Array.of(5, 5, 5) });
  const h = histogram(t, "a", { bins: 3 });
  assertEquals(h.bins.reduce((s, b) => s + b.count, 0), 3);
  assertEquals(histogram(Float64Array.of(NaN), "x").bins, []);
});

Deno.test("valueCounts: most frequent first, the rest summed past top, missing as its own value", () => {
  const t = new arrow.Table({ s: arrow.vectorFromArray(["a", "b", "a", null, "c", "a", "b"]) });
  assertEquals(valueCounts(t, "s"), [
    { value: "a", count: 3, share: 0.4286 },
    { value: "b", count: 2, share: 0.2857 },
    { value: "(missing)", count: 1, share: 0.1429 },
    { value: "c", count: 1, share: 0.1429 },
  ]);
  assertEquals(valueCounts(t, "s", { top: 1 }).map((v) => [v.value, v.count]), [["a", 3], ["(other)", 4]]);
});

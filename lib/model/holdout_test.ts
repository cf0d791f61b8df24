import * as arrow from "apache-arrow";
import { assertEquals, assertThrows } from "@std/assert";
import { exampleApplicants, holdoutSplit, thresholdTradeoffs } from "./holdout.ts";
import { timeSplit } from "./time_split.ts";
import { chooseThreshold } from "./policy.ts";
import { confusionAt } from "./metrics.ts";

Deno.test("holdoutSplit splits by time like trainModel (timeSplit) and carries the labels", () => {
  const n = 20;
  const rows = Array.from({ length: n }, (_, i) => ({ ts: (n - i) * 1000, y: i % 3 === 0 ? 1 : 0, i }));
  const split = holdoutSplit(rows, { label: "y", timestampColumn: "ts", testFraction: 0.2, validationFraction: 0.1 });
  const reference = timeSplit(rows, { timestampColumn: "ts", test: 0.2, validation: 0.1 });
  assertEquals(split.train.rows.map((r) => r.i), reference.train);
  assertEquals(split.validation.rows.map((r) => r.i), reference.validation);
  assertEquals(split.test.rows.map((r) => r.i), reference.test);
  assertEquals(Array.from(split.test.labels), split.test.rows.map((r) => r.y));
  assertEquals(split.test.rows.map((r) => r.i), [3, 2, 1, 0], "the newest rows are the test");
  const t = arrow.tableFromArrays({
    event_timestamp: Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
    y: Int32Array.of(0, 1, 0, 1, 0, 1, 0, 1, 0, 1),
  });
  assertEquals(holdoutSplit(t, { label: "y" }).test.rows.length, 2);
  assertThrows(
    () =>
      holdoutSplit([{ event_timestamp: 1, y: 2 }, { event_timestamp: 2, y: 0 }, { event_timestamp: 3, y: 0 }, {
        event_timestamp: 4,
        y: 0,
      }, { event_timestamp: 5, y: 0 }], { label: "y", testFraction: 0.2, validationFraction: 0.2 }),
    Error,
    `label "y" = "2"`,
  );
});

Deno.test("thresholdTradeoffs: the target-recall threshold from validation, its figures on test", () => {
  const vs = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
  const vy = [1, 1, 0, 1, 0, 1, 0, 0, 0, 0];
  const ts = [0.95, 0.75, 0.65, 0.45, 0.35, 0.25, 0.15, 0.1];
  const ty = [1, 0, 1, 1, 0, 0, 0, 1];
  const rows = thresholdTradeoffs({
    validation: { scores: vs, labels: vy },
    test: { scores: ts, labels: ty },
    targets: [0.5, 1],
  });
  for (const [k, target] of [0.5, 1].entries()) {
    const choice = chooseThreshold(vs, vy, { kind: "target_recall", targetRecall: target });
    const c = confusionAt(ts, ty, choice.threshold);
    assertEquals(rows[k].threshold, Number(choice.threshold.toPrecision(4)));
    assertEquals([rows[k].test_missed_defaults, rows[k].test_rejected_good], [c.fn, c.fp]);
  }
  assertEquals(rows.map((r) => r.threshold), [0.8, 0.4]);
  assertEquals(rows[1].validation_recall, 1);
  assertEquals(rows[1].test_recall, 0.75);
});

Deno.test("exampleApplicants: riskiest, either side of the threshold, safest; each once", () => {
  assertEquals(exampleApplicants(Float32Array.of(0.1, 0.5, 0.3, 0.9), 0.4).map((e) => [e.index, e.why]), [
    [3, "highest risk"],
    [1, "just above the threshold (rejected)"],
    [2, "just below the threshold (approved)"],
    [0, "lowest risk"],
  ]);
  assertEquals(exampleApplicants([0.2, 0.3], 0.9).map((e) => e.index), [1, 0]);
  assertEquals(exampleApplicants([], 0.5), []);
});

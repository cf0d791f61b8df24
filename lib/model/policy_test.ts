import { assert, assertEquals, assertThrows } from "@std/assert";
import { confusionAt } from "./metrics.ts";
import { chooseThreshold, decide, parseThresholdChoice, type ThresholdPolicy } from "./policy.ts";

const SCORES = [0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];
const LABELS = [1, 1, 0, 1, 0, 1, 0, 0, 1, 0];

Deno.test("target_recall: the highest threshold reaching the target, with achieved rates by hand", () => {
  // 5 defaults at 0.95, 0.9, 0.7, 0.5, 0.2. Recall 0.6 needs 3 caught → threshold 0.7 (rejects 4, 3 defaults).
  const c = chooseThreshold(SCORES, LABELS, { kind: "target_recall", targetRecall: 0.6 });
  assertEquals(c.threshold, 0.7);
  assertEquals(c.achieved, { recall: 0.6, precision: 0.75, approvalRate: 0.6, n: 10 });
  assertEquals(c.policy, { kind: "target_recall", targetRecall: 0.6 });
  // 0.9 → 4.5 defaults → 5 needed → threshold 0.2.
  const hi = chooseThreshold(SCORES, LABELS, { kind: "target_recall", targetRecall: 0.9 });
  assertEquals(hi.threshold, 0.2);
  assertEquals(hi.achieved.recall, 1);
  // Floating point: 0.7 * 10 defaults is 7.000000000000001 but 7 caught is enough.
  const s = Array.from({ length: 20 }, (_, i) => 1 - i / 20);
  const y = s.map((_, i) => (i < 10 ? 1 : 0));
  assertEquals(chooseThreshold(s, y, { kind: "target_recall", targetRecall: 0.7 }).achieved.recall, 0.7);
});

Deno.test("target_recall: the choice agrees with confusionAt at that threshold and no higher one reaches it", () => {
  const c = chooseThreshold(SCORES, LABELS, { kind: "target_recall", targetRecall: 0.8 });
  const conf = confusionAt(SCORES, LABELS, c.threshold);
  assertEquals([conf.recall, conf.precision, conf.approvalRate], [
    c.achieved.recall,
    c.achieved.precision,
    c.achieved.approvalRate,
  ]);
  for (const t of SCORES.filter((s) => s > c.threshold)) assert(confusionAt(SCORES, LABELS, t).recall < 0.8);
});

Deno.test("ties at the threshold: every tied row is rejected, both policies", () => {
  const scores = [0.9, 0.5, 0.5, 0.5, 0.1];
  const labels = [1, 1, 0, 0, 0];
  const c = chooseThreshold(scores, labels, { kind: "target_recall", targetRecall: 1 });
  assertEquals(c.threshold, 0.5);
  assertEquals(c.achieved, { recall: 1, precision: 0.5, approvalRate: 0.2, n: 5 });
  assertEquals(decide(0.5, c.threshold), "reject");
  // min_cost takes or leaves the whole tie: at 0.9 cost = 1 missed * 3 = 3; at 0.5 cost = 2 rejected goods * 1 = 2.
  const m = chooseThreshold(scores, labels, { kind: "min_cost", costMissedDefault: 3, costRejectedGood: 1 });
  assertEquals(m.threshold, 0.5);
  assertEquals(m.achieved.expectedCost, 2 / 5);
  // With a cheaper missed default the tie is left approved.
  const m2 = chooseThreshold(scores, labels, { kind: "min_cost", costMissedDefault: 1.5, costRejectedGood: 1 });
  assertEquals(m2.threshold, 0.9);
  assertEquals(m2.achieved.expectedCost, 1.5 / 5);
});

Deno.test("min_cost: brute force over every threshold agrees; ties in cost go to the higher threshold", () => {
  const policy: ThresholdPolicy = { kind: "min_cost", costMissedDefault: 4, costRejectedGood: 1 };
  const c = chooseThreshold(SCORES, LABELS, policy);
  const cost = (t: number) => {
    const k = confusionAt(SCORES, LABELS, t);
    return k.fn * 4 + k.fp;
  };
  const best = Math.min(cost(2), ...SCORES.map(cost));
  assertEquals(cost(c.threshold), best);
  assertEquals(c.achieved.expectedCost, best / 10);
  const equalCost = SCORES.filter((t) => cost(t) === best);
  assertEquals(c.threshold, Math.max(...equalCost));
  assertEquals(c.achieved.n, 10);
});

Deno.test("min_cost: when rejecting is too expensive, nothing is rejected", () => {
  const c = chooseThreshold([0.9, 0.8, 0.1], [0, 1, 0], {
    kind: "min_cost",
    costMissedDefault: 1,
    costRejectedGood: 10,
  });
  assert(c.threshold > 0.9, `threshold ${c.threshold}`);
  assertEquals(decide(0.9, c.threshold), "approve");
  assertEquals(c.achieved, { recall: 0, precision: 0, approvalRate: 1, expectedCost: 1 / 3, n: 3 });
  // No default at all: approving everyone costs nothing.
  const none = chooseThreshold([0.3, 0.2], [0, 0], { kind: "min_cost", costMissedDefault: 5, costRejectedGood: 1 });
  assertEquals([none.achieved.approvalRate, none.achieved.expectedCost], [1, 0]);
});

Deno.test("invalid policies and unreachable targets are clear errors", () => {
  assertThrows(
    () => chooseThreshold([0.3, 0.2], [0, 0], { kind: "target_recall", targetRecall: 0.9 }),
    Error,
    "Target recall 0.9 is unreachable: the validation labels contain no defaults (label 1)",
  );
  assertThrows(
    () => chooseThreshold(SCORES, LABELS, { kind: "target_recall", targetRecall: 1.5 }),
    Error,
    `targetRecall in (0, 1], got "1.5"`,
  );
  assertThrows(
    () => chooseThreshold(SCORES, LABELS, { kind: "min_cost", costMissedDefault: -1, costRejectedGood: 1 }),
    Error,
    `"costMissedDefault", got "-1"`,
  );
  assertThrows(
    () => chooseThreshold(SCORES, LABELS, { kind: "max_profit" } as unknown as ThresholdPolicy),
    Error,
    `Unknown policy kind "max_profit"`,
  );
});

Deno.test("decide and the JSON round trip of a choice", () => {
  assertEquals(decide(0.3, 0.3), "reject");
  assertEquals(decide(0.2999, 0.3), "approve");
  assertThrows(() => decide(NaN, 0.3), Error, `Probability is not a number: "NaN"`);
  const c = chooseThreshold(SCORES, LABELS, { kind: "min_cost", costMissedDefault: 4, costRejectedGood: 1 });
  assertEquals(parseThresholdChoice(JSON.parse(JSON.stringify(c))), c);
  assertThrows(() => parseThresholdChoice({ policy: c.policy }), Error, `no numeric "threshold"`);
});

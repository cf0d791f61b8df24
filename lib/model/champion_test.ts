import { assert, assertAlmostEquals, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { compareOnHoldout, holdoutWindow, parsePromotionRule } from "./champion.ts";
import { seededRandom as rng } from "../numeric/random.ts";

const DAY = 86_400_000;

Deno.test("champion: the holdout is the newest labelled window; training rows come before it", () => {
  const times = [40, 0, 35, 10, 20, 38, 39].map((d) => d * DAY);
  const w = holdoutWindow(times, { holdoutDays: 10 });
  assertEquals(w.holdout, [2, 5, 6, 0]);
  assertEquals(w.train, [1, 3, 4]);
  assertEquals([w.holdoutFrom, w.holdoutTo, w.trainFrom, w.unlabelled], [30 * DAY, 40 * DAY, 0, 0]);
  // unlabelled rows (labels not arrived yet) are in neither part, and the newest labelled row ends the window
  const labelled = [false, true, true, true, true, true, false];
  const u = holdoutWindow(times, { holdoutDays: 10, labelled });
  assertEquals([u.holdout, u.train, u.unlabelled, u.holdoutTo], [[2, 5], [1, 3, 4], 2, 38 * DAY]);
  // a training window keeps only the newest rows before the holdout (20 days: (10, 30] days)
  const t = holdoutWindow(times, { holdoutDays: 10, trainDays: 20 });
  assertEquals([t.train, t.trainFrom], [[4], 20 * DAY]);
  // a row exactly at the holdout's start belongs to training
  assertEquals(holdoutWindow([0, 5 * DAY, 10 * DAY], { holdoutDays: 5 }), {
    train: [0, 1],
    holdout: [2],
    unlabelled: 0,
    trainFrom: 0,
    holdoutFrom: 5 * DAY,
    holdoutTo: 10 * DAY,
  });
  assertThrows(() => holdoutWindow(times, { holdoutDays: 0 }), Error, `Holdout days "0"`);
  assertThrows(() => holdoutWindow([1, NaN]), Error, "Row 1");
  assertThrows(() => holdoutWindow([1], { labelled: [false] }), Error, "No labelled rows");
});

Deno.test("champion: promotion rule parsing names the bad value", () => {
  assertEquals(parsePromotionRule({}), { metric: "roc_auc", margin: 0.005 });
  assertEquals(parsePromotionRule({ metric: "brier", margin: 0 }), { metric: "brier", margin: 0 });
  assertThrows(() => parsePromotionRule({ metric: "accuracy" }), Error, `Metric "accuracy" is unknown`);
  assertThrows(() => parsePromotionRule({ margin: -0.1 }), Error, `Margin "-0.1"`);
  assertThrows(() => parsePromotionRule({ margin: NaN }), Error, `Margin "NaN"`);
});

Deno.test("champion: better by the margin promotes, short of it keeps the champion, both with the numbers", () => {
  const labels = [0, 0, 1, 1];
  const champion = { version: 1, scores: [0.1, 0.4, 0.35, 0.8] }; // ROC AUC 0.75
  const challenger = { version: 2, scores: [0.1, 0.2, 0.35, 0.8] }; // ROC AUC 1
  const yes = compareOnHoldout({ labels, champion, challenger, bootstrap: 0 });
  assertEquals([yes.champion.value, yes.challenger.value, yes.improvement], [0.75, 1, 0.25]);
  assertEquals([yes.better_by_margin, yes.interval, yes.holdout.rows, yes.holdout.defaults], [true, null, 4, 2]);
  assertStringIncludes(yes.explanation, "better by at least the margin 0.005");
  assertStringIncludes(yes.explanation, "ROC AUC 1.0000 for the challenger (version 2) against 0.7500");
  assertStringIncludes(yes.explanation, "+0.2500");
  const no = compareOnHoldout({ labels, champion, challenger, rule: { metric: "roc_auc", margin: 0.3 } });
  assertEquals(no.better_by_margin, false);
  assertStringIncludes(no.explanation, "not better by the margin 0.3");
  // worse challenger: negative improvement
  const worse = compareOnHoldout({ labels, champion: challenger, challenger: champion, bootstrap: 0 });
  assertEquals([worse.improvement, worse.better_by_margin], [-0.25, false]);
  assertStringIncludes(worse.explanation, "-0.2500");
  // equal models: improvement 0 is enough for margin 0, never for a positive margin
  const same = { labels, champion, challenger: { version: 3, scores: champion.scores }, bootstrap: 0 };
  assertEquals(compareOnHoldout({ ...same, rule: { metric: "roc_auc", margin: 0 } }).better_by_margin, true);
  assertEquals(compareOnHoldout(same).better_by_margin, false);
});

Deno.test("champion: lower-is-better metrics count a lower value as the improvement", () => {
  const labels = [0, 1, 0, 1];
  const c = compareOnHoldout({
    labels,
    champion: { version: 1, scores: [0.5, 0.5, 0.5, 0.5] }, // Brier 0.25
    challenger: { version: 2, scores: [0.1, 0.9, 0.1, 0.9] }, // Brier 0.01
    rule: { metric: "brier", margin: 0.1 },
    bootstrap: 0,
  });
  assertAlmostEquals(c.improvement, 0.24, 1e-12);
  assertEquals([c.higher_is_better, c.better_by_margin], [false, true]);
  assertStringIncludes(c.explanation, "(lower is better)");
  assertAlmostEquals(c.champion.metrics.roc_auc, 0.5, 1e-12);
});

Deno.test("champion: the paired bootstrap interval brackets the improvement and is reproducible", () => {
  const rand = rng(5);
  const n = 600;
  const labels = Array.from({ length: n }, () => (rand() < 0.25 ? 1 : 0));
  const noisy = (noise: number) => labels.map((y) => Math.min(1, Math.max(0, 0.3 + 0.3 * y + noise * (rand() - 0.5))));
  const opts = {
    labels,
    champion: { version: 1, scores: noisy(1.6) },
    challenger: { version: 2, scores: noisy(0.8) },
    window: { from: "2021-11-01T00:00:00.000Z", to: "2021-11-30T12:00:00.000Z" },
  };
  const c = compareOnHoldout(opts);
  assert(c.interval !== null);
  assert(c.interval.low < c.improvement && c.improvement < c.interval.high, JSON.stringify(c.interval));
  assert(c.interval.low > 0, "a clearly better challenger has an interval above 0");
  assertEquals(compareOnHoldout(opts).interval, c.interval);
  assertStringIncludes(c.explanation, "600 newest labelled rows (2021-11-01 to 2021-11-30)");
  assertStringIncludes(c.explanation, "95% interval");
});

Deno.test("champion: holdouts that cannot rank and mismatched inputs are refused", () => {
  const m = { version: 1, scores: [0.1, 0.2] };
  assertThrows(() => compareOnHoldout({ labels: [0, 0], champion: m, challenger: m }), Error, "has no default");
  assertThrows(() => compareOnHoldout({ labels: [1, 1], champion: m, challenger: m }), Error, "only defaults");
  assertThrows(
    () => compareOnHoldout({ labels: [0, 1, 1], champion: m, challenger: m }),
    Error,
    "champion has 2 scores for 3",
  );
  assertThrows(() => compareOnHoldout({ labels: [0, 2], champion: m, challenger: m }), Error, `label 1 is "2"`);
});

Deno.test("champion: a challenger missing the policy at its own threshold is refused even with a higher AUC", () => {
  const labels = [0, 0, 1, 1];
  // champion ROC AUC 0.75; at 0.3 it rejects 0.4 (repaid), 0.35 and 0.8 (defaults): recall 1, precision 2/3, approval 1/4
  const champion = { version: 1, scores: [0.1, 0.4, 0.35, 0.8], threshold: 0.3 };
  // challenger ROC AUC 1; at 0.5 it rejects only 0.8: recall 1/2, precision 1, approval 3/4
  const strict = { version: 2, scores: [0.1, 0.2, 0.35, 0.8], threshold: 0.5 };
  const policy = { kind: "target_recall" as const, targetRecall: 0.9 };
  const c = compareOnHoldout({ labels, champion, challenger: strict, policy, bootstrap: 0 });
  assertEquals([c.better_by_margin, c.policy_check!.met, c.promote], [true, false, false]);
  assertEquals(c.challenger.at_threshold, { threshold: 0.5, recall: 0.5, precision: 1, approval_rate: 0.75 });
  assertEquals([c.champion.at_threshold!.recall, c.champion.at_threshold!.approval_rate], [1, 0.25]);
  assertAlmostEquals(c.champion.at_threshold!.precision, 2 / 3, 1e-12);
  assertStringIncludes(
    c.explanation,
    "The challenger misses the policy (target recall 0.9) on the holdout: recall 0.500 at its threshold 0.5000, " +
      "below 0.9; not promoted, although its ROC AUC is better by the margin.",
  );
  assertStringIncludes(
    c.explanation,
    "On the holdout, the challenger recall 0.500, precision 1.000, approval rate 0.750 at its threshold 0.5000; " +
      "the champion recall 1.000, precision 0.667, approval rate 0.250 at its threshold 0.3000.",
  );
  // a tolerance of 0.4 lets 0.5 pass a 0.9 target; at 0.3 the challenger rejects both defaults and meets it outright
  assertEquals(compareOnHoldout({ labels, champion, challenger: strict, policy, policyTolerance: 0.4 }).promote, true);
  const meets = compareOnHoldout({ labels, champion, challenger: { ...strict, threshold: 0.3 }, policy });
  assertEquals([meets.policy_check!.met, meets.promote], [true, true]);
  assertStringIncludes(meets.policy_check!.text, "meets the policy (target recall 0.9) on the holdout: recall 1.000");
  // min cost (missed default 5, rejected good 1): the challenger at 0.5 misses one default, 5 / 4 = 1.25 per
  // application; the champion at 0.3 rejects one good loan, 1 / 4 = 0.25: the challenger costs more
  const cost = { kind: "min_cost" as const, costMissedDefault: 5, costRejectedGood: 1 };
  const dear = compareOnHoldout({ labels, champion, challenger: strict, policy: cost, bootstrap: 0 });
  assertEquals([dear.challenger.at_threshold!.expected_cost, dear.champion.at_threshold!.expected_cost], [1.25, 0.25]);
  assertEquals([dear.policy_check!.met, dear.promote], [false, false]);
  // without a policy only the metric decides (as before)
  assertEquals(compareOnHoldout({ labels, champion, challenger: strict }).promote, true);
});

Deno.test("champion: the champion's decay since training and every test set are reported", () => {
  const labels = [0, 0, 1, 1];
  const champion = { version: 1, scores: [0.1, 0.4, 0.35, 0.8] }; // ROC AUC 0.75 now
  const challenger = { version: 2, scores: [0.1, 0.2, 0.35, 0.8] };
  const c = compareOnHoldout({
    labels,
    champion,
    challenger,
    bootstrap: 0,
    window: { from: "2021-12-01T00:00:00.000Z", to: "2021-12-30T00:00:00.000Z" },
    championTraining: { value: 0.9, test: { rows: 5728, from: "2021-01-01T00:00:00Z", to: "2021-06-30T00:00:00Z" } },
    challengerTest: { rows: 300, defaults: 90, from: "2021-11-01T00:00:00Z", to: "2021-11-30T00:00:00Z" },
  });
  // 0.9 at training, 0.75 now: a drop of 0.15, more than the margin 0.005
  assertEquals([c.decay!.at_training, c.decay!.on_holdout, c.decay!.decayed], [0.9, 0.75, true]);
  assertAlmostEquals(c.decay!.drop, 0.15, 1e-12);
  assertStringIncludes(
    c.explanation,
    "The champion's ROC AUC was 0.9000 on its test set at training and is 0.7500 on the holdout: it decayed by -0.1500, " +
      "more than the margin 0.005.",
  );
  assertStringIncludes(
    c.explanation,
    "Test sets: the champion's at training 5728 rows (2021-01-01 to 2021-06-30); the challenger's own 300 rows " +
      "(2021-11-01 to 2021-11-30), 90 defaults; the holdout 4 rows (2021-12-01 to 2021-12-30), 2 defaults.",
  );
  assertEquals(c.test_sets.holdout.rows, 4);
  const held = compareOnHoldout({ labels, champion, challenger, bootstrap: 0, championTraining: { value: 0.752 } });
  assertEquals(held.decay!.decayed, false);
  assertStringIncludes(held.decay!.text, "(within the margin 0.005)");
});

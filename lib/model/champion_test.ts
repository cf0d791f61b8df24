import { assert, assertAlmostEquals, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { compareOnHoldout, holdoutWindow, parsePromotionRule } from "./champion.ts";
import { rng } from "../testing/rng.ts";

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

import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  binaryCurve,
  brierScore,
  calibrationTable,
  confusionAt,
  downsampleCurve,
  evaluate,
  expectedCalibrationError,
  gini,
  ksStatistic,
  logLoss,
  prAuc,
  prCurve,
  rocAuc,
  rocCurve,
} from "./metrics.ts";
import { seededRandom as rng } from "../numeric/random.ts";

// The example of scikit-learn's documentation (roc_auc_score, average_precision_score, roc_curve,
// precision_recall_curve all use it).
const S = [0.1, 0.4, 0.35, 0.8];
const Y = [0, 0, 1, 1];

/** Scores rounded to 2 decimals (many ties) with labels correlated to them. */
function sample(n: number, seed: number): { scores: number[]; labels: number[] } {
  const rnd = rng(seed);
  const scores: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = Math.round(rnd() * 100) / 100;
    scores.push(s);
    labels.push(rnd() < 0.1 + 0.6 * s ? 1 : 0);
  }
  return { scores, labels };
}

/** Exact reference: the Mann-Whitney statistic over all pairs, ties counting one half. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let num = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      num += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return num / pairs;
}

/** Exact reference of sklearn's average precision: sum over distinct thresholds of (R_k - R_k-1) P_k, by counting. */
function bruteAp(scores: number[], labels: number[]): number {
  const distinct = [...new Set(scores)].sort((a, b) => b - a);
  const positives = labels.filter((y) => y === 1).length;
  let ap = 0;
  let prevRecall = 0;
  for (const t of distinct) {
    let tp = 0;
    let fp = 0;
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] >= t) labels[i] === 1 ? tp++ : fp++;
    }
    const recall = tp / positives;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}

Deno.test("rocAuc, prAuc, gini, ks: sklearn's documented example", () => {
  assertEquals(rocAuc(S, Y), 0.75);
  assertAlmostEquals(prAuc(S, Y), 0.8333333333333333, 1e-15);
  assertEquals(gini(S, Y), 0.5);
  assertEquals(ksStatistic(S, Y), { statistic: 0.5, threshold: 0.8 });
});

Deno.test("rocCurve and prCurve match sklearn's documented outputs", () => {
  assertEquals(rocCurve(S, Y), {
    fpr: [0, 0, 0.5, 0.5, 1],
    tpr: [0, 0.5, 0.5, 1, 1],
    thresholds: [Infinity, 0.8, 0.4, 0.35, 0.1],
  });
  const pr = prCurve(S, Y);
  assertEquals(pr.thresholds, [0.1, 0.35, 0.4, 0.8]);
  assertEquals(pr.recall, [1, 1, 0.5, 0.5, 0]);
  assertEquals(pr.precision.map((p) => Math.round(p * 1e8) / 1e8), [0.5, 0.66666667, 0.5, 1, 1]);
});

Deno.test("rocCurve drops collinear points unless asked not to", () => {
  const scores = [0.9, 0.8, 0.7, 0.6, 0.5];
  const labels = [1, 1, 1, 0, 0];
  assertEquals(rocCurve(scores, labels).tpr, [0, 1 / 3, 1, 1]);
  assertEquals(rocCurve(scores, labels, { dropIntermediate: false }).tpr, [0, 1 / 3, 2 / 3, 1, 1, 1]);
});

Deno.test("ties: tied scores count half in AUC and form one threshold", () => {
  // All scores equal: a coin flip.
  assertEquals(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]), 0.5);
  // One positive tied with one negative at the top: pairs (p1>n2)=1, (p1=n1)=0.5, (p2<n1)=0, (p2>n2)=1 → 2.5/4.
  assertEquals(rocAuc([0.9, 0.9, 0.3, 0.1], [1, 0, 1, 0]), 0.625);
  const c = binaryCurve([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0]);
  assertEquals(Array.from(c.thresholds), [0.9, 0.5, 0.1]);
  assertEquals(Array.from(c.tps), [1, 2, 2]);
  assertEquals(Array.from(c.fps), [0, 1, 2]);
  // AP with a tie at the top: one threshold with precision 1/2 and recall 1.
  assertEquals(prAuc([0.7, 0.7], [1, 0]), 0.5);
});

Deno.test("rocAuc and prAuc agree with exact references on 2,000 tied scores; typed arrays give the same", () => {
  for (const seed of [1, 2, 3]) {
    const { scores, labels } = sample(2000, seed);
    assertAlmostEquals(rocAuc(scores, labels), pairwiseAuc(scores, labels), 1e-12);
    assertAlmostEquals(prAuc(scores, labels), bruteAp(scores, labels), 1e-12);
    assertEquals(rocAuc(Float64Array.from(scores), Uint8Array.from(labels)), rocAuc(scores, labels));
  }
});

Deno.test("ks statistic equals max |TPR - FPR| over the full curve", () => {
  const { scores, labels } = sample(500, 7);
  const roc = rocCurve(scores, labels, { dropIntermediate: false });
  let best = 0;
  let at = NaN;
  roc.fpr.forEach((f, i) => {
    const d = Math.abs(roc.tpr[i] - f);
    if (d > best) [best, at] = [d, roc.thresholds[i]];
  });
  const ks = ksStatistic(scores, labels);
  assertAlmostEquals(ks.statistic, best, 1e-12);
  assertEquals(ks.threshold, at);
});

Deno.test("a missing class is an error that names it", () => {
  assertThrows(() => rocAuc([0.1, 0.2], [0, 0]), Error, "no defaults (label 1)");
  assertThrows(() => rocAuc([0.1, 0.2], [1, 1]), Error, "no non-defaults (label 0)");
  assertThrows(() => prAuc([0.1, 0.2], [0, 0]), Error, "Average precision needs both classes");
  assertThrows(() => ksStatistic([0.1], [1]), Error, "no non-defaults");
  assertThrows(() => evaluate([0.1, 0.2], [0, 0], 0.5), Error, "no defaults");
  // Metrics that do not need both classes still work.
  assertEquals(confusionAt([0.1, 0.9], [0, 0], 0.5).fp, 1);
  assertAlmostEquals(brierScore([0.1, 0.2], [0, 0]), 0.025, 1e-15);
});

Deno.test("bad inputs name the row and value", () => {
  assertThrows(() => rocAuc([0.1, NaN], [0, 1]), Error, `Score at row 1 is not finite: "NaN"`);
  assertThrows(() => rocAuc([0.1, 0.2], [0, 2]), Error, `Label at row 1 is not 0 or 1: "2"`);
  assertThrows(() => rocAuc([0.1], [0, 1]), Error, "1 scores, 2 labels");
  assertThrows(() => brierScore([], []), Error, "empty");
});

Deno.test("brierScore and logLoss: sklearn's documented examples", () => {
  assertAlmostEquals(brierScore([0.1, 0.9, 0.8, 0.3], [0, 1, 1, 0]), 0.0375, 1e-15);
  assertAlmostEquals(logLoss([0.9, 0.1, 0.2, 0.65], [1, 0, 0, 1]), 0.21616187468057912, 1e-12);
  assertAlmostEquals(logLoss([0, 1], [0, 1]), 1e-15, 1e-16);
});

Deno.test("calibrationTable uniform: sklearn's calibration_curve example", () => {
  const yTrue = [0, 0, 0, 0, 1, 1, 1, 1, 1];
  const yPred = [0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1];
  const t = calibrationTable(yPred, yTrue, { bins: 3, strategy: "uniform" });
  assertEquals(t.map((b) => b.observedRate), [0, 0.5, 1]);
  assertEquals(t.map((b) => Math.round(b.meanPredicted * 1e12) / 1e12), [0.2, 0.525, 0.85]);
  assertEquals(t.map((b) => b.count), [3, 2, 4]);
  // A score on an inner edge goes to the lower bin; empty bins are left out.
  const e = calibrationTable([0.5, 0.5, 0.9], [0, 1, 1], { bins: 2, strategy: "uniform" });
  assertEquals(e.map((b) => [b.lower, b.upper, b.count]), [[0, 0.5, 2], [0.5, 1, 1]]);
  assertEquals(calibrationTable([0.1, 0.2], [0, 1], { bins: 4, strategy: "uniform" }).length, 1);
  assertThrows(() => calibrationTable([1.2], [1], { strategy: "uniform" }), Error, `row 0 is "1.2"`);
});

Deno.test("calibrationTable quantile: equal counts, totals preserved", () => {
  const { scores, labels } = sample(1000, 11);
  const t = calibrationTable(scores, labels, { bins: 10, strategy: "quantile" });
  assertEquals(t.reduce((a, b) => a + b.count, 0), 1000);
  assertEquals(
    t.reduce((a, b) => a + b.observedRate * b.count, 0).toFixed(6),
    labels.reduce((a, b) => a + b, 0).toFixed(6),
  );
  assert(t.length >= 8 && t.length <= 10, `got ${t.length} bins`);
  for (let i = 1; i < t.length; i++) assert(t[i].meanPredicted > t[i - 1].meanPredicted);
  // Hand-computed: edges at the 0/50/100th percentiles of [0.2, 0.2, 0.8, 0.8] are 0.2, 0.5, 0.8.
  const h = calibrationTable([0.2, 0.2, 0.8, 0.8], [0, 1, 1, 1], { bins: 2 });
  assertEquals(h, [
    { lower: 0.2, upper: 0.5, count: 2, meanPredicted: 0.2, observedRate: 0.5 },
    { lower: 0.5, upper: 0.8, count: 2, meanPredicted: 0.8, observedRate: 1 },
  ]);
  assertAlmostEquals(expectedCalibrationError(h), 0.25, 1e-15);
});

Deno.test("confusionAt: score >= threshold rejects; rates by hand", () => {
  const c = confusionAt(S, Y, 0.4);
  assertEquals([c.tp, c.fp, c.tn, c.fn], [1, 1, 1, 1]);
  assertEquals([c.precision, c.recall, c.specificity, c.f1, c.approvalRate], [0.5, 0.5, 0.5, 0.5, 0.5]);
  // Tie at the threshold: both rows with 0.35 are rejected.
  const t = confusionAt([0.35, 0.35, 0.1, 0.9], [1, 0, 0, 1], 0.35);
  assertEquals([t.tp, t.fp, t.tn, t.fn], [2, 1, 1, 0]);
  assertEquals(t.approvalRate, 0.25);
  assertAlmostEquals(t.f1, 0.8, 1e-15);
  // Nothing rejected: precision has a zero denominator and is 0.
  const none = confusionAt(S, Y, 2);
  assertEquals([none.precision, none.recall, none.approvalRate], [0, 0, 1]);
});

Deno.test("evaluate: one JSON-able object consistent with the single metrics", () => {
  const { scores, labels } = sample(3000, 5);
  const r = evaluate(scores, labels, 0.5);
  assertEquals(r.n, 3000);
  assertEquals(r.positives + r.negatives, 3000);
  assertEquals(r.rocAuc, rocAuc(scores, labels));
  assertEquals(r.prAuc, prAuc(scores, labels));
  assertEquals(r.gini, 2 * r.rocAuc - 1);
  assertEquals(r.confusion, confusionAt(scores, labels, 0.5));
  assertEquals(r.calibration.length, calibrationTable(scores, labels).length);
  assert(r.curves.roc.fpr.length <= 500 && r.curves.roc.fpr.length > 10);
  assertEquals(JSON.parse(JSON.stringify(r)), r);
  // Few points: curves kept whole.
  const small = evaluate(S, Y, 0.5);
  assertEquals(small.curves.roc, { fpr: [0, 0, 0.5, 0.5, 1], tpr: [0, 0.5, 0.5, 1, 1] });
});

Deno.test("downsampleCurve keeps the ends, respects the cap and stays ordered", () => {
  const n = 100_000;
  const x = Array.from({ length: n }, (_, i) => i / (n - 1));
  const y = x.map((v) => Math.sqrt(v));
  const d = downsampleCurve(x, y, 500);
  assert(d.x.length <= 500 && d.x.length > 400, `got ${d.x.length}`);
  assertEquals([d.x[0], d.x.at(-1)], [0, 1]);
  for (let i = 1; i < d.index.length; i++) assert(d.index[i] > d.index[i - 1]);
  assertEquals(downsampleCurve([0, 1], [0, 1], 500).x, [0, 1]);
});

Deno.test("1M rows: rocAuc equals the rank-sum formula", () => {
  const n = 1_000_000;
  const rnd = rng(99);
  const scores = new Float64Array(n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    scores[i] = Math.round(rnd() * 1000) / 1000;
    labels[i] = rnd() < scores[i] * 0.3 ? 1 : 0;
  }
  // Rank-sum with average ranks via counting (scores are k/1000).
  const countAll = new Float64Array(1001);
  const countPos = new Float64Array(1001);
  for (let i = 0; i < n; i++) {
    const k = Math.round(scores[i] * 1000);
    countAll[k]++;
    countPos[k] += labels[i];
  }
  let rankBelow = 0;
  let rankSum = 0;
  let p = 0;
  for (let k = 0; k <= 1000; k++) {
    const avgRank = rankBelow + (countAll[k] + 1) / 2;
    rankSum += avgRank * countPos[k];
    p += countPos[k];
    rankBelow += countAll[k];
  }
  const expected = (rankSum - (p * (p + 1)) / 2) / (p * (n - p));
  assertAlmostEquals(rocAuc(scores, labels), expected, 1e-10);
});

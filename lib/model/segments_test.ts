import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { bandLabel, checkSegments, segmentMetrics, segmentMetricsFlat, segmentValue } from "./segments.ts";

// Eight test rows, threshold 0.5 (reject at or above):
//  i  age  own   score  label  decision
//  0  22   RENT  0.9    1      reject  TP
//  1  25   RENT  0.8    0      reject  FP
//  2  28   RENT  0.2    0      approve TN
//  3  24   RENT  0.7    1      reject  TP
//  4  40   OWN   0.4    1      approve FN
//  5  45   OWN   0.1    0      approve TN
//  6  50   OWN   0.3    0      approve TN
//  7  35   OWN   0.8    1      reject  TP
const AGES = [22, 25, 28, 24, 40, 45, 50, 35];
const OWN = ["RENT", "RENT", "RENT", "RENT", "OWN", "OWN", "OWN", "OWN"];
const ROWS = AGES.map((age, i) => ({ age, own: OWN[i] }));
const SCORES = [0.9, 0.8, 0.2, 0.7, 0.4, 0.1, 0.3, 0.8];
const LABELS = [1, 0, 0, 1, 1, 0, 0, 1];
const SEGMENTS = [{ name: "age_band", column: "age", edges: [26] }, "own"];

Deno.test("segments: figures per value match the hand-computed table", () => {
  const r = segmentMetrics({
    rows: ROWS,
    scores: SCORES,
    labels: LABELS,
    threshold: 0.5,
    segments: SEGMENTS,
    resamples: 0,
    minRows: 1,
  });
  const point = (name: string) =>
    r.segments.find((s) => s.segment === name)!.rows.map((x) => ({
      value: x.value,
      n: x.n,
      defaults: x.defaults,
      recall: x.recall.value,
      precision: x.precision.value,
      approval: x.approval_rate.value,
      auc: x.roc_auc.value,
      ratio: x.approval_ratio,
      flagged: x.flagged,
    }));
  // age band (edge 26): under 26 = rows 0, 1, 3: TP 2, FP 1, nothing approved; recall 2/2, precision 2/3.
  //   AUC: defaults {0.9, 0.7} vs repaid {0.8}: 0.9 > 0.8 yes, 0.7 > 0.8 no -> 1/2.
  // 26 and over = rows 2, 4, 5, 6, 7: TP 1 (row 7), FN 1 (row 4), TN 3; recall 1/2, precision 1/1, approval 4/5.
  //   AUC: defaults {0.4, 0.8} vs repaid {0.2, 0.1, 0.3}: all 6 pairs ordered -> 1.
  // best approval 0.8 (26 and over); ratio of under 26 = 0 / 0.8 = 0 -> flagged.
  const age = point("age_band");
  assertEquals(age.map((x) => [x.value, x.n, x.defaults, x.recall, x.approval, x.auc, x.ratio, x.flagged]), [
    ["under 26", 3, 2, 1, 0, 0.5, 0, true],
    ["26 and over", 5, 2, 0.5, 0.8, 1, 1, false],
  ]);
  assertAlmostEquals(age[0].precision!, 2 / 3, 1e-12);
  assertEquals(age[1].precision, 1);
  // ownership: OWN = rows 4-7: TP 1, FN 1, TN 2 -> recall 1/2, precision 1, approval 3/4;
  //   AUC defaults {0.4, 0.8} vs repaid {0.1, 0.3}: 4 of 4 pairs -> 1.
  // RENT = rows 0-3: TP 2, FP 1, TN 1 -> recall 1, precision 2/3, approval 1/4;
  //   AUC defaults {0.9, 0.7} vs repaid {0.8, 0.2}: 0.9>0.8, 0.9>0.2, 0.7<0.8, 0.7>0.2 -> 3/4.
  // best OWN (0.75); RENT's ratio 0.25 / 0.75 = 1/3 -> flagged.
  const own = point("own");
  assertEquals(own.map((x) => [x.value, x.n, x.defaults, x.recall, x.approval, x.auc, x.flagged]), [
    ["OWN", 4, 2, 0.5, 0.75, 1, false],
    ["RENT", 4, 2, 1, 0.25, 0.75, true],
  ]);
  assertEquals(own[0].precision, 1);
  assertAlmostEquals(own[1].precision!, 2 / 3, 1e-12);
  assertEquals(own[0].ratio, 1);
  assertAlmostEquals(own[1].ratio!, 1 / 3, 1e-12);
  assertEquals(r.segments.map((s) => [s.segment, s.column, s.best]), [
    ["age_band", "age", "26 and over"],
    ["own", "own", "OWN"],
  ]);
  assertEquals(r.flagged.map((f) => [f.segment, f.value]), [["age_band", "under 26"], ["own", "RENT"]]);
  assertEquals(r.min_approval_ratio, 0);
  // without resamples there are no intervals
  assertEquals(r.segments[0].rows[0].recall, { value: 1, low: null, high: null });
});

Deno.test("segments: bootstrap intervals are seeded and bracket what cannot vary", () => {
  const opts = { rows: ROWS, scores: SCORES, labels: LABELS, threshold: 0.5, segments: SEGMENTS, minRows: 1 };
  const a = segmentMetrics(opts);
  assertEquals(a.resamples, 200);
  assertEquals(segmentMetrics(opts), a); // same seed, same intervals
  assert(JSON.stringify(segmentMetrics({ ...opts, seed: 2 })) !== JSON.stringify(a));
  const under26 = a.segments[0].rows[0];
  // nothing under 26 is approved: every resample approves none
  assertEquals([under26.approval_rate.low, under26.approval_rate.high], [0, 0]);
  // OWN: every rejection is a default, so precision is 1 in every resample where something is rejected
  const owned = a.segments[1].rows[0];
  assertEquals([owned.precision.low, owned.precision.high], [1, 1]);
  for (const s of a.segments) {
    for (const row of s.rows) {
      for (const e of [row.recall, row.precision, row.approval_rate, row.roc_auc]) {
        if (e.low === null) continue;
        assert(e.low! >= 0 && e.high! <= 1 && e.low! <= e.high!, JSON.stringify(e));
      }
    }
  }
});

Deno.test("segments: small values are reported but neither best nor flagged", () => {
  const r = segmentMetrics({ rows: ROWS, scores: SCORES, labels: LABELS, threshold: 0.5, segments: ["own"] });
  assertEquals([r.min_rows, r.segments[0].best, r.flagged, r.min_approval_ratio], [30, null, [], null]);
  assertEquals(r.segments[0].rows.map((x) => x.approval_ratio), [null, null]);
});

Deno.test("segments: bands, missing values, flat metrics and checks", () => {
  assertEquals([bandLabel([25, 35, 62], 18), bandLabel([25, 35, 62], 25), bandLabel([25, 35, 62], 62)], [
    "under 25",
    "25-34",
    "62 and over",
  ]);
  assertEquals(bandLabel([0.5], 0.7), "0.5 and over");
  assertEquals(segmentValue({ name: "b", column: "age", edges: [30] }, { age: null }), "missing");
  assertEquals(segmentValue("own", {}), "missing");
  assertEquals(segmentValue({ name: "b", column: "age", edges: [30] }, { age: 31n }), "30 and over");
  const r = segmentMetrics({
    rows: [...ROWS, { age: null, own: null }],
    scores: [...SCORES, 0.6],
    labels: [...LABELS, 0],
    threshold: 0.5,
    segments: SEGMENTS,
    resamples: 0,
    minRows: 1,
  });
  assertEquals(r.segments[0].rows.map((x) => x.value), ["under 26", "26 and over", "missing"]);
  const flat = segmentMetricsFlat(r);
  assertEquals(flat["segment.age_band.under_26.n"], 3);
  assertEquals(flat["segment.own.own.approval_rate"], 0.75);
  assertEquals(flat["segment.own.missing.recall"], undefined); // no default: recall undefined, left out
  assertEquals(flat.segment_flags, r.flagged.length);
  assert(Object.keys(flat).every((k) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(k)));
  assertThrows(() => checkSegments([{ name: "a", column: "age", edges: [30, 20] }]), Error, "increasing");
  assertThrows(() => checkSegments(["own", "own"]), Error, `"own" is declared twice`);
  assertThrows(
    () => segmentMetrics({ rows: ROWS, scores: [0.1], labels: LABELS, threshold: 0.5, segments: [] }),
    Error,
    "must match",
  );
});

import * as arrow from "apache-arrow";
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { computeDrift } from "./drift.ts";
import {
  comparisonRows,
  dataQualityRows,
  driftColumnRows,
  driftRule,
  driftTitle,
  psiBinRows,
  retrainingFacts,
  worstColumns,
} from "./summary.ts";
import type { RetrainingSection } from "./monitor.ts";
import { compareOnHoldout } from "../model/champion.ts";
import { seededRandom as rng } from "../numeric/random.ts";

const r = rng(7);
const n = 1500;

function sides() {
  const income = (shift: number) => Float64Array.from({ length: n }, () => 40_000 + 30_000 * r() + shift);
  const age = () => Float64Array.from({ length: n }, () => 20 + Math.floor(40 * r()));
  const intent = (levels: string[]) => arrow.vectorFromArray(Array.from({ length: n }, (_, i) => levels[i % 3]));
  const withNulls = (xs: Float64Array, every: number) =>
    arrow.vectorFromArray(Array.from(xs, (x, i) => (i % every === 0 ? null : x)), new arrow.Float64());
  const score = (shift: number) => Float64Array.from({ length: n }, () => Math.min(1, r() * 0.6 + shift));
  const reference = new arrow.Table({
    person_income: arrow.makeVector(income(0)),
    person_age: withNulls(age(), 50),
    loan_intent: intent(["EDUCATION", "MEDICAL", "VENTURE"]),
    probability: arrow.makeVector(score(0)),
  });
  const current = new arrow.Table({
    person_income: arrow.makeVector(income(-12_000)), // clearly shifted
    person_age: withNulls(age(), 5), // same ages, more missing
    loan_intent: intent(["EDUCATION", "MEDICAL", "CRYPTO"]), // a new category
    probability: arrow.makeVector(score(0.15)),
  });
  return { reference, current };
}

const { reference, current } = sides();
const { report } = await computeDrift(reference, current, { predictionColumn: "probability" });

Deno.test("driftColumnRows: the report's columns in its order with rule, score, verdict, means and missing %", () => {
  const rows = driftColumnRows(report);
  assertEquals(rows.map((x) => x.column), report.columns.map((c) => c.column));
  const income = rows[0];
  assertEquals([income.column, income.kind, income.test, income.verdict, income.drift_when], [
    "person_income",
    "numerical",
    "wasserstein",
    "drift",
    "≥ 0.1",
  ]);
  assertEquals(income.score, Number(report.columns[0].score!.toPrecision(4)));
  assert(income.mean_reference! - income.mean_current! > 10_000, `${income.mean_reference} ${income.mean_current}`);
  const age = rows.find((x) => x.column === "person_age")!;
  assertEquals([age.verdict, age.missing_reference_pct, age.missing_current_pct], ["no drift", 2, 20]);
  const intent = rows.find((x) => x.column === "loan_intent")!;
  assertEquals([intent.kind, intent.new_categories, intent.mean_reference], ["categorical", "CRYPTO", null]);
  assertEquals(
    driftTitle(report.columns[0]),
    `person_income: Wasserstein distance (normed) ${report.columns[0].score!.toPrecision(3)} (drift when ≥ 0.1): drift`,
  );
  assertEquals(driftTitle({ ...report.columns[0], score: null }), "person_income: not tested");
  assertEquals(driftRule({ score_kind: "p_value", test: "ks", threshold: 0.05 }), "p ≤ 0.05");
  assertEquals(driftRule({ score_kind: "p_value", test: "chisquare", threshold: 0.05 }), "p < 0.05");
});

Deno.test("worstColumns: charted columns in the report's order, drifted first, at most count", () => {
  assertEquals(worstColumns(report, { count: 1 }).map((c) => c.column), ["person_income"]);
  assertEquals(worstColumns(report).length, 3);
  assert(worstColumns(report).every((c) => c.histogram !== null));
});

Deno.test("psiBinRows: one row per reference decile with shares in % and terms, then the total", () => {
  const rows = psiBinRows(report.psi!);
  assertEquals(rows.length, report.psi!.bins.length + 1);
  assert(rows[0].bin.startsWith("≤ "), rows[0].bin);
  assert(rows[rows.length - 2].bin.startsWith("> "), rows[rows.length - 2].bin);
  assert(/^[\d.]+ – [\d.]+$/.test(rows[1].bin), rows[1].bin);
  const total = rows[rows.length - 1];
  assertEquals([total.bin, total.reference_pct, total.current_pct], ["total", 100, 100]);
  assertEquals(total.psi_term, Number(report.psi!.value.toPrecision(3)));
  assert(report.psi!.value >= 0.1, "the shifted score moved");
  // deciles: each reference bin holds about a tenth
  for (const row of rows.slice(0, -1)) assert(Math.abs(row.reference_pct - 10) < 1.5, JSON.stringify(row));
});

Deno.test("dataQualityRows: missing shares and new categories, the largest change first; none gives no rows", () => {
  const rows = dataQualityRows(report);
  assertEquals(rows.map((x) => x.column), ["person_age", "loan_intent"]);
  assertEquals(rows[0].missing_change_pts, 18);
  assertEquals([rows[1].new_categories, rows[1].examples], [1, "CRYPTO"]);
  assertEquals(dataQualityRows({ columns: report.columns.filter((c) => c.column === "person_income") }), []);
});

function holdout() {
  const labels = Float64Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? 1 : 0));
  const noisy = (signal: number) => Float64Array.from(labels, (y) => Math.min(1, Math.max(0, r() + signal * y)));
  return { labels, champion: noisy(0.2), challenger: noisy(0.6) };
}

Deno.test("comparisonRows: every metric for both models, the rule's marked, improvement signed as better", () => {
  const h = holdout();
  const c = compareOnHoldout({
    labels: h.labels,
    champion: { version: 1, scores: h.champion },
    challenger: { version: 2, scores: h.challenger },
    rule: { metric: "roc_auc", margin: 0.005 },
  });
  const rows = comparisonRows(c);
  assertEquals(rows.map((x) => x.metric), ["ROC AUC", "PR AUC", "KS", "Gini", "Brier score", "log loss"]);
  assertEquals(rows.filter((x) => x.rule === "yes").map((x) => x.metric), ["ROC AUC"]);
  const auc = rows[0];
  assertEquals(auc.champion, Number(c.champion.metrics.roc_auc.toPrecision(4)));
  assert(auc.improvement! > 0.05, `${auc.improvement}`);
  const brier = rows.find((x) => x.metric === "Brier score")!;
  // lower is better: a positive improvement means the challenger's Brier score is lower
  assertEquals(Math.sign(brier.improvement!), Math.sign(brier.champion! - brier.challenger!));
});

Deno.test("retrainingFacts: the decision, trigger, rule, champions, and the challenger's windows when there is one", () => {
  const h = holdout();
  const comparison = compareOnHoldout({
    labels: h.labels,
    champion: { version: 1, scores: h.champion },
    challenger: { version: 2, scores: h.challenger },
    rule: { metric: "roc_auc", margin: 0.005 },
    window: { from: "2021-12-01T00:00:00Z", to: "2021-12-31T00:00:00Z" },
  });
  const withPolicy = compareOnHoldout({
    labels: h.labels,
    champion: { version: 1, scores: h.champion, threshold: 0.5 },
    challenger: { version: 2, scores: h.challenger, threshold: 0.5 },
    policy: { kind: "target_recall", targetRecall: 0.9 },
    championTraining: { value: 0.95, test: { rows: 500, from: "2021-06-01T00:00:00Z", to: "2021-07-31T00:00:00Z" } },
    challengerTest: { rows: 86, from: "2021-11-01T00:00:00Z", to: "2021-12-01T00:00:00Z" },
  });
  const trigger = {
    retrain: true,
    score_psi: 0.2,
    score_shift: true,
    drift_share: 0.125,
    dataset_drift: false,
    reasons: [],
    explanation: "Retraining: the score's PSI is 0.2 (at least 0.1: the scores shifted).",
    drift_share_threshold: 0.5,
    psi_threshold: 0.1,
    forced: false,
  };
  const section: RetrainingSection = {
    decision: "promoted",
    explanation: "…",
    trigger,
    dry_run: false,
    rule: { metric: "roc_auc", margin: 0.005 },
    monitor_run_id: "run-m",
    champion: { version: 1, run_id: "run-1" },
    champion_after: 2,
    challenger: { version: 2, run_id: "run-2", test_auc: 0.9, train_seconds: 1 },
    training: { rows: 860, from: "2021-08-04T00:00:00Z", to: "2021-12-01T00:00:00Z", days: 120 },
    holdout: { rows: 400, from: "2021-12-02T00:00:00Z", to: "2021-12-31T00:00:00Z", days: 30, unlabelled: 0 },
    comparison,
  };
  const facts = Object.fromEntries(retrainingFacts(section).map((f) => [f.item, f.value]));
  assertEquals(facts.decision, "promoted");
  assertEquals(facts.trigger, trigger.explanation);
  assertEquals(facts["score PSI"], "0.2000 (retraining at ≥ 0.1000: reached)");
  assertEquals(facts["share of drifted columns"], "12.5% (retraining at ≥ 50.0%: below)");
  assertEquals(facts["promotion rule"], "ROC AUC better by at least 0.005");
  assertEquals([facts["champion before"], facts["champion after"]], ["version 1 (run run-1)", "version 2"]);
  assertEquals(facts["challenger trained on"], "860 labelled rows, 2021-08-04 to 2021-12-01");
  assertEquals(facts.holdout, "400 newest labelled rows (100 in the positive class), 2021-12-02 to 2021-12-31");
  assert(facts.improvement.includes("95% interval"), facts.improvement);
  assertEquals(facts["monitor run"], "run-m");
  assertEquals(facts.policy, undefined); // no policy given: not checked
  const checked = Object.fromEntries(
    retrainingFacts({ ...section, comparison: withPolicy }).map((f) => [f.item, f.value]),
  );
  assertEquals(checked.policy, withPolicy.policy_check!.text);
  assertStringIncludes(checked["challenger at its threshold"], "at threshold 0.5");
  assertStringIncludes(checked["champion's decay since training"], "The champion's ROC AUC was 0.9500");
  assertEquals(checked["champion's test set at training"], "500 rows, 2021-06-01 to 2021-07-31");
  assertEquals(checked["challenger's own test set"], "86 rows, 2021-11-01 to 2021-12-01");
  const calm = retrainingFacts({
    ...section,
    decision: "no_drift",
    challenger: null,
    training: null,
    holdout: null,
    comparison: null,
    champion_after: 1,
  });
  assertEquals(calm.map((f) => f.item), [
    "decision",
    "trigger",
    "score PSI",
    "share of drifted columns",
    "retraining when",
    "promotion rule",
    "champion before",
    "champion after",
    "monitor run",
  ]);
  // the thresholds in the report's one share format, like the signal rows above them
  assertStringIncludes(calm.find((f) => f.item === "retraining when")!.value, "share of drifted columns ≥ 50.0%");
});

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { evaluationRows, ksChart, preprocessingSummary, versionRows } from "./report.ts";
import { fitPreprocessor } from "./preprocess.ts";
import { evaluate, ksStatistic } from "./metrics.ts";
import type { ModelVersion } from "./registry.ts";

Deno.test("preprocessingSummary: per feature its kind, columns and fitted statistics", () => {
  const rows = Array.from({ length: 40 }, (_, i) => ({
    income: i % 10 === 0 ? null : 1000 * (i + 1),
    intent: ["EDU", "MED", "VEN"][i % 3],
  }));
  const pre = fitPreprocessor({
    label: "y",
    features: [
      { kind: "numeric", name: "income", log: true, description: "annual income" },
      { kind: "categorical", name: "intent", description: "purpose of the loan" },
    ],
  }, rows);
  const [income, intent] = preprocessingSummary(pre);
  assertEquals([income.feature, income.kind, income.columns], ["income", "numeric", 2]);
  assertStringIncludes(income.fitted, "log1p, median ");
  assertStringIncludes(income.fitted, "+ indicator");
  assertEquals(intent, {
    feature: "intent",
    kind: "categorical",
    description: "purpose of the loan",
    columns: 4,
    fitted: "3 levels + unknown: EDU, MED, VEN",
  });
});

Deno.test("evaluationRows holds the evaluation's own figures", () => {
  const e = evaluate([0.1, 0.4, 0.35, 0.8, 0.2, 0.9], [0, 0, 1, 1, 0, 1], 0.3);
  const byName = Object.fromEntries(evaluationRows(e).map((r) => [r.metric, r.value]));
  assertEquals(byName["ROC AUC"], Number(e.rocAuc.toFixed(4)));
  assertEquals(byName["KS"], Number(e.ks.statistic.toFixed(4)));
  assertEquals(byName["missed defaults"], e.confusion.fn);
  assertEquals(byName["rows"], 6);
});

Deno.test("ksChart draws both classes and the KS statistic in its title", async () => {
  const scores = [0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.05, 0.6];
  const labels = [0, 0, 1, 1, 0, 1, 0, 1];
  const svg = await ksChart(scores, labels);
  assert(svg.startsWith("<svg"));
  assertStringIncludes(svg, `KS = ${ksStatistic(scores, labels).statistic.toFixed(3)}`);
  assertStringIncludes(svg, "defaults (1)");
  assertStringIncludes(svg, "repaid (0)");
});

Deno.test("versionRows: newest first with aliases and registered metrics", () => {
  const v = (version: number, aliases: string[], auc?: number) =>
    ({
      version,
      aliases,
      created_time: `2024-01-0${version}T00:00:00Z`,
      run_id: `r${version}`,
      metrics: auc === undefined ? {} : { test_auc: auc, threshold: 0.123456 },
      description: null,
    }) as unknown as ModelVersion;
  const rows = versionRows([v(1, ["champion"], 0.91234), v(2, [])]);
  assertEquals(rows.map((r) => [r.version, r.aliases, r.test_auc, r.threshold]), [[2, "", null, null], [
    1,
    "champion",
    0.9123,
    0.1235,
  ]]);
});

Deno.test("segmentRows: one row per segment value with intervals, ratio and the four-fifths flag", async () => {
  const { segmentMetrics } = await import("./segments.ts");
  const { segmentRows } = await import("./report.ts");
  const report = segmentMetrics({
    rows: [{ own: "RENT" }, { own: "RENT" }, { own: "OWN" }, { own: "OWN" }],
    scores: [0.9, 0.8, 0.1, 0.6],
    labels: [1, 0, 0, 1],
    threshold: 0.5,
    segments: ["own"],
    minRows: 2,
    resamples: 0,
  });
  const rows = segmentRows(report);
  // OWN approves 1 of 2 (0.5), RENT none: RENT's ratio 0 / 0.5 is flagged
  if (rows.length !== 2 || rows[0].value !== "OWN" || rows[0].approval_rate !== 0.5) {
    throw new Error(JSON.stringify(rows));
  }
  if (rows[1].flag !== "under 0.8" || rows[1].approval_ratio !== 0 || rows[1].recall_95 !== "–") {
    throw new Error(JSON.stringify(rows[1]));
  }
});

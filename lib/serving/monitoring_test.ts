import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { registerModel, setAlias } from "../model/registry.ts";
import { startRun } from "../model/tracking.ts";
import { describePolicy, monitoringData, monitoringRoutes, parseDriftReport } from "./monitoring.ts";
import { REPORT_CSP } from "./pages.ts";
import { matchRoute } from "./server.ts";
import { FIXTURE_DRIFT_REPORT, FIXTURE_RETRAINING, writeDriftReportFixture } from "../testing/drift_report_fixture.ts";

const POLICY = {
  threshold: 0.25,
  policy: { kind: "target_recall", targetRecall: 0.9 },
  achieved: { recall: 0.9, precision: 0.4, approvalRate: 0.7, n: 100 },
};

/** A registry with two versions of credit_default; version 2 is champion, its run saved two charts. */
async function registry(root: string): Promise<void> {
  for (const auc of [0.8, 0.9]) {
    const run = await startRun({ root, experiment: "credit_default" });
    await run.logMetrics({ test_auc: auc, test_ks: 0.6, test_recall: 0.91, test_precision: 0.38, threshold: 0.25 });
    await run.logJson("model/policy.json", POLICY);
    await run.logArtifact("charts/roc.svg", `<svg xmlns="http://www.w3.org/2000/svg"><text>auc ${auc}</text></svg>`);
    await run.logArtifact("charts/pr.svg", `<svg xmlns="http://www.w3.org/2000/svg"/>`);
    await run.end();
    await registerModel({ root, name: "credit_default", runId: run.runId, artifactPrefix: "model" });
  }
  await setAlias({ root, name: "credit_default", alias: "champion", version: 2 });
}

Deno.test("monitoring data: champion metrics, charts and policy from the registry; drift report or why there is none", async () => {
  const root = await Deno.makeTempDir();
  const drift = `${root}/reports/drift`;
  try {
    const empty = await monitoringData({ root, name: "credit_default", driftReportDir: drift });
    assertEquals(empty.model.champion, null);
    assertStringIncludes(empty.model.problem!, "deno task train");
    assertEquals(empty.drift.report, null);
    assertStringIncludes(empty.drift.problem!, "No drift report yet: run deno task drift");

    await registry(root);
    const data = await monitoringData({ root, name: "credit_default", driftReportDir: drift, servedVersion: 2 });
    const c = data.model.champion!;
    assertEquals([c.version, c.aliases, c.threshold], [2, ["champion"], 0.25]);
    assertEquals(c.metrics.test_auc, 0.9);
    assertEquals(c.policy, "90.0% recall of the positive class");
    assertEquals(c.run?.status, "FINISHED");
    assertEquals(c.charts.map((x) => x.url), ["/monitoring/charts/pr.svg", "/monitoring/charts/roc.svg"]);
    assertEquals(data.model.served_version, 2);

    await Deno.mkdir(drift, { recursive: true });
    await Deno.writeTextFile(`${drift}/drift_report.json`, JSON.stringify(FIXTURE_DRIFT_REPORT));
    const withReport = await monitoringData({ root, name: "credit_default", driftReportDir: drift });
    const r = withReport.drift.report!;
    assertEquals(r.columns.map((x) => x.column), ["person_income", "loan_intent", "city"]);
    assertEquals([r.n_columns, r.n_drifted, r.dataset_drift], [3, 1, false]);
    assertEquals(r.score_psi, {
      column: "probability",
      value: 0.167,
      verdict: "moderate shift",
      thresholds: { moderate: 0.1, major: 0.25 },
    });
    assertEquals(withReport.drift.html_url, null); // no HTML written yet
    assertEquals(r.retraining, null); // written by deno task drift
    await writeDriftReportFixture(drift, { retraining: true });
    const monitored = (await monitoringData({ root, name: "credit_default", driftReportDir: drift })).drift.report!;
    assertEquals(monitored.retraining, {
      decision: "promoted",
      explanation: FIXTURE_RETRAINING.explanation,
      // the score PSI that triggered retraining and the drift share, each with its threshold
      trigger: {
        score_psi: 0.167,
        psi_threshold: 0.1,
        score_shift: true,
        drift_share: 1 / 3,
        drift_share_threshold: 0.5,
        dataset_drift: false,
        forced: false,
      },
      monitor_run_id: "20210901T060000000Z-0000abcd",
      champion_before: 1,
      champion_after: 2,
      challenger: 2,
      comparison: {
        metric: "ROC AUC",
        champion: 0.8392,
        challenger: 0.8812,
        improvement: 0.042,
        margin: 0.005,
        holdout_rows: 1224,
      },
    });
    await Deno.writeTextFile(`${drift}/drift_report.html`, "<h1>report</h1>");
    const linked = await monitoringData({ root, name: "credit_default", driftReportDir: drift });
    assertEquals(linked.drift.html_url, "/monitoring/drift_report.html");

    await Deno.writeTextFile(`${drift}/drift_report.json`, JSON.stringify({ format: "something-else" }));
    const wrong = await monitoringData({ root, name: "credit_default", driftReportDir: drift });
    assertEquals(wrong.drift.report, null);
    assertStringIncludes(wrong.drift.problem!, `field "format"`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("monitoring routes: charts and the full report are served sandboxed; unknown or odd names are 404", async () => {
  const root = await Deno.makeTempDir();
  const drift = `${root}/drift`;
  try {
    await registry(root);
    const routes = await monitoringRoutes({ root, name: "credit_default", driftReportDir: drift });
    const get = async (path: string) => {
      const handler = matchRoute(routes, "GET", path);
      if (!handler) return null;
      try {
        return await handler(new Request(`http://x${path}`));
      } catch (err) {
        return err as Error & { status?: number };
      }
    };
    const chart = (await get("/monitoring/charts/roc.svg")) as Response;
    assertEquals(chart.headers.get("content-type"), "image/svg+xml");
    assertEquals(chart.headers.get("content-security-policy"), REPORT_CSP);
    assertStringIncludes(await chart.text(), "auc 0.9"); // the champion's run, not version 1's
    for (const bad of ["/monitoring/charts/nope.svg", "/monitoring/charts/..%2Fmodel%2Fpolicy.json"]) {
      assertEquals(((await get(bad)) as { status?: number }).status, 404, bad);
    }
    // malformed percent-escapes are the client's error, never a 500
    for (const bad of ["/monitoring/charts/%E0%A4%A.svg", "/monitoring/charts/%", "/monitoring/charts/%zz"]) {
      assertEquals(((await get(bad)) as { status?: number }).status, 400, bad);
    }
    assertEquals(((await get("/monitoring/drift_report.html")) as { status?: number }).status, 404);
    await Deno.mkdir(drift, { recursive: true });
    await Deno.writeTextFile(`${drift}/drift_report.html`, "<h1>report</h1>");
    const html = (await get("/monitoring/drift_report.html")) as Response;
    assertEquals(html.headers.get("content-type"), "text/html; charset=utf-8");
    assertStringIncludes(html.headers.get("content-security-policy")!, "sandbox");
    assertEquals(await html.text(), "<h1>report</h1>");
    const page = (await get("/monitoring")) as Response;
    assertStringIncludes(await page.text(), `<script type="module" src="/assets/serving/pages/monitoring.js">`);
    assert(matchRoute(routes, "GET", "/assets/serving/pages/monitoring.js"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("parseDriftReport names what does not fit the contract; describePolicy says the policy in words", () => {
  assertThrows(() => parseDriftReport([]), Error, "not a JSON object");
  assertThrows(() => parseDriftReport({ format: "drift-report/1" }), Error, `field "columns"`);
  assertThrows(() => parseDriftReport({ format: "drift-report/1", columns: [{}] }), Error, `columns[0]`);
  const minimal = parseDriftReport({ format: "drift-report/1", columns: [{ column: "a", drifted: true, score: 1 }] });
  assertEquals([minimal.n_columns, minimal.n_drifted, minimal.drift_share], [1, 1, null]);
  assertThrows(
    () => parseDriftReport({ format: "drift-report/1", columns: [], retraining: { decision: 3 } }),
    Error,
    `field "retraining.decision" is 3`,
  );
  assertEquals(
    describePolicy({ policy: { kind: "min_cost", costMissedDefault: 5, costRejectedGood: 1 } }),
    "lowest expected cost (missed positive 5, false positive 1)",
  );
  assertEquals(describePolicy(null), null);
});

Deno.test("parseDriftReport: a retraining section recorded before the monitor kept the numbers takes them from the report", () => {
  const base = { format: "drift-report/1", columns: [], drift_share: 0.25, psi: { column: "score", value: 0.31 } };
  const old = parseDriftReport({
    ...base,
    retraining: { decision: "kept_champion", trigger: { psi_threshold: 0.25, drift_share_threshold: 0.5 } },
  });
  assertEquals(old.retraining?.trigger, {
    score_psi: 0.31,
    psi_threshold: 0.25,
    score_shift: true,
    drift_share: 0.25,
    drift_share_threshold: 0.5,
    dataset_drift: false,
    forced: false,
  });
  assertEquals(old.score_psi, { column: "score", value: 0.31, verdict: null, thresholds: null });
  // a report without a score column: no PSI, and a trigger below its PSI threshold
  const noScore = parseDriftReport({
    ...base,
    psi: null,
    retraining: { decision: "no_drift", trigger: { psi_threshold: 0.1, drift_share_threshold: 0.5 } },
  });
  assertEquals([noScore.score_psi, noScore.retraining?.trigger?.score_psi, noScore.retraining?.trigger?.score_shift], [
    null,
    null,
    false,
  ]);
  assertEquals(parseDriftReport({ ...base, retraining: { decision: "no_drift" } }).retraining?.trigger, null);
});

import * as arrow from "apache-arrow";
import { assert, assertEquals, assertGreater, assertRejects, assertStringIncludes } from "@std/assert";
import { appendPeriod, generateData } from "../credit/write_data.ts";
import { DOWNTURN_SHIFT } from "../credit/generate.ts";
import { creditTrainingSource } from "../credit/model_spec.ts";
import { FeatureStore } from "../feature_store/feature_store.ts";
import { resolveConfig } from "../feature_store/config.ts";
import { takeVector } from "../feature_store/offline/take.ts";
import { readTable, timestampMicros } from "../io/mod.ts";
import { loadModel, tableToRows, trainModel } from "../model/train.ts";
import { getAliases, getVersion, listVersions } from "../model/registry.ts";
import { getRun, listArtifacts, listRuns } from "../model/tracking.ts";
import { decideRetraining, MONITOR_EXIT_CODES, REFERENCE_PROFILE, runMonitor } from "./monitor.ts";

const FAST = { modelType: "mlp" as const, members: 1, epochs: 8, charts: false, seed: 1 };

Deno.test("monitor: the trigger is dataset drift or a score shift, and says why with the numbers", () => {
  const calm = { n_drifted: 2, n_columns: 16, drift_share: 0.125, psi: { value: 0.04 } };
  const t = decideRetraining(calm as never);
  assertEquals(t.retrain, false);
  // the numbers the decision was made on are recorded for the report and /monitoring
  assertEquals([t.score_psi, t.score_shift, t.drift_share, t.dataset_drift], [0.04, false, 0.125, false]);
  assertEquals(
    t.explanation,
    "No retraining: 2 of 16 columns drifted (share 0.125, below 0.5); the score's PSI is 0.04 (below 0.1).",
  );
  const shifted = decideRetraining({ ...calm, psi: { value: 0.41 } } as never);
  assertEquals(shifted.retrain, true);
  assertEquals([shifted.score_psi, shifted.score_shift, shifted.dataset_drift], [0.41, true, false]);
  assertStringIncludes(
    shifted.explanation,
    "Retraining: the score's PSI is 0.41 (at least 0.1: the scores shifted, a major shift); 2 of 16 columns",
  );
  assertStringIncludes(decideRetraining({ ...calm, psi: { value: 0.17 } } as never).explanation, "shifted); 2 of");
  assertEquals(decideRetraining({ ...calm, n_drifted: 8, drift_share: 0.5 } as never).retrain, true);
  assertEquals(decideRetraining(calm as never, { driftShare: 0.1 }).retrain, true);
  assertEquals(decideRetraining({ ...calm, psi: { value: 0.17 } } as never, { psiThreshold: 0.25 }).retrain, false);
  const forced = decideRetraining(calm as never, { force: true });
  assertEquals(forced.retrain, true);
  assertStringIncludes(forced.explanation, "Retraining (forced; no drift)");
  const unknown = decideRetraining({ ...calm, psi: null } as never);
  assertStringIncludes(unknown.explanation, "PSI is unknown");
  assertEquals([unknown.score_psi, unknown.score_shift], [null, false]);
});

/** Loans in [from, to) joined point-in-time with their features and scored by the champion: scored applications. */
async function scoredLoans(dataDir: string, root: string, from: Date, to: Date): Promise<arrow.Table> {
  const source = creditTrainingSource("generated", { dataDir });
  const loans = await readTable(source.entities);
  const us = timestampMicros(loans.getChild("event_timestamp")!);
  const [a, b] = [BigInt(from.getTime()) * 1000n, BigInt(to.getTime()) * 1000n];
  const idx = Int32Array.from([...us.keys()].filter((i) => us[i] >= a && us[i] < b));
  const entities: Record<string, arrow.Vector> = {};
  for (const f of loans.schema.fields) {
    if (f.name !== "loan_status") entities[f.name] = takeVector(loans.getChild(f.name)!, idx);
  }
  const store = await FeatureStore.open({ config: resolveConfig({}), repo: source.repo });
  const joined = await store.getHistoricalFeatures({ entities: new arrow.Table(entities), features: source.features });
  await store.close();
  const scorer = await loadModel({ name: "credit_default", root, alias: "champion" });
  const p = scorer.predict(tableToRows(joined));
  scorer.dispose();
  const columns: Record<string, arrow.Vector> = {};
  for (const f of joined.schema.fields) columns[f.name] = joined.getChild(f.name)!;
  columns.probability = arrow.makeVector(Float64Array.from(p));
  return new arrow.Table(columns);
}

Deno.test("monitor: no drift keeps everything; drift trains a challenger, promoted only when better by the margin", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const dataDir = `${dir}/data`, root = `${dir}/models`, out = `${dir}/reports`;
    await generateData({ rows: 3000, seed: 21, out: dataDir, zipcodes: 2000 });
    const source = creditTrainingSource("generated", { dataDir });
    const champion = await trainModel({ name: "credit_default", source, root, ...FAST });
    assertEquals([champion.version, champion.champion], [1, true]);
    const labelled = async () => {
      const store = await FeatureStore.open({ config: resolveConfig({}), repo: source.repo });
      try {
        return await store.getHistoricalFeatures({ entities: source.entities, features: source.features });
      } finally {
        await store.close();
      }
    };
    const base = { root, labelled, spec: source.spec, out, trainDays: 180, train: FAST };

    await t.step("no drift: no challenger, champion unchanged, exit 0, run and report recorded", async () => {
      // the newest base-period loans (the champion's test period): same distributions as its training rows
      const current = await scoredLoans(dataDir, root, new Date("2021-06-01"), new Date("2021-09-01"));
      const r = await runMonitor({ name: "credit_default", ...base, current, currentSource: "newest base loans" });
      assertEquals([r.decision, r.exitCode, r.retrain], ["no_drift", 0, null]);
      assertStringIncludes(r.explanation, "No retraining:");
      assertEquals(r.report.retraining.champion_after, 1);
      assertEquals((await listVersions({ root, name: "credit_default" })).length, 1);
      const run = await getRun(root, r.runId);
      assertEquals([run.status, run.experiment, run.tags.decision], ["FINISHED", "credit_default-monitor", "no_drift"]);
      assertEquals(run.metrics.dataset_drift, 0);
      const json = JSON.parse(await Deno.readTextFile(`${out}/drift_report.json`));
      assertEquals([json.format, json.retraining.decision, json.retraining.monitor_run_id], [
        "drift-report/1",
        "no_drift",
        r.runId,
      ]);
      const html = await Deno.readTextFile(`${out}/drift_report.html`);
      assertStringIncludes(html, `<h2 id="retraining">Retraining</h2>`);
      // the numbers the decision was made on, recorded and shown with their thresholds
      const trigger = json.retraining.trigger;
      assertEquals([trigger.score_psi, trigger.psi_threshold, trigger.score_shift], [json.psi.value, 0.1, false]);
      assertEquals([trigger.drift_share, trigger.dataset_drift], [json.drift_share, false]);
      assertStringIncludes(html, `score PSI ${json.psi.value.toFixed(4)} (retraining at ≥ 0.1000: below)`);
      assertEquals(await listArtifacts({ root, runId: r.runId, prefix: "report/" }), [
        "report/drift_report.html",
        "report/drift_report.json",
      ]);
      // the reference's profile was cached beside it; the next run reads it instead of the rows
      assert((await listArtifacts({ root, runId: champion.runId })).includes(REFERENCE_PROFILE));
      const again = await runMonitor({
        name: "credit_default",
        ...base,
        current,
        currentSource: "newest base loans",
        out: null,
      });
      assertEquals([again.decision, again.report.reference.profile, again.files], ["no_drift", true, null]);
      assertEquals(again.report.drift_share, r.report.drift_share);
    });

    await appendPeriod({
      out: dataDir,
      rows: 3000,
      seed: 21,
      period: { start: "2021-09-01T00:00:00Z", end: "2021-12-31T00:00:00Z", shift: DOWNTURN_SHIFT },
    });
    const drifted = await scoredLoans(dataDir, root, new Date("2021-11-01"), new Date("2022-01-01"));
    const currentSource = "downturn applications";

    await t.step("dry run: decides, trains and registers the challenger, moves no champion", async () => {
      const r = await runMonitor({ name: "credit_default", ...base, current: drifted, currentSource, dryRun: true });
      assertEquals([r.decision, r.exitCode], ["dry_run_would_promote", 0]);
      assertGreater(r.report.psi!.value, 0.1);
      assertStringIncludes(r.explanation, "the scores shifted");
      assertStringIncludes(r.explanation, "Retraining:");
      assertStringIncludes(r.explanation, "Dry run: version 2 would be promoted");
      assertEquals(await getAliases({ root, name: "credit_default" }), { champion: 1, challenger: 2 });
    });

    await t.step("not better by the margin: the champion is kept", async () => {
      const r = await runMonitor({
        name: "credit_default",
        ...base,
        current: drifted,
        currentSource,
        rule: { metric: "roc_auc", margin: 0.5 },
      });
      assertEquals([r.decision, r.exitCode], ["kept_champion", MONITOR_EXIT_CODES.kept_champion]);
      assertStringIncludes(r.explanation, "Kept version 1 as champion; version 3 stays the challenger.");
      assertStringIncludes(r.explanation, "not better by the margin 0.5");
      assertEquals(await getAliases({ root, name: "credit_default" }), { champion: 1, challenger: 3 });
    });

    await t.step("a higher AUC that misses the recall policy at its own threshold: the champion is kept", async () => {
      // the challenger's threshold is chosen for a recall of 0.3; the policy asks for 0.9 on the holdout
      const r = await runMonitor({
        name: "credit_default",
        ...base,
        current: drifted,
        currentSource,
        train: { ...FAST, policy: { kind: "target_recall", targetRecall: 0.3 } },
        policy: { kind: "target_recall", targetRecall: 0.9 },
      });
      const c = r.retrain!.comparison;
      assertEquals([c.better_by_margin, c.policy_check!.met, c.promote], [true, false, false]);
      assertGreater(c.challenger.value, c.champion.value + 0.005);
      assert(c.challenger.at_threshold!.recall < 0.9);
      assertEquals([r.decision, r.exitCode], ["kept_champion", 0]);
      assertStringIncludes(r.explanation, "Kept version 1 as champion; version 4 stays the challenger.");
      assertStringIncludes(
        r.explanation,
        "The challenger misses the policy (target recall 0.9) on the holdout: recall",
      );
      assertStringIncludes(r.explanation, "not promoted, although its ROC AUC is better by the margin.");
      // both models at their own thresholds, the champion's decay since training, every test set
      assertStringIncludes(r.explanation, `the champion recall ${c.champion.at_threshold!.recall.toFixed(3)}`);
      assertStringIncludes(r.explanation, "The champion's ROC AUC was ");
      assertStringIncludes(r.explanation, "Test sets: the champion's at training ");
      assertEquals(c.test_sets.champion_training!.rows, champion.split.test);
      assertEquals(c.test_sets.challenger_training!.rows, r.retrain!.result.split.test);
      assertEquals(c.decay!.at_training, champion.test.rocAuc);
      assertEquals(await getAliases({ root, name: "credit_default" }), { champion: 1, challenger: 4 });
      const json = JSON.parse(await Deno.readTextFile(`${out}/drift_report.json`));
      assertEquals(json.retraining.comparison.policy_check.met, false);
      assertEquals(json.retraining.comparison.promote, false);
      assertStringIncludes(await Deno.readTextFile(`${out}/drift_report.html`), "champion&#39;s decay since training");
    });

    await t.step("better by the margin: promoted, exit 3, runs linked, report explains it", async () => {
      const r = await runMonitor({ name: "credit_default", ...base, current: drifted, currentSource });
      assertEquals([r.decision, r.exitCode], ["promoted", 3]);
      const c = r.retrain!.comparison;
      assertGreater(c.improvement, 0.005);
      assertEquals([c.champion.version, c.challenger.version], [1, 5]);
      assertEquals(c.policy_check!.met, true);
      assertStringIncludes(r.explanation, "Promoted version 5 to champion (was version 1).");
      assertStringIncludes(r.explanation, `ROC AUC ${c.challenger.value.toFixed(4)} for the challenger (version 5)`);
      assertEquals(await getAliases({ root, name: "credit_default" }), { champion: 5, challenger: 5 });
      // the challenger reads the champion's feature sources: batch scoring and serving pick them by the data tag
      const promoted = await getVersion({ root, name: "credit_default", alias: "champion" });
      assertEquals([promoted.version, promoted.tags.data], [5, "generated"]);
      assertEquals((await getRun(root, r.retrain!.challenger.run_id)).tags.data, "generated");
      // the parent run and the challenger's own run point at each other
      const parent = await getRun(root, r.runId);
      assertEquals([parent.status, parent.tags.decision, parent.metrics.promoted], ["FINISHED", "promoted", 1]);
      assertEquals(parent.tags.challenger_run_id, r.retrain!.challenger.run_id);
      const child = await getRun(root, parent.tags.challenger_run_id);
      assertEquals([child.experiment, child.status, child.tags.monitor_run_id], [
        "credit_default",
        "FINISHED",
        r.runId,
      ]);
      assertEquals(child.tags.role, "challenger");
      // the challenger trained on loans before the holdout only
      assert(r.retrain!.training.to < r.retrain!.holdout.from);
      const json = JSON.parse(await Deno.readTextFile(`${out}/drift_report.json`));
      assertEquals([json.retraining.decision, json.retraining.champion_after], ["promoted", 5]);
      assertEquals(json.retraining.comparison.metric, "roc_auc");
      assertStringIncludes(await Deno.readTextFile(`${out}/drift_report.html`), "Challenger promoted: version 5");
      // every monitor run is recorded (two no-drift runs, dry run, kept, promoted)
      const runs = await listRuns(root, "credit_default-monitor");
      assertEquals(runs.map((x) => x.tags.decision), [
        "promoted",
        "kept_champion",
        "kept_champion",
        "dry_run_would_promote",
        "no_drift",
        "no_drift",
      ]);
      assert(runs.every((x) => x.status === "FINISHED"));
    });

    await t.step("errors end the parent run FAILED and move nothing", async () => {
      const empty = drifted.slice(0, 0);
      await assertRejects(
        () => runMonitor({ name: "credit_default", ...base, current: empty, currentSource: "an empty window" }),
        Error,
        "No scored applications in an empty window",
      );
      const [last] = await listRuns(root, "credit_default-monitor");
      assertEquals([last.status, last.error], [
        "FAILED",
        "No scored applications in an empty window; widen the window or score some first",
      ]);
      assertEquals((await getAliases({ root, name: "credit_default" })).champion, 5);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

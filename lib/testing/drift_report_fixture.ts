/**
 * A drift report in the `drift-report/1` shape that `deno task drift` writes (lib/serving/monitoring.ts
 * parseDriftReport reads it), for tests of the pages that show it. Its columns are deliberately not sorted by score, and
 * one new category is markup (it must show as text).
 *
 * @example
 * ```ts
 * import { writeDriftReportFixture } from "./drift_report_fixture.ts";
 * await writeDriftReportFixture("/tmp/reports/drift", { html: true });
 * ```
 * @module
 */

/** The report's JSON (1 of 3 columns drifted: person_income). */
export const FIXTURE_DRIFT_REPORT = {
  format: "drift-report/1",
  generated_at: "2021-09-01T06:00:00Z",
  reference: { source: "data/generated/training_set.parquet", rows: 2400 },
  current: { source: "data/scored/run-1", rows: 812 },
  dataset_drift: false,
  drift_share: 1 / 3,
  drift_share_threshold: 0.5,
  n_columns: 3,
  n_drifted: 1,
  columns: [
    {
      column: "loan_intent",
      kind: "categorical",
      test: "jensenshannon",
      threshold: 0.1,
      score: 0.04,
      drifted: false,
      missing_share_reference: 0,
      missing_share_current: 0,
      new_categories: ["<script>alert(1)</script>"],
      note: null,
    },
    {
      column: "city",
      kind: "categorical",
      test: "jensenshannon",
      threshold: 0.1,
      score: null,
      drifted: false,
      missing_share_reference: 1,
      missing_share_current: 1,
      new_categories: [],
      note: "all values missing",
    },
    {
      column: "person_income",
      kind: "numerical",
      test: "wasserstein",
      threshold: 0.1,
      score: 0.31,
      drifted: true,
      missing_share_reference: 0,
      missing_share_current: 0.01,
      new_categories: [],
      note: null,
    },
  ],
  prediction_drift: { column: "probability", test: "wasserstein", score: 0.05, drifted: false },
  target_drift: null,
  psi: {
    column: "probability",
    value: 0.167,
    verdict: "moderate shift",
    thresholds: { moderate: 0.1, major: 0.25 },
    bins: [],
  },
};

/** The `retraining` section `deno task monitor` adds (a promotion of version 2 over version 1). */
export const FIXTURE_RETRAINING = {
  decision: "promoted",
  explanation: "Retraining: the score's PSI is 0.167 (at least 0.1: the scores shifted). Promoted version 2 to " +
    "champion (was version 1).",
  trigger: {
    retrain: true,
    score_psi: 0.167,
    score_shift: true,
    drift_share: 1 / 3,
    dataset_drift: false,
    reasons: [],
    explanation: "Retraining: the score's PSI is 0.167 (at least 0.1: the scores shifted).",
    drift_share_threshold: 0.5,
    psi_threshold: 0.1,
    forced: false,
  },
  dry_run: false,
  monitor_run_id: "20210901T060000000Z-0000abcd",
  champion: { version: 1, run_id: "run-1" },
  champion_after: 2,
  challenger: { version: 2, run_id: "run-2", test_auc: 0.92, train_seconds: 10 },
  comparison: {
    metric: "roc_auc",
    metric_label: "ROC AUC",
    margin: 0.005,
    holdout: { rows: 1224, defaults: 453 },
    champion: { version: 1, value: 0.8392 },
    challenger: { version: 2, value: 0.8812 },
    improvement: 0.042,
  },
};

/**
 * Writes `drift_report.json` (and with `html: true` a small `drift_report.html`) into `dir`; with `retraining: true`
 * the report carries {@link FIXTURE_RETRAINING}, as `deno task monitor` writes it.
 *
 * @example
 * ```ts
 * import { writeDriftReportFixture } from "./drift_report_fixture.ts";
 * await writeDriftReportFixture(await Deno.makeTempDir());
 * ```
 */
export async function writeDriftReportFixture(
  dir: string,
  opts: { html?: boolean; retraining?: boolean } = {},
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const report = opts.retraining ? { ...FIXTURE_DRIFT_REPORT, retraining: FIXTURE_RETRAINING } : FIXTURE_DRIFT_REPORT;
  await Deno.writeTextFile(`${dir}/drift_report.json`, JSON.stringify(report, null, 2));
  if (opts.html) {
    await Deno.writeTextFile(
      `${dir}/drift_report.html`,
      `<!doctype html><title>Drift report</title><h1>Full drift report</h1>` +
        `<script>document.body.append(" (inline script ran)")</script>`,
    );
  }
}

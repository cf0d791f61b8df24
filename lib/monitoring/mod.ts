/**
 * Drift monitoring: statistical tests (one file each: ks.ts, chisquare.ts, two_proportion_z.ts, wasserstein.ts,
 * jensen_shannon.ts, psi.ts), the registry that picks Evidently's default per column (registry.ts), drift reports
 * from Arrow tables or a saved reference profile (drift.ts, profile.ts), and the HTML + JSON output (report.ts,
 * html.ts), reference-vs-current charts (drift_charts.ts), rows for notebook tables (summary.ts), and the monitoring
 * job: drift of scored applications, a challenger, promotion by margin (monitor.ts, retrain.ts).
 *
 * For a job (e.g. retraining on drift):
 *
 * ```ts
 * import { computeDrift, loadProfile, writeDriftReport } from "./mod.ts";
 * import { readTable } from "../io/mod.ts";
 * const reference = await loadProfile("reports/reference.profile.json"); // or await readTable("train.parquet")
 * const { report } = await computeDrift(reference, await readTable("scored.parquet"), {
 *   predictionColumn: "probability", targetColumn: "loan_status",
 * });
 * await writeDriftReport(report, "reports/drift");
 * if (report.dataset_drift) console.log(`retrain: ${report.summary}`);
 * ```
 * @module
 */
export * from "./drift.ts";
export * from "./report.ts";
export * from "./profile.ts";
export * from "./html.ts";
export * from "./registry.ts";
export type { ColumnDrift, ColumnOptions, Histogram, NumericReference, PsiBin, SideCounts } from "./column_drift.ts";
export { ks2samp } from "./ks.ts";
export { chiSquareTest } from "./chisquare.ts";
export { zTest } from "./two_proportion_z.ts";
export { normedWasserstein, wassersteinDistance } from "./wasserstein.ts";
export { jensenShannonDistance } from "./jensen_shannon.ts";
export { psiFromCounts } from "./psi.ts";
export { sampleFromValues } from "./sample.ts";
export { splitByTime } from "./split.ts";
export { compactSvg, detailChart, sparkline } from "./drift_charts.ts";
export * from "./summary.ts";
export * from "./monitor.ts";

/**
 * A drift report and a retraining decision as rows of plain values, for tables in notebooks (lib/notebook `table`)
 * or terminals: the column verdicts, the score's PSI bins, missing values and new categories, the worst columns,
 * the champion-challenger comparison and the decision's facts. The same numbers as the report, rounded for reading.
 *
 * @example
 * ```ts
 * import { driftColumnRows, psiBinRows } from "./summary.ts";
 * const rows = driftColumnRows(report); // [{ column: "loan_int_rate", kind: "numerical", test: "wasserstein", ... }]
 * if (report.psi) psiBinRows(report.psi);
 * ```
 * @module
 */
import { type Comparison, COMPARISON_METRICS, type ComparisonMetric } from "../model/champion.ts";
import type { ColumnDrift } from "./column_drift.ts";
import type { DriftReport, ScorePsi } from "./drift.ts";
import { formatShare, formatStat } from "./format.ts";
import type { RetrainingSection } from "./monitor.ts";

/** A number to `digits` significant digits (null stays null; non-finite numbers become null). */
function sig(x: number | null | undefined, digits = 4): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toPrecision(digits));
}

/** A share as a rounded percentage (0.1234 -> 12.3). */
function percent(x: number): number {
  return Number((100 * x).toFixed(1));
}

/**
 * When a column's test calls drift: `p < 0.05` (`p ≤ 0.05` for KS) for p-values, `≥ 0.1` for distances.
 *
 * @example
 * ```ts
 * driftRule({ score_kind: "distance", test: "wasserstein", threshold: 0.1 }); // "≥ 0.1"
 * ```
 */
export function driftRule(d: Pick<ColumnDrift, "score_kind" | "test" | "threshold">): string {
  return d.score_kind === "p_value" ? `p ${d.test === "ks" ? "≤" : "<"} ${d.threshold}` : `≥ ${d.threshold}`;
}

/**
 * A column's verdict in words: "drift", "no drift", or "not tested" (no score; see its note).
 *
 * @example
 * ```ts
 * driftVerdict({ score: 0.31, drifted: true }); // "drift"
 * ```
 */
export function driftVerdict(d: Pick<ColumnDrift, "score" | "drifted">): "drift" | "no drift" | "not tested" {
  return d.score === null ? "not tested" : d.drifted ? "drift" : "no drift";
}

/**
 * One line naming a column's test, score and verdict, e.g. for a chart title.
 *
 * @example
 * ```ts
 * driftTitle(column); // "loan_int_rate: Wasserstein distance (normed) 0.577 (drift when ≥ 0.1): drift"
 * ```
 */
export function driftTitle(
  d: Pick<ColumnDrift, "column" | "test" | "test_label" | "score" | "score_kind" | "threshold" | "drifted">,
): string {
  if (d.score === null) return `${d.column}: not tested`;
  return `${d.column}: ${d.test_label} ${sig(d.score, 3)} (drift when ${driftRule(d)}): ${driftVerdict(d)}`;
}

/** One row of {@linkcode driftColumnRows} (a type alias, so rows are plain records for lib/notebook's `table`). */
export type DriftColumnRow = {
  column: string;
  kind: string;
  /** The test's short name (`wasserstein`, `jensenshannon`, `ks`, ...). */
  test: string;
  drift_when: string;
  score: number | null;
  verdict: string;
  psi: number | null;
  /** Numerical columns: mean of the reference and current values. */
  mean_reference: number | null;
  mean_current: number | null;
  /** Missing values, % of rows. */
  missing_reference_pct: number;
  missing_current_pct: number;
  /** Categories new in current data (at most 20 listed). */
  new_categories: string;
  note: string;
};

/**
 * The report's feature columns in its order (drifted first, then by how far past the threshold): kind, test, rule,
 * score, verdict, PSI, means, missing shares, new categories.
 *
 * @example
 * ```ts
 * driftColumnRows(report)[0]; // { column: "loan_int_rate", kind: "numerical", test: "wasserstein", ... }
 * ```
 */
export function driftColumnRows(report: Pick<DriftReport, "columns">): DriftColumnRow[] {
  return report.columns.map((d) => {
    const mean = (k: string) => (typeof d.details[k] === "number" ? sig(d.details[k] as number) : null);
    return {
      column: d.column,
      kind: d.kind,
      test: d.test,
      drift_when: driftRule(d),
      score: sig(d.score),
      verdict: driftVerdict(d),
      psi: sig(d.psi, 3),
      mean_reference: mean("reference_mean"),
      mean_current: mean("current_mean"),
      missing_reference_pct: percent(d.missing_share_reference),
      missing_current_pct: percent(d.missing_share_current),
      new_categories: d.new_categories.join(", ") +
        (d.new_categories_count > d.new_categories.length ? ", …" : ""),
      note: d.note ?? "",
    };
  });
}

/**
 * The columns to chart first: those with a histogram, in the report's order (drifted first, then by how far past
 * the threshold), at most `count` (default 4).
 *
 * @example
 * ```ts
 * for (const c of worstColumns(report)) await detailChart(c.column, c.histogram!);
 * ```
 */
export function worstColumns(report: Pick<DriftReport, "columns">, opts: { count?: number } = {}): ColumnDrift[] {
  return report.columns.filter((d) => d.histogram !== null).slice(0, opts.count ?? 4);
}

/** One row of {@linkcode psiBinRows}. */
export type PsiBinRow = {
  bin: string;
  reference_pct: number;
  current_pct: number;
  psi_term: number | null;
};

/**
 * The score's PSI table: one row per bin (reference deciles), shares in % and the bin's PSI term, then the total.
 *
 * @example
 * ```ts
 * psiBinRows(report.psi!).at(-1); // { bin: "total", reference_pct: 100, current_pct: 100, psi_term: 0.172 }
 * ```
 */
export function psiBinRows(psi: Pick<ScorePsi, "bins" | "value">): PsiBinRow[] {
  const edge = (x: number) => String(sig(x, 3));
  const rows = psi.bins.map((b) => ({
    bin: b.category ??
      (b.lower === null
        ? b.upper === null ? "all" : `≤ ${edge(b.upper)}`
        : b.upper === null
        ? `> ${edge(b.lower)}`
        : `${edge(b.lower)} – ${edge(b.upper)}`),
    reference_pct: percent(b.reference_share),
    current_pct: percent(b.current_share),
    psi_term: sig(b.contribution, 3),
  }));
  const total = (k: "reference_share" | "current_share") => percent(psi.bins.reduce((s, b) => s + b[k], 0));
  rows.push({
    bin: "total",
    reference_pct: total("reference_share"),
    current_pct: total("current_share"),
    psi_term: sig(psi.value, 3),
  });
  return rows;
}

/** One row of {@linkcode dataQualityRows}. */
export type DataQualityRow = {
  column: string;
  missing_reference_pct: number;
  missing_current_pct: number;
  /** Percentage points. */
  missing_change_pts: number;
  new_categories: number;
  examples: string;
};

/**
 * Columns with missing values on either side or categories new in current data, the largest change in missing
 * share first (empty when there are none).
 *
 * @example
 * ```ts
 * dataQualityRows(report); // [{ column: "loan_int_rate", missing_reference_pct: 9.6, missing_current_pct: 14.2, ... }]
 * ```
 */
export function dataQualityRows(report: Pick<DriftReport, "columns">): DataQualityRow[] {
  return report.columns
    .filter((d) => d.missing_share_reference > 0 || d.missing_share_current > 0 || d.new_categories_count > 0)
    .map((d) => ({
      column: d.column,
      missing_reference_pct: percent(d.missing_share_reference),
      missing_current_pct: percent(d.missing_share_current),
      missing_change_pts: Number((100 * (d.missing_share_current - d.missing_share_reference)).toFixed(1)),
      new_categories: d.new_categories_count,
      examples: d.new_categories.slice(0, 5).join(", "),
    }))
    .sort((a, b) =>
      Math.abs(b.missing_change_pts) - Math.abs(a.missing_change_pts) || b.new_categories - a.new_categories ||
      a.column.localeCompare(b.column)
    );
}

/** One row of {@linkcode comparisonRows}. */
export type ComparisonRow = {
  metric: string;
  /** "yes" for the promotion rule's metric. */
  rule: string;
  champion: number | null;
  challenger: number | null;
  /** Positive = the challenger is better, whatever the metric's direction. */
  improvement: number | null;
};

/**
 * Every comparison metric on the holdout for both models, the rule's metric marked.
 *
 * @example
 * ```ts
 * comparisonRows(outcome.comparison)[0]; // { metric: "ROC AUC", rule: "yes", champion: 0.8332, challenger: 0.893, improvement: 0.0598 }
 * ```
 */
export function comparisonRows(c: Comparison): ComparisonRow[] {
  return (Object.keys(COMPARISON_METRICS) as ComparisonMetric[]).map((m) => {
    const def = COMPARISON_METRICS[m];
    const a = c.champion.metrics[m], b = c.challenger.metrics[m];
    return {
      metric: def.label,
      rule: m === c.metric ? "yes" : "",
      champion: sig(a),
      challenger: sig(b),
      improvement: sig(def.higherIsBetter ? b - a : a - b, 3),
    };
  });
}

/**
 * The score's PSI and the drift share the monitor decided on, each with its threshold (when recorded): the rows of
 * {@link retrainingFacts} and the "Signals" line of the monitor's report page.
 *
 * @example
 * ```ts
 * retrainingSignals(report.retraining.trigger)[0]; // ["score PSI", "0.1670 (retraining at ≥ 0.1000: reached)"]
 * ```
 */
export function retrainingSignals(t: RetrainingSection["trigger"]): [string, string][] {
  const rows: [string, string][] = [];
  const reached = (yes: boolean | undefined) => (yes ? "reached" : "below");
  if (t.score_psi !== undefined) {
    rows.push([
      "score PSI",
      t.score_psi === null
        ? "– (no score column)"
        : `${formatStat(t.score_psi)} (retraining at ≥ ${formatStat(t.psi_threshold)}: ${reached(t.score_shift)})`,
    ]);
  }
  if (t.drift_share !== undefined) {
    rows.push([
      "share of drifted columns",
      `${formatShare(t.drift_share)} (retraining at ≥ ${formatShare(t.drift_share_threshold)}: ${
        reached(t.dataset_drift)
      })`,
    ]);
  }
  return rows;
}

/**
 * The decision's facts as `{ item, value }` rows: decision, trigger, the score PSI and drift share it was decided on,
 * rule, champion before and after, challenger, its training rows and the holdout, the improvement's interval, the
 * policy check, both models at their own thresholds, the champion's decay since training, every test set, the
 * monitor's run.
 *
 * @example
 * ```ts
 * retrainingFacts(result.report.retraining)[0]; // { item: "decision", value: "promoted" }
 * ```
 */
export function retrainingFacts(r: RetrainingSection): { item: string; value: string }[] {
  const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "–");
  const rows: [string, string][] = [
    ["decision", r.decision + (r.dry_run ? " (dry run)" : "")],
    ["trigger", r.trigger.explanation],
    ...retrainingSignals(r.trigger),
    [
      "retraining when",
      `share of drifted columns ≥ ${
        formatShare(r.trigger.drift_share_threshold)
      } or score PSI ≥ ${r.trigger.psi_threshold}` +
      (r.trigger.forced ? " (forced)" : ""),
    ],
    ["promotion rule", `${COMPARISON_METRICS[r.rule.metric].label} better by at least ${r.rule.margin}`],
    ["champion before", `version ${r.champion.version} (run ${r.champion.run_id})`],
    ["champion after", `version ${r.champion_after}`],
  ];
  if (r.challenger && r.training && r.holdout && r.comparison) {
    const c = r.comparison;
    rows.push(
      ["challenger", `version ${r.challenger.version} (run ${r.challenger.run_id})`],
      ["challenger trained on", `${r.training.rows} labelled rows, ${day(r.training.from)} to ${day(r.training.to)}`],
      [
        "holdout",
        `${r.holdout.rows} newest labelled rows (${c.holdout.defaults} in the positive class), ${
          day(r.holdout.from)
        } to ${day(r.holdout.to)}`,
      ],
      [
        "improvement",
        `${sig(c.improvement, 3)} ${c.metric_label}` +
        (c.interval ? `, 95% interval ${sig(c.interval.low, 3)} to ${sig(c.interval.high, 3)} (paired bootstrap)` : ""),
      ],
    );
    const at = (a: Comparison["champion"]["at_threshold"] | undefined) =>
      a
        ? `recall ${sig(a.recall, 3)}, precision ${sig(a.precision, 3)}, approval rate ${
          sig(a.approval_rate, 3)
        } at threshold ${sig(a.threshold, 4)}`
        : "–";
    const testSet = (t: { rows: number; from: string | null; to: string | null } | null | undefined) =>
      t ? `${t.rows} rows, ${day(t.from)} to ${day(t.to)}` : "–";
    if (c.policy_check) rows.push(["policy", c.policy_check.text]);
    if (c.champion.at_threshold || c.challenger.at_threshold) {
      rows.push(
        ["champion at its threshold", at(c.champion.at_threshold)],
        ["challenger at its threshold", at(c.challenger.at_threshold)],
      );
    }
    if (c.decay) rows.push(["champion's decay since training", c.decay.text]);
    if (c.test_sets) {
      rows.push(
        ["champion's test set at training", testSet(c.test_sets.champion_training)],
        ["challenger's own test set", testSet(c.test_sets.challenger_training)],
      );
    }
  }
  rows.push(["monitor run", r.monitor_run_id]);
  return rows.map(([item, value]) => ({ item, value }));
}

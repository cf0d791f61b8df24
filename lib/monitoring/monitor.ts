/**
 * The monitoring job (`deno task monitor`): drift of recent scored applications against the champion's training
 * reference, and on drift a challenger trained, evaluated against the champion on the newest labelled rows, and
 * promoted only when better by the configured margin. Every step is recorded as a run, and the decision is explained
 * in the drift report (a `retraining` section in `drift_report.json` and `drift_report.html`).
 *
 * Steps of {@linkcode runMonitor}:
 *
 * 1. A parent run in experiment `<model>-monitor` (params: window, rule, thresholds; tags: the decision).
 * 2. The champion's training reference (reference.ts): its saved drift profile when an earlier run cached one
 *    (`reference/profile.json` beside it, so daily runs read only the current data), else the reference rows.
 * 3. Drift of the model's input columns, prediction drift and the score's PSI (lib/monitoring computeDrift).
 * 4. The trigger ({@linkcode decideRetraining}): dataset drift (share of drifted columns >= `driftShare`, default
 *    0.5) or a shift of the score (its PSI >= `psiThreshold`, default 0.1, the PSI drift threshold; 0.25 would
 *    wait for a major shift), or `forceRetrain`.
 * 5. On a trigger: the labelled rows, a challenger trained on the newest of them (its own run, registered with the
 *    `challenger` alias), compared with the champion on the newest labelled window, promoted when better by the
 *    margin and meeting the decision policy at its own threshold, unless `dryRun` (retrain.ts); the comparison
 *    also reports both models at their thresholds, the champion's decay since training and every test set.
 * 6. The report with its `retraining` section: written to `out` (default `reports/drift`) and as artifacts of the
 *    parent run, which ends with the decision's metrics.
 *
 * Exit status for tasks ({@linkcode MonitorResult.exitCode}): 0 when the champion is unchanged (no drift; drift but
 * the challenger was not better by the margin; any dry run), 3 when a challenger was promoted. Errors are 1 (the
 * parent run ends FAILED, no alias moves).
 *
 * @example
 * ```ts
 * import { runMonitor } from "./monitor.ts";
 * const result = await runMonitor({
 *   root: "data/models", current: scoredTable, currentSource: "data/scored (last 7 days)",
 *   labelled: () => store.getHistoricalFeatures({ entities: "data/generated/loan_table.parquet", features }),
 *   spec: creditFeatureSpec(),
 * });
 * console.log(result.decision, result.explanation);
 * ```
 * @module
 */
import type * as arrow from "apache-arrow";
import { type IoOptions, joinUri, ObjectNotFoundError, writeBytes } from "../io/mod.ts";
import type { FeatureSpec } from "../model/preprocess.ts";
import { readTrainingReference, REFERENCE_FILES, SCORE_COLUMN } from "../model/reference.ts";
import { getVersion } from "../model/registry.ts";
import { type Json, startRun } from "../model/tracking.ts";
import type { TrainOptions } from "../model/train.ts";
import type { ThresholdPolicy } from "../model/policy.ts";
import {
  COMPARISON_METRICS,
  DEFAULT_PROMOTION_RULE,
  parsePromotionRule,
  type PromotionRule,
} from "../model/champion.ts";
import { computeDrift, DEFAULT_DRIFT_SHARE, type DriftReport } from "./drift.ts";
import { loadProfile, type ReferenceProfile, saveProfile } from "./profile.ts";
import { escapeHtml, renderDriftHtml } from "./html.ts";
import { formatStat } from "./format.ts";
import { retrainingSignals } from "./summary.ts";
import { DEFAULT_DRIFT_DIR, DRIFT_HTML, DRIFT_JSON } from "./report.ts";
import { retrainChallenger, type RetrainDecision, type RetrainOutcome } from "./retrain.ts";
import { PSI_MAJOR, PSI_THRESHOLD } from "./psi.ts";

/** Where the cached drift profile of a training reference is, inside the run's artifacts. */
export const REFERENCE_PROFILE = "reference/profile.json";

/** What the monitor decided. */
export type MonitorDecision = "no_drift" | RetrainDecision;

/** Exit status of `deno task monitor` per decision (errors: 1, usage: 2). */
export const MONITOR_EXIT_CODES: Readonly<Record<MonitorDecision, number>> = {
  no_drift: 0,
  kept_champion: 0,
  dry_run_would_keep: 0,
  dry_run_would_promote: 0,
  promoted: 3,
};

/** The trigger's verdict, with the numbers it was decided on. */
export interface RetrainingTrigger {
  retrain: boolean;
  /** The score's PSI (null without a score column). */
  score_psi: number | null;
  /** True when the score's PSI reached the PSI threshold. */
  score_shift: boolean;
  /** The report's share of drifted columns. */
  drift_share: number;
  /** True when the share of drifted columns reached the drift share threshold. */
  dataset_drift: boolean;
  /** Why (or why not), one clause per signal. */
  reasons: string[];
  /** One sentence. */
  explanation: string;
}

/**
 * Whether a drift report calls for retraining: dataset drift (the report's share of drifted columns reaches
 * `driftShare`, default 0.5) or a shift of the score (its PSI >= `psiThreshold`, default 0.1), or `force`.
 *
 * @example
 * ```ts
 * decideRetraining(report).explanation;
 * // "Retraining: the score's PSI is 0.172 (at least 0.1: the scores shifted); 2 of 16 columns drifted (share 0.125, below 0.5)."
 * ```
 */
export function decideRetraining(
  report: Pick<DriftReport, "n_drifted" | "n_columns" | "drift_share" | "psi">,
  opts: { driftShare?: number; psiThreshold?: number; force?: boolean } = {},
): RetrainingTrigger {
  const share = opts.driftShare ?? DEFAULT_DRIFT_SHARE;
  const psiThreshold = opts.psiThreshold ?? PSI_THRESHOLD;
  const f = (x: number) => String(Number(x.toFixed(3)));
  const dataset = report.n_columns > 0 && report.drift_share >= share;
  const columns = `${report.n_drifted} of ${report.n_columns} columns drifted (share ${f(report.drift_share)}, ` +
    `${dataset ? "at least" : "below"} ${share})`;
  const psi = report.psi?.value ?? null;
  const scoreShift = psi !== null && psi >= psiThreshold;
  const score = psi === null
    ? "the score's PSI is unknown (no score column)"
    : `the score's PSI is ${f(psi)} (${
      scoreShift
        ? `at least ${psiThreshold}: the scores shifted${psi >= PSI_MAJOR ? ", a major shift" : ""}`
        : `below ${psiThreshold}`
    })`;
  const triggered = dataset || scoreShift;
  const reasons = dataset || !scoreShift ? [columns, score] : [score, columns];
  const retrain = triggered || Boolean(opts.force);
  const lead = triggered ? "Retraining" : opts.force ? "Retraining (forced; no drift)" : "No retraining";
  return {
    retrain,
    score_psi: psi,
    score_shift: scoreShift,
    drift_share: report.drift_share,
    dataset_drift: dataset,
    reasons,
    explanation: `${lead}: ${reasons.join("; ")}.`,
  };
}

/** Options of {@linkcode runMonitor}. */
export interface MonitorOptions {
  /** Model store root (local or s3://). */
  root: string;
  /** Registered model name (the repo's model spec names it). */
  name: string;
  io?: IoOptions;
  /** Recent scored applications: the model's input columns and its `probability` (batch-scoring output). */
  current: arrow.Table;
  /** What `current` is, for the report (e.g. the scored prefix and window). */
  currentSource: string;
  /** The labelled rows (label, event time, features), read only when retraining. */
  labelled: () => Promise<arrow.Table>;
  /** The model's feature spec. */
  spec: FeatureSpec;
  /** Promotion rule (default ROC AUC, margin 0.005). */
  rule?: PromotionRule;
  /** Dataset drift at this share of drifted columns (default 0.5). */
  driftShare?: number;
  /** Score PSI that triggers retraining (default 0.1; 0.25 waits for a major shift). */
  psiThreshold?: number;
  /** Retrain even without drift. */
  forceRetrain?: boolean;
  /** Decide but do not promote. */
  dryRun?: boolean;
  /**
   * The decision policy the challenger must meet on the holdout at its own threshold (default the challenger's
   * training policy `train.policy`, else the champion's stored policy).
   */
  policy?: ThresholdPolicy;
  /** How far below a target recall the challenger's holdout recall may be (default 0: the policy as written). */
  policyTolerance?: number;
  /** Newest labelled days held out for the comparison (default 30). */
  holdoutDays?: number;
  /** Labelled days before the holdout the challenger trains on (default 365). */
  trainDays?: number;
  /** Challenger training settings (model type, seed, epochs, ...). */
  train?: Partial<TrainOptions>;
  /** Report folder (default `reports/drift`); null writes it only as run artifacts. */
  out?: string | null;
  /** Units of columns ("$", "years"), titling the report's charts (lib/model/explain.ts `reasonUnits`). */
  units?: Record<string, string>;
  /** Extra params recorded on the parent run (e.g. the scored window). */
  params?: Record<string, Json>;
  log?: (line: string) => void;
}

/** The `retraining` section of the report. */
export interface RetrainingSection {
  decision: MonitorDecision;
  /** Sentences with the numbers. */
  explanation: string;
  trigger: RetrainingTrigger & { drift_share_threshold: number; psi_threshold: number; forced: boolean };
  dry_run: boolean;
  rule: PromotionRule;
  monitor_run_id: string;
  champion: { version: number; run_id: string };
  /** The champion after the run (the challenger's version when promoted). */
  champion_after: number;
  challenger: RetrainOutcome["challenger"] | null;
  training: RetrainOutcome["training"] | null;
  holdout: RetrainOutcome["holdout"] | null;
  comparison: RetrainOutcome["comparison"] | null;
}

/** The drift report with the retraining section. */
export type MonitorReport = DriftReport & { retraining: RetrainingSection };

/** What {@linkcode runMonitor} did. */
export interface MonitorResult {
  decision: MonitorDecision;
  exitCode: number;
  explanation: string;
  /** The parent run. */
  runId: string;
  report: MonitorReport;
  /** Written report files (null when `out` is null). */
  files: { html: string; json: string } | null;
  retrain: RetrainOutcome | null;
}

async function loadCachedProfile(artifactUri: string, io?: IoOptions): Promise<ReferenceProfile | null> {
  try {
    return await loadProfile(joinUri(artifactUri, REFERENCE_PROFILE), io);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return null;
    throw err;
  }
}

/**
 * The retraining section as HTML (inserted after the drift summary of the report page).
 *
 * @example
 * ```ts
 * const html = retrainingHtml(report.retraining); // "<h2>Retraining</h2>..."
 * ```
 */
export function retrainingHtml(r: RetrainingSection): string {
  const verdict = {
    no_drift: "No retraining",
    promoted: `Challenger promoted: version ${r.champion_after} is the champion`,
    kept_champion: `Champion kept: version ${r.champion.version}`,
    dry_run_would_promote: `Dry run: the challenger would be promoted`,
    dry_run_would_keep: `Dry run: the champion would be kept`,
  }[r.decision];
  const outcome = r.explanation.startsWith(r.trigger.explanation)
    ? r.explanation.slice(r.trigger.explanation.length).trim()
    : r.explanation;
  const parts = [
    `<h2 id="retraining">Retraining</h2>`,
    `<section class="summary ${r.decision === "no_drift" ? "ok" : "drift"}"><p class="verdict">${
      escapeHtml(verdict)
    }</p>`,
    `<p>${escapeHtml(r.trigger.explanation)}</p>`,
    `<p>Signals: ${retrainingSignals(r.trigger).map(([k, v]) => `${k} ${v}`).join(" · ")}</p>`,
    outcome ? `<p>${escapeHtml(outcome)}</p>` : "",
    `</section>`,
  ];
  if (r.comparison && r.challenger) {
    const c = r.comparison;
    const rows = (Object.keys(COMPARISON_METRICS) as (keyof typeof COMPARISON_METRICS)[]).map((m) => {
      const def = COMPARISON_METRICS[m];
      const a = c.champion.metrics[m], b = c.challenger.metrics[m];
      const better = def.higherIsBetter ? b - a : a - b;
      const mark = m === c.metric ? " (rule)" : "";
      return `<tr><td>${escapeHtml(def.label)}${mark}</td><td class="n">${formatStat(a)}</td><td class="n">${
        formatStat(b)
      }</td>` +
        `<td class="n">${Number.isFinite(better) ? (better >= 0 ? "+" : "") + formatStat(better) : "–"}</td></tr>`;
    });
    const at = (k: "threshold" | "recall" | "precision" | "approval_rate", label: string) => {
      const a = c.champion.at_threshold?.[k], b = c.challenger.at_threshold?.[k];
      return `<tr><td>${escapeHtml(label)}</td><td class="n">${formatStat(a)}</td><td class="n">${
        formatStat(b)
      }</td><td></td></tr>`;
    };
    if (c.champion.at_threshold || c.challenger.at_threshold) {
      rows.push(
        at("threshold", "threshold (its own)"),
        at("recall", "recall at its threshold"),
        at("precision", "precision at its threshold"),
        at("approval_rate", "approval rate at its threshold"),
      );
    }
    parts.push(
      `<table style="max-width:720px"><tr><th>on the holdout</th><th>champion v${c.champion.version}</th>` +
        `<th>challenger v${c.challenger.version}</th><th>improvement</th></tr>${rows.join("")}</table>`,
    );
    const testSet = (t: { rows: number; from: string | null; to: string | null } | null) =>
      t ? `${t.rows} rows, ${t.from ?? "–"} to ${t.to ?? "–"}` : "–";
    const dl: [string, string][] = [
      ["rule", `${c.metric_label} better by at least ${c.margin}`],
      ["holdout", `${r.holdout!.rows} newest labelled rows, ${r.holdout!.from} to ${r.holdout!.to}`],
      ["challenger trained on", `${r.training!.rows} labelled rows, ${r.training!.from ?? "–"} to ${r.training!.to}`],
      ["challenger run", `${r.challenger.run_id} (version ${r.challenger.version})`],
      ["policy", c.policy_check ? c.policy_check.text : "not checked"],
      ["champion's decay since training", c.decay ? c.decay.text : "–"],
      ["champion's test set at training", testSet(c.test_sets?.champion_training ?? null)],
      ["challenger's own test set", testSet(c.test_sets?.challenger_training ?? null)],
      [
        "95% interval of the improvement",
        c.interval ? `${formatStat(c.interval.low)} to ${formatStat(c.interval.high)} (paired bootstrap)` : "–",
      ],
    ];
    parts.push(`<dl>${dl.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("")}</dl>`);
  }
  parts.push(`<p class="meta">Monitor run ${escapeHtml(r.monitor_run_id)}${r.dry_run ? " (dry run)" : ""}.</p>`);
  return parts.join("");
}

/**
 * Inserts the retraining section into the report page, after its drift summary (or before the footer).
 *
 * @example
 * ```ts
 * const page = withRetrainingSection(await renderDriftHtml(report), report.retraining);
 * ```
 */
export function withRetrainingSection(page: string, r: RetrainingSection): string {
  const section = retrainingHtml(r);
  const summary = page.indexOf(`<section class="summary`);
  const end = summary >= 0 ? page.indexOf("</section>", summary) : -1;
  if (end >= 0) return page.slice(0, end + 10) + section + page.slice(end + 10);
  const footer = page.lastIndexOf("<footer");
  const at = footer >= 0 ? footer : page.lastIndexOf("</body>");
  return at >= 0 ? page.slice(0, at) + section + page.slice(at) : page + section;
}

/**
 * Runs the monitoring job (see the module doc).
 *
 * @example
 * ```ts
 * const r = await runMonitor({ root, current, currentSource: "scored", labelled: loadLabelled, spec, dryRun: true });
 * Deno.exit(r.exitCode);
 * ```
 */
export async function runMonitor(opts: MonitorOptions): Promise<MonitorResult> {
  const log = opts.log ?? (() => {});
  const name = opts.name;
  const { root, io } = opts;
  const rule = parsePromotionRule(opts.rule ?? DEFAULT_PROMOTION_RULE);
  const driftShare = opts.driftShare ?? DEFAULT_DRIFT_SHARE;
  const psiThreshold = opts.psiThreshold ?? PSI_THRESHOLD;
  if (!(psiThreshold > 0)) throw new Error(`PSI threshold "${psiThreshold}" must be a number above 0`);
  const champion = await getVersion({ root, name, alias: "champion", io });
  const run = await startRun({
    root,
    experiment: `${name}-monitor`,
    io,
    tags: { kind: "monitor", model: name, champion_version: String(champion.version) },
  });
  try {
    await run.logParams({
      model: name,
      champion_version: champion.version,
      champion_run_id: champion.run_id,
      current_source: opts.currentSource,
      metric: rule.metric,
      margin: rule.margin,
      drift_share: driftShare,
      psi_threshold: psiThreshold,
      holdout_days: opts.holdoutDays ?? 30,
      train_days: opts.trainDays ?? 365,
      force_retrain: Boolean(opts.forceRetrain),
      dry_run: Boolean(opts.dryRun),
      ...opts.params,
    });
    if (opts.current.numRows === 0) {
      throw new Error(`No scored applications in ${opts.currentSource}; widen the window or score some first`);
    }

    // the reference: the cached profile, else the reference rows (and cache their profile for the next runs)
    const ref = await readTrainingReference({ root, name, version: champion.version, io });
    const artifactUri = ref.uri.slice(0, -REFERENCE_FILES.table.length).replace(/\/+$/, "");
    const cached = await loadCachedProfile(artifactUri, io);
    const currentNames = new Set(opts.current.schema.fields.map((f) => f.name));
    const referenceNames = new Set(cached ? cached.columns.map((c) => c.column) : ref.meta.features);
    const columns = ref.meta.features.filter((c) => currentNames.has(c) && referenceNames.has(c));
    if (columns.length === 0) {
      throw new Error(
        `The scored applications in ${opts.currentSource} have none of the model's input columns ` +
          `(${ref.meta.features.join(", ")}); score with the feature columns kept`,
      );
    }
    const hasScore = currentNames.has(SCORE_COLUMN);
    log(
      `drift: ${opts.current.numRows} scored applications against the training reference of version ` +
        `${champion.version} (${cached ? "cached profile" : `${ref.meta.rows} rows`}), ${columns.length} columns`,
    );
    const { report, profile } = await computeDrift(cached ?? ref.table, opts.current, {
      columns,
      predictionColumn: hasScore ? SCORE_COLUMN : undefined,
      targetColumn: ref.meta.label && currentNames.has(ref.meta.label) ? ref.meta.label : undefined,
      driftShare,
      referenceSource: `training reference of model "${name}" version ${champion.version} (${ref.uri})`,
      currentSource: opts.currentSource,
    });
    if (!cached) await saveProfile(profile, joinUri(artifactUri, REFERENCE_PROFILE), io);
    log(`drift: ${report.summary}; score PSI ${formatStat(report.psi?.value)}`);
    await run.logMetrics({
      current_rows: report.current.rows,
      reference_rows: report.reference.rows,
      n_columns: report.n_columns,
      n_drifted: report.n_drifted,
      drift_share: report.drift_share,
      dataset_drift: report.dataset_drift ? 1 : 0,
      ...(report.psi ? { score_psi: report.psi.value } : {}),
    });

    const trigger = decideRetraining(report, { driftShare, psiThreshold, force: opts.forceRetrain });
    log(trigger.explanation);
    let outcome: RetrainOutcome | null = null;
    if (trigger.retrain) {
      const labelled = await opts.labelled();
      outcome = await retrainChallenger({
        root,
        name,
        io,
        labelled,
        spec: opts.spec,
        rule,
        holdoutDays: opts.holdoutDays,
        trainDays: opts.trainDays,
        dryRun: opts.dryRun,
        policy: opts.policy,
        policyTolerance: opts.policyTolerance,
        train: opts.train,
        tags: { monitor_run_id: run.runId },
        log,
      });
      const c = outcome.comparison;
      await run.logMetrics({
        [`champion_${c.metric}`]: c.champion.value,
        [`challenger_${c.metric}`]: c.challenger.value,
        improvement: c.improvement,
        policy_met: c.policy_check ? (c.policy_check.met ? 1 : 0) : 1,
        ...(c.challenger.at_threshold
          ? {
            challenger_recall: c.challenger.at_threshold.recall,
            challenger_precision: c.challenger.at_threshold.precision,
            challenger_approval_rate: c.challenger.at_threshold.approval_rate,
          }
          : {}),
        ...(c.champion.at_threshold
          ? {
            champion_recall: c.champion.at_threshold.recall,
            champion_precision: c.champion.at_threshold.precision,
            champion_approval_rate: c.champion.at_threshold.approval_rate,
          }
          : {}),
        ...(c.decay ? { champion_decay: c.decay.drop } : {}),
        holdout_rows: c.holdout.rows,
        challenger_training_rows: outcome.training.rows,
        promoted: outcome.promoted ? 1 : 0,
      });
    }
    const decision: MonitorDecision = outcome ? outcome.decision : "no_drift";
    const explanation = outcome ? `${trigger.explanation} ${outcome.explanation}` : trigger.explanation;
    const retraining: RetrainingSection = {
      decision,
      explanation,
      trigger: {
        ...trigger,
        drift_share_threshold: driftShare,
        psi_threshold: psiThreshold,
        forced: Boolean(opts.forceRetrain),
      },
      dry_run: Boolean(opts.dryRun),
      rule,
      monitor_run_id: run.runId,
      champion: { version: champion.version, run_id: champion.run_id },
      champion_after: outcome?.promoted ? outcome.challenger.version : champion.version,
      challenger: outcome?.challenger ?? null,
      training: outcome?.training ?? null,
      holdout: outcome?.holdout ?? null,
      comparison: outcome?.comparison ?? null,
    };
    const full: MonitorReport = { ...report, retraining };
    const html = new TextEncoder().encode(
      withRetrainingSection(
        await renderDriftHtml(full, { title: "Drift and retraining report", units: opts.units }),
        retraining,
      ),
    );
    const json = new TextEncoder().encode(JSON.stringify(full, null, 1) + "\n");
    await run.logArtifact(`report/${DRIFT_HTML}`, html, { contentType: "text/html; charset=utf-8" });
    await run.logArtifact(`report/${DRIFT_JSON}`, json, { contentType: "application/json" });
    let files: MonitorResult["files"] = null;
    const out = opts.out === undefined ? DEFAULT_DRIFT_DIR : opts.out;
    if (out !== null) {
      files = { html: joinUri(out, DRIFT_HTML), json: joinUri(out, DRIFT_JSON) };
      await writeBytes(files.html, html, { ...io, contentType: "text/html; charset=utf-8" });
      await writeBytes(files.json, json, { ...io, contentType: "application/json" }); // last: readers look for it
    }
    await run.setTags({
      decision,
      ...(outcome
        ? { challenger_version: String(outcome.challenger.version), challenger_run_id: outcome.challenger.run_id }
        : {}),
    });
    await run.end("FINISHED");
    return {
      decision,
      exitCode: MONITOR_EXIT_CODES[decision],
      explanation,
      runId: run.runId,
      report: full,
      files,
      retrain: outcome,
    };
  } catch (err) {
    if (run.status === "RUNNING") await run.end("FAILED", { error: (err as Error).message }).catch(() => {});
    throw err;
  }
}

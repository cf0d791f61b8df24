/**
 * The monitoring page (`GET /monitoring`): the champion model's metrics and charts from the model registry and its
 * run record, and the latest drift report (`drift_report.json` / `drift_report.html` in a folder, local or `s3://`,
 * default `reports/drift`). Everything is read on each request, so a newly promoted champion or a new drift report
 * shows up without a restart.
 *
 * Routes: `GET /monitoring` (the page), `GET /api/monitoring` (its data as JSON), `GET /monitoring/charts/<name>.svg`
 * (the champion run's SVG charts), `GET /monitoring/drift_report.html` (the full report, sandboxed).
 *
 * @example
 * ```ts
 * import { monitoringRoutes } from "./monitoring.ts";
 * const routes = await monitoringRoutes({ root: "data/models", name: "credit_default", driftReportDir: "reports/drift" });
 * // createHandler({ store, routes })
 * ```
 * @module
 */
import { exists, type IoOptions, joinUri, ObjectNotFoundError, readBytes } from "../io/mod.ts";
import { getVersion, listVersions, type ModelVersion } from "../model/registry.ts";
import { getRun, listArtifacts, readArtifact } from "../model/tracking.ts";
import type { SegmentReport } from "../model/segments.ts";
import { HttpError, jsonResponse } from "./http.ts";
import { assetRoutes, fileResponse, REPORT_CSP, staticRoutes } from "./pages.ts";
import type { Routes } from "./server.ts";

/** Where the drift report is looked for when no folder is given (`deno task drift`'s default output). */
export const DEFAULT_DRIFT_REPORT_DIR = "reports/drift";

/** The run artifact with the test metrics by segment (lib/model/training_run.ts `SEGMENTS_ARTIFACT`). */
const SEGMENTS_FILE = "evaluation/segments.json";

/** The champion's facts shown on the page. */
export interface ChampionSummary {
  name: string;
  version: number;
  aliases: string[];
  description: string | null;
  tags: Record<string, string>;
  /** Registered metrics (test_auc, test_ks, test_recall, test_precision, threshold, ...). */
  metrics: Record<string, number>;
  threshold: number | null;
  /** The decision policy in words, e.g. "90.0% recall of the positive class". */
  policy: string | null;
  registered_at: string;
  run: { run_id: string; status: string; start_time: string; end_time: string | null } | null;
  /** URLs of the run's SVG charts. */
  charts: { name: string; url: string }[];
  /** The test metrics by segment (fair lending; the run's `evaluation/segments.json`), null when not recorded. */
  segments: SegmentReport | null;
}

/** One column of a drift report, as the page shows it. */
export interface DriftColumnSummary {
  column: string;
  kind: string;
  test: string;
  threshold: number | null;
  score: number | null;
  drifted: boolean;
  missing_share_reference: number | null;
  missing_share_current: number | null;
  new_categories: string[];
  note: string | null;
}

/** The latest drift report's summary (contract `drift-report/1`). */
export interface DriftSummary {
  format: string;
  generated_at: string | null;
  reference: { source: string; rows: number | null };
  current: { source: string; rows: number | null };
  dataset_drift: boolean;
  drift_share: number | null;
  drift_share_threshold: number | null;
  n_columns: number;
  n_drifted: number;
  /** Sorted by score, highest first (columns without a score last). */
  columns: DriftColumnSummary[];
  prediction_drift: Record<string, unknown> | null;
  target_drift: Record<string, unknown> | null;
  /**
   * The score's PSI (reference deciles), its verdict and the verdict's thresholds as the report recorded them (null
   * when it did not); null when the report has no score column.
   */
  score_psi: {
    column: string;
    value: number;
    verdict: string | null;
    thresholds: { moderate: number; major: number } | null;
  } | null;
  /** What `deno task monitor` decided with this report (null: the report was written by `deno task drift`). */
  retraining: RetrainingSummary | null;
}

/** The monitor's retraining decision recorded in a drift report (its `retraining` section). */
export interface RetrainingSummary {
  /** "promoted", "kept_champion", "dry_run_would_promote", "dry_run_would_keep", or "no_drift". */
  decision: string;
  /** The decision in sentences, with the numbers. */
  explanation: string;
  /**
   * The two signals the monitor decides on, with the thresholds it used: the score's PSI and the share of drifted
   * columns (either one reaching its threshold retrains). Null for a section without thresholds.
   */
  trigger: RetrainingTriggerSummary | null;
  monitor_run_id: string | null;
  champion_before: number | null;
  champion_after: number | null;
  challenger: number | null;
  /** Holdout comparison (null when no challenger was trained). */
  comparison: {
    metric: string;
    champion: number | null;
    challenger: number | null;
    improvement: number | null;
    margin: number | null;
    holdout_rows: number | null;
    /** The challenger against the decision policy at its own threshold (absent when not checked). */
    policy?: { met: boolean; text: string };
    /** The champion's decay since training (absent when unknown). */
    decay?: { decayed: boolean; text: string };
  } | null;
}

/** What triggered (or did not trigger) retraining: the score's PSI and the drift share, each with its threshold. */
export interface RetrainingTriggerSummary {
  /** The score's PSI (null without a score column). */
  score_psi: number | null;
  psi_threshold: number | null;
  /** True when the PSI reached its threshold. */
  score_shift: boolean;
  /** Share of drifted columns. */
  drift_share: number | null;
  drift_share_threshold: number | null;
  /** True when the drift share reached its threshold. */
  dataset_drift: boolean;
  /** Retraining was forced (`--force-retrain`). */
  forced: boolean;
}

/** The JSON of `GET /api/monitoring`. */
export interface MonitoringData {
  model: {
    name: string;
    /** The version this server scores with (null: none loaded). */
    served_version: number | null;
    champion: ChampionSummary | null;
    /** Why there is no champion (no model registered yet, or the registry could not be read). */
    problem: string | null;
  };
  drift: {
    dir: string;
    report: DriftSummary | null;
    /** Link to the full HTML report (null when there is none). */
    html_url: string | null;
    /** Why there is no report (none written yet, or it is not a drift report). */
    problem: string | null;
  };
}

/** Options of {@link monitoringRoutes} and {@link monitoringData}. */
export interface MonitoringOptions {
  /** The model store (`config.model_store`). */
  root: string;
  /** Registered model name. */
  name: string;
  /** Alias of the model to show (default `champion`). */
  alias?: string;
  /** Folder or `s3://` prefix of `drift_report.json` / `.html` (default {@link DEFAULT_DRIFT_REPORT_DIR}). */
  driftReportDir?: string;
  /** The version the server scores with (shown beside the champion). */
  servedVersion?: number | null;
  io?: IoOptions;
}

const CHART_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*\.svg$/;
const dec = new TextDecoder();

/**
 * Reads what the monitoring page shows. Never throws for a missing model or report: the reason is in `problem`.
 *
 * @example
 * ```ts
 * import { monitoringData } from "./monitoring.ts";
 * const data = await monitoringData({ root: "data/models", name: "credit_default" });
 * console.log(data.model.champion?.metrics.test_auc, data.drift.report?.dataset_drift);
 * ```
 */
export async function monitoringData(opts: MonitoringOptions): Promise<MonitoringData> {
  const dir = opts.driftReportDir ?? DEFAULT_DRIFT_REPORT_DIR;
  const [model, drift] = await Promise.all([championSummary(opts), readDriftSummary(dir, opts.io)]);
  return {
    model: { name: opts.name, served_version: opts.servedVersion ?? null, ...model },
    drift: { dir, ...drift },
  };
}

async function championSummary(
  opts: MonitoringOptions,
): Promise<{ champion: ChampionSummary | null; problem: string | null }> {
  const alias = opts.alias ?? "champion";
  let version: ModelVersion;
  try {
    const versions = await listVersions({ root: opts.root, name: opts.name, io: opts.io });
    if (!versions.length) {
      return {
        champion: null,
        problem: `No model "${opts.name}" is registered in "${opts.root}" yet: run deno task train`,
      };
    }
    const aliased = versions.find((v) => v.aliases.includes(alias));
    if (!aliased) {
      return {
        champion: null,
        problem: `Model "${opts.name}" has no "${alias}" yet: run deno task promote --version N --alias ${alias}`,
      };
    }
    version = await getVersion({ root: opts.root, name: opts.name, alias, io: opts.io });
  } catch (err) {
    return { champion: null, problem: `The model registry cannot be read: ${(err as Error).message}` };
  }
  let run: ChampionSummary["run"] = null;
  let charts: ChampionSummary["charts"] = [];
  try {
    const record = await getRun(opts.root, version.run_id, { io: opts.io });
    run = { run_id: record.run_id, status: record.status, start_time: record.start_time, end_time: record.end_time };
    const files = await listArtifacts({ root: opts.root, runId: version.run_id, prefix: "charts/", io: opts.io });
    charts = files
      .map((f) => f.slice("charts/".length))
      .filter((f) => CHART_RE.test(f))
      .map((f) => ({ name: f.replace(/\.svg$/, ""), url: `/monitoring/charts/${f}` }));
  } catch {
    // a registered version whose run is gone still shows its registered metrics
  }
  let segments: SegmentReport | null = null;
  try {
    const bytes = await readArtifact({ root: opts.root, runId: version.run_id, path: SEGMENTS_FILE, io: opts.io });
    const doc = JSON.parse(new TextDecoder().decode(bytes));
    if (doc?.format === "segment-metrics/1" && Array.isArray(doc.segments)) segments = doc;
  } catch {
    // runs trained before segments were reported, or without segments in the model spec
  }
  const policy = version.policy as Record<string, unknown> | null;
  const threshold = typeof policy?.threshold === "number" ? policy.threshold : version.metrics.threshold ?? null;
  return {
    champion: {
      name: version.name,
      version: version.version,
      aliases: version.aliases,
      description: version.description,
      tags: version.tags,
      metrics: version.metrics,
      threshold,
      policy: describePolicy(policy),
      registered_at: version.created_time,
      run,
      charts,
      segments,
    },
    problem: null,
  };
}

/**
 * A threshold policy in words, in the engine's generic terms (label 1 is the positive class): `"90.0% recall of the
 * positive class"` or `"lowest expected cost (missed positive 5, false positive 1)"` (null when there is none).
 *
 * @example
 * ```ts
 * import { describePolicy } from "./monitoring.ts";
 * describePolicy({ threshold: 0.2, policy: { kind: "target_recall", targetRecall: 0.9 } }); // "90.0% recall of the positive class"
 * ```
 */
export function describePolicy(choice: Record<string, unknown> | null): string | null {
  const policy = choice?.policy as Record<string, unknown> | undefined;
  if (!policy || typeof policy !== "object") return null;
  if (policy.kind === "target_recall" && typeof policy.targetRecall === "number") {
    return `${(policy.targetRecall * 100).toFixed(1)}% recall of the positive class`;
  }
  if (policy.kind === "min_cost") {
    return `lowest expected cost (missed positive ${policy.costMissedDefault}, false positive ${policy.costRejectedGood})`;
  }
  return null;
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const obj = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === "object" && !Array.isArray(v) ? v as Record<string, unknown> : null;

/**
 * Checks a parsed `drift_report.json` against the `drift-report/1` contract and keeps what the page shows.
 * Throws an error naming the first field that does not fit.
 *
 * @example
 * ```ts
 * import { parseDriftReport } from "./monitoring.ts";
 * const summary = parseDriftReport(JSON.parse(await Deno.readTextFile("reports/drift/drift_report.json")));
 * console.log(summary.n_drifted, summary.columns[0].column);
 * ```
 */
export function parseDriftReport(doc: unknown): DriftSummary {
  const d = obj(doc);
  if (!d) throw new Error("it is not a JSON object");
  const format = str(d.format);
  if (!format?.startsWith("drift-report/")) {
    throw new Error(`field "format" is ${JSON.stringify(d.format)}; expected "drift-report/1"`);
  }
  if (!Array.isArray(d.columns)) throw new Error(`field "columns" must be a list`);
  const columns = d.columns.map((c: unknown, i: number): DriftColumnSummary => {
    const col = obj(c);
    if (!col || typeof col.column !== "string") throw new Error(`columns[${i}] has no "column" name`);
    return {
      column: col.column,
      kind: str(col.kind) ?? "",
      test: str(col.test) ?? "",
      threshold: num(col.threshold),
      score: num(col.score),
      drifted: col.drifted === true,
      missing_share_reference: num(col.missing_share_reference),
      missing_share_current: num(col.missing_share_current),
      new_categories: Array.isArray(col.new_categories) ? col.new_categories.map(String) : [],
      note: str(col.note),
    };
  });
  columns.sort((a, b) => (b.score ?? -Infinity) - (a.score ?? -Infinity));
  const side = (v: unknown) => ({ source: str(obj(v)?.source) ?? "", rows: num(obj(v)?.rows) });
  const nDrifted = num(d.n_drifted) ?? columns.filter((c) => c.drifted).length;
  return {
    format,
    generated_at: str(d.generated_at),
    reference: side(d.reference),
    current: side(d.current),
    dataset_drift: d.dataset_drift === true,
    drift_share: num(d.drift_share),
    drift_share_threshold: num(d.drift_share_threshold),
    n_columns: num(d.n_columns) ?? columns.length,
    n_drifted: nDrifted,
    columns,
    prediction_drift: obj(d.prediction_drift),
    target_drift: obj(d.target_drift),
    score_psi: parseScorePsi(d.psi),
    retraining: parseRetraining(d.retraining, d),
  };
}

function parseScorePsi(v: unknown): DriftSummary["score_psi"] {
  const p = obj(v);
  const value = num(p?.value);
  if (!p || value === null) return null;
  const t = obj(p.thresholds);
  const moderate = num(t?.moderate), major = num(t?.major);
  return {
    column: str(p.column) ?? "",
    value,
    verdict: str(p.verdict),
    thresholds: moderate === null || major === null ? null : { moderate, major },
  };
}

/**
 * The trigger's signals: recorded by the monitor (`retraining.trigger`); reports written before the monitor recorded
 * the numbers take them from the report itself (its `psi.value` and `drift_share`).
 */
function parseTrigger(v: unknown, report: Record<string, unknown>): RetrainingTriggerSummary | null {
  const t = obj(v);
  if (!t) return null;
  const psiThreshold = num(t.psi_threshold), shareThreshold = num(t.drift_share_threshold);
  const psi = num(t.score_psi) ?? num(obj(report.psi)?.value);
  const share = num(t.drift_share) ?? num(report.drift_share);
  const reached = (x: number | null, at: number | null) => x !== null && at !== null && x >= at;
  return {
    score_psi: psi,
    psi_threshold: psiThreshold,
    score_shift: typeof t.score_shift === "boolean" ? t.score_shift : reached(psi, psiThreshold),
    drift_share: share,
    drift_share_threshold: shareThreshold,
    dataset_drift: typeof t.dataset_drift === "boolean" ? t.dataset_drift : reached(share, shareThreshold),
    forced: t.forced === true,
  };
}

/** Keeps what the page shows of a report's `retraining` section; null when there is none. */
function parseRetraining(v: unknown, report: Record<string, unknown>): RetrainingSummary | null {
  const r = obj(v);
  if (!r) return null;
  const decision = str(r.decision);
  if (!decision) throw new Error(`field "retraining.decision" is ${JSON.stringify(r.decision)}; expected a text`);
  const c = obj(r.comparison);
  return {
    decision,
    explanation: str(r.explanation) ?? "",
    trigger: parseTrigger(r.trigger, report),
    monitor_run_id: str(r.monitor_run_id),
    champion_before: num(obj(r.champion)?.version),
    champion_after: num(r.champion_after),
    challenger: num(obj(r.challenger)?.version),
    comparison: c
      ? {
        metric: str(c.metric_label) ?? str(c.metric) ?? "",
        champion: num(obj(c.champion)?.value),
        challenger: num(obj(c.challenger)?.value),
        improvement: num(c.improvement),
        margin: num(c.margin),
        holdout_rows: num(obj(c.holdout)?.rows),
        ...(obj(c.policy_check)
          ? { policy: { met: obj(c.policy_check)!.met === true, text: str(obj(c.policy_check)!.text) ?? "" } }
          : {}),
        ...(obj(c.decay)
          ? { decay: { decayed: obj(c.decay)!.decayed === true, text: str(obj(c.decay)!.text) ?? "" } }
          : {}),
      }
      : null,
  };
}

async function readDriftSummary(
  dir: string,
  io?: IoOptions,
): Promise<{ report: DriftSummary | null; html_url: string | null; problem: string | null }> {
  const jsonUri = joinUri(dir, "drift_report.json");
  const none = `No drift report yet: run deno task drift (or deno task monitor) to write one to "${dir}"`;
  let bytes: Uint8Array;
  try {
    bytes = await readBytes(jsonUri, { ...io });
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return { report: null, html_url: null, problem: none };
    return { report: null, html_url: null, problem: `The drift report cannot be read: ${(err as Error).message}` };
  }
  let report: DriftSummary;
  try {
    report = parseDriftReport(JSON.parse(dec.decode(bytes)));
  } catch (err) {
    return { report: null, html_url: null, problem: `"${jsonUri}" is not a drift report: ${(err as Error).message}` };
  }
  const html = await exists(joinUri(dir, "drift_report.html"), { ...io }).catch(() => false);
  return { report, html_url: html ? "/monitoring/drift_report.html" : null, problem: null };
}

/**
 * The monitoring routes (page, its JSON, charts, full drift report).
 *
 * @example
 * ```ts
 * import { monitoringRoutes } from "./monitoring.ts";
 * const routes = await monitoringRoutes({ root: "data/models", name: "credit_default" });
 * ```
 */
export async function monitoringRoutes(opts: MonitoringOptions): Promise<Routes> {
  const dir = opts.driftReportDir ?? DEFAULT_DRIFT_REPORT_DIR;
  return {
    ...(await staticRoutes({ "/monitoring": new URL("./pages/monitoring.html", import.meta.url) })),
    ...(await assetRoutes([new URL("./pages/monitoring.js", import.meta.url)])),
    "GET /api/monitoring": async () => jsonResponse(await monitoringData(opts), 200, { "cache-control": "no-store" }),
    "GET /monitoring/charts/*": async (request) => {
      const raw = new URL(request.url).pathname.slice("/monitoring/charts/".length);
      let file: string;
      try {
        file = decodeURIComponent(raw);
      } catch {
        throw new HttpError(400, `Chart name "${raw}" is not a valid percent-encoded path`);
      }
      if (!CHART_RE.test(file)) throw new HttpError(404, `No chart "${file}"`);
      let version: ModelVersion;
      try {
        version = await getVersion({ root: opts.root, name: opts.name, alias: opts.alias ?? "champion", io: opts.io });
      } catch {
        throw new HttpError(404, `No chart "${file}": model "${opts.name}" has no champion`);
      }
      try {
        const svg = await readArtifact({ root: opts.root, runId: version.run_id, path: `charts/${file}`, io: opts.io });
        return fileResponse(svg, file, { csp: REPORT_CSP });
      } catch {
        throw new HttpError(404, `No chart "${file}" in the run of version ${version.version}`);
      }
    },
    "GET /monitoring/drift_report.html": async () => {
      try {
        const html = await readBytes(joinUri(dir, "drift_report.html"), { ...opts.io });
        return fileResponse(html, "drift_report.html", { csp: REPORT_CSP, cacheControl: "no-store" });
      } catch (err) {
        if (err instanceof ObjectNotFoundError) {
          throw new HttpError(404, `No drift report yet in "${dir}": run deno task drift`);
        }
        throw err;
      }
    },
  };
}

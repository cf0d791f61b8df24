/**
 * `deno task monitor`: drift of recently scored applications against the champion's training reference; on drift,
 * a challenger trained on the newest labelled loans, compared with the champion on a holdout of the newest labelled
 * loans and promoted only when better by the margin (lib/monitoring/monitor.ts). Writes `drift_report.html` and
 * `drift_report.json` with a `retraining` section to `--out` (default `reports/drift`); every step is a run in the
 * model store.
 *
 * The scored applications are read from the batch-scoring output (`--scored`, manifested runs only) by the
 * applications' date: the `--days` days up to `--until` (default today, UTC), or from `--since`.
 *
 * Exit status: 0 the champion is unchanged (no drift, or drift but the challenger was not better by the margin, or
 * a dry run), 3 a challenger was promoted, 1 an error (nothing promoted), 2 bad arguments.
 *
 * @example
 * ```sh
 * deno task monitor --days 1                                 # daily, from cron or a systemd timer
 * deno task monitor --since 2021-11-01 --until 2021-12-31 --dry-run --margin 0.01 --metric pr_auc
 * ```
 * @module
 */
import {
  choiceFlag,
  intFlag,
  numberFlag,
  type ParsedArgs,
  parseTaskArgs,
  runTask,
  UsageError,
} from "../lib/cli/mod.ts";
import { type FeatureStoreConfig, toS3Options } from "../lib/feature_store/config.ts";
import { FeatureStore } from "../lib/feature_store/feature_store.ts";
import { exists } from "../lib/io/mod.ts";
import { openRepoFlag, trainingSourceOf } from "../lib/repo/load.ts";
import { COMPARISON_METRICS, type ComparisonMetric, DEFAULT_PROMOTION_RULE } from "../lib/model/champion.ts";
import { reasonUnits } from "../lib/model/explain.ts";
import { MODEL_TYPE_NAMES } from "../lib/model/model_types.ts";
import { readScoredRuns } from "../lib/scoring/reader.ts";
import { DEFAULT_DRIFT_DIR, DEFAULT_DRIFT_SHARE } from "../lib/monitoring/mod.ts";
import { type MonitorResult, runMonitor } from "../lib/monitoring/monitor.ts";
import { PSI_THRESHOLD } from "../lib/monitoring/psi.ts";

/** Usage line of the task. */
export const USAGE =
  "deno task monitor [--repo DIR] [--scored DIR|s3://...] [--days N] [--since YYYY-MM-DD] [--until YYYY-MM-DD] " +
  "[--metric roc_auc|pr_auc|ks|gini|brier|log_loss] [--margin X] [--drift-share X] [--psi X] [--force-retrain] " +
  "[--dry-run] [--holdout-days N] [--train-days N] [--data NAME] [--model mlp|logistic|...] [--seed S] " +
  "[--epochs N] [--name NAME] [--out DIR|s3://...]";

/** Default batch-scoring output read for scored applications. */
export const DEFAULT_SCORED = "data/scored";

/** The task's parsed options. */
export interface MonitorArgs {
  scored: string;
  /** First and last application day read (YYYY-MM-DD, UTC, inclusive). */
  since: string;
  until: string;
  metric: ComparisonMetric;
  margin: number;
  driftShare: number;
  psi: number;
  forceRetrain: boolean;
  dryRun: boolean;
  holdoutDays: number;
  trainDays: number;
  /** A dataset of the repo (default the model spec's own entity rows). */
  data?: string;
  /** Default: the model spec's. */
  model?: string;
  seed: number;
  epochs?: number;
  /** Default: the model spec's. */
  name?: string;
  repo?: string;
  out: string;
  help: boolean;
}

function number(values: ParsedArgs["values"], flag: string, check: (x: number) => boolean, expected: string) {
  return numberFlag(values, flag, { check, expected, usage: USAGE });
}

function day(values: ParsedArgs["values"], flag: string): string | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const text = String(raw);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) {
    throw new UsageError(`Flag "--${flag}" is "${text}"; expected a date YYYY-MM-DD`, USAGE);
  }
  return text;
}

/**
 * Parses and checks the arguments (errors are {@link UsageError}s naming the flag). `today` fixes the default
 * `--until` (tests).
 *
 * @example
 * ```ts
 * parseMonitorArgs(["--days", "7", "--until", "2021-12-31"]); // since "2021-12-25", until "2021-12-31", ...
 * ```
 */
export function parseMonitorArgs(args: string[], today: Date = new Date()): MonitorArgs {
  const { values } = parseTaskArgs(args, {
    usage: USAGE,
    options: {
      scored: { type: "string", default: DEFAULT_SCORED },
      days: { type: "string" },
      since: { type: "string" },
      until: { type: "string" },
      metric: { type: "string", default: DEFAULT_PROMOTION_RULE.metric },
      margin: { type: "string" },
      "drift-share": { type: "string" },
      psi: { type: "string" },
      "force-retrain": { type: "boolean" },
      "dry-run": { type: "boolean" },
      "holdout-days": { type: "string" },
      "train-days": { type: "string" },
      repo: { type: "string" },
      data: { type: "string" },
      model: { type: "string" },
      seed: { type: "string" },
      epochs: { type: "string" },
      name: { type: "string" },
      out: { type: "string", default: DEFAULT_DRIFT_DIR },
    },
  });
  const metric = String(values.metric);
  if (!(metric in COMPARISON_METRICS)) {
    throw new UsageError(
      `Flag "--metric" is "${metric}"; expected one of ${Object.keys(COMPARISON_METRICS).join(", ")}`,
      USAGE,
    );
  }
  const model = values.model === undefined
    ? undefined
    : choiceFlag(values, "model", MODEL_TYPE_NAMES, { usage: USAGE });
  const until = day(values, "until") ?? today.toISOString().slice(0, 10);
  let since = day(values, "since");
  if (since !== undefined && values.days !== undefined) {
    throw new UsageError(`Give "--days" or "--since", not both`, USAGE);
  }
  if (since === undefined) {
    const days = intFlag(values, "days", { min: 1, max: 3660, fallback: 7 });
    since = new Date(Date.parse(`${until}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  }
  if (since > until) throw new UsageError(`Flag "--since" (${since}) is after "--until" (${until})`, USAGE);
  return {
    scored: String(values.scored).replace(/\/+$/, ""),
    since,
    until,
    metric: metric as ComparisonMetric,
    margin: number(values, "margin", (x) => x >= 0, "a number >= 0") ?? DEFAULT_PROMOTION_RULE.margin,
    driftShare: number(values, "drift-share", (x) => x > 0 && x <= 1, "a number in (0, 1]") ?? DEFAULT_DRIFT_SHARE,
    psi: number(values, "psi", (x) => x > 0, "a number above 0") ?? PSI_THRESHOLD,
    forceRetrain: Boolean(values["force-retrain"]),
    dryRun: Boolean(values["dry-run"]),
    holdoutDays: intFlag(values, "holdout-days", { min: 1, fallback: 30 }),
    trainDays: intFlag(values, "train-days", { min: 1, fallback: 365 }),
    data: values.data === undefined ? undefined : String(values.data),
    model,
    repo: values.repo === undefined ? undefined : String(values.repo),
    seed: intFlag(values, "seed", { min: 0, fallback: 42 }),
    epochs: values.epochs === undefined ? undefined : intFlag(values, "epochs", { min: 1, max: 10_000 }),
    name: values.name === undefined ? undefined : String(values.name),
    out: String(values.out),
    help: Boolean(values.help),
  };
}

/**
 * The task's body: reads the scored window, runs the monitor with the configured stores (or `opts.config`), prints
 * what it decided and why. Returns the result (its `exitCode` is the task's exit status).
 *
 * @example
 * ```ts
 * const r = await main(["--since", "2021-11-01", "--until", "2021-12-31", "--dry-run"]);
 * console.log(r?.decision);
 * ```
 */
export async function main(
  args: string[],
  out: (line: string) => void = console.log,
  opts: { config?: FeatureStoreConfig; today?: Date } = {},
): Promise<MonitorResult | null> {
  const parsed = parseMonitorArgs(args, opts.today);
  if (parsed.help) {
    out(`usage: ${USAGE}`);
    return null;
  }
  const opened = await openRepoFlag(parsed.repo, { config: opts.config });
  const config = opened.config;
  const io = { s3: toS3Options(config.s3) };
  const window = `applications of ${parsed.since} to ${parsed.until}`;
  const scored = await readScoredRuns(parsed.scored, { io, from: parsed.since, to: parsed.until });
  out(
    `Scored ${window}: ${scored.table.numRows} rows from ${scored.runs.length} manifested run(s) in "${parsed.scored}"` +
      (scored.ignored.length ? ` (${scored.ignored.length} manifest(s) ignored: ${scored.ignored[0].reason})` : ""),
  );
  const source = trainingSourceOf(opened, parsed.data);
  const labelled = async () => {
    if (!(await exists(source.entities, io))) throw new Error(`No labelled rows at "${source.entities}"`);
    const store = await FeatureStore.open({ config, repo: source.repo });
    try {
      return await store.getHistoricalFeatures({ entities: source.entities, features: source.features });
    } finally {
      await store.close();
    }
  };
  const r = await runMonitor({
    root: config.model_store,
    name: parsed.name ?? opened.model.name,
    io,
    current: scored.table,
    currentSource: `"${parsed.scored}" (${window})`,
    labelled,
    spec: source.spec,
    rule: { metric: parsed.metric, margin: parsed.margin },
    driftShare: parsed.driftShare,
    psiThreshold: parsed.psi,
    forceRetrain: parsed.forceRetrain,
    dryRun: parsed.dryRun,
    // the challenger must also meet the model spec's decision policy on the holdout at its own threshold
    policy: opened.model.policy,
    // the repo's units ("$", "years") title the report charts' value axes
    units: reasonUnits(opened.model),
    holdoutDays: parsed.holdoutDays,
    trainDays: parsed.trainDays,
    train: {
      modelType: parsed.model ?? opened.model.modelType,
      seed: parsed.seed,
      epochs: parsed.epochs,
      policy: opened.model.policy,
    },
    out: parsed.out,
    params: { scored: parsed.scored, since: parsed.since, until: parsed.until, data: source.kind },
    log: (line) => out(`  ${line}`),
  });
  out(`Drift: ${r.report.summary}${r.report.psi ? `; score PSI ${r.report.psi.value.toFixed(3)}` : ""}`);
  out(`Decision (${r.decision}, exit ${r.exitCode}): ${r.explanation}`);
  out(`Report ${r.files?.html ?? "(not written)"}; monitor run ${r.runId}`);
  return r;
}

if (import.meta.main) await runTask(async () => (await main(Deno.args))?.exitCode ?? 0);

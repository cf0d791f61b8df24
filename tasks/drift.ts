/**
 * `deno task drift --reference <data|profile.json> --current <data> [--out DIR|s3://...]`: data drift report of the
 * current data against a reference (lib/monitoring): `drift_report.html` (self-contained) and `drift_report.json`
 * in `--out` (default `reports/drift`). Exit status: 0 no dataset drift, 3 dataset drift, 2 usage error, 1 other
 * errors.
 *
 * @example
 * ```sh
 * deno task drift --reference data/generated/training_set.parquet --current today.parquet \
 *   --save-profile reports/reference.profile.json
 * deno task drift --reference reports/reference.profile.json --current tomorrow.parquet --test loan_amnt=psi
 * ```
 * @module
 */
import { intFlag, parseTaskArgs, Progress, runTask, UsageError } from "../lib/cli/mod.ts";
import { toS3Options } from "../lib/feature_store/config.ts";
import { openRepoFlag } from "../lib/repo/load.ts";
import { readSchema } from "../lib/io/mod.ts";
import { reasonUnits } from "../lib/model/explain.ts";
import { DEFAULT_DRIFT_DIR, isProfilePath, loadProfile, runDrift, statTestNames } from "../lib/monitoring/mod.ts";

/** Usage line of the task. */
export const USAGE =
  "deno task drift [--repo DIR] --reference <data|profile.json> --current <data> [--out DIR|s3://...] " +
  "[--save-profile FILE.json] [--columns a,b] [--exclude a,b] [--test COLUMN=TEST]... [--threshold COLUMN=X]... " +
  "[--drift-share 0.5] [--prediction-column C|none] [--target-column C|none] [--psi-bins 10] [--workers N]";

/** Exit status when the dataset drifts. */
export const EXIT_DRIFT = 3;

/** The parsed flags. */
export interface DriftArgs {
  /** The repo (its label is the default target column). */
  repo?: string;
  reference: string;
  current: string;
  out: string;
  saveProfile?: string;
  columns?: string[];
  exclude?: string[];
  tests: Record<string, string>;
  thresholds: Record<string, number>;
  driftShare: number;
  /** undefined: "probability" when both sides have it; null: none. */
  predictionColumn?: string | null;
  /** undefined: the repo's label when the reference has it; null: none. */
  targetColumn?: string | null;
  psiBins: number;
  workers?: number;
  help: boolean;
}

function list(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  return String(v).split(",").map((s) => s.trim()).filter(Boolean);
}

function pairs(v: unknown, flag: string): [string, string][] {
  const items = (v as string[] | undefined) ?? [];
  return items.map((item) => {
    const i = item.lastIndexOf("=");
    if (i <= 0 || i === item.length - 1) {
      throw new UsageError(`Flag "--${flag}" is "${item}"; expected COLUMN=VALUE`, USAGE);
    }
    return [item.slice(0, i), item.slice(i + 1)];
  });
}

function share(v: unknown, flag: string, fallback: number): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!(x > 0 && x <= 1)) throw new UsageError(`Flag "--${flag}" is "${v}"; expected a number in (0, 1]`, USAGE);
  return x;
}

/**
 * Parses the flags; `--test` and `--threshold` repeat.
 *
 * @example
 * ```ts
 * parseDriftArgs(["--reference", "a.parquet", "--current", "b.parquet", "--test", "loan_amnt=psi"]).tests;
 * // { loan_amnt: "psi" }
 * ```
 */
export function parseDriftArgs(args: string[]): DriftArgs {
  const { values } = parseTaskArgs(args, {
    usage: USAGE,
    options: {
      repo: { type: "string" },
      reference: { type: "string" },
      current: { type: "string" },
      out: { type: "string" },
      "save-profile": { type: "string" },
      columns: { type: "string" },
      exclude: { type: "string" },
      test: { type: "string", multiple: true },
      threshold: { type: "string", multiple: true },
      "drift-share": { type: "string" },
      "prediction-column": { type: "string" },
      "target-column": { type: "string" },
      "psi-bins": { type: "string" },
      workers: { type: "string" },
    },
  });
  const none = (v: unknown) => (v === undefined ? undefined : String(v) === "none" ? null : String(v));
  const parsed: DriftArgs = {
    reference: String(values.reference ?? ""),
    current: String(values.current ?? ""),
    out: String(values.out ?? DEFAULT_DRIFT_DIR).replace(/\/+$/, ""),
    saveProfile: values["save-profile"] === undefined ? undefined : String(values["save-profile"]),
    columns: list(values.columns),
    exclude: list(values.exclude),
    tests: {},
    thresholds: {},
    driftShare: share(values["drift-share"], "drift-share", 0.5),
    predictionColumn: none(values["prediction-column"]),
    targetColumn: none(values["target-column"]),
    psiBins: intFlag(values, "psi-bins", { min: 2, max: 100, fallback: 10 }),
    workers: values.workers === undefined ? undefined : intFlag(values, "workers", { min: 0, max: 64 }),
    help: Boolean(values.help),
    repo: values.repo === undefined ? undefined : String(values.repo),
  };
  if (parsed.help) return parsed;
  if (!parsed.reference) throw new UsageError(`Flag "--reference" is required`, USAGE);
  if (!parsed.current) throw new UsageError(`Flag "--current" is required`, USAGE);
  const known = statTestNames();
  for (const [column, test] of pairs(values.test, "test")) {
    if (!known.includes(test)) {
      throw new UsageError(
        `Flag "--test" names test "${test}" for "${column}"; known tests: ${known.join(", ")}`,
        USAGE,
      );
    }
    parsed.tests[column] = test;
  }
  for (const [column, raw] of pairs(values.threshold, "threshold")) {
    const x = Number(raw);
    if (!Number.isFinite(x)) throw new UsageError(`Flag "--threshold" is "${column}=${raw}"; expected a number`, USAGE);
    parsed.thresholds[column] = x;
  }
  if (parsed.saveProfile !== undefined && !isProfilePath(parsed.saveProfile)) {
    throw new UsageError(`Flag "--save-profile" is "${parsed.saveProfile}"; a profile file ends in .json`, USAGE);
  }
  if (parsed.saveProfile !== undefined && isProfilePath(parsed.reference)) {
    throw new UsageError(`Flag "--save-profile" needs reference data, not the profile "${parsed.reference}"`, USAGE);
  }
  return parsed;
}

function fmt(x: number | null): string {
  if (x === null) return "–";
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(2) : String(Number(x.toPrecision(4)));
}

/**
 * The task's body: prints the summary and returns the exit status (0 no dataset drift, 3 dataset drift).
 *
 * @example
 * ```ts
 * const code = await main(["--reference", "ref.parquet", "--current", "cur.parquet", "--out", "reports/drift"]);
 * ```
 */
export async function main(args: string[], out: (line: string) => void = console.log): Promise<number> {
  const a = parseDriftArgs(args);
  if (a.help) {
    out(`usage: ${USAGE}`);
    return 0;
  }
  const opened = await openRepoFlag(a.repo);
  const config = opened.config;
  const io = { s3: toS3Options(config.s3) };
  // the repo's defaults: the score column of batch scoring and the model spec's label, when present
  const refColumns = isProfilePath(a.reference)
    ? (await loadProfile(a.reference, io)).columns.map((c) => c.column)
    : (await readSchema(a.reference, io)).fields.map((f) => f.name);
  const curColumns = (await readSchema(a.current, io)).fields.map((f) => f.name);
  const prediction = a.predictionColumn === undefined
    ? (refColumns.includes("probability") && curColumns.includes("probability") ? "probability" : undefined)
    : a.predictionColumn ?? undefined;
  const target = a.targetColumn === undefined
    ? (refColumns.includes(opened.model.label) ? opened.model.label : undefined)
    : a.targetColumn ?? undefined;
  const bar: { progress?: Progress } = {};
  const result = await runDrift({
    reference: a.reference,
    current: a.current,
    out: a.out,
    saveProfileTo: a.saveProfile,
    columns: a.columns,
    exclude: a.exclude,
    tests: a.tests,
    thresholds: a.thresholds,
    driftShare: a.driftShare,
    predictionColumn: prediction,
    targetColumn: target,
    psiBins: a.psiBins,
    workers: a.workers,
    // the repo's units ("$", "years") title the charts' value axes
    units: reasonUnits(opened.model),
    onProgress: (done, total) =>
      (bar.progress ??= new Progress({ label: "drift", unit: "columns", total })).update(done),
    ...io,
  });
  bar.progress?.done();
  const r = result.report;
  out(
    `Reference: ${r.reference.source} (${r.reference.rows.toLocaleString("en")} rows${
      r.reference.profile ? ", saved profile" : ""
    }); current: ${r.current.source} (${r.current.rows.toLocaleString("en")} rows)`,
  );
  out(
    `${r.dataset_drift ? "Dataset drift" : "No dataset drift"}: ${r.summary} (${(100 * r.drift_share).toFixed(1)}%; ` +
      `dataset drift at >= ${(100 * r.drift_share_threshold).toFixed(1)}%)`,
  );
  for (const c of r.columns.filter((c) => c.drifted).slice(0, 10)) {
    out(
      `  ${c.column}: ${c.test} ${fmt(c.score)} (drift when ${
        c.score_kind === "p_value" ? "p <" : ">="
      } ${c.threshold}), PSI ${fmt(c.psi)}`,
    );
  }
  if (r.n_drifted > 10) out(`  ... ${r.n_drifted - 10} more drifted columns in the report`);
  if (r.prediction_drift) {
    const p = r.prediction_drift;
    out(
      `Score drift (${p.column}): ${p.test} ${fmt(p.score)}${p.drifted ? " drift" : ""}, PSI ${fmt(p.psi)}${
        p.psi_verdict ? ` (${p.psi_verdict})` : ""
      }`,
    );
  }
  if (r.target_drift) {
    const t = r.target_drift;
    const rates = t.rate_reference !== null && t.rate_current !== null
      ? `, positive class ${(100 * t.rate_reference).toFixed(1)}% -> ${(100 * t.rate_current).toFixed(1)}%`
      : "";
    out(`Target drift (${t.column}): ${t.test} ${fmt(t.score)}${t.drifted ? " drift" : ""}${rates}`);
  }
  for (const s of r.skipped_columns) out(`  not tested: ${s.column} (${s.reason})`);
  if (result.files) {
    out(
      `Wrote ${result.files.html} (${(result.files.htmlBytes / 1024).toFixed(0)} KB) and ${result.files.json} ` +
        `in ${r.timings.total_s.toFixed(1)} s (reading ${(r.timings.read_s ?? 0).toFixed(1)} s)`,
    );
  }
  if (result.profileBytes !== null) {
    out(`Saved the reference profile to ${a.saveProfile} (${(result.profileBytes / 1024).toFixed(0)} KB)`);
  }
  return r.dataset_drift ? EXIT_DRIFT : 0;
}

if (import.meta.main) await runTask(() => main(Deno.args));

/**
 * Drift reports: reference data (an Arrow table or a danfojs DataFrame, or a saved {@link ReferenceProfile}) against
 * current data (a table or a DataFrame), every shared column tested with Evidently's default test or the user's, PSI
 * (CSI) beside every column, dataset drift when the share of drifted columns reaches `driftShare` (0.5), plus
 * prediction (score) drift with the credit-style PSI table and target drift when labels are present.
 *
 * Numerical columns are sorted once per side and every statistic reads the sorted arrays; with more than 200,000
 * values in all, columns run on up to two workers (`workers` to change). No per-row objects.
 *
 * @example
 * ```ts
 * import { computeDrift } from "./drift.ts";
 * import { writeDriftReport } from "./report.ts";
 * import { readTable } from "../io/mod.ts";
 * const { report } = await computeDrift(await readTable("train.parquet"), await readTable("today.parquet"));
 * await writeDriftReport(report, "reports/drift");
 * console.log(report.summary); // "drift in 4 of 20 columns"
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { categoryCounts, chunkBuffers, numericChunks, type ValueType, valueType } from "./columns.ts";
import {
  type ColumnDrift,
  type ColumnOptions,
  compareCategories,
  type NumericReference,
  type PsiBin,
  severity,
  type SideCounts,
} from "./column_drift.ts";
import type { NumericTask, NumericTaskResult } from "./numeric_task.ts";
import { runNumericTask } from "./numeric_task.ts";
import {
  type CategoricalProfileColumn,
  isProfile,
  type NumericProfileColumn,
  PROFILE_FORMAT,
  type ProfileColumn,
  type ReferenceProfile,
} from "./profile.ts";
import { PSI_DEFAULT_BINS, PSI_MAJOR, PSI_THRESHOLD } from "./psi.ts";
import { getStatTest, isBuiltinTest } from "./registry.ts";
import { type DataFrame, type TableInput, toArrowTable, toDataFrame } from "../io/dataframe.ts";

/** JSON report format tag. */
export const REPORT_FORMAT = "drift-report/1";
/** Default share of drifted columns that makes the dataset drift. */
export const DEFAULT_DRIFT_SHARE = 0.5;

/** Options of {@link computeDrift}. */
export interface DriftOptions {
  /** Columns to test (default: every column both sides share, except the prediction and target columns). */
  columns?: string[];
  /** Columns to leave out (names absent from both sides are ignored). */
  exclude?: string[];
  /** Test per column instead of the default, e.g. `{ loan_amnt: "psi" }`. */
  tests?: Record<string, string>;
  /** Threshold per column instead of the test's default. */
  thresholds?: Record<string, number>;
  /** Dataset drift when the share of drifted columns is >= this (default 0.5). */
  driftShare?: number;
  /** The model's score column (probability): prediction drift and the PSI table. */
  predictionColumn?: string;
  /** The label column: target drift when current data has it. */
  targetColumn?: string;
  /** PSI quantile bins (default 10). */
  psiBins?: number;
  /** Bins of the numerical charts (default 20). */
  histogramBins?: number;
  /** Worker threads for numerical columns; default 2 (at most the cores) above 200,000 values, else 0. */
  workers?: number;
  /** Names of the two sides in the report (file paths). */
  referenceSource?: string;
  currentSource?: string;
  /** Called after each column with the count done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Prediction drift: the score column's drift plus its PSI verdict. */
export interface PredictionDrift extends ColumnDrift {
  /** PSI verdict as credit risk teams word it: < 0.1 stable, < 0.25 moderate shift, else major shift. */
  psi_verdict: "stable" | "moderate shift" | "major shift" | null;
}

/** Target drift: the label column's drift, with positive rates for 0/1 labels. */
export interface TargetDrift extends ColumnDrift {
  /** Share of label 1 (default rate) in reference and current data, for 0/1 or true/false labels. */
  rate_reference: number | null;
  rate_current: number | null;
}

/** The score's PSI as credit risk teams report it. */
export interface ScorePsi {
  column: string;
  value: number;
  verdict: "stable" | "moderate shift" | "major shift";
  thresholds: { moderate: number; major: number };
  bins: PsiBin[];
}

/** The JSON drift report (contract with the web page and the retraining job). */
export interface DriftReport {
  format: typeof REPORT_FORMAT;
  generated_at: string;
  reference: { source: string; rows: number; profile: boolean };
  current: { source: string; rows: number };
  dataset_drift: boolean;
  /** Share of tested columns that drifted. */
  drift_share: number;
  drift_share_threshold: number;
  n_columns: number;
  /** Feature columns with a test result (the drift share's denominator). */
  n_tested: number;
  n_drifted: number;
  /** "drift in 4 of 20 columns". */
  summary: string;
  /** Feature columns, drifted first, then by how far past the threshold. */
  columns: ColumnDrift[];
  /** Columns present on both sides but not tested, with the reason. */
  skipped_columns: { column: string; reason: string }[];
  prediction_drift: PredictionDrift | null;
  target_drift: TargetDrift | null;
  psi: ScorePsi | null;
  /** Seconds per stage. */
  timings: Record<string, number>;
}

/** A computed report, and the reference profile (exact, from data or as loaded) to save for later runs. */
export interface DriftRun {
  report: DriftReport;
  profile: ReferenceProfile;
}

interface Job {
  column: string;
  role: "feature" | "prediction" | "target";
  options: ColumnOptions;
}

/** A reference side: a table, or a profile (columns by name). */
type Reference =
  | { kind: "table"; table: arrow.Table; types: Map<string, ValueType> }
  | { kind: "profile"; profile: ReferenceProfile; byName: Map<string, ProfileColumn> };

function profileType(c: ProfileColumn): ValueType {
  return c.type;
}

/** A small pool of drift workers; tasks queue and go to whichever worker is free. */
class WorkerPool {
  #workers: Worker[] = [];
  #idle: Worker[] = [];
  #queue: {
    msg: unknown;
    transfer: Transferable[];
    resolve: (r: NumericTaskResult) => void;
    reject: (e: Error) => void;
  }[] = [];
  #pending = new Map<number, { resolve: (r: NumericTaskResult) => void; reject: (e: Error) => void }>();
  #nextId = 1;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL("./drift_worker.ts", import.meta.url).href, { type: "module" });
      w.onmessage = (e: MessageEvent) => {
        const { id, result, error } = e.data;
        const p = this.#pending.get(id)!;
        this.#pending.delete(id);
        this.#idle.push(w);
        this.#pump();
        if (error) p.reject(new Error(error));
        else p.resolve(result);
      };
      w.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        for (const p of this.#pending.values()) p.reject(new Error(`Drift worker failed: ${e.message}`));
        this.#pending.clear();
      };
      this.#workers.push(w);
      this.#idle.push(w);
    }
  }

  run(task: NumericTask, transfer: Transferable[]): Promise<NumericTaskResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ msg: task, transfer, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#idle.length && this.#queue.length) {
      const w = this.#idle.pop()!;
      const job = this.#queue.shift()!;
      const id = this.#nextId++;
      this.#pending.set(id, { resolve: job.resolve, reject: job.reject });
      w.postMessage({ id, task: job.msg }, job.transfer);
    }
  }

  close(): void {
    for (const w of this.#workers) w.terminate();
  }
}

function psiVerdict(psi: number): "stable" | "moderate shift" | "major shift" {
  return psi >= PSI_MAJOR ? "major shift" : psi >= PSI_THRESHOLD ? "moderate shift" : "stable";
}

function checkNames(names: string[] | undefined, available: Set<string>, flag: string, side: string): void {
  for (const n of names ?? []) {
    if (!available.has(n)) {
      throw new Error(`Column "${n}" (${flag}) is not in the ${side} data; columns: ${[...available].join(", ")}`);
    }
  }
}

/**
 * Compares current data with the reference and builds the report. The reference may be an Arrow table or a danfojs
 * DataFrame (exact) or a loaded {@link ReferenceProfile}; current data a table or a DataFrame (lib/io/dataframe.ts
 * converts frames); the returned `profile` is the reference as the tests saw it (save it with `saveProfile` to
 * reuse). {@link driftColumnsDataFrame} gives the per-column results as a DataFrame.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { computeDrift } from "./drift.ts";
 * const ref = arrow.tableFromArrays({ x: Float64Array.from({ length: 500 }, (_, i) => i) });
 * const cur = arrow.tableFromArrays({ x: Float64Array.from({ length: 500 }, (_, i) => i + 100) });
 * const { report } = await computeDrift(ref, cur);
 * report.columns[0].test; // "ks"
 * ```
 */
export async function computeDrift(
  referenceInput: TableInput | ReferenceProfile,
  currentInput: TableInput,
  opts: DriftOptions = {},
): Promise<DriftRun> {
  const t0 = performance.now();
  const reference = isProfile(referenceInput) ? referenceInput : toArrowTable(referenceInput, "The reference data");
  const current = toArrowTable(currentInput, "The current data");
  const timings: Record<string, number> = {};
  const ref: Reference = isProfile(reference)
    ? { kind: "profile", profile: reference, byName: new Map(reference.columns.map((c) => [c.column, c])) }
    : {
      kind: "table",
      table: reference,
      types: new Map<string, ValueType>(reference.schema.fields.map((f: arrow.Field) => [f.name, valueType(f.type)])),
    };
  const refNames: string[] = ref.kind === "table"
    ? ref.table.schema.fields.map((f: arrow.Field) => f.name)
    : [...ref.byName.keys()];
  const refTypeOf = (c: string): ValueType =>
    ref.kind === "table" ? ref.types.get(c)! : profileType(ref.byName.get(c)!);
  const curTypes = new Map<string, ValueType>(current.schema.fields.map((f) => [f.name, valueType(f.type)]));
  const refSet = new Set<string>(refNames), curSet = new Set<string>(curTypes.keys());
  const driftShare = opts.driftShare ?? DEFAULT_DRIFT_SHARE;
  if (!(driftShare > 0 && driftShare <= 1)) throw new Error(`Drift share ${driftShare} must be in (0, 1]`);
  checkNames(opts.columns, refSet, "columns", "reference");
  checkNames(opts.columns, curSet, "columns", "current");
  for (const c of Object.keys(opts.tests ?? {})) {
    checkNames([c], refSet, "test", "reference");
    getStatTest(opts.tests![c]);
  }
  if (opts.predictionColumn) {
    checkNames([opts.predictionColumn], refSet, "prediction column", "reference");
    checkNames([opts.predictionColumn], curSet, "prediction column", "current");
  }
  if (opts.targetColumn) checkNames([opts.targetColumn], refSet, "target column", "reference");

  const isIntField = (t: arrow.Schema, c: string) => {
    const f = t.fields.find((x) => x.name === c);
    return f !== undefined && arrow.DataType.isInt(f.type);
  };
  /** Integer columns on both sides (profiles saved before this was recorded count as integer). */
  const integerOf = (c: string): boolean =>
    isIntField(current.schema, c) &&
    (ref.kind === "table"
      ? isIntField(ref.table.schema, c)
      : ((ref.byName.get(c) as { integer?: boolean } | undefined)?.integer ?? true));
  const skipped: { column: string; reason: string }[] = [];
  const special = new Set([opts.predictionColumn, opts.targetColumn].filter((x): x is string => !!x));
  const excluded = new Set(opts.exclude ?? []);
  const candidates = (opts.columns ?? refNames).filter((c) => !special.has(c) && !excluded.has(c));
  const jobs: Job[] = [];
  const base: ColumnOptions = { psiBins: opts.psiBins ?? PSI_DEFAULT_BINS, histogramBins: opts.histogramBins ?? 20 };
  const usable = (c: string, role: Job["role"]): boolean => {
    if (!curSet.has(c)) {
      if (role === "feature") skipped.push({ column: c, reason: "not in current data" });
      return false;
    }
    const rt = refTypeOf(c), ct = curTypes.get(c)!;
    if (rt === "temporal" || ct === "temporal") {
      skipped.push({ column: c, reason: "date/time column (not tested)" });
      return false;
    }
    if (rt === "unsupported" || ct === "unsupported") {
      skipped.push({ column: c, reason: "unsupported type" });
      return false;
    }
    if (rt !== ct) {
      skipped.push({ column: c, reason: `type differs: ${rt} in reference, ${ct} in current` });
      return false;
    }
    return true;
  };
  for (const c of candidates) {
    if (!usable(c, "feature")) continue;
    jobs.push({
      column: c,
      role: "feature",
      options: { ...base, test: opts.tests?.[c], threshold: opts.thresholds?.[c], integer: integerOf(c) },
    });
  }
  if (opts.predictionColumn && usable(opts.predictionColumn, "prediction")) {
    const c = opts.predictionColumn;
    jobs.push({ column: c, role: "prediction", options: { ...base, test: opts.tests?.[c], psiTable: true } });
  }
  let targetNote: string | null = null;
  if (opts.targetColumn) {
    if (!curSet.has(opts.targetColumn)) targetNote = "labels not in current data";
    else if (usable(opts.targetColumn, "target")) {
      const c = opts.targetColumn;
      jobs.push({ column: c, role: "target", options: { ...base, test: opts.tests?.[c] } });
    }
  }

  // how much numeric data: decides whether workers pay off
  let numericValuesTotal = 0;
  for (const j of jobs) {
    if (refTypeOf(j.column) === "numeric") {
      numericValuesTotal += current.numRows + (ref.kind === "table" ? ref.table.numRows : 0);
    }
  }
  const cores = Math.max(1, navigator.hardwareConcurrency || 1);
  const workerCount = Math.min(opts.workers ?? (numericValuesTotal > 200_000 ? 2 : 0), cores, jobs.length);
  const pool = workerCount > 0 ? new WorkerPool(workerCount) : null;
  timings.setup_s = (performance.now() - t0) / 1000;

  const results = new Map<string, ColumnDrift>();
  const profileColumns = new Map<string, ProfileColumn>();
  let done = 0;
  const progress = () => opts.onProgress?.(++done, jobs.length);
  const pending: Promise<void>[] = [];
  const tExtract = performance.now();
  let extractMs = 0;
  try {
    for (const job of jobs) {
      const c = job.column;
      const te = performance.now();
      const curVec = current.getChild(c)!;
      const curCounts: SideCounts = { rows: current.numRows, missing: 0 };
      if (refTypeOf(c) === "numeric") {
        const curChunks = numericChunks(curVec);
        let refCounts: SideCounts;
        let task: NumericTask;
        const transfer: Transferable[] = chunkBuffers(curChunks);
        if (ref.kind === "table") {
          const refChunks = numericChunks(ref.table.getChild(c)!);
          refCounts = { rows: ref.table.numRows, missing: 0 };
          task = {
            column: c,
            reference: { raw: refChunks },
            current: curChunks,
            referenceCounts: refCounts,
            currentCounts: curCounts,
            options: job.options,
          };
          transfer.push(...chunkBuffers(refChunks));
        } else {
          const pc = ref.byName.get(c) as NumericProfileColumn;
          refCounts = { rows: pc.rows, missing: pc.missing };
          const summary: NumericReference = {
            sample: { values: pc.sample.values, counts: pc.sample.counts, n: pc.sample.n },
            stats: pc.stats,
            psi: pc.psi,
            approximate: pc.approximate,
          };
          task = {
            column: c,
            reference: { summary },
            current: curChunks,
            referenceCounts: refCounts,
            currentCounts: curCounts,
            options: job.options,
          };
          profileColumns.set(c, pc);
        }
        extractMs += performance.now() - te;
        const custom = job.options.test !== undefined && !isBuiltinTest(job.options.test);
        const finish = (res: NumericTaskResult) => {
          results.set(c, res.drift);
          if (res.reference) {
            profileColumns.set(c, {
              column: c,
              type: "numeric",
              rows: res.referenceCounts.rows,
              missing: res.referenceCounts.missing,
              integer: ref.kind === "table" ? isIntField(ref.table.schema, c) : undefined,
              ...res.reference,
            });
          }
          progress();
        };
        if (pool && !custom) pending.push(pool.run(task, transfer).then(finish));
        else finish(runNumericTask(task));
      } else {
        const cur = categoryCounts(curVec);
        curCounts.missing = cur.missing;
        let refCat: CategoricalProfileColumn;
        if (ref.kind === "table") {
          const r = categoryCounts(ref.table.getChild(c)!);
          refCat = {
            column: c,
            type: refTypeOf(c) as "string" | "boolean",
            rows: ref.table.numRows,
            missing: r.missing,
            categories: r.counts,
          };
        } else refCat = ref.byName.get(c) as CategoricalProfileColumn;
        profileColumns.set(c, refCat);
        extractMs += performance.now() - te;
        results.set(
          c,
          compareCategories({
            column: c,
            reference: refCat.categories,
            referenceCounts: { rows: refCat.rows, missing: refCat.missing },
            current: cur.counts,
            currentCounts: curCounts,
            options: job.options,
          }),
        );
        progress();
      }
    }
    timings.dispatch_s = (performance.now() - tExtract) / 1000;
    await Promise.all(pending);
  } finally {
    pool?.close();
  }
  timings.extract_s = extractMs / 1000;
  timings.compute_s = (performance.now() - tExtract) / 1000;

  const features = jobs.filter((j) => j.role === "feature").map((j) => results.get(j.column)!);
  features.sort((a, b) =>
    Number(b.drifted) - Number(a.drifted) || severity(b) - severity(a) || (a.column < b.column ? -1 : 1)
  );
  const nDrifted = features.filter((d) => d.drifted).length;
  // the share counts the columns that were tested (a column that could not be tested is reported as such)
  const tested = features.filter((d) => d.score !== null).length;
  const share = tested ? nDrifted / tested : 0;
  if (current.numRows === 0) {
    throw new Error(
      `The current data has no rows${opts.currentSource ? ` ("${opts.currentSource}")` : ""}; nothing to compare`,
    );
  }
  if (tested === 0) {
    const why = [
      ...skipped.map((s) => `${s.column}: ${s.reason}`),
      ...features.map((d) => `${d.column}: ${d.note ?? "not tested"}`),
    ];
    throw new Error(
      `No column could be compared between the reference and the current data${
        why.length ? ` (${why.slice(0, 10).join("; ")}${why.length > 10 ? "; ..." : ""})` : " (no shared columns)"
      }; this is not a "no drift" result`,
    );
  }

  let predictionDrift: PredictionDrift | null = null;
  let scorePsi: ScorePsi | null = null;
  const pj = jobs.find((j) => j.role === "prediction");
  if (pj) {
    const d = results.get(pj.column)!;
    predictionDrift = { ...d, psi_verdict: d.psi === null ? null : psiVerdict(d.psi) };
    if (d.psi !== null && d.psi_bins) {
      scorePsi = {
        column: d.column,
        value: d.psi,
        verdict: psiVerdict(d.psi),
        thresholds: { moderate: PSI_THRESHOLD, major: PSI_MAJOR },
        bins: d.psi_bins,
      };
    }
  }
  let targetDrift: TargetDrift | null = null;
  const tj = jobs.find((j) => j.role === "target");
  if (tj) {
    const d = results.get(tj.column)!;
    const rate = (labels: string[], shares: number[]) => {
      const keys = new Set(labels);
      const ok = [...keys].every((k) => ["0", "1", "false", "true"].includes(k) || k.startsWith("other"));
      if (!ok) return null;
      let s = 0;
      labels.forEach((l, i) => {
        if (l === "1" || l === "true") s += shares[i];
      });
      return s;
    };
    const h = d.histogram;
    targetDrift = {
      ...d,
      rate_reference: h && h.edges === null ? rate(h.labels, h.reference) : null,
      rate_current: h && h.edges === null ? rate(h.labels, h.current) : null,
    };
  } else if (targetNote) skipped.push({ column: opts.targetColumn!, reason: targetNote });

  const rows = ref.kind === "table" ? ref.table.numRows : ref.profile.rows;
  const refSource = opts.referenceSource ?? (ref.kind === "profile" ? ref.profile.source : "reference");
  const profile: ReferenceProfile = ref.kind === "profile" ? ref.profile : {
    format: PROFILE_FORMAT,
    created_at: new Date().toISOString(),
    source: refSource,
    rows,
    columns: refNames.filter((c) => profileColumns.has(c)).map((c) => profileColumns.get(c)!),
  };
  timings.total_s = (performance.now() - t0) / 1000;
  const report: DriftReport = {
    format: REPORT_FORMAT,
    generated_at: new Date().toISOString(),
    reference: { source: refSource, rows, profile: ref.kind === "profile" },
    current: { source: opts.currentSource ?? "current", rows: current.numRows },
    dataset_drift: tested > 0 && share >= driftShare,
    drift_share: share,
    drift_share_threshold: driftShare,
    n_columns: features.length,
    n_tested: tested,
    n_drifted: nDrifted,
    summary: tested < features.length
      ? `drift in ${nDrifted} of ${tested} tested column${tested === 1 ? "" : "s"} (${
        features.length - tested
      } could not be tested)`
      : `drift in ${nDrifted} of ${tested} column${tested === 1 ? "" : "s"}`,
    columns: features,
    skipped_columns: skipped,
    prediction_drift: predictionDrift,
    target_drift: targetDrift,
    psi: scorePsi,
    timings,
  };
  return { report, profile };
}

/**
 * The per-column results of a drift report as a danfojs DataFrame, one row per tested feature column in the report's
 * order (drifted first): feature (the column's name), kind, test, score and threshold, drifted, statistic, PSI,
 * counts and missing shares.
 *
 * @example
 * ```ts
 * const { report } = await computeDrift(reference, current);
 * (await driftColumnsDataFrame(report)).query(...).print();
 * ```
 */
export async function driftColumnsDataFrame(report: DriftReport): Promise<DataFrame> {
  const text = new arrow.Utf8(), count = new arrow.Int64(), real = new arrow.Float64();
  // "feature", not "column": danfojs makes each column a property of the frame, and "column" would hide df.column()
  const fields: [keyof ColumnDrift, arrow.DataType][] = [
    ["column", text],
    ["kind", text],
    ["test", text],
    ["score_kind", text],
    ["score", real],
    ["threshold", real],
    ["drifted", new arrow.Bool()],
    ["statistic", real],
    ["psi", real],
    ["reference_count", count],
    ["current_count", count],
    ["missing_share_reference", real],
    ["missing_share_current", real],
    ["new_categories_count", count],
  ];
  const vectors = Object.fromEntries(fields.map(([name, type]) => {
    const values = report.columns.map((c) => (type === count ? BigInt(c[name] as number) : c[name]));
    return [name === "column" ? "feature" : name, arrow.vectorFromArray(values, type)];
  }));
  return await toDataFrame(new arrow.Table(vectors));
}

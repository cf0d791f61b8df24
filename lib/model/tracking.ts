/**
 * Run tracking like MLflow's, in plain files on a local path or `s3://` (through `lib/io`, every write atomic).
 *
 * Layout under a root (usually `config.model_store`):
 *
 * ```
 * <root>/runs/<experiment>/<run_id>/run.json       params, tags, status, start/end time, latest metrics
 * <root>/runs/<experiment>/<run_id>/metrics.json   every metric's history: [{ step, value, timestamp }]
 * <root>/runs/<experiment>/<run_id>/artifacts/...  charts, model files, reports
 * <root>/runs/_ids/<run_id>.json                   which experiment a run id belongs to
 * ```
 *
 * `run.json` is written when the run starts (status `RUNNING`, no `end_time`), when params or tags change, and
 * last of all on {@linkcode Run.end}; a run that crashed therefore stays `RUNNING` with `end_time: null`, which
 * {@linkcode isUnfinished} reports. Run ids sort by start time (`20250102T030405678Z-1a2b3c4d`).
 *
 * @example
 * ```ts
 * import { startRun } from "./tracking.ts";
 * const run = await startRun({ root: "data/models", experiment: "churn" });
 * await run.logParams({ learning_rate: 0.001, epochs: 20 });
 * for (let epoch = 1; epoch <= 3; epoch++) await run.logMetrics({ loss: 1 / epoch }, epoch);
 * await run.logArtifact("charts/roc.svg", "<svg></svg>");
 * await run.end("FINISHED");
 * ```
 * @module
 */
import {
  exists,
  type IoOptions,
  joinUri,
  list,
  ObjectNotFoundError,
  readBytes,
  readJson,
  writeBytes,
  writeJson,
} from "../io/mod.ts";

/** Marks a run file of this toolkit. */
export const RUN_FORMAT = "model_run";

/** Layout version of run files. */
export const RUN_FORMAT_VERSION = 1;

/** A run's status; `RUNNING` without `end_time` after the process is gone means it crashed. */
export type RunStatus = "RUNNING" | "FINISHED" | "FAILED";

/** A JSON value (params and logged JSON artifacts). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The content of `run.json`, plus where the run lives. */
export interface RunRecord {
  format: typeof RUN_FORMAT;
  format_version: number;
  run_id: string;
  experiment: string;
  run_name: string;
  status: RunStatus;
  /** ISO 8601, UTC. */
  start_time: string;
  /** ISO 8601, UTC; null while running (or after a crash). */
  end_time: string | null;
  /** Last time the file was written. */
  updated_time: string;
  params: Record<string, Json>;
  tags: Record<string, string>;
  /** Latest value of each metric. */
  metrics: Record<string, number>;
  /** Error message of a failed run. */
  error?: string;
  /** Where the run's files are (computed on read, not stored). */
  run_uri: string;
  /** Where the run's artifacts are (computed on read, not stored). */
  artifact_uri: string;
}

/** One logged value of a metric. */
export interface MetricPoint {
  step: number;
  value: number;
  /** ISO 8601, UTC. */
  timestamp: string;
}

/** Options of {@linkcode startRun}. */
export interface StartRunOptions {
  /** Local path or `s3://bucket/prefix` (usually `config.model_store`). */
  root: string;
  /** Experiment name: letters, digits, `_`, `-`, `.`; not starting with `_` or `.`. */
  experiment: string;
  /** Human-readable run name (default: the run id). */
  runName?: string;
  /** Initial tags. */
  tags?: Record<string, string>;
  /** S3 settings overriding the environment. */
  io?: IoOptions;
  /** Clock (tests). */
  now?: () => Date;
}

/** Options of the readers. */
export interface ReadOptions {
  /** S3 settings overriding the environment. */
  io?: IoOptions;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const RUN_ID_RE = /^\d{8}T\d{9}Z-[0-9a-f]{8}$/;

function checkExperiment(experiment: string): void {
  if (typeof experiment !== "string" || !NAME_RE.test(experiment)) {
    throw new Error(
      `Invalid experiment name "${experiment}": use letters, digits, "_", "-" or "." and start with a letter or digit`,
    );
  }
}

function checkRunId(runId: string): void {
  if (typeof runId !== "string" || !RUN_ID_RE.test(runId)) {
    throw new Error(`Invalid run id "${runId}" (expected like "20250102T030405678Z-1a2b3c4d")`);
  }
}

/**
 * Checks an artifact path (`charts/roc.svg`): relative, `/`-separated, no empty, `.` or `..` segment.
 *
 * @example
 * ```ts
 * import { checkArtifactPath } from "./tracking.ts";
 * checkArtifactPath("model/model.json"); // ok
 * // checkArtifactPath("../x") throws
 * ```
 */
export function checkArtifactPath(path: string): void {
  const bad = typeof path !== "string" || path === "" || path.startsWith("/") || path.includes("\\") ||
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f]/.test(path) || path.split("/").some((s) => s === "" || s === "." || s === "..");
  if (bad) {
    throw new Error(`Invalid artifact path "${path}": use a relative path like "charts/roc.svg" without "." or ".."`);
  }
}

/**
 * A new run id: UTC time to the millisecond (so ids sort by start time) and 8 random hex digits.
 *
 * @example
 * ```ts
 * import { newRunId } from "./tracking.ts";
 * newRunId(new Date("2025-01-02T03:04:05.678Z")); // "20250102T030405678Z-" + 8 hex digits
 * ```
 */
export function newRunId(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2025-01-02T03:04:05.678Z
  const stamp = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + "T" + iso.slice(11, 13) + iso.slice(14, 16) +
    iso.slice(17, 19) + iso.slice(20, 23) + "Z";
  const rnd = crypto.getRandomValues(new Uint8Array(4));
  return `${stamp}-${Array.from(rnd, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function runsDir(root: string): string {
  return joinUri(root, "runs");
}

function runUri(root: string, experiment: string, runId: string): string {
  return joinUri(root, "runs", experiment, runId);
}

function idUri(root: string, runId: string): string {
  return joinUri(root, "runs", "_ids", `${runId}.json`);
}

// Metric values may be NaN or infinite (a diverged loss); JSON cannot hold those, so they are stored as strings.
function encodeNumber(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

function decodeNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return Number(v);
}

const enc = new TextEncoder();

function toJson(value: unknown, what: string): Json {
  try {
    const text = JSON.stringify(value);
    if (text === undefined) throw new Error("not serializable");
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} is not JSON-serializable: ${(err as Error).message}`);
  }
}

type StoredRecord = Omit<RunRecord, "run_uri" | "artifact_uri" | "metrics"> & { metrics: Record<string, unknown> };

function parseRecord(doc: unknown, uri: string, root: string): RunRecord {
  const d = doc as StoredRecord;
  if (!d || typeof d !== "object" || d.format !== RUN_FORMAT) {
    throw new Error(`File "${uri}" is not a run record (no "format": "${RUN_FORMAT}")`);
  }
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(d.metrics ?? {})) metrics[k] = decodeNumber(v);
  const base = runUri(root, d.experiment, d.run_id);
  return { ...d, metrics, run_uri: base, artifact_uri: joinUri(base, "artifacts") };
}

function parseHistory(doc: unknown): Record<string, MetricPoint[]> {
  const d = doc as { metrics?: Record<string, { step: number; value: unknown; timestamp: string }[]> };
  const out: Record<string, MetricPoint[]> = {};
  for (const [k, points] of Object.entries(d?.metrics ?? {})) {
    out[k] = points.map((p) => ({ step: p.step, value: decodeNumber(p.value), timestamp: p.timestamp }));
  }
  return out;
}

/**
 * A run in progress. Every `log*` method persists before its promise resolves; writes happen in call order.
 *
 * @example
 * ```ts
 * import { startRun } from "./tracking.ts";
 * const run = await startRun({ root: "data/models", experiment: "churn" });
 * await run.logMetric("val_auc", 0.81, 3);
 * await run.end();
 * ```
 */
export class Run {
  /** The run's id. */
  readonly runId: string;
  /** The run's experiment. */
  readonly experiment: string;
  /** The tracking root. */
  readonly root: string;
  /** `<root>/runs/<experiment>/<run_id>`. */
  readonly uri: string;
  /** `<uri>/artifacts`. */
  readonly artifactUri: string;
  #record: StoredRecord;
  #history: Record<string, MetricPoint[]> = {};
  #io?: IoOptions;
  #now: () => Date;
  #chain: Promise<void> = Promise.resolve();
  #ended = false;

  /** Use {@linkcode startRun}. */
  constructor(opts: { root: string; record: StoredRecord; io?: IoOptions; now: () => Date }) {
    this.root = opts.root;
    this.runId = opts.record.run_id;
    this.experiment = opts.record.experiment;
    this.uri = runUri(opts.root, this.experiment, this.runId);
    this.artifactUri = joinUri(this.uri, "artifacts");
    this.#record = opts.record;
    this.#io = opts.io;
    this.#now = opts.now;
  }

  /** Current status. */
  get status(): RunStatus {
    return this.#record.status;
  }

  /** A copy of the logged params. */
  get params(): Record<string, Json> {
    return structuredClone(this.#record.params);
  }

  /** A copy of the tags. */
  get tags(): Record<string, string> {
    return { ...this.#record.tags };
  }

  /** Latest value of each metric. */
  get metrics(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, pts] of Object.entries(this.#history)) out[k] = pts[pts.length - 1].value;
    return out;
  }

  /** The logged history of one metric (copy). */
  metricHistory(name: string): MetricPoint[] {
    return (this.#history[name] ?? []).map((p) => ({ ...p }));
  }

  #checkOpen(what: string): void {
    if (this.#ended) throw new Error(`Run "${this.runId}" has ended (${this.#record.status}); cannot ${what}`);
  }

  #enqueue(write: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(write);
    this.#chain = next.catch(() => {});
    return next;
  }

  #stored(): StoredRecord {
    const metrics: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.metrics)) metrics[k] = encodeNumber(v);
    return { ...this.#record, metrics, updated_time: this.#now().toISOString() };
  }

  #writeRecord(): Promise<void> {
    return this.#enqueue(() => writeJson(joinUri(this.uri, "run.json"), this.#stored(), this.#io));
  }

  #writeMetrics(): Promise<void> {
    return this.#enqueue(() => {
      const metrics: Record<string, { step: number; value: number | string; timestamp: string }[]> = {};
      for (const [k, pts] of Object.entries(this.#history)) {
        metrics[k] = pts.map((p) => ({ step: p.step, value: encodeNumber(p.value), timestamp: p.timestamp }));
      }
      return writeJson(joinUri(this.uri, "metrics.json"), { format: "model_run_metrics", metrics }, this.#io);
    });
  }

  /** Writes the initial `run.json` and the id index. Called by {@linkcode startRun}. */
  async init(): Promise<void> {
    await writeJson(idUri(this.root, this.runId), { run_id: this.runId, experiment: this.experiment }, this.#io);
    await this.#writeRecord();
  }

  /**
   * Logs params (JSON values). A param cannot change once logged; logging the same value again is allowed.
   *
   * @example
   * ```ts
   * // await run.logParams({ hidden_units: [64, 32], learning_rate: 0.001 });
   * ```
   */
  logParams(params: Record<string, unknown>): Promise<void> {
    this.#checkOpen("log params");
    const next = { ...this.#record.params };
    for (const [k, v] of Object.entries(params)) {
      const value = toJson(v, `Param "${k}"`);
      if (k in next && JSON.stringify(next[k]) !== JSON.stringify(value)) {
        throw new Error(
          `Param "${k}" was already logged as ${JSON.stringify(next[k])}; a run's params cannot change (got ${
            JSON.stringify(value)
          })`,
        );
      }
      next[k] = value;
    }
    this.#record.params = next;
    return this.#writeRecord();
  }

  /**
   * Logs one metric value; `step` defaults to the metric's last step + 1 (0 for the first value).
   *
   * @example
   * ```ts
   * // await run.logMetric("val_auc", 0.83, 12);
   * ```
   */
  logMetric(name: string, value: number, step?: number): Promise<void> {
    return this.logMetrics({ [name]: value }, step);
  }

  /**
   * Logs several metrics at one step (one write), e.g. one epoch of training.
   *
   * @example
   * ```ts
   * // await run.logMetrics({ loss: 0.41, val_loss: 0.44, val_auc: 0.8 }, epoch);
   * ```
   */
  logMetrics(metrics: Record<string, number>, step?: number): Promise<void> {
    this.#checkOpen("log metrics");
    if (step !== undefined && !Number.isInteger(step)) throw new Error(`Metric step must be an integer, got "${step}"`);
    for (const [name, value] of Object.entries(metrics)) {
      if (!NAME_RE.test(name)) throw new Error(`Invalid metric name "${name}": use letters, digits, "_", "-", "."`);
      if (typeof value !== "number") throw new Error(`Metric "${name}" is not a number: "${String(value)}"`);
    }
    const timestamp = this.#now().toISOString();
    for (const [name, value] of Object.entries(metrics)) {
      const pts = (this.#history[name] ??= []);
      const s = step ?? (pts.length === 0 ? 0 : pts[pts.length - 1].step + 1);
      pts.push({ step: s, value, timestamp });
    }
    return this.#writeMetrics();
  }

  /**
   * Sets a tag (string value); tags may change.
   *
   * @example
   * ```ts
   * // await run.setTag("data_version", "2024-06");
   * ```
   */
  setTag(key: string, value: string): Promise<void> {
    return this.setTags({ [key]: value });
  }

  /**
   * Sets several tags in one write.
   *
   * @example
   * ```ts
   * // await run.setTags({ model: "mlp", feature_service: "churn_v1" });
   * ```
   */
  setTags(tags: Record<string, string>): Promise<void> {
    this.#checkOpen("set tags");
    for (const [k, v] of Object.entries(tags)) {
      if (typeof v !== "string") throw new Error(`Tag "${k}" must be a string, got "${String(v)}"`);
    }
    this.#record.tags = { ...this.#record.tags, ...tags };
    return this.#writeRecord();
  }

  /**
   * Stores an artifact under `artifacts/<path>` (text is written as UTF-8). Returns its URI.
   *
   * @example
   * ```ts
   * // await run.logArtifact("charts/roc.svg", svg);
   * // await run.logArtifact("model/weights.bin", new Uint8Array(weights));
   * ```
   */
  async logArtifact(path: string, data: Uint8Array | string, opts: { contentType?: string } = {}): Promise<string> {
    this.#checkOpen("log artifacts");
    checkArtifactPath(path);
    const uri = joinUri(this.artifactUri, path);
    const bytes = typeof data === "string" ? enc.encode(data) : data;
    const contentType = opts.contentType ?? guessContentType(path);
    await this.#enqueue(() => writeBytes(uri, bytes, { ...this.#io, contentType }));
    return uri;
  }

  /**
   * Stores a JSON artifact (pretty-printed). Returns its URI.
   *
   * @example
   * ```ts
   * // await run.logJson("evaluation/validation.json", evaluate(scores, labels, threshold));
   * ```
   */
  logJson(path: string, value: unknown): Promise<string> {
    const json = toJson(value, `Artifact "${path}"`);
    return this.logArtifact(path, JSON.stringify(json, null, 2) + "\n", { contentType: "application/json" });
  }

  /**
   * Ends the run: writes the metric history, then `run.json` with the final status and end time (last).
   * Ending twice is an error.
   *
   * @example
   * ```ts
   * // await run.end("FAILED", { error: "Validation AUC below 0.6" });
   * ```
   */
  async end(status: "FINISHED" | "FAILED" = "FINISHED", opts: { error?: string } = {}): Promise<void> {
    if (status !== "FINISHED" && status !== "FAILED") {
      throw new Error(`Run status must be "FINISHED" or "FAILED", got "${status}"`);
    }
    this.#checkOpen("end again");
    this.#ended = true;
    await this.#writeMetrics().catch(() => {}); // best effort: the status matters more than the history
    this.#record.status = status;
    this.#record.end_time = this.#now().toISOString();
    if (opts.error !== undefined) this.#record.error = opts.error;
    await this.#writeRecord();
  }
}

function guessContentType(path: string): string | undefined {
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  return ({
    json: "application/json",
    svg: "image/svg+xml",
    html: "text/html",
    txt: "text/plain",
    md: "text/markdown",
    csv: "text/csv",
    bin: "application/octet-stream",
    parquet: "application/vnd.apache.parquet",
  } as Record<string, string>)[ext];
}

/**
 * Starts a run: allocates a time-sortable id and writes `run.json` with status `RUNNING`.
 *
 * @example
 * ```ts
 * import { startRun } from "./tracking.ts";
 * const run = await startRun({ root: "s3://bucket/models", experiment: "churn", tags: { model: "mlp" } });
 * console.log(run.runId, run.artifactUri);
 * ```
 */
export async function startRun(opts: StartRunOptions): Promise<Run> {
  if (typeof opts.root !== "string" || opts.root === "") throw new Error(`Tracking root is empty`);
  checkExperiment(opts.experiment);
  const now = opts.now ?? (() => new Date());
  const started = now();
  const runId = newRunId(started);
  for (const [k, v] of Object.entries(opts.tags ?? {})) {
    if (typeof v !== "string") throw new Error(`Tag "${k}" must be a string, got "${String(v)}"`);
  }
  const record: StoredRecord = {
    format: RUN_FORMAT,
    format_version: RUN_FORMAT_VERSION,
    run_id: runId,
    experiment: opts.experiment,
    run_name: opts.runName ?? runId,
    status: "RUNNING",
    start_time: started.toISOString(),
    end_time: null,
    updated_time: started.toISOString(),
    params: {},
    tags: { ...opts.tags },
    metrics: {},
  };
  const run = new Run({ root: opts.root, record, io: opts.io, now });
  await run.init();
  return run;
}

/**
 * Runs `fn` inside a run: ends it `FINISHED` when `fn` resolves, `FAILED` (with the error message) when it throws,
 * and rethrows.
 *
 * @example
 * ```ts
 * import { withRun } from "./tracking.ts";
 * const auc = await withRun({ root: "data/models", experiment: "churn" }, async (run) => {
 *   await run.logMetric("val_auc", 0.8);
 *   return 0.8;
 * });
 * ```
 */
export async function withRun<T>(opts: StartRunOptions, fn: (run: Run) => Promise<T>): Promise<T> {
  const run = await startRun(opts);
  let result: T;
  try {
    result = await fn(run);
  } catch (err) {
    if (run.status === "RUNNING") {
      await run.end("FAILED", { error: err instanceof Error ? err.message : String(err) }).catch(() => {});
    }
    throw err;
  }
  if (run.status === "RUNNING") await run.end("FINISHED");
  return result;
}

/**
 * Whether a run record is unfinished: still `RUNNING` with no end time (live, or crashed).
 *
 * @example
 * ```ts
 * import { isUnfinished, listRuns } from "./tracking.ts";
 * const stale = (await listRuns("data/models", "churn")).filter(isUnfinished);
 * ```
 */
export function isUnfinished(record: Pick<RunRecord, "status" | "end_time">): boolean {
  return record.status === "RUNNING" && record.end_time === null;
}

async function experimentOf(root: string, runId: string, io?: IoOptions): Promise<string> {
  checkRunId(runId);
  try {
    const doc = await readJson(idUri(root, runId), io) as { experiment?: string };
    if (typeof doc.experiment === "string") return doc.experiment;
  } catch (err) {
    if (!(err instanceof ObjectNotFoundError)) throw err;
  }
  // Fallback: scan for the run directory (index file lost or written by hand).
  const suffix = `/${runId}/run.json`;
  for (const o of await list(`${runsDir(root)}/`, io)) {
    if (o.uri.endsWith(suffix)) {
      const parts = o.uri.slice(0, -suffix.length).split("/");
      return parts[parts.length - 1];
    }
  }
  throw new Error(`Run "${runId}" not found under "${runsDir(root)}"`);
}

/**
 * Reads a run's record. For a run still `RUNNING`, the latest metrics come from its metric history.
 *
 * @example
 * ```ts
 * import { getRun } from "./tracking.ts";
 * const run = await getRun("data/models", "20250102T030405678Z-1a2b3c4d");
 * console.log(run.status, run.metrics.val_auc, run.artifact_uri);
 * ```
 */
export async function getRun(root: string, runId: string, opts: ReadOptions = {}): Promise<RunRecord> {
  const experiment = await experimentOf(root, runId, opts.io);
  const uri = joinUri(runUri(root, experiment, runId), "run.json");
  let doc: unknown;
  try {
    doc = await readJson(uri, opts.io);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) throw new Error(`Run "${runId}" not found: "${uri}" is missing`);
    throw err;
  }
  const record = parseRecord(doc, uri, root);
  if (record.status === "RUNNING") {
    const history = await getMetricHistory(root, runId, opts).catch(() => ({} as Record<string, MetricPoint[]>));
    for (const [k, pts] of Object.entries(history)) if (pts.length) record.metrics[k] = pts[pts.length - 1].value;
  }
  return record;
}

/**
 * Reads the full history of every metric of a run (empty when none was logged).
 *
 * @example
 * ```ts
 * import { getMetricHistory } from "./tracking.ts";
 * const { loss, val_loss } = await getMetricHistory("data/models", "20250102T030405678Z-1a2b3c4d");
 * ```
 */
export async function getMetricHistory(
  root: string,
  runId: string,
  opts: ReadOptions = {},
): Promise<Record<string, MetricPoint[]>> {
  const experiment = await experimentOf(root, runId, opts.io);
  const uri = joinUri(runUri(root, experiment, runId), "metrics.json");
  try {
    return parseHistory(await readJson(uri, opts.io));
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return {};
    throw err;
  }
}

/**
 * The runs of an experiment, newest first (an unknown experiment has none).
 *
 * @example
 * ```ts
 * import { listRuns } from "./tracking.ts";
 * for (const r of await listRuns("data/models", "churn")) console.log(r.run_id, r.status, r.metrics.val_auc);
 * ```
 */
export async function listRuns(
  root: string,
  experiment: string,
  opts: ReadOptions & { status?: RunStatus } = {},
): Promise<RunRecord[]> {
  checkExperiment(experiment);
  const base = joinUri(runsDir(root), experiment);
  const files = (await list(`${base}/`, opts.io)).map((o) => o.uri).filter((uri) => {
    const rel = relativeTo(uri, base);
    return rel !== null && /^[^/]+\/run\.json$/.test(rel);
  });
  const out: RunRecord[] = [];
  for (let i = 0; i < files.length; i += 16) {
    const docs = await Promise.all(files.slice(i, i + 16).map((uri) => readJson(uri, opts.io)));
    docs.forEach((doc, j) => out.push(parseRecord(doc, files[i + j], root)));
  }
  return out
    .filter((r) => opts.status === undefined || r.status === opts.status)
    .sort((a, b) => (a.run_id < b.run_id ? 1 : a.run_id > b.run_id ? -1 : 0));
}

/**
 * The experiments under a root that have at least one run.
 *
 * @example
 * ```ts
 * import { listExperiments } from "./tracking.ts";
 * console.log(await listExperiments("data/models")); // ["churn"]
 * ```
 */
export async function listExperiments(root: string, opts: ReadOptions = {}): Promise<string[]> {
  const base = runsDir(root);
  const names = new Set<string>();
  for (const o of await list(`${base}/`, opts.io)) {
    const rel = relativeTo(o.uri, base);
    const m = rel === null ? null : /^([^/]+)\/[^/]+\/run\.json$/.exec(rel);
    if (m && !m[1].startsWith("_")) names.add(m[1]);
  }
  return [...names].sort();
}

function relativeTo(uri: string, base: string): string | null {
  const norm = (s: string) => s.replace(/^\.\//, "").replace(/\/+$/, "");
  const b = norm(base) + "/";
  const u = norm(uri);
  return u.startsWith(b) ? u.slice(b.length) : null;
}

/** Options of {@linkcode readArtifact} and {@linkcode listArtifacts}. */
export interface ArtifactOptions extends ReadOptions {
  root: string;
  runId: string;
}

/**
 * Reads one artifact of a run.
 *
 * @example
 * ```ts
 * import { readArtifact } from "./tracking.ts";
 * const svg = new TextDecoder().decode(
 *   await readArtifact({ root: "data/models", runId: "20250102T030405678Z-1a2b3c4d", path: "charts/roc.svg" }),
 * );
 * ```
 */
export async function readArtifact(opts: ArtifactOptions & { path: string }): Promise<Uint8Array> {
  checkArtifactPath(opts.path);
  const experiment = await experimentOf(opts.root, opts.runId, opts.io);
  const uri = joinUri(runUri(opts.root, experiment, opts.runId), "artifacts", opts.path);
  try {
    return await readBytes(uri, opts.io);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) {
      throw new Error(`Run "${opts.runId}" has no artifact "${opts.path}" ("${uri}" is missing)`);
    }
    throw err;
  }
}

/**
 * Lists a run's artifact paths (relative, sorted), optionally under a prefix such as `model/`.
 *
 * @example
 * ```ts
 * import { listArtifacts } from "./tracking.ts";
 * await listArtifacts({ root: "data/models", runId: "20250102T030405678Z-1a2b3c4d", prefix: "charts/" });
 * ```
 */
export async function listArtifacts(opts: ArtifactOptions & { prefix?: string }): Promise<string[]> {
  const experiment = await experimentOf(opts.root, opts.runId, opts.io);
  const base = joinUri(runUri(opts.root, experiment, opts.runId), "artifacts");
  const out: string[] = [];
  for (const o of await list(`${base}/`, opts.io)) {
    const rel = relativeTo(o.uri, base);
    if (rel !== null && (opts.prefix === undefined || rel.startsWith(opts.prefix))) out.push(rel);
  }
  return out.sort();
}

/**
 * Whether a run exists under a root.
 *
 * @example
 * ```ts
 * import { runExists } from "./tracking.ts";
 * await runExists("data/models", "20250102T030405678Z-1a2b3c4d"); // false
 * ```
 */
export async function runExists(root: string, runId: string, opts: ReadOptions = {}): Promise<boolean> {
  checkRunId(runId);
  if (await exists(idUri(root, runId), opts.io)) return true;
  try {
    await experimentOf(root, runId, opts.io);
    return true;
  } catch {
    return false;
  }
}

/**
 * Batch scoring of loan applications: the credit specifics plugged into the generic engine of lib/scoring.
 *
 * - {@link creditInputSchema}: the columns of a loan application table and their checks, from the same field rules
 *   as `parseApplication` (application.ts): `dob_ssn` must be `YYYYMMDD_NNNN` with a real date, `zipcode` and
 *   `person_age` whole numbers, home ownership and loan intent one of the accepted values (case-insensitive), every
 *   field present except `person_emp_length` and `loan_int_rate`, which may be null (the tutorial's loans lack them
 *   at times and the model imputes them with a missing flag); `loan_id` is optional; `event_timestamp` is required.
 * - {@link scoreApplications}: loads the model version (by alias or number) and the feature views it was trained
 *   with, joins the stored features (offline point in time, or online), and runs the job.
 *
 * @example
 * ```ts
 * import { scoreApplications } from "./batch_scoring.ts";
 * const { manifest } = await scoreApplications({
 *   input: ["data/generated/loan_table.parquet"],
 *   output: "data/scored",
 *   quarantine: true,
 * });
 * console.log(manifest.counts);
 * ```
 * @module
 */
import { type FeatureStoreConfig, loadConfig, toS3Options } from "../feature_store/config.ts";
import { FeatureStore } from "../feature_store/feature_store.ts";
import { fileSourceLoader } from "../feature_store/offline/historical.ts";
import type { S3Options } from "../io/mod.ts";
import { inputColumns, type RangeRule } from "../model/preprocess.ts";
import { getVersion } from "../model/registry.ts";
import { loadModel } from "../model/train.ts";
import type { ReasonMode } from "../model/batch_scorer.ts";
import type { ColumnRule, InputSchema } from "../scoring/columns.ts";
import { type FeatureJoiner, offlineJoiner, onlineJoiner, storeJoiner } from "../scoring/features.ts";
import { runScoringJob, type ScoringJobResult } from "../scoring/job.ts";
import type { Shard } from "../scoring/manifest.ts";
import { scoringModel } from "../scoring/model.ts";
import { APPLICATION_FIELDS, isDobSsn } from "./application.ts";
import { CREDIT_MODEL_DEFAULTS, CREDIT_RULES, creditTrainingSource } from "./model_spec.ts";
import { onlineFeatureRefs } from "./score_endpoint.ts";

/** Application fields that may be null in a batch (the model imputes them). */
export const NULLABLE_APPLICATION_FIELDS: readonly string[] = ["person_emp_length", "loan_int_rate"];

const DIGIT_0 = 48, DIGIT_9 = 57, UNDERSCORE = 95;

function digits(b: Uint8Array, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const c = b[i];
    if (c < DIGIT_0 || c > DIGIT_9) return -1;
    v = v * 10 + (c - DIGIT_0);
  }
  return v;
}

/**
 * `isDobSsn` on UTF-8 bytes, without making a string: 13 bytes, `YYYYMMDD_NNNN`, a real calendar date.
 *
 * @example
 * ```ts
 * dobSsnBytes(new TextEncoder().encode("19530219_5179"), 0, 13); // true
 * ```
 */
export function dobSsnBytes(b: Uint8Array, start: number, end: number): boolean {
  if (end - start !== 13 || b[start + 8] !== UNDERSCORE) return false;
  const y = digits(b, start, 4), m = digits(b, start + 4, 2), d = digits(b, start + 6, 2);
  if (y < 100 || m < 1 || m > 12 || d < 1 || digits(b, start + 9, 4) < 0) return false; // Date.UTC maps 0-99 to 19xx
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  return d <= days;
}

/**
 * The loan application table's columns for batch scoring (see the module doc); `rules` are the model's
 * out-of-range checks (default the credit rules).
 *
 * @example
 * ```ts
 * creditInputSchema().idColumns; // ["loan_id", "dob_ssn", "zipcode", "event_timestamp"]
 * ```
 */
export function creditInputSchema(rules: readonly RangeRule[] = CREDIT_RULES): InputSchema {
  const upper = (s: string) => s.trim().toUpperCase();
  const columns: ColumnRule[] = [{ name: "loan_id", kind: "integer", optional: true, nullable: true }];
  for (const [name, rule] of Object.entries(APPLICATION_FIELDS)) {
    const nullable = NULLABLE_APPLICATION_FIELDS.includes(name);
    if (rule.kind === "integer" || rule.kind === "number") columns.push({ name, kind: rule.kind, nullable });
    else if (rule.kind === "enum") {
      columns.push({ name, kind: "text", values: rule.values, normalize: upper, nullable });
    } else {
      columns.push({
        name,
        kind: "text",
        nullable,
        checkBytes: dobSsnBytes,
        check: (v) =>
          isDobSsn(v)
            ? null
            : `column "${name}" is ${JSON.stringify(v)}; expected YYYYMMDD_NNNN (date of birth, last four SSN digits)`,
      });
    }
  }
  columns.push({ name: "event_timestamp", kind: "timestamp" });
  return {
    columns,
    timestampColumn: "event_timestamp",
    idColumns: ["loan_id", "dob_ssn", "zipcode", "event_timestamp"],
    rules,
  };
}

/** Options of {@link scoreApplications}. */
export interface ScoreApplicationsOptions {
  /** Input files or prefixes (Parquet or CSV, local or s3://). */
  input: string[];
  /** Output root (local folder or s3:// prefix). */
  output: string;
  /** Model version: an alias (default "champion") or a number. */
  model?: { alias: string } | { version: number };
  /** Registered model name (default "credit_default"). */
  name?: string;
  /** "offline" (default): point in time at each application's timestamp; "online": latest from the online store. */
  features?: "offline" | "online";
  /** Offline: join as of this time instead; online: the clock feature ages are measured against (default now). */
  asOf?: Date;
  config?: FeatureStoreConfig;
  job?: string;
  shard?: Shard;
  quarantine?: boolean;
  scoreFlagged?: boolean;
  reasons?: ReasonMode;
  /** Scoring workers (default one per core, at most 4; 0 = main thread). */
  workers?: number;
  keepColumns?: string[];
  batchRows?: number;
  bufferRows?: number;
  /** Attempts per S3 request with backoff (default AWS_MAX_ATTEMPTS, else 6). */
  s3MaxAttempts?: number;
  naiveTimestamps?: "error" | "utc";
  /** Multipart upload settings (tests). */
  upload?: { multipartBytes?: number; partSize?: number };
  progress?: "auto" | "silent";
  log?: (line: string) => void;
}

function maxAttemptsFromEnv(): number | undefined {
  try {
    return Deno.env.get("AWS_MAX_ATTEMPTS") ? undefined : 6;
  } catch {
    return 6;
  }
}

/**
 * Scores loan applications in batch with a registered model; see the module doc.
 *
 * @example
 * ```ts
 * await scoreApplications({ input: ["s3://bucket/apps/"], output: "s3://bucket/scores", model: { version: 3 } });
 * ```
 */
export async function scoreApplications(opts: ScoreApplicationsOptions): Promise<ScoringJobResult> {
  const config = opts.config ?? (await loadConfig());
  const s3: S3Options = { ...toS3Options(config.s3), maxAttempts: opts.s3MaxAttempts ?? maxAttemptsFromEnv() };
  const io = { s3 };
  const name = opts.name ?? CREDIT_MODEL_DEFAULTS.name;
  const version = await getVersion({
    root: config.model_store,
    name,
    ...(opts.model ?? { alias: "champion" }),
    io,
  });
  const data = version.tags.data === "real" ? "real" : "generated";
  const repo = creditTrainingSource(data, { dataDir: config.data_dir }).repo;
  const scorer = await loadModel({ root: config.model_store, name, version: version.version, io });
  let features: FeatureJoiner | null = null;
  // the scoring workers start (each loads tfjs) while the feature sources load and index
  const starting = scoringModel(scorer, { name, workers: opts.workers });
  starting.catch(() => {});
  try {
    const refs = onlineFeatureRefs(repo, inputColumns(scorer.preprocessor.spec));
    const views = new Set(refs.map((r) => r.split(":")[0]));
    const keyColumns = [
      ...new Set(repo.views.filter((v) => views.has(v.name)).flatMap((v) => v.entities.flatMap((e) => e.joinKeys))),
    ];
    if (refs.length && (opts.features ?? "offline") === "online") {
      const store = await FeatureStore.open({ config, repo });
      features = onlineJoiner(store, refs, { keyColumns, asOf: opts.asOf, close: () => store.close() });
    } else if (refs.length && config.offline_store.type === "file") {
      opts.log?.(`loading and indexing feature sources for ${refs.length} features (${[...views].join(", ")})`);
      features = await offlineJoiner(repo, refs, {
        loadSource: fileSourceLoader(s3),
        naiveTimestamps: opts.naiveTimestamps,
      });
    } else if (refs.length) {
      const store = await FeatureStore.open({ config, repo });
      features = storeJoiner(store.offline, repo, refs, keyColumns);
    }
    const model = await starting;
    opts.log?.(
      `model "${name}" version ${version.version}${
        version.aliases.length ? ` (${version.aliases.join(", ")})` : ""
      }, ` +
        `threshold ${model.threshold.toFixed(4)}, scoring on ${model.runsOn}; features ${
          features ? `${features.mode} (${features.refs.length})` : "none"
        }`,
    );
    return await runScoringJob({
      input: opts.input,
      output: opts.output,
      model,
      schema: creditInputSchema(model.rules.length ? model.rules : CREDIT_RULES),
      features,
      job: opts.job,
      shard: opts.shard,
      quarantine: opts.quarantine,
      scoreFlagged: opts.scoreFlagged,
      reasons: opts.reasons,
      top: CREDIT_MODEL_DEFAULTS.topReasons,
      asOf: opts.features === "online" ? null : opts.asOf ?? null,
      naiveTimestamps: opts.naiveTimestamps,
      keepColumns: opts.keepColumns,
      batchRows: opts.batchRows,
      bufferRows: opts.bufferRows,
      upload: opts.upload,
      io,
      progress: opts.progress,
      log: opts.log,
    });
  } finally {
    await features?.close();
    await (await starting.catch(() => null))?.close();
    scorer.dispose();
  }
}

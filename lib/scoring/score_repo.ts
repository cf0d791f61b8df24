/**
 * Batch scoring of a repo's entity rows (loan applications, claims, ...): the repo's model spec plugged into the
 * generic engine of this folder. {@link scoreRepoRows} loads the model version (by alias or number), checks that
 * every model input comes from the input rows (the spec's request fields) or a feature view of the repo (a
 * {@link MissingInputError} otherwise: never a silent null), joins the stored features (offline point in time, or
 * online) and runs the job; the input columns and their checks come from the spec ({@link inputSchemaOf}).
 *
 * @example
 * ```ts
 * import { openRepo } from "../repo/load.ts";
 * import { scoreRepoRows } from "./score_repo.ts";
 * const { manifest } = await scoreRepoRows({
 *   repo: await openRepo({ dir: "/srv/churn" }),
 *   input: ["/srv/churn/accounts.parquet"],
 *   output: "/srv/churn/scored",
 *   quarantine: true,
 * });
 * console.log(manifest.counts);
 * ```
 * @module
 */
import { toS3Options } from "../feature_store/config.ts";
import { FeatureStore } from "../feature_store/feature_store.ts";
import { fileSourceLoader } from "../feature_store/offline/historical.ts";
import { type S3Options, writeTable } from "../io/mod.ts";
import { type DataFrame, type TableInput, toArrowTable, toDataFrame } from "../io/dataframe.ts";
import { inputColumns } from "../model/preprocess.ts";
import { getVersion } from "../model/registry.ts";
import { loadModel } from "../model/scorer.ts";
import type { ReasonMode } from "../model/batch_scorer.ts";
import type { OpenedRepo } from "../repo/load.ts";
import { inputSchemaOf, MissingInputError, resolveModelInputs } from "../repo/request.ts";
import { type FeatureJoiner, offlineJoiner, onlineJoiner, storeJoiner } from "./features.ts";
import { runScoringJob, type ScoringJobResult } from "./job.ts";
import type { Shard } from "./manifest.ts";
import { scoringModel } from "./model.ts";
import { readScoredRuns, type ScoredRunsOptions } from "./reader.ts";
import { sha256Hex } from "./writer.ts";

export { MissingInputError };

/** Options of {@link scoreRepoRows}. */
export interface ScoreRepoRowsOptions {
  /** The opened repo (settings, definitions, model spec). */
  repo: OpenedRepo;
  /**
   * Input files or prefixes (Parquet or CSV, local or s3://), or the rows themselves: an Arrow table or a danfojs
   * DataFrame (written to a temporary Parquet file that the job reads; default job "rows-<hash of the rows>").
   */
  input: string[] | TableInput;
  /** Output root (local folder or s3:// prefix). */
  output: string;
  /** Model version: an alias (default "champion") or a number. */
  model?: { alias: string } | { version: number };
  /** Registered model name (default the model spec's). */
  name?: string;
  /** "offline" (default): point in time at each application's timestamp; "online": latest from the online store. */
  features?: "offline" | "online";
  /** Offline: join as of this time instead; online: the clock feature ages are measured against (default now). */
  asOf?: Date;
  job?: string;
  shard?: Shard;
  quarantine?: boolean;
  /** Fail, publishing nothing, when more than this share of the input rows is quarantined (default 0.2). */
  maxQuarantineShare?: number;
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

/** The repo's join keys that are request fields (copied to the output to identify each row). */
function identifyingKeys(opened: OpenedRepo): string[] {
  const request = new Set(opened.model.request.map((f) => f.name));
  return [...new Set(opened.features.entities.flatMap((e) => e.joinKeys))].filter((k) => request.has(k));
}

function maxAttemptsFromEnv(): number | undefined {
  try {
    return Deno.env.get("AWS_MAX_ATTEMPTS") ? undefined : 6;
  } catch {
    return 6;
  }
}

/**
 * Scores a repo's entity rows in batch with a registered model; see the module doc. The rows may be files or an
 * in-memory table or DataFrame; {@link readScoredDataFrame} reads the scored rows back as a DataFrame.
 *
 * @example
 * ```ts
 * await scoreRepoRows({ repo, input: ["s3://bucket/apps/"], output: "s3://bucket/scores", model: { version: 3 } });
 * ```
 */
export async function scoreRepoRows(opts: ScoreRepoRowsOptions): Promise<ScoringJobResult> {
  if (Array.isArray(opts.input)) return await scoreFiles({ ...opts, input: opts.input });
  const rows = toArrowTable(opts.input, "The input rows");
  const dir = await Deno.makeTempDir({ prefix: "score_rows_" });
  try {
    const path = `${dir}/rows.parquet`;
    await writeTable(path, rows);
    // the same rows make the same job (re-scoring replaces it); other rows another
    const job = opts.job ?? `rows-${(await sha256Hex(await Deno.readFile(path))).slice(0, 8)}`;
    return await scoreFiles({ ...opts, input: [path], job });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * The scored rows of the manifested runs under `output` as a danfojs DataFrame (`readScoredRuns`'s table; narrow it
 * with `jobs`, `from`/`to` and `columns`).
 *
 * @example
 * ```ts
 * const { manifest } = await scoreRepoRows({ repo, input: applicationsFrame, output: "data/scored" });
 * const scored = await readScoredDataFrame("data/scored", { jobs: [manifest.job] });
 * scored.groupby(["decision"]).agg({ probability: ["mean", "count"] }).print();
 * ```
 */
export async function readScoredDataFrame(output: string, opts: ScoredRunsOptions = {}): Promise<DataFrame> {
  return await toDataFrame((await readScoredRuns(output, opts)).table);
}

async function scoreFiles(opts: ScoreRepoRowsOptions & { input: string[] }): Promise<ScoringJobResult> {
  const { config, model: spec } = opts.repo;
  const repo = opts.repo.features;
  const s3: S3Options = { ...toS3Options(config.s3), maxAttempts: opts.s3MaxAttempts ?? maxAttemptsFromEnv() };
  const io = { s3 };
  const name = opts.name ?? spec.name;
  const version = await getVersion({ root: config.model_store, name, ...(opts.model ?? { alias: "champion" }), io });
  const scorer = await loadModel({ root: config.model_store, name, version: version.version, io });
  let inputs;
  try {
    inputs = resolveModelInputs(inputColumns(scorer.preprocessor.spec), {
      repo,
      request: spec.request,
      where: opts.repo.module,
    });
  } catch (err) {
    scorer.dispose();
    throw err;
  }
  const { refs, keys: keyColumns } = inputs;
  let features: FeatureJoiner | null = null;
  // the scoring workers start (each loads tfjs) while the feature sources load and index
  const starting = scoringModel(scorer, { name, workers: opts.workers });
  starting.catch(() => {});
  try {
    const views = new Set(refs.map((r) => r.split(":")[0]));
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
      schema: inputSchemaOf(spec, { keys: identifyingKeys(opts.repo), rules: model.rules }),
      features,
      job: opts.job,
      shard: opts.shard,
      quarantine: opts.quarantine,
      maxQuarantineShare: opts.maxQuarantineShare,
      scoreFlagged: opts.scoreFlagged,
      reasons: opts.reasons,
      top: spec.topReasons ?? 3,
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

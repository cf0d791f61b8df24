/**
 * `deno task score --input FILES|PREFIX [--input ...] [--output DIR|s3://...] [--model champion|N] [--name NAME]
 *  [--features offline|online] [--as-of ISO] [--shard i/n] [--job NAME] [--quarantine] [--score-flagged]
 *  [--reasons all|rejected|none] [--workers N] [--keep-columns a,b] [--batch-rows N] [--buffer-rows N]
 *  [--s3-max-attempts N] [--naive-timestamps utc]`: batch scoring of loan applications (lib/credit/batch_scoring.ts
 * over lib/scoring): Parquet partitioned by date under a run folder, then the manifest, under `--output` (default
 * `data/scored`).
 *
 * @example
 * ```sh
 * deno task score --input s3://bucket/applications/2024-05-01/ --output s3://bucket/scores --quarantine
 * deno task score --input data/generated/loan_table.parquet --shard 0/4 --job loans
 * ```
 * @module
 */
import { choiceFlag, intFlag, parseTaskArgs, runTask, UsageError } from "../lib/cli/mod.ts";
import { scoreRepoRows, type ScoreRepoRowsOptions } from "../lib/scoring/score_repo.ts";
import { DEFAULT_MAX_QUARANTINE_SHARE } from "../lib/scoring/job.ts";
import { openRepoFlag } from "../lib/repo/load.ts";
import { parseShard } from "../lib/scoring/input.ts";

/** Usage line of the task. */
export const USAGE = "deno task score [--repo DIR] --input FILES|PREFIX [--input ...] [--output DIR|s3://...] " +
  "[--model champion|N] [--name NAME] [--features offline|online] [--as-of ISO] [--shard i/n] [--job NAME] " +
  "[--quarantine] [--max-quarantine-share X] [--score-flagged] [--reasons all|rejected|none] [--workers N] [--keep-columns a,b] " +
  "[--batch-rows N] [--buffer-rows N] [--s3-max-attempts N] [--naive-timestamps utc]";

/** The default output root. */
export const DEFAULT_OUTPUT = "data/scored";

/** Parsed arguments: the options of {@link scoreRepoRows} (without the repo and logging) and the repo flag. */
export type ScoreArgs = Omit<ScoreRepoRowsOptions, "repo" | "log" | "progress"> & { help: boolean; repo?: string };

const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((s) => String(s).split(",")).map((s) => s.trim())
    .filter((s) => s !== "");

/**
 * Parses and checks the arguments (errors name the flag).
 *
 * @example
 * ```ts
 * parseScoreArgs(["--input", "a.parquet", "--shard", "1/4", "--model", "3"]);
 * // { input: ["a.parquet"], output: "data/scored", shard: { index: 1, count: 4 }, model: { version: 3 }, ... }
 * ```
 */
export function parseScoreArgs(args: string[]): ScoreArgs {
  const { values } = parseTaskArgs(args, {
    usage: USAGE,
    options: {
      repo: { type: "string" },
      input: { type: "string", multiple: true },
      output: { type: "string" },
      model: { type: "string" },
      name: { type: "string" },
      features: { type: "string" },
      "as-of": { type: "string" },
      shard: { type: "string" },
      job: { type: "string" },
      quarantine: { type: "boolean" },
      "max-quarantine-share": { type: "string" },
      "score-flagged": { type: "boolean" },
      reasons: { type: "string" },
      workers: { type: "string" },
      "keep-columns": { type: "string" },
      "batch-rows": { type: "string" },
      "buffer-rows": { type: "string" },
      "s3-max-attempts": { type: "string" },
      "naive-timestamps": { type: "string" },
    },
  });
  if (values.help) return { help: true, input: [], output: DEFAULT_OUTPUT };
  const input = list(values.input);
  if (input.length === 0) throw new UsageError(`Flag "--input" is required`, USAGE);
  const modelText = values.model === undefined ? "champion" : String(values.model).trim();
  if (modelText === "") throw new UsageError(`Flag "--model" is empty; give an alias or a version number`, USAGE);
  const model = /^\d+$/.test(modelText) ? { version: Number(modelText) } : { alias: modelText };
  const features = choiceFlag(values, "features", ["offline", "online"], { fallback: "offline", usage: USAGE });
  const reasons = choiceFlag(values, "reasons", ["all", "rejected", "none"], { fallback: "rejected", usage: USAGE });
  let asOf: Date | undefined;
  if (values["as-of"] !== undefined) {
    asOf = new Date(String(values["as-of"]));
    if (Number.isNaN(asOf.getTime())) {
      throw new UsageError(`Flag "--as-of" is "${values["as-of"]}"; expected an ISO 8601 time`, USAGE);
    }
  }
  let shard;
  if (values.shard !== undefined) {
    try {
      shard = parseShard(String(values.shard));
    } catch (err) {
      throw new UsageError(`Flag "--shard": ${(err as Error).message}`, USAGE);
    }
  }
  const naive = values["naive-timestamps"];
  if (naive !== undefined && naive !== "utc") {
    throw new UsageError(`Flag "--naive-timestamps" is "${naive}"; the only choice is "utc"`, USAGE);
  }
  const optionalInt = (flag: string, min: number) =>
    values[flag] === undefined ? undefined : intFlag(values, flag, { min });
  let maxQuarantineShare: number | undefined;
  if (values["max-quarantine-share"] !== undefined) {
    maxQuarantineShare = Number(values["max-quarantine-share"]);
    if (String(values["max-quarantine-share"]).trim() === "" || !(maxQuarantineShare >= 0 && maxQuarantineShare <= 1)) {
      throw new UsageError(
        `Flag "--max-quarantine-share" is "${values["max-quarantine-share"]}"; expected a share between 0 and 1 ` +
          `(default ${DEFAULT_MAX_QUARANTINE_SHARE})`,
        USAGE,
      );
    }
  }
  return {
    help: false,
    repo: values.repo === undefined ? undefined : String(values.repo),
    maxQuarantineShare,
    input,
    output: values.output === undefined ? DEFAULT_OUTPUT : String(values.output),
    model,
    name: values.name === undefined ? undefined : String(values.name),
    features,
    asOf,
    shard,
    job: values.job === undefined ? undefined : String(values.job),
    quarantine: Boolean(values.quarantine),
    scoreFlagged: Boolean(values["score-flagged"]),
    reasons,
    workers: optionalInt("workers", 0),
    keepColumns: values["keep-columns"] === undefined ? undefined : list(values["keep-columns"]),
    batchRows: optionalInt("batch-rows", 1),
    bufferRows: optionalInt("buffer-rows", 1),
    s3MaxAttempts: optionalInt("s3-max-attempts", 1),
    naiveTimestamps: naive === "utc" ? "utc" : undefined,
  };
}

/**
 * The task's body: scores, then prints the counts, where the files and the manifest are, and the rate.
 *
 * @example
 * ```ts
 * await main(["--input", "data/generated/loan_table.parquet", "--quarantine"], console.log);
 * ```
 */
export async function main(
  args: string[],
  out: (line: string) => void = console.log,
): Promise<Awaited<ReturnType<typeof scoreRepoRows>> | null> {
  const parsed = parseScoreArgs(args);
  if (parsed.help) {
    out(`usage: ${USAGE}`);
    return null;
  }
  const { help: _, repo: repoDir, ...opts } = parsed;
  const repo = await openRepoFlag(repoDir);
  const result = await scoreRepoRows({ ...opts, repo, progress: "auto", log: out });
  const m = result.manifest;
  const c = m.counts;
  out(
    `scored ${c.scored} of ${c.input_rows} rows (${c.approve} approve, ${c.reject} reject) with ` +
      `"${m.model.name}" version ${m.model.version} in ${m.runtime.seconds.toFixed(1)} s ` +
      `(${Math.round(m.runtime.rows_per_second)} rows/s)`,
  );
  if (c.quarantined) {
    const by = Object.entries(m.quarantine.by_column).map(([col, n]) => `${col} ${n}`).join(", ");
    out(`quarantined ${c.quarantined} bad rows (${by}) under ${m.run_prefix}/_quarantine/`);
  }
  out(`${m.files.length} Parquet file(s) in ${new Set(m.files.map((f) => f.partition)).size} date partition(s)`);
  out(`manifest: ${result.manifestUri}`);
  return result;
}

if (import.meta.main) await runTask(async () => void (await main(Deno.args)));

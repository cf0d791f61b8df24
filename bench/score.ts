/**
 * `deno task bench score [--rows N] [--people N] [--repeats R] [--reasons all,rejected,none] [--workers N]
 *  [--local] [--results NAME]`: batch scoring end to end, 1M applications by default: the generated loan table (Parquet) and the
 * feature sources on S3 (s3rver on loopback) -> point-in-time features at each application's time -> the champion
 * (an MLP ensemble trained on a separate small generated set) with reason codes -> Parquet partitioned by date on S3
 * and the manifest. Every run is a fresh `deno` process (bench/score.ts --child), so its peak RSS (VmHWM) is its own;
 * runs of each reason mode are repeated and medians reported. `--local` keeps everything on local files instead.
 *
 * Writes bench/results/score.json (or `--results NAME`): `rows`, `rows_per_s` (end to end, reasons for every row,
 * median), `peak_rss_mb` (median of the runs' peaks), the per-mode figures, the time spent loading and indexing the
 * feature sources, and the scoring rate once they are indexed.
 *
 * The anchor, run once per repeat in the same run: `duckdb_floor`, DuckDB doing the least a scoring job does on the
 * same data (see bench/duckdb_anchor.ts), and each mode's `times_duckdb_floor`.
 *
 * Data and the model are cached under bench/.data/score/ (first run: ~40 s per million loans to generate).
 * @module
 */
import { intFlag, parseTaskArgs } from "../lib/cli/mod.ts";
import { resolveConfig } from "../lib/feature_store/config.ts";
import { FeatureStore } from "../lib/feature_store/feature_store.ts";
import { generateData } from "../lib/credit/write_data.ts";
import { creditTrainingSource } from "../lib/credit/model_spec.ts";
import { scoreRepoRows } from "../lib/scoring/score_repo.ts";
import { openRepo } from "../lib/repo/load.ts";
import { trainModel } from "../lib/model/train.ts";
import { exists, list, readBytes, writeBytes } from "../lib/io/mod.ts";
import { startS3 } from "../lib/testing/s3rver.ts";
import { readSystemFile } from "../lib/io/system_file.ts";
import { duckdbScoringFloor } from "./duckdb_anchor.ts";
import { benchChild, median, peakRssMb, round, writeResults } from "./harness.ts";

const USAGE = "deno task bench score [--rows N] [--people N] [--repeats R] [--reasons all,rejected,none] " +
  "[--workers N] [--local] [--results NAME]";

const here = (path: string) => new URL(path, import.meta.url).pathname;

interface ChildArgs {
  input: string;
  output: string;
  dataDir: string;
  modelStore: string;
  reasons: "all" | "rejected" | "none";
  workers?: number;
}

interface ChildResult {
  seconds: number;
  prep_seconds: number;
  rows: number;
  scored: number;
  quarantined: number;
  files: number;
  peak_rss_mb: number;
}

/** One scoring run in this (fresh) process; prints its figures as JSON on the last line. */
async function child(args: ChildArgs): Promise<void> {
  const config = resolveConfig({
    fromFile: { data_dir: args.dataDir, model_store: args.modelStore, registry: here("./.data/score/registry.json") },
  });
  const started = performance.now();
  let prepStart = 0, prepEnd = 0;
  const { manifest } = await scoreRepoRows({
    repo: await openRepo({ dir: null, config }),
    input: [args.input],
    output: args.output,
    job: "bench",
    quarantine: true,
    reasons: args.reasons,
    workers: args.workers,
    log: (line) => {
      if (line.startsWith("loading and indexing")) prepStart = performance.now();
      if (line.startsWith("model ")) prepEnd = performance.now();
    },
  });
  const result: ChildResult = {
    seconds: (performance.now() - started) / 1000,
    prep_seconds: (prepEnd - prepStart) / 1000,
    rows: manifest.counts.input_rows,
    scored: manifest.counts.scored,
    quarantined: manifest.counts.quarantined,
    files: manifest.files.length,
    peak_rss_mb: peakRssMb(),
  };
  console.log(JSON.stringify(result));
}

async function prepare(rows: number, people: number | undefined, log: (line: string) => void) {
  const dir = here(`./.data/score/rows-${rows}${people ? `-people-${people}` : ""}`);
  const dataDir = `${dir}/data`;
  if (!(await exists(`${dataDir}/credit_history.parquet`))) {
    log(`generating ${rows} loans${people ? ` of ${people} people` : ""} with their credit history (once)`);
    await generateData({ rows, seed: 7, people, out: dataDir }, { log: (l) => log(`  ${l}`) });
  }
  const models = here("./.data/score/models");
  if (!(await exists(`${models}/registry/credit_default/aliases.json`))) {
    log("training the benchmark's model on 20,000 other generated loans (once)");
    const trainDir = here("./.data/score/train");
    await generateData({ rows: 20_000, seed: 42, out: trainDir });
    const config = resolveConfig({
      fromFile: { data_dir: trainDir, model_store: models, registry: here("./.data/score/registry.json") },
    });
    const source = creditTrainingSource("generated", { dataDir: trainDir });
    const store = await FeatureStore.open({ config, repo: source.repo });
    try {
      await trainModel({
        name: "credit_default",
        source,
        store,
        modelType: "mlp",
        seed: 42,
        root: models,
        charts: false,
      });
    } finally {
      await store.close();
    }
  }
  return { dataDir, models };
}

/** Runs the benchmark; see the module doc. */
export async function main(args: string[]): Promise<void> {
  const { values } = parseTaskArgs(args, {
    usage: USAGE,
    options: {
      rows: { type: "string" },
      people: { type: "string" },
      repeats: { type: "string" },
      reasons: { type: "string" },
      workers: { type: "string" },
      local: { type: "boolean" },
      results: { type: "string" },
      child: { type: "string" },
    },
  });
  if (values.child) return await child(JSON.parse(String(values.child)));
  const rows = intFlag(values, "rows", { min: 1000, fallback: 1_000_000 });
  const people = values.people === undefined ? undefined : intFlag(values, "people", { min: 1 });
  const repeats = intFlag(values, "repeats", { min: 1, fallback: 3 });
  const workers = values.workers === undefined ? undefined : intFlag(values, "workers", { min: 0 });
  const modes = String(values.reasons ?? "all,rejected,none").split(",") as ChildArgs["reasons"][];
  const log = (line: string) => console.log(line);
  const { dataDir, models } = await prepare(rows, people, log);
  const s3dir = here(`./.data/score/s3rver-${Deno.pid}`);
  const s3 = values.local ? null : await startS3({ bucket: "bench", directory: s3dir });
  try {
    let input = `${dataDir}/loan_table.parquet`;
    let sources = dataDir;
    let output = here("./.data/score/out");
    if (s3) {
      log(`uploading the loans and feature sources to s3rver (${s3.endpoint})`);
      for (const name of ["loan_table", "credit_history", "zipcode_table"]) {
        await writeBytes(`s3://bench/data/${name}.parquet`, await readBytes(`${dataDir}/${name}.parquet`), {
          s3: s3.options,
        });
      }
      input = "s3://bench/data/loan_table.parquet";
      sources = "s3://bench/data";
      output = "s3://bench/scores";
    }
    const snapshots = (await list(`${dataDir}/credit_history.parquet`))[0]?.size ?? 0;
    const runs: Record<string, ChildResult[]> = {};
    // the anchor: DuckDB's floor of the same job on the same (local) files, once per repeat so that noise falls on both
    // (imported here: the scoring children run without --allow-ffi)
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const duck = await (await DuckDBInstance.create(":memory:")).connect();
    const floorRuns: number[] = [];
    const floorOut = here("./.data/score/duckdb_floor");
    for (let r = 0; r < repeats; r++) {
      for (const reasons of modes) {
        const childArgs: ChildArgs = { input, output, dataDir: sources, modelStore: models, reasons, workers };
        const [command, args] = benchChild("deno", [
          "--allow-read",
          `--allow-write=${here("./")}`,
          "--allow-net",
          "--allow-env",
          "--allow-sys",
          "--allow-run=cat",
          here("./score.ts"),
          "--child",
          JSON.stringify(childArgs),
        ]);
        const out = await new Deno.Command(command, {
          args,
          env: s3 ? s3.env : {},
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = new TextDecoder().decode(out.stdout).trim();
        if (!out.success) {
          throw new Error(`Scoring run failed: ${new TextDecoder().decode(out.stderr).slice(-2000)}`);
        }
        const result = JSON.parse(text.split("\n").pop()!) as ChildResult;
        (runs[reasons] ??= []).push(result);
        log(
          `run ${r + 1}/${repeats}, reasons ${reasons}: ${result.rows} rows in ${result.seconds.toFixed(1)} s ` +
            `(${Math.round(result.rows / result.seconds)} rows/s; sources indexed in ${
              result.prep_seconds.toFixed(1)
            } s), ` +
            `peak RSS ${Math.round(result.peak_rss_mb)} MB`,
        );
      }
      floorRuns.push(await duckdbScoringFloor(duck, dataDir, floorOut));
      log(`run ${r + 1}/${repeats}, DuckDB floor: ${floorRuns.at(-1)!.toFixed(1)} s`);
    }
    duck.closeSync();
    await Deno.remove(floorOut, { recursive: true });
    const floorSeconds = median(floorRuns);
    const summary = Object.fromEntries(
      Object.entries(runs).map(([mode, rs]) => {
        const seconds = median(rs.map((x) => x.seconds));
        const prep = median(rs.map((x) => x.prep_seconds));
        return [mode, {
          seconds: round(seconds, 2),
          rows_per_s: Math.round(rs[0].rows / seconds),
          source_index_s: round(prep, 2),
          rows_per_s_after_index: Math.round(rs[0].rows / (seconds - prep)),
          times_duckdb_floor: round(seconds / floorSeconds, 2),
          peak_rss_mb: Math.round(median(rs.map((x) => x.peak_rss_mb))),
          runs_s: rs.map((x) => round(x.seconds, 2)),
        }];
      }),
    );
    const main = summary.all ?? Object.values(summary)[0];
    const first = Object.values(runs)[0][0];
    const loadavg = (readSystemFile("/proc/loadavg") ?? "").split(" ").slice(0, 3).join(" "); // "" off Linux
    const path = await writeResults(String(values.results ?? "score"), {
      command: `deno task bench score ${args.join(" ")}`.trim(),
      rows: first.rows,
      rows_per_s: main.rows_per_s,
      peak_rss_mb: main.peak_rss_mb,
      reasons: summary.all ? "all" : modes[0],
      by_reasons: summary,
      scored: first.scored,
      quarantined: first.quarantined,
      output_files: first.files,
      storage: s3 ? "s3rver on loopback (input, feature sources, output)" : "local files",
      feature_source_bytes: snapshots,
      workers: workers ?? "default (one per core, at most 4)",
      repeats,
      load_average_at_end: loadavg,
      goal_rows_per_s: 300_000,
      duckdb_floor: {
        seconds: round(floorSeconds, 2),
        rows_per_s: Math.round(first.rows / floorSeconds),
        runs_s: floorRuns.map((x) => round(x, 2)),
        work: "DuckDB (all cores) on the same data from local files: point-in-time ASOF join of both views, a " +
          "logistic of four columns in place of the model, no reason codes, Parquet partitioned by date to local " +
          "files (bench/duckdb_anchor.ts); local because DuckDB's httpfs extension cannot be downloaded here",
      },
    });
    log(
      `reasons ${summary.all ? "all" : modes[0]}: ${main.rows_per_s} rows/s; DuckDB's floor of the same job: ` +
        `${Math.round(first.rows / floorSeconds)} rows/s (goal 300000) -> ${path}`,
    );
  } finally {
    await s3?.close();
    await Deno.remove(s3dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main(Deno.args);

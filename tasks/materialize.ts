/**
 * `deno task materialize START END [--views a,b] [--batch-size N]`: writes the latest feature rows per entity with
 * START <= event timestamp <= END (ISO 8601; no zone = UTC) to the configured online store and records the
 * interval per view in the registry (Feast's `feast materialize`). A view whose online-store epoch differs from
 * the one recorded with its intervals (the store was emptied) is re-materialized in full, and said so; a store
 * that loses rows during the run fails it (exit 1) naming the views, so that a re-run repairs them.
 *
 * @example
 * ```sh
 * deno task materialize 2020-01-01 2021-08-01T00:00:00Z --views credit_history
 * ```
 * @module
 */
import { intFlag, parseTaskArgs, runTask, UsageError } from "../lib/cli/mod.ts";
import { openRepoFlag } from "../lib/repo/load.ts";
import { FeatureStore } from "../lib/feature_store/feature_store.ts";
import {
  type MaterializeCommonOptions,
  type MaterializeReport,
  OnlineStoreLossError,
} from "../lib/feature_store/materialize.ts";
import { formatIsoMicros, parseIsoMicros } from "../lib/feature_store/online/time.ts";
import { formatCount } from "../lib/cli/progress.ts";

const USAGE =
  "deno task materialize START END [--repo DIR] [--views view1,view2] [--batch-size N]   (ISO 8601 timestamps, UTC)";

/**
 * Parses a timestamp argument, naming it in the usage error.
 *
 * @example
 * ```ts
 * timestampArg("2021-08-01", "END", USAGE); // 1627776000000000
 * ```
 */
export function timestampArg(text: string | undefined, name: string, usage: string): number {
  if (text === undefined) throw new UsageError(`Argument ${name} is missing`, usage);
  try {
    return parseIsoMicros(text, `${name} argument`);
  } catch (err) {
    throw new UsageError((err as Error).message, usage);
  }
}

/**
 * The `--views` flag as a list (undefined when absent).
 *
 * @example
 * ```ts
 * viewsFlag("a, b"); // ["a", "b"]
 * ```
 */
export function viewsFlag(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const names = String(value).split(",").map((s) => s.trim()).filter(Boolean);
  return names.length ? names : undefined;
}

/**
 * One line per view: rows written, skipped as older, seconds, rate.
 *
 * @example
 * ```ts
 * describeReport(report).forEach((line) => console.log(line));
 * ```
 */
export function describeReport(report: MaterializeReport): string[] {
  return report.views.map((v) => {
    const window = `[${formatIsoMicros(v.startMicros)} .. ${formatIsoMicros(v.endMicros)}]`;
    if (!v.recorded) return `${v.view} ${window}: nothing to do (${v.note})`;
    return `${v.view} ${window}: ${v.written} rows written, ${v.skipped} skipped as older, ` +
      `${v.seconds.toFixed(2)} s, ${formatCount(v.rowsPerSecond)} rows/s` + (v.note ? ` (${v.note})` : "");
  });
}

/**
 * The shell shared by `materialize` and `materialize-incremental`: parses the timestamps named in `times` and the
 * flags, opens the feature store, runs `run`, prints one line per view.
 *
 * @example
 * ```ts
 * await materializeTask(Deno.args, { usage: USAGE, times: ["END"], what: "incrementally", run: (s, o) => ... });
 * ```
 */
export async function materializeTask(
  args: string[],
  opts: {
    usage: string;
    times: string[];
    what: string;
    run: (store: FeatureStore, o: MaterializeCommonOptions & { times: number[] }) => Promise<MaterializeReport>;
  },
): Promise<void> {
  const { values, positionals } = parseTaskArgs(args, {
    usage: opts.usage,
    options: { repo: { type: "string" }, views: { type: "string" }, "batch-size": { type: "string" } },
    positionals: true,
  });
  if (values.help) return void console.log(`usage: ${opts.usage}`);
  if (positionals.length > opts.times.length) {
    throw new UsageError(`Unexpected argument "${positionals[opts.times.length]}"`, opts.usage);
  }
  const times = opts.times.map((name, i) => timestampArg(positionals[i], name, opts.usage));
  if (times.length === 2 && times[0] > times[1]) {
    throw new UsageError(`START (${positionals[0]}) is after END (${positionals[1]})`, opts.usage);
  }
  const batchSize = intFlag(values, "batch-size", { min: 1, fallback: 20_000 });
  const opened = await openRepoFlag(values.repo as string | undefined);
  const store = await FeatureStore.open({ config: opened.config, repo: opened.features });
  try {
    const online = store.onlineStore();
    console.log(`Materializing ${opts.what}to the ${online.type} online store ${online.location}`);
    let report: MaterializeReport;
    try {
      report = await opts.run(store, {
        times,
        end: times[times.length - 1],
        views: viewsFlag(values.views),
        batchSize,
        progress: "auto",
        log: (line) => console.error(line),
      });
    } catch (err) {
      // the views done before the loss, then the error (runTask prints it and exits 1)
      if (err instanceof OnlineStoreLossError) { for (const line of describeReport(err.report)) console.log(line); }
      throw err;
    }
    for (const line of describeReport(report)) console.log(line);
  } finally {
    await store.close();
  }
}

if (import.meta.main) {
  await runTask(() =>
    materializeTask(Deno.args, {
      usage: USAGE,
      times: ["START", "END"],
      what: "",
      run: (store, o) => store.materialize({ ...o, start: o.times[0] }),
    })
  );
}

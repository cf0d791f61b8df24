/**
 * Materialization with Feast's semantics: per feature view, the latest row per entity with start <= event
 * timestamp <= end (from the offline store's `pullLatest`) is written to the online store in batches; the
 * registry records the interval `[start, end]` of a view only once all its rows are written.
 *
 * Safe to repeat and to interrupt: the online stores skip writes older than (or as new as) what they hold, so a
 * second run changes nothing and a re-run after a failure completes the work; an interrupted view records
 * nothing. When the online store reports that it may have lost writes meanwhile (a Redis restart: its `epoch`
 * changed), the view is written again before its interval is recorded.
 *
 * @example
 * ```ts
 * import { materialize, materializeIncremental } from "./materialize.ts";
 * const ctx = { repo, config, offline, online };
 * await materialize(ctx, { start: "2021-01-01", end: "2021-08-01" });
 * await materializeIncremental(ctx, { end: new Date() });
 * ```
 * @module
 */
import type * as arrow from "apache-arrow";
import { Progress } from "../cli/progress.ts";
import type { FeatureStoreConfig } from "./config.ts";
import { toS3Options } from "./config.ts";
import type { FeatureRepo, FeatureView } from "./definitions.ts";
import type { OfflineStore } from "./offline/store.ts";
import { tableEncoder } from "./online/codec.ts";
import type { OnlineStore, WriteResult } from "./online/interface.ts";
import { formatIsoMicros, parseIsoMicros, toMicros } from "./online/time.ts";
import { loadRegistry, type Registry, type RegistryIo, saveRegistry } from "./registry.ts";

/** What materialization works with. */
export interface MaterializeContext {
  repo: FeatureRepo;
  config: Pick<FeatureStoreConfig, "project" | "registry"> & Partial<Pick<FeatureStoreConfig, "s3">>;
  offline: Pick<OfflineStore, "pullLatest">;
  online: OnlineStore;
  /** Registry storage (tests); default lib/io. */
  registryIo?: RegistryIo;
}

/** Options shared by {@link materialize} and {@link materializeIncremental}. */
export interface MaterializeCommonOptions {
  /** End of the window (inclusive): a Date, an ISO 8601 string (no zone = UTC) or microseconds. */
  end: Date | string | number;
  /** Names of the views to materialize (default: every view with `online: true`). */
  views?: readonly string[];
  /** Rows per write batch (default 20,000). */
  batchSize?: number;
  /** Progress display: "tty"/"lines" as lib/cli Progress chooses by default, or "silent" (default). */
  progress?: "auto" | "tty" | "lines" | "silent";
  /** Receives notes such as a restart of the online store (default: none). */
  log?: (line: string) => void;
  /** How often a view is written again after the online store lost writes (default 2). */
  maxRewrites?: number;
}

/** Options of {@link materialize}. */
export interface MaterializeOptions extends MaterializeCommonOptions {
  /** Start of the window (inclusive), same forms as `end`. */
  start: Date | string | number;
}

/** What happened to one view. */
export interface ViewReport {
  view: string;
  /** The window, microseconds since the epoch. */
  startMicros: number;
  endMicros: number;
  /** Latest rows per entity in the window. */
  rows: number;
  written: number;
  /** Rows the online store already held at least as new. */
  skipped: number;
  seconds: number;
  /** Rows per second (written + skipped). */
  rowsPerSecond: number;
  /** Whether the interval was recorded in the registry. */
  recorded: boolean;
  /** Why nothing was done, or that the view was rewritten. */
  note?: string;
}

/** What {@link materialize} did, per view in order. */
export interface MaterializeReport {
  views: ViewReport[];
}

/**
 * Materializes `[start, end]` for the selected views.
 *
 * @example
 * ```ts
 * const report = await materialize(ctx, { start: "2021-01-01T00:00:00Z", end: "2021-08-01T00:00:00Z" });
 * report.views.map((v) => `${v.view}: ${v.written} written, ${v.skipped} skipped`);
 * ```
 */
export async function materialize(ctx: MaterializeContext, opts: MaterializeOptions): Promise<MaterializeReport> {
  const startMicros = toMicros(opts.start, "start time");
  const endMicros = toMicros(opts.end, "end time");
  if (startMicros > endMicros) {
    throw new RangeError(
      `The start time ${formatIsoMicros(startMicros)} is after the end time ${formatIsoMicros(endMicros)}`,
    );
  }
  return await run(ctx, opts, () => startMicros, endMicros);
}

/**
 * Materializes from where each view's last recorded interval ended (the first time: `end` minus the view's ttl,
 * or the epoch for views without ttl) up to `end`.
 *
 * @example
 * ```ts
 * await materializeIncremental(ctx, { end: new Date() });
 * ```
 */
export async function materializeIncremental(
  ctx: MaterializeContext,
  opts: MaterializeCommonOptions,
): Promise<MaterializeReport> {
  const endMicros = toMicros(opts.end, "end time");
  return await run(ctx, opts, (view, registry) => incrementalStart(view, registry, endMicros), endMicros);
}

/**
 * Where an incremental materialization of `view` starts: the latest recorded end, else end − ttl, else 0.
 *
 * @example
 * ```ts
 * incrementalStart(view, registry, Date.now() * 1000);
 * ```
 */
export function incrementalStart(view: FeatureView, registry: Registry, endMicros: number): number {
  const intervals = registry.materialization_intervals[view.name] ?? [];
  if (intervals.length) return Math.max(...intervals.map((i) => parseIsoMicros(i.end, "recorded end")));
  return view.ttlSeconds > 0 ? Math.max(0, endMicros - view.ttlSeconds * 1_000_000) : 0;
}

/**
 * The views to materialize: the named ones (errors name unknown or offline-only views) or all online views.
 *
 * @example
 * ```ts
 * selectViews(repo, ["credit_history"]).map((v) => v.name); // ["credit_history"]
 * ```
 */
export function selectViews(repo: FeatureRepo, names?: readonly string[]): FeatureView[] {
  if (!names || names.length === 0) return repo.views.filter((v) => v.online);
  return names.map((name) => {
    const view = repo.views.find((v) => v.name === name);
    if (!view) {
      throw new Error(`Feature view "${name}" does not exist; known: ${repo.views.map((v) => v.name).join(", ")}`);
    }
    if (!view.online) {
      throw new Error(`Feature view "${name}" is not online ("online: false"); it cannot be materialized`);
    }
    return view;
  });
}

async function run(
  ctx: MaterializeContext,
  opts: MaterializeCommonOptions,
  startOf: (view: FeatureView, registry: Registry) => number,
  endMicros: number,
): Promise<MaterializeReport> {
  const views = selectViews(ctx.repo, opts.views);
  const registryOpts = { project: ctx.config.project, s3: toS3Options(ctx.config.s3), io: ctx.registryIo };
  const registry = await loadRegistry(ctx.config.registry, registryOpts);
  const missing = views.filter((v) => !registry.feature_views[v.name]);
  if (missing.length) {
    throw new Error(
      `Feature view${missing.length > 1 ? "s" : ""} ${missing.map((v) => `"${v.name}"`).join(", ")} ` +
        `${
          missing.length > 1 ? "are" : "is"
        } not in the registry "${ctx.config.registry}"; run "deno task apply" first`,
    );
  }
  const reports: ViewReport[] = [];
  for (const view of views) {
    const startMicros = startOf(view, registry);
    if (startMicros > endMicros) {
      reports.push({
        view: view.name,
        startMicros,
        endMicros,
        rows: 0,
        written: 0,
        skipped: 0,
        seconds: 0,
        rowsPerSecond: 0,
        recorded: false,
        note: `already materialized up to ${formatIsoMicros(startMicros)}, after the end time`,
      });
      continue;
    }
    reports.push(await materializeView(ctx, view, { ...opts, startMicros, endMicros, registryOpts }));
  }
  return { views: reports };
}

async function materializeView(
  ctx: MaterializeContext,
  view: FeatureView,
  opts: MaterializeCommonOptions & {
    startMicros: number;
    endMicros: number;
    registryOpts: { project: string; s3?: ReturnType<typeof toS3Options>; io?: RegistryIo };
  },
): Promise<ViewReport> {
  const started = performance.now();
  const { startMicros, endMicros } = opts;
  const table = await ctx.offline.pullLatest(view, { startMicros, endMicros });
  const total: WriteResult = { written: 0, skipped: 0 };
  let note: string | undefined;
  const maxRewrites = opts.maxRewrites ?? 2;
  for (let attempt = 0;; attempt++) {
    const before = await ctx.online.epoch();
    const result = await writeTableOnline(ctx.online, view, table, {
      batchSize: opts.batchSize,
      progress: opts.progress,
      label: attempt ? `${view.name} (again)` : view.name,
    });
    total.written += result.written;
    total.skipped += attempt === 0 ? result.skipped : 0;
    const after = await ctx.online.epoch();
    if (after === before) break;
    note = `the online store ${ctx.online.location} restarted while writing; the view was written again`;
    if (attempt >= maxRewrites) {
      throw new Error(
        `The online store ${ctx.online.location} restarted ${attempt + 1} times while writing feature view ` +
          `"${view.name}"; nothing was recorded, run again`,
      );
    }
    opts.log?.(`Feature view "${view.name}": ${note}`);
  }
  // Only now, with every row written, is the interval recorded.
  const current = await loadRegistry(ctx.config.registry, opts.registryOpts);
  const next: Registry = structuredClone(current);
  (next.materialization_intervals[view.name] ??= []).push({
    start: formatIsoMicros(startMicros),
    end: formatIsoMicros(endMicros),
  });
  await saveRegistry(ctx.config.registry, next, { s3: opts.registryOpts.s3, io: opts.registryOpts.io });
  const seconds = (performance.now() - started) / 1000;
  return {
    view: view.name,
    startMicros,
    endMicros,
    rows: table.numRows,
    written: Math.min(total.written, table.numRows),
    skipped: table.numRows - Math.min(total.written, table.numRows),
    seconds,
    rowsPerSecond: table.numRows / Math.max(seconds, 1e-9),
    recorded: true,
    note,
  };
}

/** Options of {@link writeTableOnline}. */
export interface WriteTableOptions {
  /** Rows per batch (default 20,000). */
  batchSize?: number;
  /** Progress display (default "silent"). */
  progress?: "auto" | "tty" | "lines" | "silent";
  /** Progress label (default the view's name). */
  label?: string;
  /** Called after each batch with rows done so far. */
  onBatch?: (done: number) => void;
}

/**
 * Writes a table shaped like `pullLatest`'s result to the online store in batches, encoding the next batch while
 * the previous one is being written.
 *
 * @example
 * ```ts
 * const { written, skipped } = await writeTableOnline(online, view, table, { batchSize: 50_000 });
 * ```
 */
export async function writeTableOnline(
  online: OnlineStore,
  view: FeatureView,
  table: arrow.Table,
  opts: WriteTableOptions = {},
): Promise<WriteResult> {
  const batchSize = Math.max(1, opts.batchSize ?? 20_000);
  const encoder = tableEncoder(view, table);
  const n = encoder.numRows;
  const mode = opts.progress ?? "silent";
  const progress = new Progress({
    label: opts.label ?? view.name,
    total: n,
    unit: "rows",
    ...(mode === "auto" ? {} : { mode }),
  });
  const total: WriteResult = { written: 0, skipped: 0 };
  let pending: Promise<WriteResult> | undefined;
  let done = 0;
  let inFlight = 0;
  const settle = async () => {
    const r = await pending!;
    total.written += r.written;
    total.skipped += r.skipped;
    done += inFlight;
    progress.update(done);
    opts.onBatch?.(done);
  };
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const batch = encoder.encode(start, end);
    if (pending) await settle();
    pending = online.onlineWriteBatch(view, batch);
    inFlight = end - start;
  }
  if (pending) await settle();
  progress.done();
  return total;
}

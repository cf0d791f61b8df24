/**
 * Materialization with Feast's semantics: per feature view, the latest row per entity with start <= event
 * timestamp <= end (from the offline store's `pullLatest`) is written to the online store in batches; the
 * registry records the interval `[start, end]` of a view only once all its rows are written.
 *
 * Safe to repeat and to interrupt: the online stores skip writes older than (or as new as) what they hold, so a
 * second run changes nothing and a re-run after a failure completes the work; an interrupted view records
 * nothing.
 *
 * Online-store loss: each interval is recorded with the view's online-store epoch (`OnlineStore.epoch`, a marker
 * stored beside the rows that anything emptying the store takes along). Before a view's recorded intervals are
 * trusted, its current epoch is compared with the one of its last interval: another (or none recorded) means the
 * rows may be gone, and the view is re-materialized in full, from its earliest recorded start (said in the
 * report's note and through `log`). After each view is written and before its interval is recorded, the epochs
 * of that view and of the views recorded earlier in the run are checked again: a change means the store lost
 * rows during the run, and the run fails with {@link OnlineStoreLossError} naming the views, recording nothing
 * for the view being written; a re-run then re-materializes them in full.
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
import {
  loadRegistry,
  type MaterializationInterval,
  type Registry,
  type RegistryIo,
  saveRegistry,
} from "./registry.ts";

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
  /** Receives notes such as a view re-materialized in full after the online store lost it (default: none). */
  log?: (line: string) => void;
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
  /** Why nothing was done, or why the view was re-materialized in full. */
  note?: string;
  /** The view was re-materialized in full because the online store lost its rows (or no epoch was recorded). */
  rematerialized?: boolean;
  /** The view's online-store epoch recorded with the interval. */
  epoch?: string;
}

/** What {@link materialize} did, per view in order. */
export interface MaterializeReport {
  views: ViewReport[];
}

/** A view whose online-store epoch changed during a run. */
export interface LostView {
  view: string;
  /** The epoch when the run wrote it, and the epoch now. */
  was: string;
  now: string;
  /** Whether its interval was recorded (before the loss) in this run. */
  recorded: boolean;
}

/**
 * The online store lost rows during a materialization (its epoch changed): the view being written is not
 * recorded, and a re-run re-materializes every view named in full. `report` holds the views done before.
 *
 * @example
 * ```ts
 * try {
 *   await materialize(ctx, { start, end });
 * } catch (err) {
 *   if (err instanceof OnlineStoreLossError) console.error(err.lost.map((l) => l.view));
 *   throw err;
 * }
 * ```
 */
export class OnlineStoreLossError extends Error {
  /** @param message Names the store and the views; `lost` and `report` give the details. */
  constructor(message: string, readonly lost: LostView[], readonly report: MaterializeReport) {
    super(message);
    this.name = "OnlineStoreLossError";
  }
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

/**
 * Whether a view's recorded intervals can be trusted at the store's current epoch; when not, the window that
 * re-materializes it in full (the union of its recorded intervals and the requested window) and why.
 *
 * @example
 * ```ts
 * const check = checkRecordedEpoch(registry.materialization_intervals.credit, current, { startMicros, endMicros });
 * if (check.lost) console.log(check.reason);
 * ```
 */
export function checkRecordedEpoch(
  intervals: readonly MaterializationInterval[] | undefined,
  current: string,
  window: { startMicros: number; endMicros: number },
): { lost: false } | { lost: true; startMicros: number; endMicros: number; reason: string } {
  if (!intervals?.length) return { lost: false };
  const last = intervals[intervals.length - 1].epoch;
  if (last === current) return { lost: false };
  const startMicros = Math.min(window.startMicros, ...intervals.map((i) => parseIsoMicros(i.start, "recorded start")));
  const endMicros = Math.max(window.endMicros, ...intervals.map((i) => parseIsoMicros(i.end, "recorded end")));
  const reason = last === undefined
    ? "its intervals were recorded without an online-store epoch (by an older version), so the online store's " +
      `rows cannot be trusted (epoch now ${current})`
    : `online store was emptied since the last run (epoch ${last}, now ${current})`;
  return { lost: true, startMicros, endMicros, reason };
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
  /** Views recorded in this run, with the epoch they were written at. */
  const done: { view: FeatureView; epoch: string }[] = [];
  for (const view of views) {
    const epoch = (await ctx.online.epoch(view)).id;
    let startMicros = startOf(view, registry);
    let viewEnd = endMicros;
    let note: string | undefined;
    const check = checkRecordedEpoch(registry.materialization_intervals[view.name], epoch, {
      startMicros,
      endMicros,
    });
    if (check.lost) {
      ({ startMicros, endMicros: viewEnd } = check);
      note = `${check.reason}: re-materializing view ${view.name} in full from ${formatIsoMicros(startMicros)}`;
      opts.log?.(`Feature view "${view.name}": ${note}`);
    }
    if (startMicros > viewEnd) {
      reports.push({
        view: view.name,
        startMicros,
        endMicros: viewEnd,
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
    const started = performance.now();
    const table = await ctx.offline.pullLatest(view, { startMicros, endMicros: viewEnd });
    const result = await writeTableOnline(ctx.online, view, table, {
      batchSize: opts.batchSize,
      progress: opts.progress,
    });
    // Before recording: did the store lose rows meanwhile, of this view or of one recorded earlier in the run?
    const lost: LostView[] = [];
    for (const item of [...done, { view, epoch }]) {
      const now = (await ctx.online.epoch(item.view)).id;
      if (now !== item.epoch) lost.push({ view: item.view.name, was: item.epoch, now, recorded: item.view !== view });
    }
    if (lost.length) throw lossError(ctx.online.location, view, lost, { views: reports });
    // Only now, with every row written, is the interval recorded.
    const current = await loadRegistry(ctx.config.registry, registryOpts);
    const next: Registry = structuredClone(current);
    (next.materialization_intervals[view.name] ??= []).push({
      start: formatIsoMicros(startMicros),
      end: formatIsoMicros(viewEnd),
      epoch,
    });
    await saveRegistry(ctx.config.registry, next, { s3: registryOpts.s3, io: registryOpts.io });
    done.push({ view, epoch });
    const seconds = (performance.now() - started) / 1000;
    reports.push({
      view: view.name,
      startMicros,
      endMicros: viewEnd,
      rows: table.numRows,
      written: result.written,
      skipped: result.skipped,
      seconds,
      rowsPerSecond: table.numRows / Math.max(seconds, 1e-9),
      recorded: true,
      note,
      rematerialized: check.lost || undefined,
      epoch,
    });
  }
  return { views: reports };
}

function lossError(location: string, view: FeatureView, lost: LostView[], report: MaterializeReport) {
  const self = lost.find((l) => !l.recorded);
  const earlier = lost.filter((l) => l.recorded);
  const parts: string[] = [];
  if (self) {
    parts.push(
      `The online store ${location} lost rows while feature view "${view.name}" was written (epoch ${self.was}, ` +
        `now ${self.now}); its interval was not recorded.`,
    );
  } else {
    parts.push(
      `The online store ${location} lost rows during this run; feature view "${view.name}" was written after the loss.`,
    );
  }
  if (earlier.length) {
    parts.push(
      `Written earlier in this run and lost since: ${
        earlier.map((l) => `"${l.view}" (epoch ${l.was}, now ${l.now})`).join(", ")
      }.`,
    );
  }
  parts.push("Run the materialization again: it re-materializes the affected views in full.");
  return new OnlineStoreLossError(parts.join(" "), lost, report);
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

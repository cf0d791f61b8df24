/**
 * Writing drift reports: `drift_report.html` (self-contained) then `drift_report.json` into a folder, local or
 * `s3://`, each file written atomically (the JSON last, so a reader that finds it finds the page too). Also
 * {@link runDrift}, the whole job from file paths: read, compare, write, optionally save the reference profile.
 *
 * @example
 * ```ts
 * import { runDrift } from "./report.ts";
 * const { report, files } = await runDrift({
 *   reference: "data/generated/training_set.parquet", current: "s3://bucket/scored/2024-06-01.parquet",
 *   out: "reports/drift",
 * });
 * console.log(report.summary, files.html);
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { type IoOptions, joinUri, readSchema, readTable, writeBytes } from "../io/mod.ts";
import { computeDrift, type DriftOptions, type DriftReport, type DriftRun } from "./drift.ts";
import { type HtmlOptions, renderDriftHtml } from "./html.ts";
import { loadProfile, type ReferenceProfile, saveProfile } from "./profile.ts";

/** Default output folder (the web page reads it). */
export const DEFAULT_DRIFT_DIR = "reports/drift";
/** File names inside the output folder. */
export const DRIFT_HTML = "drift_report.html";
export const DRIFT_JSON = "drift_report.json";

/** Paths and sizes written by {@link writeDriftReport}. */
export interface WrittenReport {
  html: string;
  json: string;
  htmlBytes: number;
  jsonBytes: number;
}

/**
 * Renders and writes the HTML and JSON report into `out` (a folder). `units` (by column: "$", "years") label the
 * charts' value axes; `maxHtmlBytes` bounds the page.
 *
 * @example
 * ```ts
 * import { writeDriftReport } from "./report.ts";
 * // const written = await writeDriftReport(report, "reports/drift", { units: { loan_amnt: "$" } });
 * ```
 */
export async function writeDriftReport(
  report: DriftReport,
  out: string = DEFAULT_DRIFT_DIR,
  opts: IoOptions & { maxHtmlBytes?: number; units?: HtmlOptions["units"] } = {},
): Promise<WrittenReport> {
  const t = performance.now();
  const html = new TextEncoder().encode(
    await renderDriftHtml(report, { maxBytes: opts.maxHtmlBytes, units: opts.units }),
  );
  report.timings.render_html_s = (performance.now() - t) / 1000;
  const json = new TextEncoder().encode(JSON.stringify(report, null, 1) + "\n");
  const htmlUri = joinUri(out, DRIFT_HTML), jsonUri = joinUri(out, DRIFT_JSON);
  await writeBytes(htmlUri, html, { ...opts, contentType: "text/html; charset=utf-8" });
  await writeBytes(jsonUri, json, { ...opts, contentType: "application/json" });
  return { html: htmlUri, json: jsonUri, htmlBytes: html.byteLength, jsonBytes: json.byteLength };
}

/**
 * True when `uri` names a saved reference profile (`.json`) rather than a data file.
 *
 * @example
 * ```ts
 * import { isProfilePath } from "./report.ts";
 * isProfilePath("reports/reference.profile.json"); // true
 * ```
 */
export function isProfilePath(uri: string): boolean {
  return /\.json$/i.test(uri);
}

/** Options of {@link runDrift}. */
export interface RunDriftOptions extends DriftOptions, IoOptions {
  /** Reference data (Parquet/CSV, local or s3://) or a saved profile (`.json`). */
  reference: string;
  /** Current data (Parquet/CSV, local or s3://). */
  current: string;
  /** Output folder (default `reports/drift`); null writes nothing. */
  out?: string | null;
  /** Save the reference profile here (`.json`). */
  saveProfileTo?: string;
  /** Units by column for the charts' axis titles ("loan_amnt ($)"); columns without one show the plain name. */
  units?: HtmlOptions["units"];
}

/** What {@link runDrift} did. */
export interface RunDriftResult extends DriftRun {
  files: WrittenReport | null;
  profileBytes: number | null;
}

/**
 * Reads both sides (only the columns needed), computes the report, writes it, and saves the profile if asked.
 *
 * @example
 * ```ts
 * import { runDrift } from "./report.ts";
 * // await runDrift({ reference: "reports/reference.profile.json", current: "today.parquet", out: "reports/drift" });
 * ```
 */
export async function runDrift(opts: RunDriftOptions): Promise<RunDriftResult> {
  const io: IoOptions = { s3: opts.s3 };
  const t0 = performance.now();
  let reference: arrow.Table | ReferenceProfile;
  let needed: string[] | undefined;
  if (isProfilePath(opts.reference)) {
    reference = await loadProfile(opts.reference, io);
    needed = reference.columns.map((c) => c.column);
  }
  const curSchema = await readSchema(opts.current, io);
  const curNames = new Set(curSchema.fields.map((f) => f.name));
  if (!isProfilePath(opts.reference)) {
    const refSchema = await readSchema(opts.reference, io);
    needed = refSchema.fields.map((f) => f.name);
  }
  // names asked for are checked against each side's whole schema (the message lists every column there)
  for (const c of opts.columns ?? []) {
    if (!needed!.includes(c)) {
      throw new Error(`Column "${c}" (columns) is not in the reference data; columns: ${needed!.join(", ")}`);
    }
    if (!curNames.has(c)) {
      throw new Error(`Column "${c}" (columns) is not in the current data; columns: ${[...curNames].join(", ")}`);
    }
  }
  // read only columns that both sides have (and that are asked for)
  const wanted = new Set(opts.columns ?? needed);
  for (const c of [opts.predictionColumn, opts.targetColumn]) if (c) wanted.add(c);
  const both = needed!.filter((c) => wanted.has(c) && curNames.has(c) && !(opts.exclude ?? []).includes(c));
  if (both.length === 0) {
    throw new Error(
      `No column could be compared: the reference and the current data share no column (reference: ${
        needed!.slice(0, 20).join(", ")
      }; current: ${[...curNames].slice(0, 20).join(", ")})`,
    );
  }
  const [refData, current] = await Promise.all([
    isProfilePath(opts.reference)
      ? Promise.resolve(reference!)
      : readTable(opts.reference, { ...io, columns: needed!.filter((c) => wanted.has(c)) }),
    readTable(opts.current, { ...io, columns: both }),
  ]);
  const readS = (performance.now() - t0) / 1000;
  const run = await computeDrift(refData, current, {
    referenceSource: isProfilePath(opts.reference) ? undefined : opts.reference,
    currentSource: opts.current,
    ...opts,
  });
  run.report.timings.read_s = readS;
  let profileBytes: number | null = null;
  if (opts.saveProfileTo) profileBytes = await saveProfile(run.profile, opts.saveProfileTo, io);
  const files = opts.out === null
    ? null
    : await writeDriftReport(run.report, opts.out ?? DEFAULT_DRIFT_DIR, { ...io, units: opts.units });
  return { ...run, files, profileBytes };
}

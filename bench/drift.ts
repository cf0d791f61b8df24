/**
 * `deno task bench drift [--rows N] [--columns C] [--repeats R]`: a drift report of N reference x N current rows x C
 * numerical columns (default 1M x 1M x 20; a third of the columns integer-valued like ages and counts, four shifted)
 * with every default test (Wasserstein here) plus PSI per column, HTML + JSON written, from Arrow tables in memory.
 * Also a daily run against a saved reference profile (profile loaded from disk, current data only). Medians of R
 * runs (default 5); the machine is shared, so the spread is printed too.
 * Writes bench/results/drift.json: seconds, html_bytes, per-stage medians, profile run seconds and size.
 * @module
 */
import * as arrow from "apache-arrow";
import { intFlag, parseTaskArgs } from "../lib/cli/mod.ts";
import { computeDrift, loadProfile, saveProfile, writeDriftReport } from "../lib/monitoring/mod.ts";
import { seededRandom as rng } from "../lib/numeric/random.ts";
import { median, peakRssMb, round, writeResults } from "./harness.ts";

const USAGE = "deno task bench drift [--rows N] [--columns C] [--repeats R]";
const OUT = new URL("./.data/drift/", import.meta.url).pathname;

function makeTable(rows: number, columns: number, seed: number, drifted: number): arrow.Table {
  const r = rng(seed);
  const cols: Record<string, Float64Array> = {};
  for (let c = 0; c < columns; c++) {
    const a = new Float64Array(rows);
    const shift = c < drifted ? 0.3 : 0;
    if (c % 3 === 2) {
      // integer-valued, like ages or months employed
      for (let i = 0; i < rows; i++) a[i] = Math.floor(20 + 40 * r() * r() + 10 * shift);
    } else if (c % 3 === 1) {
      // skewed, like incomes
      for (let i = 0; i < rows; i++) a[i] = Math.exp(10 + shift + 0.6 * (r() + r() + r() - 1.5));
    } else {
      for (let i = 0; i < rows; i++) a[i] = (r() + r() + r() - 1.5) * 2 + shift;
    }
    cols[`feature_${String(c).padStart(2, "0")}`] = a;
  }
  return arrow.tableFromArrays(cols);
}

/** Runs the benchmark. */
export async function main(args: string[]): Promise<void> {
  const { values } = parseTaskArgs(args, {
    usage: USAGE,
    options: { rows: { type: "string" }, columns: { type: "string" }, repeats: { type: "string" } },
  });
  const rows = intFlag(values, "rows", { min: 1000, fallback: 1_000_000 });
  const columns = intFlag(values, "columns", { min: 1, fallback: 20 });
  const repeats = intFlag(values, "repeats", { min: 1, fallback: 5 });
  console.log(`Generating ${rows.toLocaleString("en")} x ${rows.toLocaleString("en")} rows x ${columns} columns...`);
  const reference = makeTable(rows, columns, 1, 0);
  const current = makeTable(rows, columns, 2, 4);

  const totals: number[] = [],
    compute: number[] = [],
    extract: number[] = [],
    render: number[] = [],
    write: number[] = [];
  let htmlBytes = 0, jsonBytes = 0, summary = "";
  let profile = null;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    const run = await computeDrift(reference, current, {
      referenceSource: "bench reference",
      currentSource: "bench current",
    });
    const t1 = performance.now();
    const written = await writeDriftReport(run.report, OUT);
    const t2 = performance.now();
    totals.push((t2 - t0) / 1000);
    compute.push((t1 - t0) / 1000);
    extract.push(run.report.timings.extract_s);
    render.push(run.report.timings.render_html_s);
    write.push((t2 - t1) / 1000 - run.report.timings.render_html_s);
    htmlBytes = written.htmlBytes;
    jsonBytes = written.jsonBytes;
    summary = run.report.summary;
    profile = run.profile;
    console.log(
      `  run ${i + 1}: ${totals[i].toFixed(2)} s (compute ${compute[i].toFixed(2)}, html ${render[i].toFixed(2)}), ` +
        `${(htmlBytes / 1024).toFixed(0)} KB HTML, ${summary}`,
    );
  }

  // the daily run: reference profile saved once, then only the current data is read
  const profilePath = `${OUT}reference.profile.json`;
  const profileBytes = await saveProfile(profile!, profilePath);
  profile = null;
  const daily: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    const loaded = await loadProfile(profilePath);
    const run = await computeDrift(loaded, current);
    await writeDriftReport(run.report, `${OUT}daily/`);
    daily.push((performance.now() - t0) / 1000);
  }
  const figures = {
    rows_reference: rows,
    rows_current: rows,
    columns,
    tests: "wasserstein (Evidently's default above 1,000 reference rows) + PSI per column",
    seconds: round(median(totals), 3),
    seconds_min: round(Math.min(...totals), 3),
    seconds_max: round(Math.max(...totals), 3),
    html_bytes: htmlBytes,
    json_bytes: jsonBytes,
    stages_median_s: {
      extract_main_thread: round(median(extract), 3),
      compute_incl_extract: round(median(compute), 3),
      render_html: round(median(render), 3),
      write_files: round(median(write), 3),
    },
    profile_run_seconds: round(median(daily), 3),
    profile_bytes: profileBytes,
    summary,
    repeats,
    workers: Math.min(2, navigator.hardwareConcurrency),
    peak_rss_mb: round(peakRssMb(), 0),
    note: "Arrow tables in memory (no Parquet decoding); median of repeats on a shared 2-core machine",
  };
  const path = await writeResults("drift", figures);
  console.log(
    `drift: ${figures.seconds} s median (min ${figures.seconds_min}, max ${figures.seconds_max}), HTML ${
      (htmlBytes / 1024).toFixed(0)
    } KB; daily run from a ${(profileBytes / 1024).toFixed(0)} KB profile: ${figures.profile_run_seconds} s -> ${path}`,
  );
}

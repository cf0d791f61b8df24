/**
 * The input of a scoring job: files (Parquet or CSV, local or `s3://`) given directly or as prefixes, listed in a
 * fixed order, fingerprinted (URI, size and version of every file), and cut into units that shards share out.
 *
 * Sharding (`--shard i/n`): the units are every Parquet row group of every file, and every CSV file whole, numbered
 * in listing order; shard `i` takes the units whose number is `i` modulo `n`. Every worker lists the same input and
 * gets a disjoint share, so `n` workers (AWS Batch array jobs, cron on several hosts) score each row exactly once,
 * and a Parquet worker reads only its row groups.
 *
 * @example
 * ```ts
 * import { parseShard, planInput } from "./input.ts";
 * const plan = await planInput(["s3://bucket/applications/"], { shard: parseShard("1/4") });
 * plan.units; // [{ file: 0, rowGroup: 1, rows: 65536 }, { file: 0, rowGroup: 5, ... }, ...]
 * ```
 * @module
 */
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { baseName, type IoOptions, list, parseUri, readParquetLayout, s3Client } from "../io/mod.ts";
import type { Shard } from "./manifest.ts";

/** An input file. */
export interface InputFile {
  uri: string;
  format: "parquet" | "csv";
  size: number;
  /** ETag (S3) or modification time (local). */
  version: string;
  /** Rows per row group (Parquet), or null (CSV: unknown until read). */
  rowGroups: number[] | null;
}

/** A unit of work: a Parquet row group or a whole CSV file. */
export interface InputUnit {
  /** Index into {@link InputPlan.files}. */
  file: number;
  /** Row group, or null for a whole file. */
  rowGroup: number | null;
  /** Rows, when known. */
  rows: number | null;
}

/** The listed input and this shard's units. */
export interface InputPlan {
  /** The inputs as given. */
  uris: string[];
  files: InputFile[];
  /** This shard's units, in order. */
  units: InputUnit[];
  /** Units of all shards. */
  totalUnits: number;
  /** Rows of this shard's units, when every one is known (Parquet), else null. */
  rows: number | null;
  /** SHA-256 over every file's URI, size and version. */
  fingerprint: string;
}

/**
 * Parses `i/n` (0 <= i < n).
 *
 * @example
 * ```ts
 * parseShard("2/8"); // { index: 2, count: 8 }
 * ```
 */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`Shard "${text}" must look like "i/n" (e.g. "0/4")`);
  const index = Number(m[1]), count = Number(m[2]);
  if (count < 1 || index >= count) throw new Error(`Shard "${text}" needs 0 <= i < n`);
  return { index, count };
}

function formatOf(uri: string): "parquet" | "csv" | null {
  const path = uri.toLowerCase();
  if (path.endsWith(".parquet") || path.endsWith(".pq")) return "parquet";
  if (path.endsWith(".csv")) return "csv";
  return null;
}

async function versionOf(uri: string, io: IoOptions): Promise<string> {
  const p = parseUri(uri);
  if (p.scheme === "file") {
    const st = await Deno.stat(p.path);
    return `mtime:${st.mtime?.toISOString() ?? "unknown"}`;
  }
  const res = await s3Client(io.s3).send(new HeadObjectCommand({ Bucket: p.bucket, Key: p.key }));
  return `etag:${res.ETag ?? ""}`;
}

/**
 * Lists the input files: a URI ending in `.parquet`, `.pq` or `.csv` is a file, anything else a prefix whose
 * Parquet/CSV files are taken (names starting with `_` or `.` skipped). Sorted, without duplicates.
 *
 * @example
 * ```ts
 * await listInputs(["data/generated/loan_table.parquet", "s3://bucket/more/"]);
 * ```
 */
export async function listInputs(
  inputs: readonly string[],
  io: IoOptions = {},
): Promise<{ uri: string; size: number }[]> {
  if (inputs.length === 0) throw new Error("No input given");
  const found = new Map<string, number>();
  for (const input of inputs) {
    const listed = await list(input, io);
    const format = formatOf(input);
    let matched = 0;
    for (const o of listed) {
      if (format && o.uri !== input && !o.uri.endsWith(`/${baseName(input)}`)) continue;
      if (!formatOf(o.uri)) continue;
      const rel = o.uri.slice(input.replace(/\/+$/, "").length);
      if (rel.split("/").some((part) => part.startsWith("_") || part.startsWith("."))) continue;
      found.set(o.uri, o.size);
      matched++;
    }
    if (matched === 0) {
      throw new Error(
        format ? `Input file "${input}" does not exist` : `Input "${input}" holds no .parquet, .pq or .csv file`,
      );
    }
  }
  return [...found].map(([uri, size]) => ({ uri, size })).sort((a, b) => (a.uri < b.uri ? -1 : 1));
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Lists, fingerprints and shards the input; see the module doc.
 *
 * @example
 * ```ts
 * const plan = await planInput(["data/generated/loan_table.parquet"], { shard: { index: 0, count: 1 } });
 * ```
 */
export async function planInput(
  inputs: readonly string[],
  opts: { shard?: Shard; io?: IoOptions } = {},
): Promise<InputPlan> {
  const io = opts.io ?? {};
  const shard = opts.shard ?? { index: 0, count: 1 };
  const listed = await listInputs(inputs, io);
  const files: InputFile[] = [];
  for (const { uri, size } of listed) {
    const format = formatOf(uri)!;
    const version = await versionOf(uri, io);
    const rowGroups = format === "parquet" ? (await readParquetLayout(uri, io)).rowGroupRows : null;
    files.push({ uri, format, size, version, rowGroups });
  }
  const all: InputUnit[] = [];
  files.forEach((f, i) => {
    if (f.rowGroups) f.rowGroups.forEach((rows, g) => all.push({ file: i, rowGroup: g, rows }));
    else all.push({ file: i, rowGroup: null, rows: null });
  });
  const units = all.filter((_, u) => u % shard.count === shard.index);
  const known = units.every((u) => u.rows !== null);
  return {
    uris: [...inputs],
    files,
    units,
    totalUnits: all.length,
    rows: known ? units.reduce((a, u) => a + (u.rows ?? 0), 0) : null,
    fingerprint: await sha256Hex(JSON.stringify(files.map((f) => [f.uri, f.size, f.version]))),
  };
}

/**
 * A default job name for inputs: the first input's base name and 8 hex digits of a hash of all inputs, e.g.
 * `loan_table-3f2a9c1b`.
 *
 * @example
 * ```ts
 * await defaultJobName(["s3://bucket/apps/2024-05-01.parquet"]); // "2024-05-01-…"
 * ```
 */
export async function defaultJobName(inputs: readonly string[]): Promise<string> {
  const first = baseName(inputs[0] ?? "input").replace(/\.(parquet|pq|csv)$/i, "").replace(/[^A-Za-z0-9._-]/g, "_")
    .replace(/^[^A-Za-z0-9]+/, "") || "input";
  const hash = (await sha256Hex(JSON.stringify([...inputs].sort()))).slice(0, 8);
  return `${first.slice(0, 100)}-${hash}`;
}

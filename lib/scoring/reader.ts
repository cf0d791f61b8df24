/**
 * Reading scored output the safe way: through manifests only. A run whose manifest was never written (it failed or
 * is still running) is invisible; a job re-run shows only its latest run; a sharded job shows up once every shard
 * of one shard count has committed (until then its previous complete set, if any, stays visible).
 *
 * @example
 * ```ts
 * import { readScoredRuns } from "./reader.ts";
 * const { table, runs } = await readScoredRuns("s3://bucket/scores", {
 *   from: "2021-06-01",
 *   to: "2021-06-30",
 *   columns: ["probability", "decision", "person_income", "missed_payments_6m"],
 * });
 * console.log(table.numRows, runs.map((r) => `${r.job} v${r.model.version}`));
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { columnTypeName, type IoOptions, joinUri, list, parquetWasm, readBytes, readParquetTable } from "../io/mod.ts";
import { readManifest, type ScoringManifest, shardKey } from "./manifest.ts";
import { sha256Hex } from "./writer.ts";

/** Options of {@link readScoredRuns} and {@link listScoredRuns}. */
export interface ScoredRunsOptions {
  io?: IoOptions;
  /** Only these jobs (default all). */
  jobs?: readonly string[];
  /** Only date partitions on or after this day (`YYYY-MM-DD` or a Date, UTC). */
  from?: string | Date;
  /** Only date partitions on or before this day. */
  to?: string | Date;
  /** Only these columns, in this order (default all). */
  columns?: readonly string[];
  /** Check every file's SHA-256 against its manifest while reading (reads whole files; default false). */
  verify?: boolean;
}

/** A file of a manifested run. */
export interface ScoredFile {
  uri: string;
  job: string;
  run_id: string;
  partition: string | null;
  rows: number;
  sha256: string;
}

/** What {@link listScoredRuns} finds. */
export interface ScoredRuns {
  /** Manifests whose rows are visible, by job then shard. */
  runs: ScoringManifest[];
  /** Their files within the date range, in order. */
  files: ScoredFile[];
  /** Rows in those files. */
  rows: number;
  /** Manifests not used, and why (an incomplete set of shards, an unreadable manifest). */
  ignored: { manifest: string; reason: string }[];
}

function day(value: string | Date | undefined, name: string): string | null {
  if (value === undefined) return null;
  const text = value instanceof Date ? value.toISOString().slice(0, 10) : value;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new Error(`Option "${name}" is "${text}"; expected YYYY-MM-DD`);
  return text;
}

/**
 * The manifested runs under an output root and their files (see the module doc).
 *
 * @example
 * ```ts
 * const { runs, files, rows } = await listScoredRuns("data/scored");
 * ```
 */
export async function listScoredRuns(output: string, opts: ScoredRunsOptions = {}): Promise<ScoredRuns> {
  const io = opts.io ?? {};
  const from = day(opts.from, "from");
  const to = day(opts.to, "to");
  const dir = joinUri(output, "_manifests");
  const ignored: ScoredRuns["ignored"] = [];
  const byJob = new Map<string, ScoringManifest[]>();
  for (const o of await list(dir + "/", io)) {
    if (!o.uri.endsWith(".json")) continue;
    let m: ScoringManifest | null;
    try {
      m = await readManifest(o.uri, io);
    } catch (err) {
      ignored.push({ manifest: o.uri, reason: (err as Error).message });
      continue;
    }
    if (!m) continue; // deleted while listing (a re-run of another shard count)
    if (opts.jobs && !opts.jobs.includes(m.job)) continue;
    const list = byJob.get(m.job) ?? [];
    list.push(m);
    byJob.set(m.job, list);
  }
  const runs: ScoringManifest[] = [];
  for (const [job, manifests] of [...byJob].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    // per shard count: complete when every shard index is there; the newest complete set wins
    const sets = new Map<number, ScoringManifest[]>();
    for (const m of manifests) sets.set(m.shard.count, [...(sets.get(m.shard.count) ?? []), m]);
    let best: ScoringManifest[] | null = null;
    let bestTime = "";
    for (const [count, set] of sets) {
      const indices = new Set(set.map((m) => m.shard.index));
      const newest = set.reduce((a, m) => (m.finished_at > a ? m.finished_at : a), "");
      if (indices.size === count && newest > bestTime) {
        best = set;
        bestTime = newest;
      }
    }
    for (const [count, set] of sets) {
      if (set === best) continue;
      const have = [...new Set(set.map((m) => m.shard.index))].sort((a, b) => a - b);
      const why = have.length === count
        ? `job "${job}" has a newer complete set of shards`
        : `job "${job}" has ${have.length} of ${count} shards committed (${have.join(", ")})`;
      for (const m of set) ignored.push({ manifest: joinUri(dir, job, `${shardKey(m.shard)}.json`), reason: why });
    }
    if (best) runs.push(...best.sort((a, b) => a.shard.index - b.shard.index));
  }
  const files: ScoredFile[] = [];
  for (const m of runs) {
    for (const f of m.files) {
      if (from && f.partition && f.partition < from) continue;
      if (to && f.partition && f.partition > to) continue;
      files.push({
        uri: joinUri(output, f.path),
        job: m.job,
        run_id: m.run_id,
        partition: f.partition,
        rows: f.rows,
        sha256: f.sha256,
      });
    }
  }
  return { runs, files, rows: files.reduce((a, f) => a + f.rows, 0), ignored };
}

async function readFile(file: ScoredFile, opts: ScoredRunsOptions): Promise<arrow.Table> {
  const columns = opts.columns ? [...opts.columns] : undefined;
  if (!opts.verify) return await readParquetTable(file.uri, { columns, s3: opts.io?.s3, workers: 1 });
  const bytes = await readBytes(file.uri, opts.io);
  const got = await sha256Hex(bytes);
  if (got !== file.sha256) {
    throw new Error(`File "${file.uri}" has SHA-256 ${got}; its manifest (run "${file.run_id}") says ${file.sha256}`);
  }
  const pw = await parquetWasm();
  const table = arrow.tableFromIPC(pw.readParquet(bytes).intoIPCStream());
  return columns ? table.select(columns) : table;
}

/**
 * The scored rows of manifested runs, one record batch at a time (bounded memory).
 *
 * @example
 * ```ts
 * for await (const batch of scoredBatches("s3://bucket/scores", { columns: ["probability"] })) console.log(batch.numRows);
 * ```
 */
export async function* scoredBatches(
  output: string,
  opts: ScoredRunsOptions = {},
): AsyncGenerator<arrow.RecordBatch> {
  const { files } = await listScoredRuns(output, opts);
  for (const f of files) {
    const table = await readFile(f, opts);
    if (table.numRows !== f.rows) {
      throw new Error(`File "${f.uri}" holds ${table.numRows} rows; its manifest (run "${f.run_id}") says ${f.rows}`);
    }
    for (const b of table.batches) if (b.numRows > 0) yield b;
  }
}

/**
 * Every scored row of the manifested runs under `output` as one Arrow table, with the manifests it comes from.
 * For large outputs use {@link scoredBatches} (streaming) or narrow with `from`/`to`/`columns`/`jobs`.
 *
 * @example
 * ```ts
 * const { table } = await readScoredRuns("data/scored", { columns: ["decision", "person_income"] });
 * ```
 */
export async function readScoredRuns(
  output: string,
  opts: ScoredRunsOptions = {},
): Promise<ScoredRuns & { table: arrow.Table }> {
  const found = await listScoredRuns(output, opts);
  const batches: arrow.RecordBatch[] = [];
  // runs of different models may have different input columns: the table has every column, null where absent
  const fields = new Map<string, arrow.Field>();
  for (const f of found.files) {
    const table = await readFile(f, opts);
    if (table.numRows !== f.rows) {
      throw new Error(`File "${f.uri}" holds ${table.numRows} rows; its manifest (run "${f.run_id}") says ${f.rows}`);
    }
    for (const field of table.schema.fields) {
      const known = fields.get(field.name);
      if (!known) fields.set(field.name, new arrow.Field(field.name, field.type, true));
      else if (columnTypeName(known.type) !== columnTypeName(field.type)) {
        throw new Error(
          `Column "${field.name}" is ${field.type} in "${f.uri}" but ${known.type} in earlier files; ` +
            `read the jobs apart (option "jobs") or leave the column out (option "columns")`,
        );
      }
    }
    for (const b of table.batches) if (b.numRows > 0) batches.push(b);
  }
  const schema = new arrow.Schema([...fields.values()]);
  const table = batches.length
    ? new arrow.Table(schema, batches.map((b) => conform(b, schema)))
    : new arrow.Table(new arrow.Schema((opts.columns ?? []).map((c) => new arrow.Field(c, new arrow.Null(), true))));
  return { ...found, table };
}

/** A batch with exactly `schema`'s columns, in its order (null columns where the batch has none). */
function conform(batch: arrow.RecordBatch, schema: arrow.Schema): arrow.RecordBatch {
  const n = batch.numRows;
  const children = schema.fields.map((f) => {
    const i = batch.schema.fields.findIndex((x) => x.name === f.name);
    if (i >= 0) return batch.data.children[i];
    return arrow.makeData({ type: f.type, length: n, nullCount: n, nullBitmap: new Uint8Array((n + 7) >> 3) });
  });
  return new arrow.RecordBatch(
    schema,
    arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children }),
  );
}

/**
 * Writing a run's files: Parquet encoded in memory (so each file's SHA-256 is known before it is uploaded and can go
 * into the manifest), uploaded with one PUT, or as a multipart upload above `multipartBytes` that is aborted on
 * failure (no orphan parts); local files are written to a temporary name and renamed.
 *
 * {@link PartitionedWriter} buffers scored rows by date (`date=YYYY-MM-DD/`) and writes one file per date each time
 * the buffer reaches `bufferRows` and at the end, a few uploads at a time: memory stays bounded whatever the input
 * size. {@link QuarantineWriter} keeps bad rows with their reasons.
 *
 * @example
 * ```ts
 * import { PartitionedWriter } from "./writer.ts";
 * const writer = new PartitionedWriter({ root: "s3://bucket/scores", prefix: "runs/job/shard-0-of-1/run1", schema });
 * await writer.add(batch, dayNumbers(timestamps, null));
 * const files = await writer.finish();
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { type IoOptions, joinUri, parquetWasm, remove, writeBytes, writeStream } from "../io/mod.ts";
import { takeVector as takeColumn } from "../feature_store/offline/take.ts";
import { dayText } from "./output.ts";

/** A written file as the manifest records it. */
export interface WrittenFile {
  /** Path relative to the output root. */
  path: string;
  /** The date partition (`YYYY-MM-DD`), or null. */
  partition: string | null;
  rows: number;
  bytes: number;
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
}

/** How files are uploaded. */
export interface UploadOptions {
  io?: IoOptions;
  /** Files larger than this go up as multipart uploads (default 16 MiB). */
  multipartBytes?: number;
  /** Multipart part size (default 8 MiB, at least 5 MiB). */
  partSize?: number;
}

/**
 * Hex SHA-256 of bytes.
 *
 * @example
 * ```ts
 * await sha256Hex(new Uint8Array([1])); // "4bf5122f..."
 * ```
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * An Arrow table as Parquet bytes (snappy, row groups of up to 262,144 rows).
 *
 * @example
 * ```ts
 * const bytes = await encodeParquet(arrow.tableFromArrays({ a: Float64Array.of(1) }));
 * ```
 */
export async function encodeParquet(table: arrow.Table): Promise<Uint8Array> {
  const pw = await parquetWasm();
  const wasmTable = pw.Table.fromIPCStream(arrow.tableToIPC(table, "stream"));
  const props = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.SNAPPY)
    .setMaxRowGroupSize(262_144)
    .setCreatedBy("credit-scoring-toolkit batch scoring (parquet-wasm)")
    .build();
  return pw.writeParquet(wasmTable, props);
}

/**
 * Uploads bytes to `uri`: one PUT, or a multipart upload above `multipartBytes` (aborted on failure). Locally:
 * temporary file + rename.
 *
 * @example
 * ```ts
 * await uploadBytes("s3://bucket/x.parquet", bytes, { multipartBytes: 8 << 20 });
 * ```
 */
export async function uploadBytes(uri: string, bytes: Uint8Array, opts: UploadOptions = {}): Promise<void> {
  const threshold = opts.multipartBytes ?? 16 * 1024 * 1024;
  if (!uri.startsWith("s3://") && !uri.startsWith("s3a://")) return await writeBytes(uri, bytes, { s3: opts.io?.s3 });
  if (bytes.byteLength <= threshold) return await writeBytes(uri, bytes, { s3: opts.io?.s3 });
  const partSize = Math.max(5 * 1024 * 1024, opts.partSize ?? 8 * 1024 * 1024);
  const writer = await writeStream(uri, { s3: opts.io?.s3, partSize, contentType: "application/octet-stream" });
  try {
    for (let at = 0; at < bytes.byteLength; at += partSize) {
      await writer.write(bytes.subarray(at, Math.min(bytes.byteLength, at + partSize)));
    }
    await writer.close();
  } catch (err) {
    await writer.abort(err);
    throw err;
  }
}

/** Options of {@link PartitionedWriter}. */
export interface PartitionedWriterOptions extends UploadOptions {
  /** The output root (local folder or s3:// prefix). */
  root: string;
  /** The run's folder below the root. */
  prefix: string;
  schema: arrow.Schema;
  /** Rows buffered before files are written (default 1,000,000). */
  bufferRows?: number;
  /** Uploads at once (default 4). */
  concurrency?: number;
  /** Called after each file is written. */
  onFile?: (file: WrittenFile) => void;
}

/** Runs `jobs` with at most `limit` at once; the first failure is rethrown after the others settle. */
export async function runLimited<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  let failure: unknown = undefined;
  const lanes = Array.from({ length: Math.min(limit, jobs.length) }, async () => {
    while (next < jobs.length && failure === undefined) {
      const i = next++;
      try {
        results[i] = await jobs[i]();
      } catch (err) {
        failure ??= err;
      }
    }
  });
  await Promise.all(lanes);
  if (failure !== undefined) throw failure;
  return results;
}

/** See the module doc. */
export class PartitionedWriter {
  readonly files: WrittenFile[] = [];
  readonly #opts: PartitionedWriterOptions;
  readonly #parts = new Map<number, arrow.RecordBatch[]>();
  #buffered = 0;
  #seq = 0;
  /** Every file this writer started, written or not (to remove them on abort). */
  readonly #started: string[] = [];

  /** @param opts See {@link PartitionedWriterOptions}. */
  constructor(opts: PartitionedWriterOptions) {
    this.#opts = opts;
  }

  /** Rows waiting in memory. */
  get bufferedRows(): number {
    return this.#buffered;
  }

  /** Adds scored rows with each row's day number; writes files when the buffer is full. */
  async add(batch: arrow.RecordBatch, days: Int32Array): Promise<void> {
    const n = batch.numRows;
    if (n === 0) return;
    if (days.length !== n) throw new Error(`Got ${days.length} day numbers for ${n} rows`);
    // group rows by day: one permutation, then zero-copy slices per day
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) counts.set(days[i], (counts.get(days[i]) ?? 0) + 1);
    if (counts.size === 1) this.#push(days[0], batch);
    else {
      const keys = [...counts.keys()].sort((a, b) => a - b);
      const start = new Map<number, number>();
      let at = 0;
      for (const k of keys) {
        start.set(k, at);
        at += counts.get(k)!;
      }
      const fill = new Map(start);
      const order = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const p = fill.get(days[i])!;
        order[p] = i;
        fill.set(days[i], p + 1);
      }
      const sorted = permute(batch, order);
      for (const k of keys) this.#push(k, sorted.slice(start.get(k)!, start.get(k)! + counts.get(k)!));
    }
    this.#buffered += n;
    if (this.#buffered >= (this.#opts.bufferRows ?? 1_000_000)) await this.flush();
  }

  #push(day: number, batch: arrow.RecordBatch): void {
    const list = this.#parts.get(day);
    if (list) list.push(batch);
    else this.#parts.set(day, [batch]);
  }

  /** Writes one file per buffered date. */
  async flush(): Promise<void> {
    const parts = [...this.#parts.entries()].sort((a, b) => a[0] - b[0]);
    this.#parts.clear();
    this.#buffered = 0;
    const jobs = parts.map(([day, batches]) => {
      const partition = dayText(day);
      const path = `${this.#opts.prefix}/date=${partition}/part-${String(this.#seq++).padStart(5, "0")}.parquet`;
      return async () => {
        const table = new arrow.Table(this.#opts.schema, batches);
        const bytes = await encodeParquet(table);
        const uri = joinUri(this.#opts.root, path);
        this.#started.push(uri);
        const sha256 = await sha256Hex(bytes);
        await uploadBytes(uri, bytes, this.#opts);
        const file = { path, partition, rows: table.numRows, bytes: bytes.byteLength, sha256 };
        this.files.push(file);
        this.#opts.onFile?.(file);
        return file;
      };
    });
    await runLimited(jobs, this.#opts.concurrency ?? 4);
  }

  /** Writes what is left and returns every file, in path order. */
  async finish(): Promise<WrittenFile[]> {
    await this.flush();
    return [...this.files].sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /** Removes every file this writer wrote (best effort; failed multipart uploads were aborted already). */
  async abort(): Promise<void> {
    this.#parts.clear();
    await runLimited(this.#started.map((uri) => () => remove(uri, this.#opts.io).catch(() => {})), 8);
  }
}

function permute(batch: arrow.RecordBatch, order: Int32Array): arrow.RecordBatch {
  const children = batch.schema.fields.map((f) => takeColumn(batch.getChild(f.name)!, order).data[0]);
  const data = arrow.makeData({
    type: new arrow.Struct(batch.schema.fields),
    length: batch.numRows,
    nullCount: 0,
    children,
  });
  return new arrow.RecordBatch(batch.schema, data);
}

/** One quarantined row. */
export interface QuarantinedRow {
  source: string;
  /** Row number in its source file (0-based). */
  row: number;
  reason: string;
  /** The row's input values as JSON. */
  record: string;
}

/** The quarantine file's schema. */
export const QUARANTINE_SCHEMA: arrow.Schema = new arrow.Schema([
  new arrow.Field("source", new arrow.Utf8(), false),
  new arrow.Field("row", new arrow.Int64(), false),
  new arrow.Field("reason", new arrow.Utf8(), false),
  new arrow.Field("record", new arrow.Utf8(), false),
]);

/** Bad rows with their reasons, written under `<run>/_quarantine/`. */
export class QuarantineWriter {
  readonly files: WrittenFile[] = [];
  #rows: QuarantinedRow[] = [];
  #seq = 0;
  #count = 0;
  readonly #started: string[] = [];

  /** @param opts Root, run prefix and upload settings. */
  constructor(readonly opts: UploadOptions & { root: string; prefix: string; bufferRows?: number }) {}

  /** Quarantined rows so far. */
  get rows(): number {
    return this.#count;
  }

  /** Adds rows; writes a file when enough are buffered. */
  async add(rows: QuarantinedRow[]): Promise<void> {
    for (const r of rows) this.#rows.push(r);
    this.#count += rows.length;
    if (this.#rows.length >= (this.opts.bufferRows ?? 100_000)) await this.flush();
  }

  /** Writes the buffered rows as one file. */
  async flush(): Promise<void> {
    if (this.#rows.length === 0) return;
    const rows = this.#rows;
    this.#rows = [];
    const utf8 = (values: string[]) => arrow.vectorFromArray(values, new arrow.Utf8());
    const table = new arrow.Table(QUARANTINE_SCHEMA, [
      new arrow.RecordBatch(
        QUARANTINE_SCHEMA,
        arrow.makeData({
          type: new arrow.Struct(QUARANTINE_SCHEMA.fields),
          length: rows.length,
          nullCount: 0,
          children: [
            utf8(rows.map((r) => r.source)).data[0],
            arrow.makeVector(BigInt64Array.from(rows, (r) => BigInt(r.row))).data[0],
            utf8(rows.map((r) => r.reason)).data[0],
            utf8(rows.map((r) => r.record)).data[0],
          ],
        }),
      ),
    ]);
    const bytes = await encodeParquet(table);
    const path = `${this.opts.prefix}/_quarantine/part-${String(this.#seq++).padStart(5, "0")}.parquet`;
    const uri = joinUri(this.opts.root, path);
    this.#started.push(uri);
    await uploadBytes(uri, bytes, this.opts);
    this.files.push({
      path,
      partition: null,
      rows: rows.length,
      bytes: bytes.byteLength,
      sha256: await sha256Hex(bytes),
    });
  }

  /** Writes what is left and returns the files. */
  async finish(): Promise<WrittenFile[]> {
    await this.flush();
    return this.files;
  }

  /** Removes the files written so far. */
  async abort(): Promise<void> {
    this.#rows = [];
    await runLimited(this.#started.map((uri) => () => remove(uri, this.opts.io).catch(() => {})), 8);
  }
}

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
 * An Arrow table as Parquet bytes (snappy, row groups of up to 262,144 rows); with `dictionary`, dictionary encoding
 * only for those columns.
 *
 * @example
 * ```ts
 * const bytes = await encodeParquet(arrow.tableFromArrays({ a: Float64Array.of(1) }));
 * ```
 */
export function encodeParquet(table: arrow.Table, opts: { dictionary?: readonly string[] } = {}): Promise<Uint8Array> {
  return encodeParquetIpc(arrow.tableToIPC(table, "stream"), opts);
}

/**
 * Arrow IPC stream bytes as Parquet bytes (see {@link encodeParquet}).
 *
 * @example
 * ```ts
 * const bytes = await encodeParquetIpc(arrow.tableToIPC(table, "stream"), { dictionary: ["decision"] });
 * ```
 */
export async function encodeParquetIpc(
  ipc: Uint8Array,
  opts: { dictionary?: readonly string[] } = {},
): Promise<Uint8Array> {
  const pw = await parquetWasm();
  const wasmTable = pw.Table.fromIPCStream(ipc);
  // dictionary pages only where they pay (low-cardinality text): on numbers they triple the encoding time
  let builder = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.SNAPPY)
    .setMaxRowGroupSize(262_144)
    .setCreatedBy("credit-scoring-toolkit batch scoring (parquet-wasm)");
  if (opts.dictionary) {
    builder = builder.setDictionaryEnabled(false);
    for (const c of opts.dictionary) builder = builder.setColumnDictionaryEnabled(c, true);
  }
  return pw.writeParquet(wasmTable, builder.build());
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

/**
 * Workers that encode and upload files (write_worker.ts): the main thread only gathers each file's rows and hands
 * over their Arrow IPC bytes.
 *
 * @example
 * ```ts
 * const pool = WriterPool.start(2);
 * const { bytes, sha256 } = await pool.write(arrow.tableToIPC(table, "stream"), "s3://bucket/x.parquet", {});
 * pool.close();
 * ```
 */
export class WriterPool {
  readonly #workers: { worker: Worker; busy: number }[] = [];
  readonly #pending = new Map<
    number,
    { resolve: (r: { bytes: number; sha256: string }) => void; reject: (e: Error) => void; entry: { busy: number } }
  >();
  #next = 0;

  private constructor() {}

  /** Starts `size` workers. */
  static start(size: number): WriterPool {
    const pool = new WriterPool();
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL("./write_worker.ts", import.meta.url).href, { type: "module" });
      const entry = { worker, busy: 0 };
      worker.onmessage = (e: MessageEvent) => {
        const m = e.data as { id: number; bytes?: number; sha256?: string; error?: string };
        const p = pool.#pending.get(m.id);
        if (!p) return;
        pool.#pending.delete(m.id);
        p.entry.busy--;
        if (m.error !== undefined) p.reject(new Error(m.error));
        else p.resolve({ bytes: m.bytes!, sha256: m.sha256! });
      };
      worker.onerror = (e) => {
        e.preventDefault();
        for (const [id, p] of pool.#pending) {
          if (p.entry === entry) {
            pool.#pending.delete(id);
            p.reject(new Error(`A file-writing worker crashed: ${e.message}`));
          }
        }
      };
      pool.#workers.push(entry);
    }
    return pool;
  }

  /** Encodes IPC bytes as Parquet, uploads them to `uri`; resolves with the file's size and SHA-256. */
  write(
    ipc: Uint8Array,
    uri: string,
    opts: UploadOptions & { dictionary?: readonly string[] },
  ): Promise<{ bytes: number; sha256: string }> {
    const entry = this.#workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.#next++;
    entry.busy++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, entry });
      const upload = { io: opts.io, multipartBytes: opts.multipartBytes, partSize: opts.partSize };
      const dictionary = opts.dictionary ? [...opts.dictionary] : undefined;
      entry.worker.postMessage({ id, ipc, uri, dictionary, upload }, [ipc.buffer as ArrayBuffer]);
    });
  }

  /** Ends the workers (pending writes fail). */
  close(): void {
    for (const w of this.#workers) w.worker.terminate();
    for (const p of this.#pending.values()) p.reject(new Error("The file-writing pool was closed"));
    this.#pending.clear();
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
  /**
   * Files encoded and uploaded at once (default 16: an unsorted input ends with one file per date, hundreds, and on
   * S3 each PUT waits ~tens of ms; with a pool the encoding itself runs on the pool's workers whatever this is).
   */
  concurrency?: number;
  /** Columns written with dictionary encoding (default: every column, parquet's default). */
  dictionary?: readonly string[];
  /** Workers that encode and upload (default: this thread). */
  pool?: WriterPool;
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

  /**
   * Adds scored rows with each row's day number; writes files when the buffer is full. Rows already sorted by day
   * are kept as zero-copy slices (the scoring job sorts them while building the batch); others are sorted here.
   */
  async add(batch: arrow.RecordBatch, days: Int32Array): Promise<void> {
    if (this.#failure) throw this.#failure;
    const n = batch.numRows;
    if (n === 0) return;
    if (days.length !== n) throw new Error(`Got ${days.length} day numbers for ${n} rows`);
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = days[i - 1] <= days[i];
    if (!sorted) {
      const order = dayOrder(days);
      batch = gatherBatch(new arrow.Table([batch]), batch.schema, order);
      days = Int32Array.from(order, (i) => days[i]);
    }
    for (let start = 0; start < n;) {
      let end = start + 1;
      while (end < n && days[end] === days[start]) end++;
      const part = start === 0 && end === n ? batch : batch.slice(start, end);
      if (part !== batch) sliced.add(part);
      const list = this.#parts.get(days[start]);
      if (list) list.push(part);
      else this.#parts.set(days[start], [part]);
      start = end;
    }
    this.#buffered += n;
    if (this.#buffered >= (this.#opts.bufferRows ?? 1_000_000)) {
      // with a pool the files are written while the next rows arrive; one flush at a time bounds memory
      if (this.#opts.pool) {
        await this.#background;
        if (this.#failure) throw this.#failure;
        this.#background = this.flush().catch((err) => void (this.#failure ??= err));
      } else await this.flush();
    }
  }

  #background: Promise<void> = Promise.resolve();
  #failure: unknown = null;

  /** Writes one file per buffered date. */
  async flush(): Promise<void> {
    if (this.#buffered === 0) return;
    const schema = this.#opts.schema;
    const parts = [...this.#parts.entries()].sort((a, b) => a[0] - b[0]);
    this.#parts.clear();
    this.#buffered = 0;
    const jobs = parts.map(([day, batches]) => {
      const partition = dayText(day);
      const path = `${this.#opts.prefix}/date=${partition}/part-${String(this.#seq++).padStart(5, "0")}.parquet`;
      return async () => {
        const table = new arrow.Table(schema, [concatBatches(schema, batches)]);
        batches.length = 0;
        const uri = joinUri(this.#opts.root, path);
        this.#started.push(uri);
        let written: { bytes: number; sha256: string };
        if (this.#opts.pool) {
          written = await this.#opts.pool.write(arrow.tableToIPC(table, "stream"), uri, this.#opts);
        } else {
          const bytes = await encodeParquet(table, { dictionary: this.#opts.dictionary });
          const sha256 = await sha256Hex(bytes);
          await uploadBytes(uri, bytes, this.#opts);
          written = { bytes: bytes.byteLength, sha256 };
        }
        const file = { path, partition, rows: table.numRows, ...written };
        this.files.push(file);
        this.#opts.onFile?.(file);
        return file;
      };
    });
    await runLimited(jobs, this.#opts.concurrency ?? 16);
  }

  /** Writes what is left and returns every file, in path order. */
  async finish(): Promise<WrittenFile[]> {
    await this.#background;
    if (this.#failure) throw this.#failure;
    await this.flush();
    return [...this.files].sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /** Removes every file this writer wrote (best effort; failed multipart uploads were aborted already). */
  async abort(): Promise<void> {
    this.#parts.clear();
    await this.#background;
    await runLimited(this.#started.map((uri) => () => remove(uri, this.#opts.io).catch(() => {})), 8);
  }
}

/**
 * The row order that sorts rows by day, stable (a counting sort).
 *
 * @example
 * ```ts
 * dayOrder(Int32Array.of(5, 3, 5, 3)); // Int32Array [1, 3, 0, 2]
 * ```
 */
export function dayOrder(days: Int32Array): Int32Array {
  const counts = new Map<number, number>();
  for (let i = 0; i < days.length; i++) counts.set(days[i], (counts.get(days[i]) ?? 0) + 1);
  const start = new Map<number, number>();
  let at = 0;
  for (const k of [...counts.keys()].sort((a, b) => a - b)) {
    start.set(k, at);
    at += counts.get(k)!;
  }
  const order = new Int32Array(days.length);
  for (let i = 0; i < days.length; i++) {
    const p = start.get(days[i])!;
    order[p] = i;
    start.set(days[i], p + 1);
  }
  return order;
}

function concatData(type: arrow.DataType, parts: arrow.Data[]): arrow.Data | null {
  const length = parts.reduce((a, d) => a + d.length, 0);
  let nullCount = 0;
  for (const d of parts) nullCount += d.nullCount;
  let nullBitmap: Uint8Array | undefined;
  if (nullCount > 0) {
    nullBitmap = new Uint8Array((length + 7) >> 3);
    let row = 0;
    for (const d of parts) {
      const bits = d.nullCount > 0 ? d.nullBitmap : null;
      for (let i = 0; i < d.length; i++, row++) {
        const b = d.offset + i;
        if (!bits || bits.length === 0 || (bits[b >> 3] & (1 << (b & 7)))) nullBitmap[row >> 3] |= 1 << (row & 7);
      }
    }
  }
  if (arrow.DataType.isUtf8(type)) {
    let bytes = 0;
    for (const d of parts) {
      const o = d.valueOffsets as Int32Array;
      bytes += o[d.length] - o[0];
    }
    const data = new Uint8Array(bytes);
    const offsets = new Int32Array(length + 1);
    let row = 0, at = 0;
    for (const d of parts) {
      const o = d.valueOffsets as Int32Array;
      const base = o[0];
      data.set((d.values as Uint8Array).subarray(base, o[d.length]), at);
      for (let i = 1; i <= d.length; i++) offsets[row + i] = at + o[i] - base;
      row += d.length;
      at += o[d.length] - base;
    }
    return arrow.makeData({ type: type as arrow.Utf8, length, nullCount, nullBitmap, valueOffsets: offsets, data });
  }
  if (
    (arrow.DataType.isInt(type) || arrow.DataType.isFloat(type) || arrow.DataType.isTimestamp(type) ||
      arrow.DataType.isDate(type)) && parts.every((d) => ArrayBuffer.isView(d.values))
  ) {
    const first = parts[0].values as unknown as { constructor: new (n: number) => Float64Array };
    const values = new first.constructor(0) as unknown as Float64Array;
    const stride = parts[0].values.length / Math.max(1, parts[0].length) || 1;
    const out = new (values.constructor as new (n: number) => Float64Array)(Math.round(length * stride));
    let at = 0;
    for (const d of parts) {
      const v = d.values as unknown as Float64Array;
      out.set(v.subarray(0, Math.round(d.length * stride)), at);
      at += Math.round(d.length * stride);
    }
    return arrow.makeData({ type: type as arrow.Float64, length, nullCount, nullBitmap, data: out });
  }
  return null;
}

/** Batches made by slicing (they are always copied before encoding). */
const sliced = new WeakSet<arrow.RecordBatch>();

/** Record batches (slices included) as one contiguous batch: values copied once, offsets rebased. */
export function concatBatches(schema: arrow.Schema, batches: readonly arrow.RecordBatch[]): arrow.RecordBatch {
  // a single unsliced batch goes as it is; slices are copied (Arrow's IPC writer mishandles sliced Utf8 columns)
  if (batches.length === 1 && !sliced.has(batches[0])) return new arrow.RecordBatch(schema, batches[0].data);
  const length = batches.reduce((a, b) => a + b.numRows, 0);
  const children = schema.fields.map((f, c) => {
    const parts = batches.map((b) => b.data.children[c]);
    return concatData(f.type, parts) ??
      takeColumn(
        new arrow.Table(schema, batches.map((b) => new arrow.RecordBatch(schema, b.data))).getChild(f.name)!,
        Int32Array.from({ length }, (_, i) => i),
      ).data[0];
  });
  return new arrow.RecordBatch(
    schema,
    arrow.makeData({ type: new arrow.Struct(schema.fields), length, nullCount: 0, children }),
  );
}

/** Rows `indices` of a (chunked) table as one contiguous record batch. */
function gatherBatch(table: arrow.Table, schema: arrow.Schema, indices: Int32Array): arrow.RecordBatch {
  const children = schema.fields.map((f) => takeColumn(table.getChild(f.name)!, indices).data[0]);
  const data = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: indices.length,
    nullCount: 0,
    children,
  });
  return new arrow.RecordBatch(schema, data);
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

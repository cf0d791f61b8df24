/**
 * Parquet reading and writing with parquet-wasm, local or on S3, streaming with bounded memory.
 *
 * Reading goes through `ParquetFile.fromFile` over a Blob-like object whose `slice(a, b).arrayBuffer()` is
 * served by a ranged read (a file handle with seek locally, a ranged GET on S3): only the footer and the
 * column chunks of the row group being decoded are ever fetched. Writing streams batches through
 * `transformParquetStream` into an atomic {@linkcode writeStream}.
 *
 * @example
 * ```ts
 * import { readParquetBatches } from "./parquet.ts";
 * for await (const batch of readParquetBatches("data/loans.parquet", { columns: ["loan_id"] })) {
 *   console.log(batch.numRows);
 * }
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { type IoOptions, openRangeReader, type RangeReader, writeStream } from "./object_store.ts";
import { columnTypeName, emptyBatch, missingColumn, selectColumns } from "./arrow_util.ts";

import type {
  ParquetFile as WasmParquetFile,
  RecordBatch as WasmRecordBatch,
  RowGroupMetaData as WasmRowGroupMetaData,
} from "parquet-wasm";

type ParquetWasm = typeof import("parquet-wasm");

let wasmPromise: Promise<ParquetWasm> | undefined;

/**
 * Loads and initialises parquet-wasm once; every function here calls it, so callers rarely need to.
 *
 * @example
 * ```ts
 * import { parquetWasm } from "./parquet.ts";
 * const pw = await parquetWasm();
 * ```
 */
export function parquetWasm(): Promise<ParquetWasm> {
  wasmPromise ??= (async () => {
    const mod = await import("parquet-wasm");
    await mod.default();
    return mod;
  })();
  return wasmPromise;
}

/** Parquet compression codecs offered by the writer. */
export type ParquetCompression = "zstd" | "snappy" | "none";

/** Options of the Parquet readers. */
export interface ParquetReadOptions extends IoOptions {
  /** Columns to read, in the order wanted (default all). */
  columns?: string[];
  /** Rows per batch (default: the row group's rows, at most 262,144). */
  batchRows?: number;
  /** Only these row groups (indexes into the file's row groups, in the order given). */
  rowGroups?: number[];
  /**
   * Decode row groups in this many Deno workers at once (whole-table reads only; default: 2 for files with at least
   * 4 row groups and 1,000,000 rows, else 1 = this thread). Batches keep the file's order.
   */
  workers?: number;
}

/** Options of the Parquet writers. */
export interface ParquetWriteOptions extends IoOptions {
  /** Compression codec (default `snappy`). */
  compression?: ParquetCompression;
  /** Maximum rows per row group (default 262,144); bounds the writer's memory. */
  rowGroupRows?: number;
  /** Schema to write when no batch arrives (an empty file still needs one). */
  schema?: arrow.Schema;
}

/** What a streaming write produced. */
export interface WriteResult {
  /** Rows written. */
  rows: number;
  /** Bytes of the committed object. */
  bytes: number;
}

/** Row-group layout from a Parquet footer. */
export interface ParquetLayout {
  /** Total rows. */
  numRows: number;
  /** Rows of each row group. */
  rowGroupRows: number[];
  /** Compressed size of each row group in bytes. */
  rowGroupBytes: number[];
}

const DEFAULT_GROUP_ROWS = 262_144;

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function wrapError(err: unknown, uri: string, what: string): Error {
  if (err instanceof Error && err.message.includes(`"${uri}"`)) return err;
  return new Error(`Cannot ${what} Parquet "${uri}": ${errMessage(err)}`, { cause: err });
}

/** A Blob-like view over a ranged reader: parquet-wasm only calls `size`, `slice` and `arrayBuffer`. */
function blobOver(reader: RangeReader, start = 0, end = reader.size): Blob {
  const length = end - start;
  const clamp = (v: number | undefined, dflt: number) => {
    if (v === undefined) return dflt;
    const x = v < 0 ? Math.max(length + v, 0) : Math.min(v, length);
    return Math.floor(x);
  };
  const blob = {
    size: length,
    type: "",
    slice(a?: number, b?: number) {
      const s = clamp(a, 0);
      const e = Math.max(s, clamp(b, length));
      return blobOver(reader, start + s, start + e);
    },
    async arrayBuffer(): Promise<ArrayBuffer> {
      const u = await reader.read(start, end);
      return u.byteOffset === 0 && u.byteLength === u.buffer.byteLength
        ? u.buffer as ArrayBuffer
        : u.slice().buffer as ArrayBuffer;
    },
  };
  return blob as unknown as Blob;
}

async function openParquet(uri: string, opts: IoOptions): Promise<{ file: WasmParquetFile; reader: RangeReader }> {
  const pw = await parquetWasm();
  const reader = await openRangeReader(uri, opts);
  try {
    if (reader.size < 12) throw new Error(`file is ${reader.size} bytes, too small to be Parquet`);
    const magic = new TextDecoder().decode(await reader.read(reader.size - 4, reader.size));
    if (magic !== "PAR1") throw new Error(`no Parquet footer (the file does not end with "PAR1")`);
    const file = await pw.ParquetFile.fromFile(blobOver(reader));
    return { file, reader };
  } catch (err) {
    reader.close();
    throw wrapError(err, uri, "open");
  }
}

function schemaOf(file: WasmParquetFile): arrow.Schema {
  return arrow.tableFromIPC(file.schema().intoIPCStream()).schema;
}

function projectSchema(schema: arrow.Schema, columns: string[] | undefined, uri: string): arrow.Schema {
  if (!columns) return schema;
  const seen = new Set<string>();
  const fields = columns.map((c) => {
    if (seen.has(c)) throw new Error(`Column "${c}" requested twice from "${uri}"`);
    seen.add(c);
    const f = schema.fields.find((x) => x.name === c);
    if (!f) throw missingColumn(c, uri, schema);
    return f;
  });
  return new arrow.Schema(fields, schema.metadata);
}

function orderColumns(batch: arrow.RecordBatch, columns: string[] | undefined, uri: string): arrow.RecordBatch {
  if (!columns) return batch;
  const names = batch.schema.fields.map((f) => f.name);
  if (names.length === columns.length && names.every((n, i) => n === columns[i])) return batch;
  return selectColumns(batch, columns, uri);
}

/**
 * Reads the Arrow schema from the Parquet footer only.
 *
 * @example
 * ```ts
 * import { readParquetSchema } from "./parquet.ts";
 * const schema = await readParquetSchema("s3://bucket/loans.parquet");
 * ```
 */
export async function readParquetSchema(uri: string, opts: IoOptions = {}): Promise<arrow.Schema> {
  const { file, reader } = await openParquet(uri, opts);
  try {
    return schemaOf(file);
  } finally {
    file.free();
    reader.close();
  }
}

/**
 * Reads the row-group layout from the Parquet footer.
 *
 * @example
 * ```ts
 * import { readParquetLayout } from "./parquet.ts";
 * const { numRows, rowGroupRows } = await readParquetLayout("data/loans.parquet");
 * ```
 */
export async function readParquetLayout(uri: string, opts: IoOptions = {}): Promise<ParquetLayout> {
  const { file, reader } = await openParquet(uri, opts);
  try {
    const md = file.metadata();
    const groups = md.rowGroups();
    return {
      numRows: md.fileMetadata().numRows(),
      rowGroupRows: groups.map((g: WasmRowGroupMetaData) => g.numRows()),
      rowGroupBytes: groups.map((g: WasmRowGroupMetaData) => g.compressedSize()),
    };
  } finally {
    file.free();
    reader.close();
  }
}

/**
 * Streams a Parquet file as record batches, one row group at a time (sliced into `batchRows`). Only the
 * requested columns' chunks of the current row group are fetched and decoded.
 *
 * @example
 * ```ts
 * import { readParquetBatches } from "./parquet.ts";
 * let rows = 0;
 * for await (const b of readParquetBatches("data/loans.parquet", { batchRows: 10_000 })) rows += b.numRows;
 * ```
 */
export async function* readParquetBatches(
  uri: string,
  opts: ParquetReadOptions = {},
): AsyncGenerator<arrow.RecordBatch> {
  let yielded = false;
  for await (const ipc of readParquetIpc(uri, opts)) {
    for (const b of arrow.tableFromIPC(ipc).batches) {
      if (b.numRows === 0) continue;
      yielded = true;
      yield orderColumns(b, opts.columns, uri);
    }
  }
  if (!yielded) yield emptyBatch(projectSchema(await readParquetSchema(uri, opts), opts.columns, uri));
}

/**
 * The decoded row groups of a Parquet file as Arrow IPC stream bytes, one per decoded batch, straight from the
 * wasm decoder (no JavaScript objects per batch): what the parallel reader's workers send back. Columns may come
 * in file order; {@link readParquetBatches} reorders them.
 *
 * @example
 * ```ts
 * for await (const ipc of readParquetIpc("data/loans.parquet", { rowGroups: [0] })) console.log(ipc.length);
 * ```
 */
export async function* readParquetIpc(uri: string, opts: ParquetReadOptions = {}): AsyncGenerator<Uint8Array> {
  if (opts.batchRows !== undefined && !(Number.isInteger(opts.batchRows) && opts.batchRows > 0)) {
    throw new Error(`Option "batchRows" must be a positive integer, got "${opts.batchRows}"`);
  }
  const { file, reader } = await openParquet(uri, opts);
  try {
    projectSchema(schemaOf(file), opts.columns, uri);
    const groups = file.metadata().rowGroups().map((g: WasmRowGroupMetaData) => g.numRows());
    for (const g of opts.rowGroups ?? []) {
      if (!Number.isInteger(g) || g < 0 || g >= groups.length) {
        throw new Error(`Row group ${g} does not exist in "${uri}" (it has ${groups.length})`);
      }
    }
    for (const g of opts.rowGroups ?? groups.map((_: number, i: number) => i)) {
      if (groups[g] === 0) continue;
      const batchSize = opts.batchRows ?? Math.min(groups[g], DEFAULT_GROUP_ROWS);
      let stream: ReadableStream<WasmRecordBatch>;
      try {
        stream = await file.stream({ rowGroups: [g], batchSize, columns: opts.columns });
      } catch (err) {
        throw wrapError(err, uri, `read row group ${g} of`);
      }
      const it = stream.getReader();
      try {
        while (true) {
          let next: ReadableStreamReadResult<WasmRecordBatch>;
          try {
            next = await it.read();
          } catch (err) {
            throw wrapError(err, uri, `read row group ${g} of`);
          }
          if (next.done) break;
          yield next.value.intoIPCStream();
        }
      } finally {
        await it.cancel().catch(() => {});
      }
    }
  } finally {
    file.free();
    reader.close();
  }
}

/**
 * Reads a whole Parquet file (or some of its columns) into an Arrow table.
 *
 * @example
 * ```ts
 * import { readParquetTable } from "./parquet.ts";
 * const t = await readParquetTable("data/loans.parquet", { columns: ["loan_id", "loan_status"] });
 * ```
 */
export async function readParquetTable(uri: string, opts: ParquetReadOptions = {}): Promise<arrow.Table> {
  if (!opts.rowGroups && opts.workers !== 1 && navigator.hardwareConcurrency > 1) {
    const layout = await readParquetLayout(uri, opts);
    const big = layout.rowGroupRows.length >= 4 && layout.numRows >= 1_000_000;
    const workers = opts.workers ?? (big ? 2 : 1);
    if (workers > 1) return await readParquetParallel(uri, layout, { ...opts, workers });
  }
  const batches: arrow.RecordBatch[] = [];
  for await (const b of readParquetBatches(uri, opts)) batches.push(b);
  return new arrow.Table(batches);
}

/**
 * Reads a Parquet file with its row groups split over `opts.workers` Deno workers (each decodes its share and sends
 * back Arrow IPC bytes); batches come back in the file's order. Workers are started per call and ended after it.
 */
async function readParquetParallel(
  uri: string,
  layout: ParquetLayout,
  opts: ParquetReadOptions & { workers: number },
): Promise<arrow.Table> {
  const n = layout.rowGroupRows.length;
  const shares: number[][] = Array.from({ length: Math.min(opts.workers, n) }, () => []);
  // contiguous shares keep each worker's reads sequential on disk
  for (let g = 0; g < n; g++) shares[Math.floor((g * shares.length) / n)].push(g);
  const run = (rowGroups: number[]) =>
    new Promise<arrow.RecordBatch[]>((resolve, reject) => {
      const worker = new Worker(new URL("./parquet_worker.ts", import.meta.url).href, { type: "module" });
      worker.onmessage = (e: MessageEvent<{ ipc?: Uint8Array[]; error?: string }>) => {
        worker.terminate();
        if (e.data.error !== undefined) reject(new Error(e.data.error));
        else resolve(e.data.ipc!.flatMap((bytes) => arrow.tableFromIPC(bytes).batches));
      };
      worker.onerror = (e) => {
        e.preventDefault();
        worker.terminate();
        reject(new Error(`Reading "${uri}" in a worker failed: ${e.message}`));
      };
      worker.postMessage({ uri, columns: opts.columns, rowGroups, batchRows: opts.batchRows, s3: opts.s3 });
    });
  const parts = await Promise.all(shares.map(run));
  const batches = parts.flat().filter((b) => b.numRows > 0).map((b) => orderColumns(b, opts.columns, uri));
  if (batches.length === 0) {
    const schema = projectSchema(await readParquetSchema(uri, opts), opts.columns, uri);
    return new arrow.Table(schema);
  }
  return new arrow.Table(batches);
}

/** Wasm writer properties for the options. */
async function writerProperties(opts: ParquetWriteOptions) {
  const pw = await parquetWasm();
  const codec = opts.compression ?? "snappy";
  const compression = { zstd: pw.Compression.ZSTD, snappy: pw.Compression.SNAPPY, none: pw.Compression.UNCOMPRESSED }[
    codec
  ];
  if (compression === undefined) {
    throw new Error(`Unknown Parquet compression "${codec}" (use "zstd", "snappy" or "none")`);
  }
  const rowGroupRows = opts.rowGroupRows ?? DEFAULT_GROUP_ROWS;
  if (!Number.isInteger(rowGroupRows) || rowGroupRows < 1) {
    throw new Error(`Option "rowGroupRows" must be a positive integer, got "${rowGroupRows}"`);
  }
  return new pw.WriterPropertiesBuilder()
    .setCompression(compression)
    .setMaxRowGroupSize(rowGroupRows)
    .setCreatedBy("credit-scoring-toolkit (parquet-wasm)")
    .build();
}

function schemaMismatch(expected: arrow.Schema, got: arrow.Schema): string | undefined {
  const a = expected.fields;
  const b = got.fields;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (!a[i]) return `has an extra column "${b[i].name}"`;
    if (!b[i]) return `lacks column "${a[i].name}"`;
    if (a[i].name !== b[i].name) return `has column "${b[i].name}" where "${a[i].name}" was expected`;
    if (columnTypeName(a[i]) !== columnTypeName(b[i])) {
      return `has column "${b[i].name}" of type ${columnTypeName(b[i])}, expected ${columnTypeName(a[i])}`;
    }
  }
  return undefined;
}

async function toWasmBatches(batch: arrow.RecordBatch): Promise<WasmRecordBatch[]> {
  const pw = await parquetWasm();
  const table = pw.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table([batch]), "stream"));
  try {
    return table.recordBatches();
  } finally {
    table.free();
  }
}

function toAsyncIterator<T>(src: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in src) return (src as AsyncIterable<T>)[Symbol.asyncIterator]();
  const it = (src as Iterable<T>)[Symbol.iterator]();
  return {
    next: () => Promise.resolve(it.next()),
    return: (v?: unknown) => Promise.resolve(it.return?.(v as T) ?? { done: true as const, value: v as T }),
  };
}

/**
 * Streams record batches into a Parquet object. Nothing is visible at `uri` until every batch is written;
 * if the source throws, the temp file is removed (or the multipart upload aborted) and the error rethrown.
 * Memory is bounded by a batch plus one row group being encoded.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { writeParquetBatches } from "./parquet.ts";
 * async function* batches() {
 *   for (let i = 0; i < 3; i++) yield arrow.tableFromArrays({ x: new Float64Array([i]) }).batches[0];
 * }
 * const { rows, bytes } = await writeParquetBatches("out/x.parquet", batches());
 * ```
 */
export async function writeParquetBatches(
  uri: string,
  batches: AsyncIterable<arrow.RecordBatch> | Iterable<arrow.RecordBatch>,
  opts: ParquetWriteOptions = {},
): Promise<WriteResult> {
  const pw = await parquetWasm();
  const props = await writerProperties(opts);
  const iter = toAsyncIterator(batches);
  let schema: arrow.Schema | undefined = opts.schema;
  let firstSchema: arrow.Schema | undefined;
  let rows = 0;
  let index = 0;
  let sourceError: unknown;
  let sourceDone = false;
  const source = new ReadableStream<WasmRecordBatch>({
    async pull(controller) {
      try {
        const next = await iter.next();
        if (next.done) {
          if (!firstSchema) {
            if (!schema) throw new Error(`No batches to write to "${uri}" and no schema given`);
            for (const wb of await toWasmBatches(emptyBatch(schema))) controller.enqueue(wb);
          }
          sourceDone = true;
          controller.close();
          return;
        }
        let batch = next.value;
        if (!(batch instanceof arrow.RecordBatch)) {
          throw new Error(`Item ${index} written to "${uri}" is not an Arrow RecordBatch`);
        }
        if (!firstSchema) {
          if (schema) {
            const why = schemaMismatch(schema, batch.schema);
            if (why) throw new Error(`Batch ${index} written to "${uri}" ${why}`);
          }
          firstSchema = schema ?? batch.schema;
          schema = firstSchema;
        } else {
          const why = schemaMismatch(firstSchema, batch.schema);
          if (why) throw new Error(`Batch ${index} written to "${uri}" ${why}`);
        }
        if (batch.schema !== firstSchema) batch = new arrow.RecordBatch(firstSchema, batch.data);
        index++;
        rows += batch.numRows;
        for (const wb of await toWasmBatches(batch)) controller.enqueue(wb);
      } catch (err) {
        sourceError = err;
        controller.error(err);
      }
    },
    async cancel() {
      await iter.return?.();
    },
  }, { highWaterMark: 0 });

  const writer = await writeStream(uri, opts);
  try {
    const out = await pw.transformParquetStream(source, props) as ReadableStream<Uint8Array>;
    for await (const chunk of out) {
      if (sourceError !== undefined) break;
      await writer.write(chunk);
    }
    // parquet-wasm ends its output quietly when the source errors: never commit an incomplete file.
    if (sourceError !== undefined) throw sourceError;
    if (!sourceDone) throw new Error("the Parquet encoder stopped before the last batch");
    const bytes = await writer.close();
    return { rows, bytes };
  } catch (err) {
    await writer.abort(err);
    if (sourceError !== undefined) throw sourceError;
    throw wrapError(err, uri, "write");
  }
}

/**
 * Writes an Arrow table as one Parquet object, atomically.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { writeParquetTable } from "./parquet.ts";
 * await writeParquetTable("out/t.parquet", arrow.tableFromArrays({ a: new Float64Array([1, 2]) }), {
 *   compression: "zstd",
 * });
 * ```
 */
export function writeParquetTable(
  uri: string,
  table: arrow.Table,
  opts: ParquetWriteOptions = {},
): Promise<WriteResult> {
  return writeParquetBatches(uri, table.batches, { ...opts, schema: opts.schema ?? table.schema });
}

/**
 * Format-independent table IO: the format comes from the extension (`.parquet`, `.pq`, `.csv`) or
 * `opts.format`, and the URI may be local or `s3://`.
 *
 * @example
 * ```ts
 * import { readTable, writeTable } from "./table_io.ts";
 * const t = await readTable("data/loan_table_sample.csv");
 * await writeTable("s3://bucket/loans.parquet", t, { compression: "zstd" });
 * ```
 * @module
 */
import type * as arrow from "apache-arrow";
import type { IoOptions } from "./object_store.ts";
import {
  type ParquetCompression,
  readParquetBatches,
  readParquetSchema,
  readParquetTable,
  writeParquetBatches,
  type WriteResult,
} from "./parquet.ts";
import { readCsvBatches, readCsvSchema, readCsvTable, writeCsvBatches } from "./csv.ts";

/** Table file formats. */
export type TableFormat = "parquet" | "csv";

/** Options of the table readers. */
export interface ReadTableOptions extends IoOptions {
  /** Format (default from the extension). */
  format?: TableFormat;
  /** Columns to read, in this order. */
  columns?: string[];
  /** Rows per batch when streaming. */
  batchRows?: number;
  /** CSV only: explicit column types instead of inference. */
  schema?: arrow.Schema;
  /** CSV only: rows used for type inference when streaming or reading the schema. */
  inferRows?: number;
}

/** Options of the table writers. */
export interface WriteTableOptions extends IoOptions {
  /** Format (default from the extension). */
  format?: TableFormat;
  /** Parquet only: compression (default `snappy`). */
  compression?: ParquetCompression;
  /** Parquet only: maximum rows per row group (default 262,144). */
  rowGroupRows?: number;
  /** Schema to write when no batch arrives. */
  schema?: arrow.Schema;
}

/**
 * The format for a URI: `opts.format`, else from the extension.
 *
 * @example
 * ```ts
 * import { tableFormat } from "./table_io.ts";
 * tableFormat("s3://b/x.pq"); // "parquet"
 * ```
 */
export function tableFormat(uri: string, format?: TableFormat): TableFormat {
  if (format !== undefined) {
    if (format !== "parquet" && format !== "csv") {
      throw new Error(`Unknown table format "${format}" (use "parquet" or "csv")`);
    }
    return format;
  }
  const path = uri.replace(/[?#].*$/, "").toLowerCase();
  if (path.endsWith(".parquet") || path.endsWith(".pq")) return "parquet";
  if (path.endsWith(".csv")) return "csv";
  throw new Error(`Cannot tell the format of "${uri}": name it .parquet, .pq or .csv, or pass "format"`);
}

/**
 * Reads a whole table.
 *
 * @example
 * ```ts
 * import { readTable } from "./table_io.ts";
 * const t = await readTable("../shared/data/feast-credit/loan_table.parquet", { columns: ["loan_id"] });
 * ```
 */
export function readTable(uri: string, opts: ReadTableOptions = {}): Promise<arrow.Table> {
  return tableFormat(uri, opts.format) === "parquet" ? readParquetTable(uri, opts) : readCsvTable(uri, opts);
}

/**
 * Streams a table as record batches with bounded memory (Parquet: a row group at a time; CSV: in chunks).
 *
 * @example
 * ```ts
 * import { readBatches } from "./table_io.ts";
 * let rows = 0;
 * for await (const b of readBatches("s3://bucket/big.parquet", { batchRows: 100_000 })) rows += b.numRows;
 * ```
 */
export function readBatches(uri: string, opts: ReadTableOptions = {}): AsyncIterable<arrow.RecordBatch> {
  return tableFormat(uri, opts.format) === "parquet" ? readParquetBatches(uri, opts) : readCsvBatches(uri, opts);
}

/**
 * Reads a table's schema: the Parquet footer only, or inferred from the first CSV rows.
 *
 * @example
 * ```ts
 * import { readSchema } from "./table_io.ts";
 * const schema = await readSchema("data/x.parquet");
 * ```
 */
export function readSchema(uri: string, opts: ReadTableOptions = {}): Promise<arrow.Schema> {
  return tableFormat(uri, opts.format) === "parquet" ? readParquetSchema(uri, opts) : readCsvSchema(uri, opts);
}

/**
 * Writes a table atomically.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { writeTable } from "./table_io.ts";
 * await writeTable("out/t.parquet", arrow.tableFromArrays({ a: new Float64Array([1]) }));
 * ```
 */
export function writeTable(uri: string, table: arrow.Table, opts: WriteTableOptions = {}): Promise<WriteResult> {
  return writeBatches(uri, table.batches, { ...opts, schema: opts.schema ?? table.schema });
}

/**
 * Streams batches into a table object atomically (nothing visible until complete; on error nothing left
 * behind) and returns the rows and bytes written.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { writeBatches } from "./table_io.ts";
 * async function* gen() {
 *   for (let i = 0; i < 10; i++) yield arrow.tableFromArrays({ i: new Float64Array([i]) }).batches[0];
 * }
 * const { rows } = await writeBatches("out/many.parquet", gen());
 * ```
 */
export function writeBatches(
  uri: string,
  batches: AsyncIterable<arrow.RecordBatch> | Iterable<arrow.RecordBatch>,
  opts: WriteTableOptions = {},
): Promise<WriteResult> {
  return tableFormat(uri, opts.format) === "parquet"
    ? writeParquetBatches(uri, batches, opts)
    : writeCsvBatches(uri, batches, opts);
}

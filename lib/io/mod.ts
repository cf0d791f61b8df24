/**
 * The IO layer: an object store over local paths and `s3://`, Parquet and CSV tables (whole or streamed),
 * and exact Arrow timestamp helpers.
 *
 * @example
 * ```ts
 * import { readBatches, writeBatches } from "./mod.ts";
 * const { rows } = await writeBatches("s3://bucket/copy.parquet", readBatches("data/loan_table_sample.csv"));
 * ```
 * @module
 */
export * from "./object_store.ts";
export * from "./arrow_util.ts";
export * from "./parquet.ts";
export * from "./csv.ts";
export * from "./table_io.ts";
export * from "./json.ts";

/**
 * The shapes the object store hands out and takes, shared by its local and S3 halves: options, list entries,
 * atomic writers and ranged readers.
 *
 * @example
 * ```ts
 * import type { ObjectWriter, WriteOptions } from "./object_types.ts";
 * import { writeStream } from "./object_store.ts";
 * const opts: WriteOptions = { contentType: "text/csv" };
 * const w: ObjectWriter = await writeStream("out/a.csv", opts);
 * await w.close();
 * ```
 * @module
 */
import type { S3Options } from "./s3_client.ts";

/** Options shared by the object-store functions. */
export interface IoOptions {
  /** S3 settings that override the environment. */
  s3?: S3Options;
}

/** Options of {@linkcode writeBytes} and {@linkcode writeStream}. */
export interface WriteOptions extends IoOptions {
  /** Content type stored with an S3 object. */
  contentType?: string;
  /** Multipart part size in bytes for S3 (default 8 MiB, minimum 5 MiB). */
  partSize?: number;
}

/** One entry of {@linkcode list}. */
export interface ObjectInfo {
  /** The object's URI, in the same form as the listed prefix. */
  uri: string;
  /** Size in bytes. */
  size: number;
}

/** A writer that makes an object visible only when {@linkcode ObjectWriter.close} succeeds. */
export interface ObjectWriter {
  /** The target URI. */
  readonly uri: string;
  /** Bytes accepted so far. */
  readonly bytesWritten: number;
  /** Appends a chunk (waits while the sink is busy, so memory stays bounded). */
  write(chunk: Uint8Array): Promise<void>;
  /** Commits the object atomically; returns the total byte count. */
  close(): Promise<number>;
  /** Discards everything written: removes the temp file / aborts the multipart upload. Never throws. */
  abort(reason?: unknown): Promise<void>;
}

/** Random access to an object's bytes (used for Parquet footers and row groups). */
export interface RangeReader {
  /** The URI. */
  readonly uri: string;
  /** Total size in bytes. */
  readonly size: number;
  /** Reads bytes [start, end). */
  read(start: number, end: number): Promise<Uint8Array>;
  /** Releases the file handle (no-op for S3). */
  close(): void;
}

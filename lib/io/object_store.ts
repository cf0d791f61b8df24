/**
 * One object-store API over local files and S3.
 *
 * A URI is a local path (relative, absolute or `file://...`) or `s3://bucket/key`. Every write is atomic:
 * local files are written to a hidden temporary file in the target's directory and renamed into place; S3
 * objects are written with one PutObject, or for large bodies a multipart upload that is aborted on failure.
 *
 * The S3 client follows the standard AWS settings (see {@linkcode resolveS3Settings}); an explicit
 * {@linkcode S3Options} overrides them. Errors name the URI and never contain a secret.
 *
 * @example
 * ```ts
 * import { readBytes, writeBytes } from "./object_store.ts";
 * await writeBytes("/tmp/hello.txt", new TextEncoder().encode("hi"));
 * console.log(new TextDecoder().decode(await readBytes("/tmp/hello.txt")));
 * ```
 * @module
 */
export { BucketNotFoundError, ObjectNotFoundError, S3UnreachableError } from "./object_errors.ts";
export type { IoOptions, ObjectInfo, ObjectWriter, RangeReader, WriteOptions } from "./object_types.ts";
export {
  closeS3Clients,
  redactEndpoint,
  resolveS3Settings,
  s3Client,
  type S3Credentials,
  type S3Options,
  type S3Settings,
} from "./s3_client.ts";
export { baseName, joinUri, type ParsedUri, parseUri } from "./uri.ts";

import {
  listLocalFiles,
  localFileExists,
  localFileSize,
  openLocalRangeReader,
  openLocalWriter,
  readLocalFile,
  readLocalStream,
  removeLocalFile,
  writeLocalFile,
} from "./local_files.ts";
import { openMultipartWriter } from "./multipart.ts";
import type { IoOptions, ObjectInfo, ObjectWriter, RangeReader, WriteOptions } from "./object_types.ts";
import {
  deleteObject,
  getObject,
  getObjectStream,
  listObjects,
  objectExists,
  objectSize,
  openS3RangeReader,
  putObject,
} from "./s3_objects.ts";
import { parseUri, requireKey } from "./uri.ts";

/**
 * Reads a whole object.
 *
 * @example
 * ```ts
 * import { readBytes } from "./object_store.ts";
 * const bytes = await readBytes("s3://bucket/data/x.parquet");
 * ```
 */
export async function readBytes(uri: string, opts: IoOptions = {}): Promise<Uint8Array> {
  const p = parseUri(uri);
  if (p.scheme === "file") return await readLocalFile({ uri, path: p.path });
  requireKey(uri, p);
  return await getObject({ uri, bucket: p.bucket, key: p.key }, opts.s3);
}

/**
 * Writes a whole object atomically (temp file + rename locally; one PutObject, or an aborted-on-failure
 * multipart upload for bodies over 16 MiB, on S3). Parent directories are created.
 *
 * @example
 * ```ts
 * import { writeBytes } from "./object_store.ts";
 * await writeBytes("out/hello.txt", new TextEncoder().encode("hello"));
 * ```
 */
export async function writeBytes(uri: string, bytes: Uint8Array, opts: WriteOptions = {}): Promise<void> {
  const p = parseUri(uri);
  if (p.scheme === "file") return await writeLocalFile({ uri, path: p.path }, bytes);
  requireKey(uri, p);
  await putObject({ uri, bucket: p.bucket, key: p.key }, bytes, opts);
}

/**
 * Whether an object (a regular file locally) exists.
 *
 * @example
 * ```ts
 * import { exists } from "./object_store.ts";
 * if (await exists("s3://bucket/model/manifest.json")) console.log("done");
 * ```
 */
export async function exists(uri: string, opts: IoOptions = {}): Promise<boolean> {
  const p = parseUri(uri);
  if (p.scheme === "file") return await localFileExists({ uri, path: p.path });
  requireKey(uri, p);
  return await objectExists({ uri, bucket: p.bucket, key: p.key }, opts.s3);
}

/**
 * Size of an object in bytes.
 *
 * @example
 * ```ts
 * import { size } from "./object_store.ts";
 * console.log(await size("data/x.parquet"));
 * ```
 */
export async function size(uri: string, opts: IoOptions = {}): Promise<number> {
  const p = parseUri(uri);
  if (p.scheme === "file") return await localFileSize({ uri, path: p.path });
  requireKey(uri, p);
  return await objectSize({ uri, bucket: p.bucket, key: p.key }, opts.s3);
}

/**
 * Lists objects under a prefix, recursively, sorted by URI. Locally a directory lists everything below it
 * and any other prefix matches paths starting with it; on S3 the prefix is a key prefix. A missing local
 * prefix lists nothing.
 *
 * @example
 * ```ts
 * import { list } from "./object_store.ts";
 * for (const { uri, size } of await list("s3://bucket/scores/")) console.log(uri, size);
 * ```
 */
export async function list(prefix: string, opts: IoOptions = {}): Promise<ObjectInfo[]> {
  const p = parseUri(prefix);
  if (p.scheme === "file") return await listLocalFiles({ uri: prefix, path: p.path });
  return await listObjects({ uri: prefix, bucket: p.bucket, key: p.key }, opts.s3);
}

/**
 * Removes an object. Removing a missing object is not an error (like S3's DeleteObject).
 *
 * @example
 * ```ts
 * import { remove } from "./object_store.ts";
 * await remove("out/old.csv");
 * ```
 */
export async function remove(uri: string, opts: IoOptions = {}): Promise<void> {
  const p = parseUri(uri);
  if (p.scheme === "file") return await removeLocalFile({ uri, path: p.path });
  requireKey(uri, p);
  await deleteObject({ uri, bucket: p.bucket, key: p.key }, opts.s3);
}

/**
 * Opens an object as a stream of byte chunks.
 *
 * @example
 * ```ts
 * import { readStream } from "./object_store.ts";
 * const stream = await readStream("s3://bucket/big.csv");
 * for await (const chunk of stream) console.log(chunk.byteLength);
 * ```
 */
export async function readStream(uri: string, opts: IoOptions = {}): Promise<ReadableStream<Uint8Array>> {
  const p = parseUri(uri);
  if (p.scheme === "file") return await readLocalStream({ uri, path: p.path });
  requireKey(uri, p);
  return await getObjectStream({ uri, bucket: p.bucket, key: p.key }, opts.s3);
}

/**
 * Opens an atomic writer: nothing is visible at `uri` until `close()` succeeds; `abort()` leaves nothing
 * behind (local temp file removed, S3 multipart upload aborted).
 *
 * @example
 * ```ts
 * import { writeStream } from "./object_store.ts";
 * const w = await writeStream("s3://bucket/out/big.bin");
 * try {
 *   await w.write(new Uint8Array([1, 2, 3]));
 *   await w.close();
 * } catch (err) {
 *   await w.abort(err);
 *   throw err;
 * }
 * ```
 */
export async function writeStream(uri: string, opts: WriteOptions = {}): Promise<ObjectWriter> {
  const p = parseUri(uri);
  if (p.scheme === "file") return await openLocalWriter({ uri, path: p.path });
  requireKey(uri, p);
  return openMultipartWriter({ uri, bucket: p.bucket, key: p.key }, opts);
}

/**
 * Opens an object for ranged reads: a file handle with seek + read locally, ranged GETs on S3.
 *
 * @example
 * ```ts
 * import { openRangeReader } from "./object_store.ts";
 * const r = await openRangeReader("data/x.parquet");
 * const magic = await r.read(r.size - 4, r.size); // "PAR1"
 * r.close();
 * ```
 */
export async function openRangeReader(uri: string, opts: IoOptions = {}): Promise<RangeReader> {
  const p = parseUri(uri);
  if (p.scheme === "file") return await openLocalRangeReader({ uri, path: p.path });
  requireKey(uri, p);
  return await openS3RangeReader({ uri, bucket: p.bucket, key: p.key }, opts.s3);
}

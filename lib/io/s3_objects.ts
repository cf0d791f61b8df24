/**
 * The object store on S3: get, put, head, list and delete of single objects, streamed reads and ranged reads.
 * Every SDK error is mapped by {@linkcode s3Error} so it names the URI; GETs whose body is cut short are sent
 * again ({@linkcode retryBody}). Large bodies go through a multipart upload ({@linkcode openMultipartWriter}).
 *
 * @example
 * ```ts
 * import { getObject, putObject } from "./s3_objects.ts";
 * const target = { uri: "s3://bucket/hello.txt", bucket: "bucket", key: "hello.txt" };
 * await putObject(target, new TextEncoder().encode("hi"));
 * console.log(new TextDecoder().decode(await getObject(target)));
 * ```
 * @module
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { DEFAULT_PART_SIZE, openMultipartWriter } from "./multipart.ts";
import { ObjectNotFoundError } from "./object_errors.ts";
import type { ObjectInfo, RangeReader, WriteOptions } from "./object_types.ts";
import { bodyBytes, retryBody } from "./s3_body_retry.ts";
import { s3Client, type S3Options } from "./s3_client.ts";
import { s3Error } from "./s3_errors.ts";
import { type S3Target, s3Uri } from "./uri.ts";

/** Bodies up to this size (16 MiB) are written with one PutObject, larger ones with a multipart upload. */
export const SINGLE_PUT_LIMIT = 16 * 1024 * 1024;

/**
 * Reads a whole object.
 *
 * @example
 * ```ts
 * import { getObject } from "./s3_objects.ts";
 * const bytes = await getObject({ uri: "s3://b/x.parquet", bucket: "b", key: "x.parquet" });
 * ```
 */
export async function getObject(target: S3Target, s3?: S3Options): Promise<Uint8Array> {
  try {
    return await retryBody(s3, async () => {
      const res = await s3Client(s3).send(new GetObjectCommand({ Bucket: target.bucket, Key: target.key }));
      return res.Body ? bodyBytes(() => res.Body!.transformToByteArray()) : new Uint8Array(0);
    });
  } catch (err) {
    throw s3Error(err, target.uri, target.bucket, s3);
  }
}

/**
 * Writes a whole object: one PutObject up to {@linkcode SINGLE_PUT_LIMIT}, else a multipart upload that is
 * aborted on failure.
 *
 * @example
 * ```ts
 * import { putObject } from "./s3_objects.ts";
 * await putObject({ uri: "s3://b/a.csv", bucket: "b", key: "a.csv" }, new Uint8Array(3), { contentType: "text/csv" });
 * ```
 */
export async function putObject(target: S3Target, bytes: Uint8Array, opts: WriteOptions = {}): Promise<void> {
  const client = s3Client(opts.s3);
  if (bytes.byteLength <= SINGLE_PUT_LIMIT) {
    try {
      await client.send(
        new PutObjectCommand({ Bucket: target.bucket, Key: target.key, Body: bytes, ContentType: opts.contentType }),
      );
    } catch (err) {
      throw s3Error(err, target.uri, target.bucket, opts.s3);
    }
    return;
  }
  const writer = openMultipartWriter(target, opts);
  try {
    for (let off = 0; off < bytes.byteLength; off += DEFAULT_PART_SIZE) {
      await writer.write(bytes.subarray(off, Math.min(bytes.byteLength, off + DEFAULT_PART_SIZE)));
    }
    await writer.close();
  } catch (err) {
    await writer.abort(err);
    throw err;
  }
}

/**
 * Whether an object exists (a HeadObject that finds it).
 *
 * @example
 * ```ts
 * import { objectExists } from "./s3_objects.ts";
 * await objectExists({ uri: "s3://b/manifest.json", bucket: "b", key: "manifest.json" });
 * ```
 */
export async function objectExists(target: S3Target, s3?: S3Options): Promise<boolean> {
  try {
    await s3Client(s3).send(new HeadObjectCommand({ Bucket: target.bucket, Key: target.key }));
    return true;
  } catch (err) {
    const mapped = s3Error(err, target.uri, target.bucket, s3);
    if (mapped instanceof ObjectNotFoundError) return false;
    throw mapped;
  }
}

/**
 * Size of an object in bytes (from HeadObject).
 *
 * @example
 * ```ts
 * import { objectSize } from "./s3_objects.ts";
 * console.log(await objectSize({ uri: "s3://b/x.parquet", bucket: "b", key: "x.parquet" }));
 * ```
 */
export async function objectSize(target: S3Target, s3?: S3Options): Promise<number> {
  try {
    const res = await s3Client(s3).send(new HeadObjectCommand({ Bucket: target.bucket, Key: target.key }));
    return res.ContentLength ?? 0;
  } catch (err) {
    throw s3Error(err, target.uri, target.bucket, s3);
  }
}

/**
 * Lists the objects whose key starts with the target's key (every page), sorted by URI.
 *
 * @example
 * ```ts
 * import { listObjects } from "./s3_objects.ts";
 * for (const o of await listObjects({ uri: "s3://b/scores/", bucket: "b", key: "scores/" })) console.log(o.uri);
 * ```
 */
export async function listObjects(prefix: S3Target, s3?: S3Options): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  const client = s3Client(s3);
  let token: string | undefined;
  try {
    do {
      const res = await client.send(
        new ListObjectsV2Command({ Bucket: prefix.bucket, Prefix: prefix.key || undefined, ContinuationToken: token }),
      );
      for (const o of res.Contents ?? []) {
        if (o.Key) out.push({ uri: s3Uri(prefix.bucket, o.Key), size: o.Size ?? 0 });
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
  } catch (err) {
    throw s3Error(err, prefix.uri, prefix.bucket, s3);
  }
  return out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
}

/**
 * Deletes an object; a missing object is not an error (S3's DeleteObject).
 *
 * @example
 * ```ts
 * import { deleteObject } from "./s3_objects.ts";
 * await deleteObject({ uri: "s3://b/old.csv", bucket: "b", key: "old.csv" });
 * ```
 */
export async function deleteObject(target: S3Target, s3?: S3Options): Promise<void> {
  try {
    await s3Client(s3).send(new DeleteObjectCommand({ Bucket: target.bucket, Key: target.key }));
  } catch (err) {
    throw s3Error(err, target.uri, target.bucket, s3);
  }
}

/**
 * Opens an object as a stream of byte chunks (one GET; an empty body gives an empty stream).
 *
 * @example
 * ```ts
 * import { getObjectStream } from "./s3_objects.ts";
 * const stream = await getObjectStream({ uri: "s3://b/big.csv", bucket: "b", key: "big.csv" });
 * for await (const chunk of stream) console.log(chunk.byteLength);
 * ```
 */
export async function getObjectStream(target: S3Target, s3?: S3Options): Promise<ReadableStream<Uint8Array>> {
  try {
    const res = await s3Client(s3).send(new GetObjectCommand({ Bucket: target.bucket, Key: target.key }));
    if (!res.Body) return new ReadableStream({ start: (c) => c.close() });
    return res.Body.transformToWebStream() as ReadableStream<Uint8Array>;
  } catch (err) {
    throw s3Error(err, target.uri, target.bucket, s3);
  }
}

/**
 * Opens an object for ranged reads: its size from HeadObject, then one ranged GET per read (retried when the
 * body is cut short). A read that returns fewer bytes than asked is an error.
 *
 * @example
 * ```ts
 * import { openS3RangeReader } from "./s3_objects.ts";
 * const r = await openS3RangeReader({ uri: "s3://b/x.parquet", bucket: "b", key: "x.parquet" });
 * const magic = await r.read(r.size - 4, r.size); // "PAR1"
 * ```
 */
export async function openS3RangeReader(target: S3Target, s3?: S3Options): Promise<RangeReader> {
  const { uri, bucket, key } = target;
  const total = await objectSize(target, s3);
  const client = s3Client(s3);
  return {
    uri,
    size: total,
    async read(start, end) {
      if (end <= start) return new Uint8Array(0);
      try {
        const bytes = await retryBody(s3, async () => {
          const res = await client.send(
            new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }),
          );
          return res.Body ? await bodyBytes(() => res.Body!.transformToByteArray()) : new Uint8Array(0);
        });
        if (bytes.byteLength !== end - start) {
          throw new Error(`Ranged read of "${uri}" returned ${bytes.byteLength} bytes, expected ${end - start}`);
        }
        return bytes;
      } catch (err) {
        if (err instanceof Error && err.message.startsWith("Ranged read")) throw err;
        throw s3Error(err, uri, bucket, s3);
      }
    },
    close() {},
  };
}

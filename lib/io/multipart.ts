/**
 * Streaming writes to S3 as a multipart upload: nothing is visible until `close()` completes the upload, and
 * `abort()` (or any failure) aborts it so no orphan parts are left. Memory stays bounded by the part size.
 *
 * @example
 * ```ts
 * import { openMultipartWriter } from "./multipart.ts";
 * const w = openMultipartWriter({ uri: "s3://bucket/out/big.bin", bucket: "bucket", key: "out/big.bin" });
 * await w.write(new Uint8Array([1, 2, 3]));
 * await w.close();
 * ```
 * @module
 */
import { AbortMultipartUploadCommand } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { ObjectWriter, WriteOptions } from "./object_types.ts";
import { s3Client } from "./s3_client.ts";
import { s3Error } from "./s3_errors.ts";
import type { S3Target } from "./uri.ts";

/** The part size used when {@linkcode WriteOptions.partSize} is not given: 8 MiB. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** The smallest part S3 accepts (but for the last): 5 MiB. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

class MultipartWriter implements ObjectWriter {
  bytesWritten = 0;
  readonly uri: string;
  readonly bucket: string;
  readonly key: string;
  #done = false;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #upload: Upload;
  #result: Promise<void>;
  #failure: Promise<never>;

  constructor(target: S3Target, readonly opts: WriteOptions) {
    const { uri, bucket, key } = target;
    this.uri = uri;
    this.bucket = bucket;
    this.key = key;
    // A small queue between our writes and the uploader keeps memory bounded by the part size.
    const pipe = new TransformStream<Uint8Array, Uint8Array>({}, { highWaterMark: 4 }, { highWaterMark: 4 });
    this.#writer = pipe.writable.getWriter();
    const partSize = Math.max(MIN_PART_SIZE, opts.partSize ?? DEFAULT_PART_SIZE);
    this.#upload = new Upload({
      client: s3Client(opts.s3),
      params: { Bucket: bucket, Key: key, Body: pipe.readable, ContentType: opts.contentType },
      partSize,
      queueSize: 2,
      leavePartsOnError: false,
    });
    this.#result = this.#upload.done().then(() => {}, (err) => {
      throw s3Error(err, uri, bucket, opts.s3);
    });
    // If the upload fails while we are still writing, pending writes must fail instead of waiting forever.
    this.#failure = this.#result.then(
      () => Promise.reject(new Error(`Upload of "${uri}" finished before the writer was closed`)),
      (err) => Promise.reject(err),
    );
    this.#failure.catch(() => {});
    this.#result.catch(() => {});
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#done) throw new Error(`Writer for "${this.uri}" is already closed`);
    // Copy: the caller may reuse its buffer, and the uploader keeps references until a part is sent.
    await Promise.race([this.#writer.write(chunk.slice()), this.#failure]);
    this.bytesWritten += chunk.byteLength;
  }

  async close(): Promise<number> {
    if (this.#done) throw new Error(`Writer for "${this.uri}" is already closed`);
    this.#done = true;
    await Promise.race([this.#writer.close(), this.#failure]);
    await this.#result;
    return this.bytesWritten;
  }

  async abort(reason?: unknown): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    // Erroring the body makes the uploader stop and abort its multipart upload (no orphan parts).
    await this.#writer.abort(reason ?? new Error("aborted")).catch(() => {});
    await this.#result.catch(() => {});
    const uploadId = (this.#upload as unknown as { uploadId?: string }).uploadId;
    if (uploadId) {
      // Belt and braces: the uploader's own abort may have failed; aborting twice is harmless.
      await s3Client(this.opts.s3)
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: uploadId }))
        .catch(() => {});
    }
  }
}

/**
 * Opens an atomic S3 writer. The upload starts with the first bytes; a body smaller than one part is sent as
 * one PutObject on `close()`. Errors name the URI (see `s3Error`).
 *
 * @example
 * ```ts
 * import { openMultipartWriter } from "./multipart.ts";
 * const w = openMultipartWriter({ uri: "s3://b/big.bin", bucket: "b", key: "big.bin" }, { partSize: 16 << 20 });
 * try {
 *   await w.write(new Uint8Array(1024));
 *   await w.close();
 * } catch (err) {
 *   await w.abort(err);
 *   throw err;
 * }
 * ```
 */
export function openMultipartWriter(target: S3Target, opts: WriteOptions = {}): ObjectWriter {
  return new MultipartWriter(target, opts);
}

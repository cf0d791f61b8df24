/**
 * The errors the object store throws where a caller may want to react: a missing object, a missing bucket,
 * an S3 endpoint that cannot be reached.
 *
 * @example
 * ```ts
 * import { ObjectNotFoundError } from "./object_errors.ts";
 * import { readBytes } from "./object_store.ts";
 * try {
 *   await readBytes("data/missing.csv");
 * } catch (err) {
 *   if (!(err instanceof ObjectNotFoundError)) throw err;
 * }
 * ```
 * @module
 */

/**
 * Thrown when an object or file does not exist.
 *
 * @example
 * ```ts
 * import { ObjectNotFoundError } from "./object_errors.ts";
 * new ObjectNotFoundError("s3://b/k").message; // 'Object "s3://b/k" not found'
 * ```
 */
export class ObjectNotFoundError extends Error {
  /** The URI that was not found. */
  readonly uri: string;
  /**
   * @param uri The missing object's URI.
   * @param options Optional cause.
   */
  constructor(uri: string, options?: ErrorOptions) {
    super(`Object "${uri}" not found`, options);
    this.name = "ObjectNotFoundError";
    this.uri = uri;
  }
}

/**
 * Thrown when an S3 bucket does not exist.
 *
 * @example
 * ```ts
 * import { BucketNotFoundError } from "./object_errors.ts";
 * new BucketNotFoundError("b").message; // 'Bucket "b" does not exist'
 * ```
 */
export class BucketNotFoundError extends Error {
  /** The missing bucket. */
  readonly bucket: string;
  /**
   * @param bucket The bucket name.
   * @param options Optional cause.
   */
  constructor(bucket: string, options?: ErrorOptions) {
    super(`Bucket "${bucket}" does not exist`, options);
    this.name = "BucketNotFoundError";
    this.bucket = bucket;
  }
}

/**
 * Thrown when the S3 endpoint cannot be reached at all (connection refused, DNS failure, timeout).
 *
 * @example
 * ```ts
 * import { S3UnreachableError } from "./object_errors.ts";
 * new S3UnreachableError("http://127.0.0.1:1", "ECONNREFUSED").message;
 * // 'Cannot reach S3 endpoint "http://127.0.0.1:1" (ECONNREFUSED)'
 * ```
 */
export class S3UnreachableError extends Error {
  /** The endpoint (without any user info). */
  readonly endpoint: string;
  /**
   * @param endpoint The endpoint that could not be reached.
   * @param code The network error code, e.g. `ECONNREFUSED`.
   * @param options Optional cause.
   */
  constructor(endpoint: string, code: string, options?: ErrorOptions) {
    super(`Cannot reach S3 endpoint "${endpoint}" (${code})`, options);
    this.name = "S3UnreachableError";
    this.endpoint = endpoint;
  }
}

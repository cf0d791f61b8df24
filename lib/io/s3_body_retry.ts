/**
 * Re-reading an S3 response body cut short. The SDK retries a request only until its headers arrive; a
 * connection dropped while the body streams in surfaces as a plain network error. GETs are idempotent, so
 * {@linkcode retryBody} sends them again, with as many attempts as the client and exponential backoff.
 *
 * @example
 * ```ts
 * import { bodyBytes, retryBody } from "./s3_body_retry.ts";
 * const bytes = await retryBody({}, () => bodyBytes(() => Promise.resolve(new Uint8Array([1, 2]))));
 * ```
 * @module
 */
import { resolveS3Settings, type S3Options } from "./s3_client.ts";
import { networkCode } from "./s3_errors.ts";

/**
 * A connection dropped while a response body streamed in (the SDK retries only until the headers arrive).
 *
 * @example
 * ```ts
 * import { BodyReadError } from "./s3_body_retry.ts";
 * new BodyReadError(new Error("socket hang up")).message; // "Reading the response body failed: socket hang up"
 * ```
 */
export class BodyReadError extends Error {
  /** @param cause The network error that cut the body short. */
  constructor(cause: unknown) {
    super(`Reading the response body failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "BodyReadError";
  }
}

/**
 * Reads a response body; a network error on the way becomes a {@linkcode BodyReadError} (retried by
 * {@linkcode retryBody}), any other error passes through.
 *
 * @example
 * ```ts
 * import { bodyBytes } from "./s3_body_retry.ts";
 * const bytes = await bodyBytes(() => Promise.resolve(new Uint8Array([1, 2, 3])));
 * ```
 */
export async function bodyBytes(read: () => Promise<Uint8Array>): Promise<Uint8Array> {
  try {
    return await read();
  } catch (err) {
    throw networkCode(err) ? new BodyReadError(err) : err;
  }
}

/**
 * Retries a GET whose body read failed on a dropped connection (GETs are idempotent), with the same number of
 * attempts as the client and exponential backoff with jitter; other errors pass through at once. After the
 * last attempt the network error itself is thrown.
 *
 * @example
 * ```ts
 * import { bodyBytes, retryBody } from "./s3_body_retry.ts";
 * const bytes = await retryBody({ maxAttempts: 5 }, () => bodyBytes(() => Promise.resolve(new Uint8Array(4))));
 * ```
 */
export async function retryBody<T>(s3: S3Options | undefined, get: () => Promise<T>): Promise<T> {
  const attempts = resolveS3Settings(s3).maxAttempts;
  for (let attempt = 1;; attempt++) {
    try {
      return await get();
    } catch (err) {
      if (!(err instanceof BodyReadError) || attempt >= attempts) throw err instanceof BodyReadError ? err.cause : err;
      const delay = Math.min(100 * 2 ** attempt, 5_000) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * What an S3 SDK error means for the object store: a missing object or bucket, an unreachable endpoint,
 * missing credentials, or another failure, each turned into an error that names the URI and never a secret.
 *
 * @example
 * ```ts
 * import { s3Error } from "./s3_errors.ts";
 * const err = s3Error({ name: "NoSuchKey" }, "s3://b/k", "b", {}); // ObjectNotFoundError
 * ```
 * @module
 */
import { BucketNotFoundError, ObjectNotFoundError, S3UnreachableError } from "./object_errors.ts";
import { redactEndpoint, resolveS3Settings, type S3Options } from "./s3_client.ts";

const NETWORK_CODES = [
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "TimeoutError",
];

/**
 * The network error code in an error or its causes (`ECONNREFUSED`, `ECONNRESET`, `TimeoutError`, ...), if any.
 *
 * @example
 * ```ts
 * import { networkCode } from "./s3_errors.ts";
 * networkCode(new Error("fetch failed", { cause: { code: "ECONNRESET" } })); // "ECONNRESET"
 * ```
 */
export function networkCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const o = e as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    for (const v of [o.code, o.name]) if (typeof v === "string" && NETWORK_CODES.includes(v)) return v;
    if (typeof o.message === "string") {
      const found = NETWORK_CODES.find((c) => (o.message as string).includes(c));
      if (found) return found;
    }
    if (Array.isArray(o.errors) && o.errors.length) e = o.errors[0];
    else e = o.cause;
  }
  return undefined;
}

function endpointOf(opts: S3Options | undefined, bucket: string): string {
  const s = resolveS3Settings(opts);
  return s.endpoint ? redactEndpoint(s.endpoint) : `https://${bucket}.s3.${s.region}.amazonaws.com`;
}

/**
 * Maps an SDK error to one that names the URI; secrets never appear (SDK messages do not carry them).
 *
 * @example
 * ```ts
 * import { s3Error } from "./s3_errors.ts";
 * s3Error({ name: "NoSuchBucket" }, "s3://b/k", "b", {}).message; // 'Bucket "b" does not exist'
 * ```
 */
export function s3Error(err: unknown, uri: string, bucket: string, opts: S3Options | undefined): Error {
  const e = err as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? e?.Code ?? "";
  if (name === "NoSuchBucket") return new BucketNotFoundError(bucket, { cause: err });
  if (name === "NoSuchKey" || name === "NotFound" || e?.$metadata?.httpStatusCode === 404) {
    return new ObjectNotFoundError(uri, { cause: err });
  }
  const code = networkCode(err);
  if (code) return new S3UnreachableError(endpointOf(opts, bucket), code, { cause: err });
  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(e?.message ?? "")) {
    return new Error(
      `No AWS credentials found for "${uri}" (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ` +
        `or pass credentials in the S3 options)`,
      { cause: err },
    );
  }
  const status = e?.$metadata?.httpStatusCode;
  return new Error(
    `S3 request for "${uri}" failed: ${name || "Error"}${status ? ` (HTTP ${status})` : ""}: ${
      e?.message ?? String(err)
    }`,
    { cause: err },
  );
}

import { assert, assertEquals, assertInstanceOf } from "@std/assert";
import { BucketNotFoundError, ObjectNotFoundError, S3UnreachableError } from "./object_errors.ts";
import { networkCode, s3Error } from "./s3_errors.ts";

const URI = "s3://b/k.parquet";

Deno.test("networkCode finds a network code in the error, its causes or its aggregated errors", () => {
  assertEquals(networkCode({ code: "ECONNREFUSED" }), "ECONNREFUSED");
  assertEquals(networkCode({ name: "TimeoutError" }), "TimeoutError");
  assertEquals(networkCode(new Error("connect ETIMEDOUT 10.0.0.1:443")), "ETIMEDOUT");
  assertEquals(networkCode(new Error("fetch failed", { cause: { code: "ECONNRESET" } })), "ECONNRESET");
  assertEquals(networkCode({ errors: [{ code: "EHOSTUNREACH" }] }), "EHOSTUNREACH");
  assertEquals(networkCode(new Error("Access Denied")), undefined);
  assertEquals(networkCode(undefined), undefined);
});

Deno.test("s3Error maps missing objects and buckets, unreachable endpoints and missing credentials", () => {
  const cause = { name: "NoSuchKey", message: "The specified key does not exist." };
  const missing = s3Error(cause, URI, "b", {});
  assertInstanceOf(missing, ObjectNotFoundError);
  assert(missing.cause === cause);
  assertInstanceOf(s3Error({ name: "NotFound" }, URI, "b", {}), ObjectNotFoundError);
  assertInstanceOf(s3Error({ name: "x", $metadata: { httpStatusCode: 404 } }, URI, "b", {}), ObjectNotFoundError);
  assertEquals(s3Error({ Code: "NoSuchBucket" }, URI, "b", {}).message, 'Bucket "b" does not exist');
  assertInstanceOf(s3Error({ name: "NoSuchBucket" }, URI, "b", {}), BucketNotFoundError);
  const local = s3Error({ code: "ECONNREFUSED" }, URI, "b", { endpoint: "http://u:secret@127.0.0.1:1" });
  assertInstanceOf(local, S3UnreachableError);
  assertEquals(local.message, 'Cannot reach S3 endpoint "http://127.0.0.1:1" (ECONNREFUSED)');
  const aws = s3Error({ code: "ENOTFOUND" }, URI, "b", { region: "eu-west-1", endpoint: undefined });
  assertEquals(
    aws.message.startsWith('Cannot reach S3 endpoint "https://b.s3.') && aws.message.endsWith('" (ENOTFOUND)'),
    true,
  );
  assert(
    s3Error({ name: "CredentialsProviderError", message: "Could not load credentials" }, URI, "b", {}).message
      .startsWith(`No AWS credentials found for "${URI}"`),
  );
});

Deno.test("s3Error names the URI, the error and the HTTP status otherwise", () => {
  const denied = { name: "AccessDenied", message: "Access Denied", $metadata: { httpStatusCode: 403 } };
  assertEquals(
    s3Error(denied, URI, "b", {}).message,
    `S3 request for "${URI}" failed: AccessDenied (HTTP 403): Access Denied`,
  );
  assertEquals(s3Error("boom", URI, "b", {}).message, `S3 request for "${URI}" failed: Error: boom`);
});

import { assert, assertEquals } from "@std/assert";
import { BucketNotFoundError, ObjectNotFoundError, S3UnreachableError } from "./object_errors.ts";

Deno.test("object-store errors quote what is missing and keep their cause", () => {
  const cause = new Error("low level");
  const missing = new ObjectNotFoundError("s3://b/k", { cause });
  assertEquals([missing.name, missing.message, missing.uri], [
    "ObjectNotFoundError",
    'Object "s3://b/k" not found',
    "s3://b/k",
  ]);
  assert(missing.cause === cause);
  const bucket = new BucketNotFoundError("b");
  assertEquals([bucket.name, bucket.message, bucket.bucket], ["BucketNotFoundError", 'Bucket "b" does not exist', "b"]);
  const dead = new S3UnreachableError("http://127.0.0.1:1", "ECONNREFUSED");
  assertEquals(dead.message, 'Cannot reach S3 endpoint "http://127.0.0.1:1" (ECONNREFUSED)');
  assertEquals([dead.name, dead.endpoint], ["S3UnreachableError", "http://127.0.0.1:1"]);
  assert(dead instanceof Error);
});

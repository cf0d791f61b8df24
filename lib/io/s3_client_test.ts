import { assert, assertEquals, assertThrows } from "@std/assert";
import { closeS3Clients, redactEndpoint, resolveS3Settings, s3Client } from "./s3_client.ts";

Deno.test("resolveS3Settings reads the standard AWS variables and explicit options win", () => {
  const keys = [
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL",
    "AWS_S3_FORCE_PATH_STYLE",
  ];
  const saved = Object.fromEntries(keys.map((k) => [k, Deno.env.get(k)]));
  try {
    for (const k of keys) Deno.env.delete(k);
    assertEquals(resolveS3Settings(), {
      region: "us-east-1",
      endpoint: undefined,
      forcePathStyle: false,
      maxAttempts: 3,
      credentials: undefined,
    });
    Deno.env.set("AWS_DEFAULT_REGION", "eu-west-3");
    Deno.env.set("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    assertEquals(resolveS3Settings().region, "eu-west-3");
    assertEquals(resolveS3Settings().endpoint, "http://127.0.0.1:9");
    assertEquals(resolveS3Settings().forcePathStyle, true);
    Deno.env.set("AWS_REGION", "eu-central-1");
    Deno.env.set("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:8");
    assertEquals(resolveS3Settings().region, "eu-central-1");
    assertEquals(resolveS3Settings().endpoint, "http://127.0.0.1:8");
    assertEquals(resolveS3Settings({ region: "ap-south-1", forcePathStyle: false }).region, "ap-south-1");
    assertEquals(resolveS3Settings({ forcePathStyle: false }).forcePathStyle, false);
    Deno.env.delete("AWS_ENDPOINT_URL_S3");
    Deno.env.delete("AWS_ENDPOINT_URL");
    Deno.env.set("AWS_S3_FORCE_PATH_STYLE", "true");
    assertEquals(resolveS3Settings().forcePathStyle, true);
    assertThrows(() => resolveS3Settings({ endpoint: "ftp://user:pw@h" }), Error, '"ftp://h" must start with http');
  } finally {
    for (const k of keys) saved[k] === undefined ? Deno.env.delete(k) : Deno.env.set(k, saved[k]!);
  }
});

Deno.test("resolveS3Settings checks maxAttempts", () => {
  assertEquals(resolveS3Settings({ maxAttempts: 5 }).maxAttempts, 5);
  assertThrows(
    () => resolveS3Settings({ maxAttempts: 0 }),
    Error,
    'S3 setting "maxAttempts" must be a positive integer, got "0"',
  );
});

Deno.test("redactEndpoint drops user info only", () => {
  assertEquals(redactEndpoint("http://user:secret@127.0.0.1:4569"), "http://127.0.0.1:4569");
  assertEquals(redactEndpoint("https://s3.example.com/a@b"), "https://s3.example.com/a@b");
});

Deno.test("s3Client caches one client per setting and closeS3Clients drops them", () => {
  const opts = { region: "eu-west-1", endpoint: "http://127.0.0.1:9" };
  const creds = { accessKeyId: "id", secretAccessKey: "one" };
  try {
    const a = s3Client(opts);
    assert(s3Client({ ...opts }) === a);
    assert(s3Client({ ...opts, maxAttempts: 7 }) !== a);
    const withKey = s3Client({ ...opts, credentials: creds });
    assert(s3Client({ ...opts, credentials: { ...creds } }) === withKey);
    assert(s3Client({ ...opts, credentials: { ...creds, secretAccessKey: "two" } }) !== withKey);
    closeS3Clients();
    assert(s3Client(opts) !== a);
  } finally {
    closeS3Clients();
  }
});

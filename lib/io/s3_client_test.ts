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

Deno.test("retries are per request: 16 concurrent PUTs ride out a 2-second outage with 6 attempts each", async () => {
  const { startS3 } = await import("../testing/s3rver.ts");
  const { startFlakyProxy } = await import("../testing/flaky_proxy.ts");
  const { writeBytes, readBytes } = await import("./object_store.ts");
  const s3 = await startS3();
  const until = Date.now() + 2_000;
  // every connection dropped for 2 s, as when the server restarts; then the real server answers
  const proxy = await startFlakyProxy(s3.endpoint, () => (Date.now() < until ? "drop" : "pass"));
  try {
    const io = { s3: { ...s3.options, endpoint: proxy.endpoint, maxAttempts: 6 } };
    const puts = Array.from(
      { length: 16 },
      (_, i) => writeBytes(`s3://${s3.bucket}/outage/${i}.bin`, Uint8Array.of(i), io),
    );
    await Promise.all(puts);
    assert(proxy.failures() >= 16, `the outage was seen (${proxy.failures()} failures)`);
    for (let i = 0; i < 16; i++) {
      assertEquals([...await readBytes(`s3://${s3.bucket}/outage/${i}.bin`, { s3: s3.options })], [i]);
    }
  } finally {
    closeS3Clients();
    await proxy.close();
    await s3.close();
  }
});

Deno.test("backoff per attempt: doubling from 250 ms, jittered between half and all of it, capped at 10 s", async () => {
  const { PerRequestRetryStrategy } = await import("./s3_client.ts");
  const s = new PerRequestRetryStrategy(6);
  assertEquals([0, 1, 2, 3].map((n) => s.delay(n, () => 0)), [125, 250, 500, 1000]);
  assertEquals([0, 1, 2, 3].map((n) => s.delay(n, () => 1)), [250, 500, 1000, 2000]);
  assertEquals(s.delay(20, () => 1), 10_000);
  // six attempts wait at least 0.125 + 0.25 + 0.5 + 1 + 2 = 3.875 s in all before giving up
  assertEquals([0, 1, 2, 3, 4].reduce((a, n) => a + s.delay(n, () => 0), 0), 3875);
});

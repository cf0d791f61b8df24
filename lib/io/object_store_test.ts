import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import {
  BucketNotFoundError,
  exists,
  joinUri,
  list,
  ObjectNotFoundError,
  openRangeReader,
  parseUri,
  readBytes,
  readStream,
  remove,
  resolveS3Settings,
  S3UnreachableError,
  writeBytes,
  writeStream,
} from "./object_store.ts";
import { startS3 } from "../testing/s3rver.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const S3_TEST = { sanitizeOps: false, sanitizeResources: false };

async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  let s = "";
  const d = new TextDecoder();
  for await (const c of stream) s += d.decode(c, { stream: true });
  return s + d.decode();
}

Deno.test("parseUri and joinUri", () => {
  assertEquals(parseUri("s3://b/a/k.parquet"), { scheme: "s3", bucket: "b", key: "a/k.parquet" });
  assertEquals(parseUri("s3://b"), { scheme: "s3", bucket: "b", key: "" });
  assertEquals(parseUri("data/x.csv"), { scheme: "file", path: "data/x.csv" });
  assertEquals(parseUri("/abs/x y.csv"), { scheme: "file", path: "/abs/x y.csv" });
  assertEquals(parseUri("file:///tmp/a%20b.csv"), { scheme: "file", path: "/tmp/a b.csv" });
  assertThrows(() => parseUri("gs://b/k"), Error, 'Unsupported URI scheme "gs" in "gs://b/k"');
  assertThrows(() => parseUri("s3:///k"), Error, "no bucket");
  assertEquals(joinUri("s3://b/runs/", "2024", "/x.parquet"), "s3://b/runs/2024/x.parquet");
  assertEquals(joinUri("s3://b", "k"), "s3://b/k");
  assertEquals(joinUri("out", "a", "b.csv"), "out/a/b.csv");
  assertEquals(joinUri("/", "tmp"), "/tmp");
});

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

Deno.test("local objects: write, read, exists, list, stream, remove", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = joinUri(dir, "sub/deeper/a.txt");
    await writeBytes(a, enc.encode("alpha"));
    await writeBytes(joinUri(dir, "sub/b.txt"), enc.encode("bravo!"));
    await writeBytes(joinUri(dir, "c.txt"), enc.encode(""));
    assertEquals(dec.decode(await readBytes(a)), "alpha");
    assertEquals(dec.decode(await readBytes(`file://${a}`)), "alpha");
    assert(await exists(a));
    assert(!(await exists(joinUri(dir, "nope.txt"))));
    assert(!(await exists(joinUri(dir, "sub")))); // a directory is not an object
    assertEquals(await list(dir), [
      { uri: `${dir}/c.txt`, size: 0 },
      { uri: `${dir}/sub/b.txt`, size: 6 },
      { uri: `${dir}/sub/deeper/a.txt`, size: 5 },
    ]);
    assertEquals((await list(joinUri(dir, "sub/b"))).map((o) => o.uri), [`${dir}/sub/b.txt`]);
    assertEquals(await list(joinUri(dir, "missing/")), []);
    assertEquals(await collect(await readStream(a)), "alpha");
    const r = await openRangeReader(a);
    assertEquals(r.size, 5);
    const [x, y] = await Promise.all([r.read(1, 3), r.read(3, 5)]);
    assertEquals(dec.decode(x) + dec.decode(y), "lpha");
    r.close();
    await remove(a);
    await remove(a); // idempotent
    assert(!(await exists(a)));
    await assertRejects(() => readBytes(a), ObjectNotFoundError, `Object "${a}" not found`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("local writeStream is atomic: invisible until close, nothing left after abort", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const uri = joinUri(dir, "out.bin");
    await writeBytes(uri, enc.encode("old"));
    const w = await writeStream(uri);
    await w.write(enc.encode("new "));
    await w.write(enc.encode("content"));
    assertEquals(dec.decode(await readBytes(uri)), "old"); // readers still see the old object
    assertEquals((await list(dir)).map((o) => o.uri), [uri]); // the temp file is not listed
    assertEquals(await w.close(), 11);
    assertEquals(dec.decode(await readBytes(uri)), "new content");

    const w2 = await writeStream(joinUri(dir, "never.bin"));
    await w2.write(enc.encode("partial"));
    await w2.abort(new Error("source failed"));
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assertEquals(names, ["out.bin"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("S3 objects against s3rver: write, read, exists, list, stream, range, remove", S3_TEST, async () => {
  const s3 = await startS3();
  const o = { s3: s3.options };
  try {
    const base = `s3://${s3.bucket}/objs/`;
    await writeBytes(joinUri(base, "b/two.txt"), enc.encode("two!"), o);
    await writeBytes(joinUri(base, "a.txt"), enc.encode("one"), o);
    await writeBytes(`s3://${s3.bucket}/other.txt`, enc.encode("x"), o);
    assertEquals(dec.decode(await readBytes(joinUri(base, "a.txt"), o)), "one");
    assert(await exists(joinUri(base, "a.txt"), o));
    assert(!(await exists(joinUri(base, "zzz.txt"), o)));
    assertEquals(await list(base, o), [
      { uri: `s3://${s3.bucket}/objs/a.txt`, size: 3 },
      { uri: `s3://${s3.bucket}/objs/b/two.txt`, size: 4 },
    ]);
    assertEquals(await collect(await readStream(joinUri(base, "b/two.txt"), o)), "two!");
    const r = await openRangeReader(joinUri(base, "b/two.txt"), o);
    assertEquals(r.size, 4);
    assertEquals(dec.decode(await r.read(1, 3)), "wo");
    await remove(joinUri(base, "a.txt"), o);
    assert(!(await exists(joinUri(base, "a.txt"), o)));
    // the same through the standard environment variables
    const saved = Object.fromEntries(Object.keys(s3.env).map((k) => [k, Deno.env.get(k)]));
    try {
      for (const [k, v] of Object.entries(s3.env)) Deno.env.set(k, v);
      assertEquals(dec.decode(await readBytes(`s3://${s3.bucket}/other.txt`)), "x");
    } finally {
      for (const [k, v] of Object.entries(saved)) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
    }
  } finally {
    await s3.close();
  }
});

Deno.test("S3 large bodies use multipart; an aborted writer leaves no object and no upload", S3_TEST, async () => {
  const s3 = await startS3();
  const o = { s3: s3.options };
  try {
    const big = new Uint8Array(21 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 997) big[i] = i % 251;
    const uri = `s3://${s3.bucket}/big.bin`;
    await writeBytes(uri, big, o);
    const back = await readBytes(uri, o);
    assertEquals(back.length, big.length);
    assert(back.every((v, i) => v === big[i]));
    assertEquals(await s3.pendingUploads(), []);

    const target = `s3://${s3.bucket}/aborted.bin`;
    const w = await writeStream(target, o);
    const chunk = new Uint8Array(1024 * 1024).fill(7);
    for (let i = 0; i < 24; i++) await w.write(chunk);
    // wait until the multipart upload exists on the server, so the abort path is really exercised
    let pending = await s3.pendingUploads();
    for (let i = 0; i < 200 && pending.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      pending = await s3.pendingUploads();
    }
    assertEquals(pending.map((p) => p.key), ["aborted.bin"]);
    assert(!(await exists(target, o))); // not visible before close
    await w.abort(new Error("source failed"));
    assertEquals(await s3.pendingUploads(), []);
    assert(!(await exists(target, o)));
  } finally {
    await s3.close();
  }
});

Deno.test("S3 errors name the object, the bucket or the endpoint", S3_TEST, async () => {
  const s3 = await startS3();
  const o = { s3: s3.options };
  try {
    await assertRejects(
      () => readBytes(`s3://${s3.bucket}/missing.parquet`, o),
      ObjectNotFoundError,
      `Object "s3://${s3.bucket}/missing.parquet" not found`,
    );
    await assertRejects(
      () => readBytes("s3://no-such-bucket/k", o),
      BucketNotFoundError,
      'Bucket "no-such-bucket" does not exist',
    );
    await assertRejects(() => writeBytes("s3://no-such-bucket/k", enc.encode("x"), o), BucketNotFoundError);
    await assertRejects(() => list("s3://no-such-bucket/", o), BucketNotFoundError);
    await assertRejects(() => readBytes(`s3://${s3.bucket}/`, o), Error, "has no object key");
  } finally {
    await s3.close();
  }
  // a port with nothing listening: the one s3rver just released
  const dead = { s3: { ...s3.options, endpoint: s3.endpoint, maxAttempts: 2 } };
  const err = await assertRejects(() => readBytes("s3://b/k", dead), S3UnreachableError);
  assertEquals(err.message, `Cannot reach S3 endpoint "${s3.endpoint}" (ECONNREFUSED)`);
  assert(!err.message.includes("S3RVER"));
  const err2 = await assertRejects(
    () => exists("s3://b/k", { s3: { ...dead.s3, endpoint: "http://user:secret@127.0.0.1:1" } }),
    S3UnreachableError,
  );
  assertEquals(err2.message, 'Cannot reach S3 endpoint "http://127.0.0.1:1" (ECONNREFUSED)');
});

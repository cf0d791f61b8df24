import { assert, assertEquals, assertRejects } from "@std/assert";
import {
  BucketNotFoundError,
  exists,
  joinUri,
  list,
  ObjectNotFoundError,
  openRangeReader,
  readBytes,
  readStream,
  remove,
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
    const w = await writeStream(joinUri(dir, "streamed/s.txt"));
    await w.write(enc.encode("streamed"));
    assertEquals(await w.close(), 8);
    assertEquals(dec.decode(await readBytes(joinUri(dir, "streamed/s.txt"))), "streamed");
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
    const w = await writeStream(`s3://${s3.bucket}/streamed.txt`, o);
    await w.write(enc.encode("streamed"));
    assertEquals(await w.close(), 8);
    assertEquals(dec.decode(await readBytes(`s3://${s3.bucket}/streamed.txt`, o)), "streamed");
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

Deno.test("S3 bodies over 16 MiB go through a multipart upload and read back whole", S3_TEST, async () => {
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

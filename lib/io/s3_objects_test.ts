import { assert, assertEquals, assertRejects } from "@std/assert";
import { startS3 } from "../testing/s3rver.ts";
import { ObjectNotFoundError } from "./object_errors.ts";
import {
  deleteObject,
  getObject,
  getObjectStream,
  listObjects,
  objectExists,
  objectSize,
  openS3RangeReader,
  putObject,
} from "./s3_objects.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const S3_TEST = { sanitizeOps: false, sanitizeResources: false };

Deno.test("S3 object operations address a bucket and key and name the URI", S3_TEST, async () => {
  const s3 = await startS3();
  const o = s3.options;
  const at = (key: string) => ({ uri: `s3://${s3.bucket}/${key}`, bucket: s3.bucket, key });
  try {
    await putObject(at("t/empty.txt"), new Uint8Array(0), { s3: o, contentType: "text/plain" });
    await putObject(at("t/abcd.txt"), enc.encode("abcd"), { s3: o });
    assertEquals(await getObject(at("t/empty.txt"), o), new Uint8Array(0));
    assertEquals(await objectSize(at("t/abcd.txt"), o), 4);
    assertEquals(
      (await listObjects({ ...at(""), uri: `s3://${s3.bucket}` }, o)).map((x) => x.uri),
      [`s3://${s3.bucket}/t/abcd.txt`, `s3://${s3.bucket}/t/empty.txt`],
    );
    let streamed = 0;
    for await (const c of await getObjectStream(at("t/empty.txt"), o)) streamed += c.byteLength;
    assertEquals(streamed, 0);

    const r = await openS3RangeReader(at("t/abcd.txt"), o);
    assertEquals(dec.decode(await r.read(0, 2)), "ab");
    assertEquals(await r.read(3, 3), new Uint8Array(0));
    await assertRejects(
      () => r.read(2, 10),
      Error,
      `Ranged read of "s3://${s3.bucket}/t/abcd.txt" returned 2 bytes, expected 8`,
    );
    r.close();
    await assertRejects(() => openS3RangeReader(at("t/none"), o), ObjectNotFoundError);
    await assertRejects(() => objectSize(at("t/none"), o), ObjectNotFoundError, `Object "s3://${s3.bucket}/t/none"`);
    await assertRejects(() => getObjectStream(at("t/none"), o), ObjectNotFoundError);

    await deleteObject(at("t/abcd.txt"), o);
    await deleteObject(at("t/abcd.txt"), o); // a missing object is not an error
    assert(!(await objectExists(at("t/abcd.txt"), o)));
  } finally {
    await s3.close();
  }
});

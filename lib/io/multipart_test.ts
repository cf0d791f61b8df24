import { assert, assertEquals, assertRejects } from "@std/assert";
import { startS3 } from "../testing/s3rver.ts";
import { openMultipartWriter } from "./multipart.ts";
import { getObject, objectExists } from "./s3_objects.ts";

const S3_TEST = { sanitizeOps: false, sanitizeResources: false };

Deno.test("multipart writer: parts on close, an aborted writer leaves no object and no upload", S3_TEST, async () => {
  const s3 = await startS3();
  const o = s3.options;
  try {
    const done = { uri: `s3://${s3.bucket}/parts.bin`, bucket: s3.bucket, key: "parts.bin" };
    const w1 = openMultipartWriter(done, { s3: o, partSize: 1 }); // raised to the 5 MiB minimum
    const mib = new Uint8Array(1024 * 1024);
    for (let i = 0; i < 11; i++) await w1.write(mib.fill(i));
    assertEquals(await w1.close(), 11 * mib.length);
    const back = await getObject(done, o);
    assertEquals([back.length, back[0], back[back.length - 1]], [11 * mib.length, 0, 10]);
    await assertRejects(() => w1.close(), Error, `Writer for "${done.uri}" is already closed`);

    const target = { uri: `s3://${s3.bucket}/aborted.bin`, bucket: s3.bucket, key: "aborted.bin" };
    const w = openMultipartWriter(target, { s3: o });
    const chunk = new Uint8Array(1024 * 1024).fill(7);
    for (let i = 0; i < 24; i++) await w.write(chunk);
    // wait until the multipart upload exists on the server, so the abort path is really exercised
    let pending = await s3.pendingUploads();
    for (let i = 0; i < 200 && pending.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      pending = await s3.pendingUploads();
    }
    assertEquals(pending.map((p) => p.key), ["aborted.bin"]);
    assert(!(await objectExists(target, o))); // not visible before close
    await w.abort(new Error("source failed"));
    assertEquals(await s3.pendingUploads(), []);
    assert(!(await objectExists(target, o)));
  } finally {
    await s3.close();
  }
});

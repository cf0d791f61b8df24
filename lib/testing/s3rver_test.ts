import { assert, assertEquals, assertMatch } from "@std/assert";
import { startS3 } from "./s3rver.ts";
import { list, readBytes, writeBytes } from "../io/object_store.ts";

Deno.test("startS3 serves a fresh bucket on 127.0.0.1 and close() stops it", {
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const a = await startS3({ bucket: "alpha" });
  const b = await startS3();
  try {
    assertMatch(a.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert(a.endpoint !== b.endpoint);
    assertEquals(a.env.AWS_ENDPOINT_URL_S3, a.endpoint);
    assertEquals(a.options.endpoint, a.endpoint);
    assertEquals(await list(`s3://alpha/`, { s3: a.options }), []);
    await writeBytes("s3://alpha/k", new Uint8Array([1, 2]), { s3: a.options });
    assertEquals(await readBytes("s3://alpha/k", { s3: a.options }), new Uint8Array([1, 2]));
    assertEquals(await list(`s3://${b.bucket}/`, { s3: b.options }), []); // servers are independent
  } finally {
    await a.close();
    await b.close();
  }
  const refused = await fetch(a.endpoint).then(() => false, () => true);
  assert(refused, "the server should be stopped");
});

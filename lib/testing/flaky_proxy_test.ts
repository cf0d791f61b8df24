import { assert, assertEquals, assertRejects } from "@std/assert";
import { closeS3Clients, openRangeReader, readBytes, writeBytes } from "../io/mod.ts";
import { startS3 } from "./s3rver.ts";
import { startFlakyProxy } from "./flaky_proxy.ts";

Deno.test("flaky proxy: passes requests to s3rver, and its 503s, 500s and drops are retried by the S3 client", async () => {
  const s3 = await startS3();
  const proxy = await startFlakyProxy(s3.endpoint, () => "pass");
  try {
    const opts = { s3: { ...s3.options, endpoint: proxy.endpoint, maxAttempts: 4 } };
    const uri = `s3://${s3.bucket}/a/b.bin`;
    const body = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251);
    await writeBytes(uri, body, opts);
    assertEquals(await readBytes(uri, opts), body);
    // every second request fails, each way: the SDK's standard retries get through
    for (const action of ["503", "500", "drop"] as const) {
      let n = 0;
      proxy.setPolicy(() => (n++ % 2 === 0 ? action : "pass"));
      const before = proxy.failures();
      assertEquals(await readBytes(uri, opts), body, action);
      await writeBytes(`s3://${s3.bucket}/a/${action}.bin`, body, opts);
      assert(proxy.failures() >= before + 2, `${action}: the proxy failed requests`);
    }
    // a response cut short (a connection dropped while the body streams in) is read again
    let m = 0;
    proxy.setPolicy((req) => (req.method === "GET" && m++ % 2 === 0 ? "truncate" : "pass"));
    assertEquals(await readBytes(uri, opts), body, "truncate");
    const ranged = await openRangeReader(uri, opts);
    assertEquals(await ranged.read(1000, 61_000), body.subarray(1000, 61_000), "truncated ranged read");
    assert(proxy.log.some((r) => r.action === "truncate"));
    // a proxy that always fails: the error surfaces after the attempts are used up
    proxy.setPolicy(() => "503");
    const before = proxy.log.length;
    await assertRejects(() => readBytes(uri, { s3: { ...opts.s3, maxAttempts: 3 } }), Error, "HTTP 503");
    assertEquals(proxy.log.length - before, 3, "three attempts");
  } finally {
    closeS3Clients();
    await proxy.close();
    await s3.close();
  }
});

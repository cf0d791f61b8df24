import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { OnlineStoreError } from "../feature_store/online/interface.ts";
import { featureRepo } from "../feature_store/definitions.ts";
import { createHandler, type ServingStore, startServer } from "./server.ts";

/** Sends raw bytes and reads whatever comes back until the server closes or `ms` pass. */
async function raw(port: number, text: string, ms: number): Promise<{ answer: string; elapsed: number }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const t0 = performance.now();
  await conn.write(new TextEncoder().encode(text));
  const buf = new Uint8Array(4096);
  let answer = "";
  const timer = setTimeout(() => conn.close(), ms);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      answer += new TextDecoder().decode(buf.subarray(0, n));
      if (answer.includes("\r\n\r\n") && /\}\s*$/.test(answer)) break;
    }
  } catch {
    /* closed by the timer */
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* already closed */ }
  }
  return { answer, elapsed: performance.now() - t0 };
}

Deno.test("a half-sent body is a 408 after the body timeout, not a request held forever", async () => {
  const handler = createHandler({
    store: { repo: featureRepo({ entities: [], views: [] }) } as unknown as ServingStore,
    score: (body) => Promise.resolve(body),
    bodyTimeoutMs: 300,
    log: () => {},
  });
  const server = startServer({ hostname: "127.0.0.1", port: 0, handler });
  try {
    const { answer, elapsed } = await raw(
      server.addr.port,
      'POST /score HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":',
      5_000,
    );
    assertStringIncludes(answer, "408");
    assertStringIncludes(answer, "did not arrive within 300 ms");
    assert(elapsed < 3_000, `answered after ${elapsed} ms`);
  } finally {
    await server.shutdown();
  }
});

Deno.test("an unreachable online store is a 503 naming it (store that throws, no Redis needed); /ready reports", async () => {
  let ready = false;
  const store = {
    repo: featureRepo({ entities: [], views: [] }),
    getOnlineFeatures: () => Promise.reject(new OnlineStoreError("Cannot reach Redis at 127.0.0.1:1 (settings ...)")),
  } as unknown as ServingStore;
  const handler = createHandler({
    store,
    score: () => store.getOnlineFeatures({ features: [], entityRows: [] }),
    ready: () => Promise.resolve({ ready, checks: { online_store: ready ? "ok" : "unreachable" } }),
    log: () => {},
  });
  const post = (path: string) =>
    handler(
      new Request(`http://x${path}`, {
        method: "POST",
        body: JSON.stringify({ features: [], entities: { a: [1] } }),
        headers: { "content-type": "application/json" },
      }),
    );
  const score = await post("/score");
  assertEquals(score.status, 503);
  assertStringIncludes((await score.json()).error, "Cannot reach Redis at 127.0.0.1:1");
  const r1 = await handler(new Request("http://x/ready"));
  assertEquals([r1.status, (await r1.json()).checks.online_store], [503, "unreachable"]);
  ready = true;
  const r2 = await handler(new Request("http://x/ready"));
  assertEquals([r2.status, (await r2.json()).status], [200, "ready"]);
  assertEquals((await handler(new Request("http://x/health"))).status, 200);
});

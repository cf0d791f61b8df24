import { assertEquals, assertRejects } from "@std/assert";
import { Redis } from "ioredis";
import { RespReader } from "./resp_reader.ts";
import { requireService } from "../../testing/services.ts";

const redis = await requireService("redis");

Deno.test({
  name: "RespReader: concurrent pipelined MGETs each get their own values; a killed connection is reopened",
  ignore: !redis.available,
  fn: async () => {
    const admin = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
    await admin.connect();
    const prefix = `test_resp_reader_${crypto.randomUUID()}:`;
    const reader = new RespReader({ host: redis.host, port: redis.port, tls: false, db: 0 });
    try {
      for (let i = 0; i < 200; i++) await admin.set(`${prefix}${i}`, `v${i}|é`);
      const asks = Array.from(
        { length: 200 },
        (_, i) => [`${prefix}${i}`, `${prefix}missing${i}`, `${prefix}${199 - i}`],
      );
      const answers = await Promise.all(asks.map((keys) => reader.mget(keys)));
      answers.forEach((a, i) => assertEquals(a, [`v${i}|é`, null, `v${199 - i}|é`]));
      // the server drops our connection: the next read connects again
      await admin.client("KILL", "TYPE", "normal", "SKIPME", "yes");
      let ok = false;
      for (let attempt = 0; attempt < 3 && !ok; attempt++) {
        try {
          assertEquals(await reader.mget([`${prefix}7`]), ["v7|é"]);
          ok = true;
        } catch { /* the first read may see the dropped socket */ }
      }
      assertEquals(ok, true);
    } finally {
      await reader.close();
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length) await admin.del(...keys);
      admin.disconnect();
    }
  },
});

Deno.test("RespReader: an unreachable server is an error naming host:port", async () => {
  const reader = new RespReader({ host: "127.0.0.1", port: 1, tls: false, db: 0, connectTimeoutMs: 500 });
  await assertRejects(() => reader.mget(["k"]), Error, "Cannot reach Redis at 127.0.0.1:1");
  await reader.close();
});

import { assertEquals, assertGreater, assertLessOrEqual, assertRejects } from "@std/assert";
import { Redis } from "ioredis";
import type { RedisOnlineStoreConfig } from "../config.ts";
import { requireService } from "../../testing/services.ts";
import { encodeRecords } from "./codec.ts";
import { keyPrefix } from "./entity_key.ts";
import { OnlineStoreError } from "./interface.ts";
import { globEscape, keySlot, RedisOnlineStore } from "./redis.ts";
import { onlineStoreConformance, testViews } from "./store_conformance.ts";

const redis = await requireService("redis");
const config = (over: Partial<RedisOnlineStoreConfig> = {}): RedisOnlineStoreConfig => ({
  type: "redis",
  host: redis.host,
  port: redis.port,
  tls: false,
  db: 0,
  key_ttl_seconds: 0,
  ...over,
});

// A small chunk size so that the tests cross chunk boundaries (MSETNX per chunk, Lua fallback per chunk).
onlineStoreConformance("redis", {
  ignore: !redis.available,
  makeStore: (project) => new RedisOnlineStore({ config: config(), project, chunkSize: 300 }),
});

Deno.test({
  name: "redis: one packed string value per (entity key, view), readable in redis-cli",
  ignore: !redis.available,
  fn: async () => {
    const project = `test_${crypto.randomUUID().slice(0, 8)}`;
    const store = new RedisOnlineStore({ config: config(), project });
    const client = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
    try {
      const batch = encodeRecords(testViews.typed, [{
        id: 7,
        i: 1,
        s: "a",
        event_timestamp: 10,
        created_timestamp: 11,
      }]);
      await store.onlineWriteBatch(testViews.typed, batch);
      const key = `${keyPrefix(project, "typed")}id=i1:7`;
      assertEquals(await client.type(key), "string");
      assertEquals(
        (await client.get(key))?.replace(/\|[0-9a-f]{8}\|/, "|<fp>|"),
        '1|10|11|<fp>|[1,null,"a",null,null]',
      );
      assertEquals(await client.pttl(key), -1); // no expiry configured
    } finally {
      await store.teardown([testViews.typed]);
      await store.close();
      client.disconnect();
    }
  },
});

Deno.test({
  name: "redis: key_ttl_seconds sets an expiry on every written key, and keys expire",
  ignore: !redis.available,
  fn: async () => {
    const project = `test_${crypto.randomUUID().slice(0, 8)}`;
    const store = new RedisOnlineStore({ config: config({ key_ttl_seconds: 1 }), project });
    const client = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
    try {
      const batch = encodeRecords(testViews.typed, [{ id: 1, event_timestamp: 10 }, { id: 2, event_timestamp: 10 }]);
      assertEquals(await store.onlineWriteBatch(testViews.typed, batch), { written: 2, skipped: 0 });
      for (const k of batch.keys) {
        const ttl = await client.pttl(keyPrefix(project, "typed") + k);
        assertGreater(ttl, 0);
        assertLessOrEqual(ttl, 1000);
      }
      await new Promise((r) => setTimeout(r, 1300));
      assertEquals(await store.onlineRead(testViews.typed, batch.keys), [null, null]);
    } finally {
      await store.teardown([testViews.typed]);
      await store.close();
      client.disconnect();
    }
  },
});

Deno.test("redis: an unreachable server is an error naming host:port and the settings", async () => {
  const store = new RedisOnlineStore({
    config: config({ host: "127.0.0.1", port: 1 }),
    project: "p",
    source: "feature_store.yaml",
  });
  await assertRejects(
    () => store.onlineRead(testViews.typed, ["id=i1:1"]),
    OnlineStoreError,
    `Cannot reach Redis at 127.0.0.1:1 (settings "online_store.host" and "online_store.port" in ` +
      `"feature_store.yaml")`,
  );
  await store.close();
});

Deno.test("redis: cluster slots match Redis's CRC16 and hash tags; glob characters are escaped", () => {
  assertEquals(keySlot("foo"), 12182);
  assertEquals(keySlot("123456789"), 12739);
  assertEquals(keySlot("{user1000}.following"), keySlot("{user1000}.followers"));
  assertEquals(keySlot("foo{}bar"), keySlot("foo{}bar"));
  assertEquals(globEscape("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\");
});

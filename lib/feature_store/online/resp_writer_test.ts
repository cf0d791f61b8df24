import { assertEquals, assertGreater, assertLessOrEqual, assertRejects } from "@std/assert";
import * as arrow from "apache-arrow";
import { Redis } from "ioredis";
import { timestampVector } from "../../io/mod.ts";
import { requireService } from "../../testing/services.ts";
import { decodeValue, encodeTable } from "./codec.ts";
import { keyPrefix } from "./entity_key.ts";
import { RedisOnlineStore, WRITE_NEWER_LUA } from "./redis.ts";
import { RespTableEncoder, RespWriter } from "./resp_writer.ts";
import { chunkedTable, multi, randomTable, single } from "../../testing/resp_tables.ts";

const redis = await requireService("redis");

const config = {
  type: "redis" as const,
  host: redis.host,
  port: redis.port,
  tls: false,
  db: 0,
  key_ttl_seconds: 0,
};

Deno.test({
  name: "resp_writer: rows written over RESP read back through onlineReadMany as the codec's values",
  ignore: !redis.available,
  fn: async () => {
    const project = `test_${crypto.randomUUID().slice(0, 8)}`;
    const store = new RedisOnlineStore({ config, project });
    const writer = new RespWriter({ host: redis.host, port: redis.port, tls: false, db: 0, script: WRITE_NEWER_LUA });
    const client = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
    try {
      for (const [view, table] of [[single, randomTable(2500, 3)], [multi, chunkedTable(1200, 4)]] as const) {
        const expected = encodeTable(view, table);
        const enc = new RespTableEncoder(view, table);
        const prefix = keyPrefix(project, view.name);
        const n = table.numRows;
        // two batches, the second across a chunk boundary
        assertEquals(await writer.write(enc, prefix, 0, 1000, { chunkSize: 300, ttlMs: 0 }), 1000);
        assertEquals(await writer.write(enc, prefix, 1000, n, { chunkSize: 300, ttlMs: 0 }), n - 1000);
        const [rows] = await store.onlineReadMany([{ view, entityKeys: expected.keys }]);
        assertEquals(rows, expected.values.map((v) => decodeValue(view, v)));
        const raw = await client.mgetBuffer(...expected.keys.slice(0, 500).map((k) => prefix + k));
        assertEquals(raw.map((b) => b && new TextDecoder().decode(b)), expected.values.slice(0, 500));
        // a re-run skips everything (MSETNX refused, then the script)
        assertEquals(await writer.write(enc, prefix, 0, n, { chunkSize: 300, ttlMs: 0 }), 0);
      }
    } finally {
      await store.teardown([single, multi]);
      await store.close();
      await writer.close();
      client.disconnect();
    }
  },
});

Deno.test({
  name: "resp_writer: existing keys go through the script (older skipped, ties to the larger created), with PX",
  ignore: !redis.available,
  fn: async () => {
    const project = `test_${crypto.randomUUID().slice(0, 8)}`;
    const store = new RedisOnlineStore({ config, project });
    const writer = new RespWriter({ host: redis.host, port: redis.port, tls: false, db: 0, script: WRITE_NEWER_LUA });
    const client = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
    const mk = (event: bigint[], created: bigint[], value: number) =>
      new arrow.Table({
        id: arrow.makeVector(BigInt64Array.from([1n, 2n, 3n, 4n])),
        i: arrow.vectorFromArray([value, value, value, value].map(BigInt), new arrow.Int64()),
        j: arrow.vectorFromArray([1, 2, 3, 4], new arrow.Int32()),
        u: arrow.vectorFromArray([1, 2, 3, 4], new arrow.Uint32()),
        f: arrow.vectorFromArray([1, 2, 3, 4], new arrow.Float64()),
        g: arrow.vectorFromArray([1, 2, 3, 4], new arrow.Float32()),
        s: arrow.vectorFromArray(["a", "b", "c", "d"], new arrow.Utf8()),
        b: arrow.vectorFromArray([true, false, true, false], new arrow.Bool()),
        t: timestampVector(BigInt64Array.from([1n, 2n, 3n, 4n])),
        event_timestamp: timestampVector(BigInt64Array.from(event)),
        created_timestamp: timestampVector(BigInt64Array.from(created)),
      });
    const prefix = keyPrefix(project, single.name);
    const read = async () =>
      (await store.onlineRead(single, encodeTable(single, mk([1n, 1n, 1n, 1n], [1n, 1n, 1n, 1n], 0)).keys)).map((r) =>
        r?.values[0]
      );
    try {
      const first = mk([100n, 100n, 100n, 100n], [10n, 10n, 10n, 10n], 1);
      assertEquals(
        await writer.write(new RespTableEncoder(single, first), prefix, 0, 2, { chunkSize: 2, ttlMs: 0 }),
        2,
      );
      // rows 0-1 exist: older (skipped), tie with a larger created (written); rows 2-3 new
      const second = mk([99n, 100n, 100n, 100n], [99n, 11n, 10n, 10n], 2);
      const enc = new RespTableEncoder(single, second);
      assertEquals(await writer.write(enc, prefix, 0, 4, { chunkSize: 2, ttlMs: 0 }), 3);
      assertEquals(await read(), [1, 2, 2, 2]);
      // same timestamps again: all skipped
      assertEquals(await writer.write(enc, prefix, 0, 4, { chunkSize: 3, ttlMs: 0 }), 0);
      // an expiry: everything through the script with PX
      const third = mk([200n, 200n, 200n, 200n], [0n, 0n, 0n, 0n], 3);
      assertEquals(
        await writer.write(new RespTableEncoder(single, third), prefix, 0, 4, { chunkSize: 3, ttlMs: 5000 }),
        4,
      );
      assertEquals(await read(), [3, 3, 3, 3]);
      const ttl = await client.pttl(prefix + "id=i1:1");
      assertGreater(ttl, 0);
      assertLessOrEqual(ttl, 5000);
      // the script cache flushed: EVALSHA's NOSCRIPT loads it again
      await client.script("FLUSH");
      const fourth = mk([300n, 300n, 300n, 300n], [0n, 0n, 0n, 0n], 4);
      assertEquals(
        await writer.write(new RespTableEncoder(single, fourth), prefix, 0, 4, { chunkSize: 3, ttlMs: 5000 }),
        4,
      );
      assertEquals(await read(), [4, 4, 4, 4]);
    } finally {
      await store.teardown([single]);
      await store.close();
      await writer.close();
      client.disconnect();
    }
  },
});

Deno.test("resp_writer: an unreachable server is an error naming host:port", async () => {
  const writer = new RespWriter({
    host: "127.0.0.1",
    port: 1,
    tls: false,
    db: 0,
    script: WRITE_NEWER_LUA,
    maxReconnects: 1,
  });
  const table = randomTable(2, 1);
  await assertRejects(
    () => writer.write(new RespTableEncoder(single, table), "p|", 0, 2, { chunkSize: 10, ttlMs: 0 }),
    Error,
    "Cannot reach Redis at 127.0.0.1:1",
  );
  await writer.close();
});

Deno.test({
  name: "resp_writer: a wrong password or db is an error naming host:port",
  ignore: !redis.available,
  fn: async () => {
    const writer = new RespWriter({ host: redis.host, port: redis.port, tls: false, db: 999, script: WRITE_NEWER_LUA });
    await assertRejects(
      () => writer.write(new RespTableEncoder(single, randomTable(2, 1)), "p|", 0, 2, { chunkSize: 10, ttlMs: 0 }),
      Error,
      `Redis at ${redis.host}:${redis.port} refused the connection setup`,
    );
    await writer.close();
  },
});

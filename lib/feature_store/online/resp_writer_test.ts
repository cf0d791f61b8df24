import { assertEquals, assertGreater, assertLessOrEqual, assertRejects } from "@std/assert";
import * as arrow from "apache-arrow";
import { Redis } from "ioredis";
import { entity, featureView, fileSource } from "../definitions.ts";
import { timestampVector } from "../../io/mod.ts";
import { requireService } from "../../testing/services.ts";
import { decodeValue, encodeTable } from "./codec.ts";
import { keyPrefix } from "./entity_key.ts";
import { RedisOnlineStore, WRITE_NEWER_LUA } from "./redis.ts";
import { Out, RespTableEncoder, RespWriter } from "./resp_writer.ts";
import { rng } from "../../testing/rng.ts";

const redis = await requireService("redis");

const src = fileSource({
  name: "rt",
  path: "mem://rt",
  timestampField: "event_timestamp",
  createdTimestampColumn: "created_timestamp",
});
const schema = [
  { name: "i", dtype: "int64" as const },
  { name: "j", dtype: "int32" as const },
  { name: "u", dtype: "int64" as const },
  { name: "f", dtype: "float64" as const },
  { name: "g", dtype: "float32" as const },
  { name: "s", dtype: "string" as const },
  { name: "b", dtype: "bool" as const },
  { name: "t", dtype: "unix_timestamp" as const },
];
/** One int64 key. */
const single = featureView({
  name: "rt",
  entities: [entity({ name: "id", valueType: "int64" })],
  schema,
  source: src,
});
/** A string key and an int64 key. */
const multi = featureView({
  name: "rt_multi",
  entities: [entity({ name: "name", valueType: "string" }), entity({ name: "id", valueType: "int64" })],
  schema,
  source: src,
});

const STRINGS = [
  "",
  "a|b",
  "|||",
  'quo"te',
  "back\\slash",
  "tab\there\nnl\r\u0001\u001f\b\f",
  "héllo",
  "日本語|x",
  "😀|🎉",
  "\ufeffbom",
  "plain_ascii_value_1234567890_".repeat(4),
  "ü".repeat(50),
  "\u007f",
];
const BIG = [
  0n,
  -1n,
  9007199254740991n,
  9007199254740992n,
  -9007199254740992n,
  -9007199254740993n,
  9223372036854775807n,
  -9223372036854775808n,
  123456789012345678n,
];
const FLOATS = [0, -0, 1.5, -2.25, 1e21, 1e-7, 123456789.123, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 60, 1 / 3, 42];

/** A random typed table (with nulls everywhere allowed), optionally in several record batches and sliced. */
function randomTable(n: number, seed: number, idOffset = 0, eventBase = 1_627_776_000_000_000): arrow.Table {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const maybe = <T>(v: T, p = 0.15) => (r() < p ? null : v);
  const ids = BigInt64Array.from(
    { length: n },
    (_, k) => BigInt(k % 2 ? -k * 7919 : k * 104729) + (k === 5 ? 2n ** 60n : 0n) + BigInt(idOffset),
  );
  const event = BigInt64Array.from({ length: n }, () => BigInt(eventBase + Math.floor(r() * 1e9)));
  const created = BigInt64Array.from(event, (e) => e + BigInt(Math.floor(r() * 1e6)));
  const createdValid = Uint8Array.from({ length: n }, () => (r() < 0.2 ? 0 : 1));
  return new arrow.Table({
    id: arrow.makeVector(ids),
    name: arrow.vectorFromArray(Array.from({ length: n }, (_, k) => `${pick(STRINGS)}#${k}`), new arrow.Utf8()),
    i: arrow.vectorFromArray(
      Array.from({ length: n }, () => maybe(r() < 0.3 ? pick(BIG) : BigInt(Math.floor((r() - 0.5) * 2e6)))),
      new arrow.Int64(),
    ),
    j: arrow.vectorFromArray(Array.from({ length: n }, () => maybe(Math.floor((r() - 0.5) * 4e9))), new arrow.Int32()),
    u: arrow.vectorFromArray(Array.from({ length: n }, () => maybe(Math.floor(r() * 4e9))), new arrow.Uint32()),
    f: arrow.vectorFromArray(
      Array.from({ length: n }, () => maybe(r() < 0.5 ? pick(FLOATS) : (r() - 0.5) * 10 ** Math.floor(r() * 30 - 10))),
      new arrow.Float64(),
    ),
    g: arrow.vectorFromArray(Array.from({ length: n }, () => maybe((r() - 0.5) * 1000)), new arrow.Float32()),
    s: arrow.vectorFromArray(Array.from({ length: n }, () => maybe(pick(STRINGS))), new arrow.Utf8()),
    b: arrow.vectorFromArray(Array.from({ length: n }, () => maybe(r() < 0.5)), new arrow.Bool()),
    t: timestampVector(BigInt64Array.from({ length: n }, () => BigInt(Math.floor((r() - 0.3) * 2e15))), {
      validity: Uint8Array.from({ length: n }, () => (r() < 0.1 ? 0 : 1)),
    }),
    event_timestamp: timestampVector(event),
    created_timestamp: timestampVector(created, { validity: createdValid }),
  });
}

/** Several record batches, the second sliced (offsets into shared buffers). */
function chunkedTable(n: number, seed: number): arrow.Table {
  const a = randomTable(n, seed);
  const b = randomTable(n + 10, seed + 1, 10_000_000_000).slice(5, n + 5);
  return a.concat(b);
}

/** Splits RESP bulk strings of a command stream (skipping the `*N` lines). */
function bulks(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 0;
  while (p < bytes.length) {
    const nl = bytes.indexOf(10, p);
    const line = new TextDecoder().decode(bytes.subarray(p, nl - 1));
    p = nl + 1;
    if (line[0] === "$") {
      const len = Number(line.slice(1));
      out.push(bytes.subarray(p, p + len));
      p += len + 2;
    }
  }
  return out;
}

for (
  const [label, view, table] of [
    ["one int64 key", single, randomTable(3000, 1)],
    ["a string and an int64 key, several record batches", multi, chunkedTable(1500, 2)],
  ] as const
) {
  Deno.test(`resp_writer: MSETNX bytes equal the codec's keys and values (${label})`, () => {
    const prefix = keyPrefix("pröj", view.name);
    const expected = encodeTable(view, table);
    const enc = new RespTableEncoder(view, table);
    const out = new Out(64);
    const chunks = enc.msetnx(out, new TextEncoder().encode(prefix), 0, table.numRows, 700);
    assertEquals(chunks.rows.length / 2, Math.ceil(table.numRows / 700));
    const parts = bulks(out.b.subarray(0, out.p));
    const te = new TextEncoder();
    let msetnx = 0;
    let k = 0;
    for (let i = 0; i < parts.length; i++) {
      if (new TextDecoder().decode(parts[i]) === "MSETNX") {
        msetnx++;
        continue;
      }
      const row = k >> 1;
      if (k % 2 === 0) assertEquals(parts[i], te.encode(prefix + expected.keys[row]), `key of row ${row}`);
      else assertEquals(parts[i], te.encode(expected.values[row]), `value of row ${row}: ${expected.values[row]}`);
      k++;
    }
    assertEquals(msetnx, Math.ceil(table.numRows / 700));
    assertEquals(k, 2 * table.numRows);
  });
}

Deno.test("resp_writer: a null event timestamp or join key is an error naming the row", () => {
  const table = new arrow.Table({
    ...Object.fromEntries(randomTable(3, 1).schema.fields.map((f) => [f.name, randomTable(3, 1).getChild(f.name)!])),
    id: arrow.vectorFromArray([1n, null, 3n], new arrow.Int64()),
  });
  const enc = new RespTableEncoder(single, table);
  let message = "";
  try {
    enc.msetnx(new Out(), new Uint8Array(), 0, 3, 10);
  } catch (err) {
    message = (err as Error).message;
  }
  assertEquals(message, 'Join key "id" is null in row 1');
});

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

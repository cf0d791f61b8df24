/**
 * The behaviour every online store must have, as a test suite run by sqlite_test.ts, redis_test.ts and
 * dynamodb_test.ts (against dynalite, lib/testing/dynalite.ts) against the real stores: typed round trips, older-write skipping, several join keys, unambiguous keys, teardown,
 * and the per-view epoch marker that materialization uses to notice a store that lost its rows.
 *
 * @example
 * ```ts
 * import { onlineStoreConformance } from "./store_conformance.ts";
 * onlineStoreConformance("sqlite", { makeStore: (project) => new SqliteOnlineStore({ path, project }) });
 * ```
 * @module
 */
import { assert, assertEquals, assertNotEquals } from "@std/assert";
import { entity, featureView, fileSource } from "../definitions.ts";
import { encodeRecords } from "./codec.ts";
import { encodeEntityKey, joinKeySpecs } from "./entity_key.ts";
import type { OnlineStore } from "./interface.ts";

/** Test views shared by the store suites. */
export const testViews = (() => {
  const id = entity({ name: "id", valueType: "int64" });
  const person = entity({ name: "person", joinKeys: ["ssn", "dob"], valueType: "string" });
  const src = (name: string) =>
    fileSource({ name, path: `mem://${name}`, timestampField: "event_timestamp", createdTimestampColumn: "created" });
  const typed = featureView({
    name: "typed",
    entities: [id],
    ttl: "1d",
    schema: [
      { name: "i", dtype: "int64" },
      { name: "f", dtype: "float64" },
      { name: "s", dtype: "string" },
      { name: "b", dtype: "bool" },
      { name: "t", dtype: "unix_timestamp" },
    ],
    source: src("typed"),
  });
  const multi = featureView({
    name: "multi",
    entities: [person, id],
    schema: [{ name: "score", dtype: "float64" }],
    source: src("multi"),
  });
  const typedV2 = featureView({
    name: "typed",
    entities: [id],
    schema: [{ name: "i", dtype: "int64" }, { name: "extra", dtype: "string" }],
    source: src("typed"),
  });
  return { id, person, typed, multi, typedV2 };
})();

/** Options of {@link onlineStoreConformance}. */
export interface ConformanceOptions {
  /** A store for a fresh project (the suite tears its views down and closes it). */
  makeStore: (project: string) => OnlineStore | Promise<OnlineStore>;
  /** Skip the suite (service unavailable). */
  ignore?: boolean;
}

/**
 * Registers the conformance tests for one store kind.
 *
 * @example
 * ```ts
 * onlineStoreConformance("redis", { makeStore: (project) => new RedisOnlineStore({ config, project }) });
 * ```
 */
export function onlineStoreConformance(name: string, opts: ConformanceOptions): void {
  const { typed, multi, typedV2 } = testViews;
  const test = (title: string, fn: (store: OnlineStore, project: string) => Promise<void>) =>
    Deno.test({
      name: `${name}: ${title}`,
      ignore: opts.ignore,
      fn: async () => {
        const project = `test_${crypto.randomUUID().slice(0, 8)}`;
        const store = await opts.makeStore(project);
        try {
          await fn(store, project);
        } finally {
          await store.teardown([typed, multi]);
          await store.close();
        }
      },
    });

  test("typed values, nulls and µs timestamps round-trip; unknown keys read as null", async (store) => {
    const batch = encodeRecords(typed, [
      { id: 1, i: 42, f: 0.5, s: "Zoë", b: true, t: 1595356223386101, event_timestamp: 1595356223386101 },
      { id: 2, i: null, event_timestamp: 1595356223386102, created_timestamp: 1595356223386999 },
      { id: 3, i: -9223372036854775808n, f: NaN, s: "", b: false, event_timestamp: 7 },
    ]);
    assertEquals(await store.onlineWriteBatch(typed, batch), { written: 3, skipped: 0 });
    const rows = await store.onlineRead(typed, [...batch.keys, "id=i1:9"]);
    assertEquals(rows[0], {
      eventMicros: 1595356223386101,
      createdMicros: null,
      values: [42, 0.5, "Zoë", true, 1595356223386101],
    });
    assertEquals(rows[1], {
      eventMicros: 1595356223386102,
      createdMicros: 1595356223386999,
      values: [null, null, null, null, null],
    });
    assertEquals(rows[2]!.values, [-9223372036854775808n, NaN, "", false, null]);
    assertEquals(rows[3], null);
  });

  test("writes older than what is stored are skipped; ties go to the larger created timestamp", async (store) => {
    const write = async (i: number, event: number, created?: number) =>
      await store.onlineWriteBatch(
        typed,
        encodeRecords(typed, [{ id: 1, i, event_timestamp: event, created_timestamp: created }]),
      );
    const read = async () => (await store.onlineRead(typed, ["id=i1:1"]))[0]!.values[0];
    assertEquals(await write(1, 100), { written: 1, skipped: 0 });
    assertEquals(await write(2, 50), { written: 0, skipped: 1 }); // older
    assertEquals(await read(), 1);
    assertEquals(await write(3, 100), { written: 0, skipped: 1 }); // same row again: nothing changes
    assertEquals(await write(4, 100, 5), { written: 1, skipped: 0 }); // tie, created beats "none"
    assertEquals(await write(5, 100, 4), { written: 0, skipped: 1 }); // tie, smaller created
    assertEquals(await write(6, 100, 6), { written: 1, skipped: 0 }); // tie, larger created
    assertEquals(await write(7, 101), { written: 1, skipped: 0 }); // newer
    assertEquals(await read(), 7);
  });

  test("large batches mixing new, newer and older keys count written and skipped exactly", async (store) => {
    const n = 2500;
    const first = encodeRecords(typed, Array.from({ length: n }, (_, k) => ({ id: k, i: k, event_timestamp: 1000 })));
    assertEquals(await store.onlineWriteBatch(typed, first), { written: n, skipped: 0 });
    // even ids newer, odd ids older, plus n new ids
    const second = encodeRecords(
      typed,
      Array.from(
        { length: 2 * n },
        (_, k) => ({ id: k, i: -(k + 1), event_timestamp: k >= n || k % 2 === 0 ? 2000 : 500 }),
      ),
    );
    assertEquals(await store.onlineWriteBatch(typed, second), { written: n + n / 2, skipped: n / 2 });
    const rows = await store.onlineRead(typed, second.keys);
    for (let k = 0; k < 2 * n; k++) assertEquals(rows[k]!.values[0], k >= n || k % 2 === 0 ? -(k + 1) : k, `id ${k}`);
    // idempotent: the same batch again writes nothing
    assertEquals(await store.onlineWriteBatch(typed, second), { written: 0, skipped: 2 * n });
  });

  test("several join keys; typed keys never collide; reads of several views in one call", async (store) => {
    const batch = encodeRecords(multi, [
      { ssn: "1234", dob: "19770430", id: 7, score: 0.9, event_timestamp: 1 },
      { ssn: "1234", dob: "19770430", id: 8, score: 0.1, event_timestamp: 1 },
    ]);
    await store.onlineWriteBatch(multi, batch);
    await store.onlineWriteBatch(typed, encodeRecords(typed, [{ id: 7, i: 70, event_timestamp: 1 }]));
    const specs = joinKeySpecs(multi);
    const key = encodeEntityKey(specs, { id: 7, dob: "19770430", ssn: "1234" });
    const [multiRows, typedRows] = await store.onlineReadMany([
      {
        view: multi,
        entityKeys: [key, batch.keys[1], encodeEntityKey(specs, { id: 7, dob: "1234", ssn: "19770430" })],
      },
      // the string "7" is another key than the int64 7
      { view: typed, entityKeys: ["id=i1:7", "id=s1:7"] },
    ]);
    assertEquals(multiRows.map((r) => r?.values[0] ?? null), [0.9, 0.1, null]);
    assertEquals(typedRows.map((r) => r?.values[0] ?? null), [70, null]);
  });

  test("a value written under another schema reads as absent and is overwritten", async (store) => {
    await store.onlineWriteBatch(typed, encodeRecords(typed, [{ id: 1, i: 1, event_timestamp: 100 }]));
    assertEquals(await store.onlineRead(typedV2, ["id=i1:1"]), [null]);
    // older event timestamp, but a new schema: written
    const w = await store.onlineWriteBatch(
      typedV2,
      encodeRecords(typedV2, [{ id: 1, i: 2, extra: "x", event_timestamp: 50 }]),
    );
    assertEquals(w.written, 1);
    assertEquals((await store.onlineRead(typedV2, ["id=i1:1"]))[0]!.values, [2, "x"]);
  });

  test("teardown deletes one view's rows of this project only", async (store) => {
    const other = await opts.makeStore(`test_${crypto.randomUUID().slice(0, 8)}`);
    try {
      await store.onlineWriteBatch(typed, encodeRecords(typed, [{ id: 1, event_timestamp: 1 }]));
      await store.onlineWriteBatch(multi, encodeRecords(multi, [{ ssn: "a", dob: "b", id: 1, event_timestamp: 1 }]));
      await other.onlineWriteBatch(typed, encodeRecords(typed, [{ id: 1, event_timestamp: 1 }]));
      await store.update({ keep: [multi], remove: [typed] });
      assertEquals(await store.onlineRead(typed, ["id=i1:1"]), [null]);
      assertEquals((await store.onlineRead(multi, ["dob=s1:b,id=i1:1,ssn=s1:a"]))[0]?.eventMicros, 1);
      assertEquals((await other.onlineRead(typed, ["id=i1:1"]))[0]?.eventMicros, 1);
    } finally {
      await other.teardown([typed]);
      await other.close();
    }
  });

  test(
    "epoch: one marker per view, created once, shared by store objects, renewed when the rows go",
    async (store, project) => {
      const first = await store.epoch(typed);
      assertEquals(first.created, true);
      assert(first.id.length > 0);
      assertEquals(await store.epoch(typed), { id: first.id, created: false });
      const other = await store.epoch(multi);
      assertNotEquals(other.id, first.id);
      // writes keep it; the marker is no entity row
      await store.onlineWriteBatch(typed, encodeRecords(typed, [{ id: 1, i: 1, event_timestamp: 1 }]));
      assertEquals(await store.onlineRead(typed, ["__epoch__"]), [null]);
      const again = await opts.makeStore(project);
      try {
        assertEquals(await again.epoch(typed), { id: first.id, created: false });
      } finally {
        await again.close();
      }
      // deleting a view's rows deletes its marker, and only its own
      await store.teardown([typed]);
      const renewed = await store.epoch(typed);
      assertEquals(renewed.created, true);
      assertNotEquals(renewed.id, first.id);
      assertEquals(await store.epoch(multi), { id: other.id, created: false });
    },
  );
}

import * as arrow from "apache-arrow";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { Redis } from "ioredis";
import { DatabaseSync } from "node:sqlite";
import { entity, type FeatureRepo, featureRepo, type FeatureView, featureView, fileSource } from "./definitions.ts";
import { timestampVector } from "../io/mod.ts";
import { FileOfflineStore } from "./offline/store.ts";
import { latestPerKey } from "./offline/pull_latest.ts";
import { applyPlan, loadRegistry, planApply, saveRegistry } from "./registry.ts";
import {
  incrementalStart,
  materialize,
  type MaterializeContext,
  materializeIncremental,
  OnlineStoreLossError,
} from "./materialize.ts";
import { encodeEntityKey, joinKeySpecs } from "./online/entity_key.ts";
import type { OnlineStore } from "./online/interface.ts";
import { SqliteOnlineStore } from "./online/sqlite.ts";
import { RedisOnlineStore } from "./online/redis.ts";
import { dynamodbDefaults, DynamoDBOnlineStore } from "./online/dynamodb.ts";
import { formatIsoMicros, parseIsoMicros } from "./online/time.ts";
import { redisServerInstalled, requireService, startThrowawayRedis } from "../testing/services.ts";
import { requireDynalite } from "../testing/dynalite.ts";
import { seededRandom as rng } from "../numeric/random.ts";

const redis = await requireService("redis");
const dynamo = await requireDynalite();
const DAY = 86_400_000_000;
const T0 = parseIsoMicros("2021-01-01T00:00:00Z");

// ---------------------------------------------------------------------------------------------------------------
// Fixture: a credit-like view (string key, ttl 90d, created timestamps with ties) and a zip view (int key, no ttl)

const person = entity({ name: "dob_ssn", valueType: "string" });
const zipcode = entity({ name: "zipcode", valueType: "int64" });
const credit = featureView({
  name: "credit",
  entities: [person],
  ttl: "90d",
  schema: [
    { name: "card_due", dtype: "int64" },
    { name: "missed", dtype: "int64" },
    { name: "ratio", dtype: "float64" },
  ],
  source: fileSource({
    name: "credit",
    path: "mem://credit",
    timestampField: "ts",
    createdTimestampColumn: "created",
    fieldMapping: { due: "card_due" },
  }),
});
const zip = featureView({
  name: "zip",
  entities: [zipcode],
  schema: [{ name: "city", dtype: "string" }, { name: "population", dtype: "int64" }],
  source: fileSource({ name: "zip", path: "mem://zip", timestampField: "ts" }),
});
const repo: FeatureRepo = featureRepo({ entities: [person, zipcode], views: [credit, zip], services: [] });

function sources(): Record<string, arrow.Table> {
  const rand = rng(7);
  const n = 3000;
  const ssn: string[] = [], due: (bigint | null)[] = [], missed: bigint[] = [], ratio: (number | null)[] = [];
  const ts = new BigInt64Array(n), created = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    ssn.push(`1970${String(Math.floor(rand() * 400)).padStart(4, "0")}_${i % 7}`);
    due.push(rand() < 0.1 ? null : BigInt(Math.floor(rand() * 10000)));
    missed.push(BigInt(Math.floor(rand() * 5)));
    ratio.push(rand() < 0.1 ? null : rand());
    const t = T0 + Math.floor(rand() * 200) * DAY + (i % 3); // many ties on the day
    ts[i] = BigInt(t);
    created[i] = BigInt(t + Math.floor(rand() * 3));
  }
  const zn = 300;
  const zts = new BigInt64Array(zn);
  for (let i = 0; i < zn; i++) zts[i] = BigInt(T0 + Math.floor(rand() * 400) * DAY);
  return {
    credit: new arrow.Table({
      dob_ssn: arrow.vectorFromArray(ssn, new arrow.Utf8()),
      due: arrow.vectorFromArray(due, new arrow.Int64()),
      missed: arrow.vectorFromArray(missed, new arrow.Int64()),
      ratio: arrow.vectorFromArray(ratio, new arrow.Float64()),
      ts: timestampVector(ts),
      created: timestampVector(created),
    }),
    zip: new arrow.Table({
      zipcode: arrow.vectorFromArray(
        Array.from({ length: zn }, (_, i) => BigInt(70000 + (i % 120))),
        new arrow.Int64(),
      ),
      city: arrow.vectorFromArray(
        Array.from({ length: zn }, (_, i) => (i % 11 ? `CITY ${i % 17}` : null)),
        new arrow.Utf8(),
      ),
      population: arrow.vectorFromArray(Array.from({ length: zn }, (_, i) => BigInt(i * 100)), new arrow.Int64()),
      ts: timestampVector(zts),
    }),
  };
}
const SOURCES = sources();
const offline = new FileOfflineStore({ loadSource: (view) => Promise.resolve(SOURCES[view.name]) });

async function registryFile(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "materialize_" });
  const path = `${dir}/registry.json`;
  const empty = await loadRegistry(path, { project: "p" });
  await saveRegistry(path, applyPlan(empty, planApply(empty, repo)));
  return path;
}

/** The online store's content for `view` equals the offline latest rows in the window. */
async function assertMatchesOffline(online: OnlineStore, view: FeatureView, startMicros: number, endMicros: number) {
  const latest = latestPerKey(view, SOURCES[view.name], { startMicros, endMicros });
  const specs = joinKeySpecs(view);
  const rows = latest.toArray().map((r) => r.toJSON());
  const keys = rows.map((r) => encodeEntityKey(specs, r));
  const stored = await online.onlineRead(view, keys);
  assertEquals(stored.length, latest.numRows);
  rows.forEach((r, i) => {
    const expected = view.schema.map((f) => (typeof r[f.name] === "bigint" ? Number(r[f.name]) : r[f.name]));
    assertEquals(stored[i]?.values, expected, `row ${i} of ${view.name}`);
    assertEquals(stored[i]?.eventMicros, Math.round(r.event_timestamp * 1000));
  });
  return latest.numRows;
}

/** An online store that fails on batch `failAt` (simulating a crash or an unreachable server). */
function failingAfter(inner: OnlineStore, failAt: number, onBatch?: (n: number) => Promise<void>): OnlineStore {
  let batches = 0;
  return {
    type: inner.type,
    location: inner.location,
    onlineWriteBatch: async (view, batch) => {
      batches++;
      await onBatch?.(batches);
      if (batches === failAt) throw new Error(`simulated failure in batch ${batches}`);
      return await inner.onlineWriteBatch(view, batch);
    },
    onlineRead: (v, k) => inner.onlineRead(v, k),
    onlineReadMany: (r) => inner.onlineReadMany(r),
    update: (o) => inner.update(o),
    teardown: (v) => inner.teardown(v),
    epoch: (v) => inner.epoch(v),
    close: () => inner.close(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The same tests against SQLite, the real Redis and a real DynamoDB-compatible server (dynalite)

const stores: { name: string; ignore: boolean; make: () => Promise<OnlineStore> }[] = [
  {
    name: "sqlite",
    ignore: false,
    make: async () => new SqliteOnlineStore({ path: `${await Deno.makeTempDir()}/online.db`, project: "p" }),
  },
  {
    name: "redis",
    ignore: !redis.available,
    make: () =>
      Promise.resolve(
        new RedisOnlineStore({
          config: { type: "redis", host: redis.host, port: redis.port, tls: false, db: 0, key_ttl_seconds: 0 },
          project: `test_${crypto.randomUUID().slice(0, 8)}`,
          chunkSize: 250,
        }),
      ),
  },
  {
    name: "dynamodb",
    ignore: !dynamo.available,
    make: () =>
      Promise.resolve(
        new DynamoDBOnlineStore({
          config: {
            ...dynamodbDefaults,
            type: "dynamodb",
            region: dynamo.server?.region ?? "us-east-1",
            endpoint: dynamo.server?.endpoint,
          },
          project: `test_${crypto.randomUUID().slice(0, 8)}`,
          credentials: dynamo.server?.credentials,
        }),
      ),
  },
];

for (const kind of stores) {
  const test = (title: string, fn: (ctx: MaterializeContext) => Promise<void>) =>
    Deno.test({
      name: `materialize (${kind.name}): ${title}`,
      ignore: kind.ignore,
      fn: async () => {
        const online = await kind.make();
        const ctx = { repo, config: { project: "p", registry: await registryFile() }, offline, online };
        try {
          await fn(ctx);
        } finally {
          await online.teardown(repo.views);
          await online.close();
        }
      },
    });

  test("writes the offline latest rows per key; intervals recorded; a second run changes nothing", async (ctx) => {
    const start = T0 + 20 * DAY, end = T0 + 150 * DAY;
    const report = await materialize(ctx, { start: formatIsoMicros(start), end: formatIsoMicros(end), batchSize: 400 });
    assertEquals(report.views.map((v) => v.view), ["credit", "zip"]);
    for (const v of report.views) {
      assertEquals(v.recorded, true);
      assertEquals(v.skipped, 0);
      assertEquals(v.written, await assertMatchesOffline(ctx.online, v.view === "credit" ? credit : zip, start, end));
      assert(v.written > 0);
    }
    const registry = await loadRegistry(ctx.config.registry, { project: "p" });
    assertEquals(registry.materialization_intervals.credit, [
      { start: "2021-01-21T00:00:00.000Z", end: "2021-05-31T00:00:00.000Z", epoch: report.views[0].epoch },
    ]);
    assertEquals(report.views[0].epoch, (await ctx.online.epoch(credit)).id);
    const again = await materialize(ctx, { start, end, batchSize: 400 });
    assertEquals(again.views.map((v) => [v.written, v.skipped]), report.views.map((v) => [0, v.written]));
    await assertMatchesOffline(ctx.online, credit, start, end);
    // a later window only writes what is newer; the result equals the latest of the union of windows
    const later = await materialize(ctx, { start: end, end: T0 + 400 * DAY, views: ["credit"], batchSize: 400 });
    assert(later.views[0].written > 0);
    await assertMatchesOffline(ctx.online, credit, start, T0 + 400 * DAY);
  });

  test("incremental: end − ttl the first time (epoch without ttl), then from the last recorded end", async (ctx) => {
    const end1 = T0 + 100 * DAY;
    const first = await materializeIncremental(ctx, { end: end1 });
    assertEquals(first.views.map((v) => [v.view, v.startMicros, v.endMicros]), [
      ["credit", end1 - 90 * DAY, end1],
      ["zip", 0, end1],
    ]);
    await assertMatchesOffline(ctx.online, credit, end1 - 90 * DAY, end1);
    const end2 = T0 + 300 * DAY;
    const second = await materializeIncremental(ctx, { end: end2 });
    assertEquals(second.views.map((v) => v.startMicros), [end1, end1]);
    await assertMatchesOffline(ctx.online, zip, 0, end2);
    const registry = await loadRegistry(ctx.config.registry, { project: "p" });
    assertEquals(incrementalStart(credit, registry, T0), end2);
    assertEquals(registry.materialization_intervals.zip.map((i) => i.end), [end1, end2].map(formatIsoMicros));
    // an end before the last recorded one: nothing to do, nothing recorded
    const none = await materializeIncremental(ctx, { end: end1 });
    assertEquals(none.views.map((v) => v.recorded), [false, false]);
  });

  test("a run that fails mid-way records nothing for that view; a re-run completes it", async (ctx) => {
    const start = T0, end = T0 + 400 * DAY;
    const failing = { ...ctx, online: failingAfter(ctx.online, 3) };
    await assertRejects(
      () => materialize(failing, { start, end, batchSize: 200 }),
      Error,
      "simulated failure in batch 3",
    );
    let registry = await loadRegistry(ctx.config.registry, { project: "p" });
    assertEquals(registry.materialization_intervals.credit, []);
    assertEquals(registry.materialization_intervals.zip, []);
    const partial = await ctx.online.onlineRead(credit, [encodeEntityKey(joinKeySpecs(credit), { dob_ssn: "x" })]);
    assertEquals(partial, [null]);
    const rerun = await materialize(ctx, { start, end, batchSize: 200 });
    assertEquals(rerun.views[0].skipped, 400); // the two batches written before the failure
    await assertMatchesOffline(ctx.online, credit, start, end);
    await assertMatchesOffline(ctx.online, zip, start, end);
    registry = await loadRegistry(ctx.config.registry, { project: "p" });
    assertEquals(registry.materialization_intervals.credit.length, 1);
  });
}

Deno.test("materialize: unregistered or unknown views are errors before anything is written", async () => {
  const online = new SqliteOnlineStore({ path: ":memory:", project: "p" });
  const dir = await Deno.makeTempDir();
  const ctx = { repo, config: { project: "p", registry: `${dir}/registry.json` }, offline, online };
  await assertRejects(
    () => materialize(ctx, { start: T0, end: T0 + DAY }),
    Error,
    `Feature views "credit", "zip" are not in the registry "${dir}/registry.json"; run "deno task apply" first`,
  );
  const registered = { ...ctx, config: { ...ctx.config, registry: await registryFile() } };
  await assertRejects(
    () => materialize(registered, { start: T0, end: T0 + DAY, views: ["nope"] }),
    Error,
    `Feature view "nope" does not exist; known: credit, zip`,
  );
  await assertRejects(() => materialize(ctx, { start: T0 + DAY, end: T0 }), RangeError, "is after the end time");
  await online.close();
});

// ---------------------------------------------------------------------------------------------------------------
// Redis restarted mid-way: a SEPARATE redis-server on its own port, started and stopped by this test

const hasRedisServer = await redisServerInstalled("REDIS RESTART TESTS");

Deno.test({
  name:
    "materialize (redis): Redis restarted empty while a view is written: the run fails naming it; a re-run restores",
  ignore: !hasRedisServer,
  fn: async () => {
    const server = await startThrowawayRedis();
    const inner = new RedisOnlineStore({
      config: { type: "redis", host: server.host, port: server.port, tls: false, db: 0, key_ttl_seconds: 0 },
      project: "p",
      chunkSize: 100,
    });
    let restarted = false;
    const online = failingAfter(inner, -1, async (n) => {
      if (n === 3 && !restarted) { // after two batches were written: restart (no persistence: they are lost)
        restarted = true;
        await server.restartEmpty();
      }
    });
    try {
      const ctx = { repo, config: { project: "p", registry: await registryFile() }, offline, online };
      const window = { start: T0, end: T0 + 400 * DAY, views: ["credit"], batchSize: 200 };
      const err = await assertRejects(() => materialize(ctx, window), OnlineStoreLossError);
      assert(restarted);
      assertStringIncludes(
        err.message,
        `The online store 127.0.0.1:${server.port} lost rows while feature view "credit" was written`,
      );
      assertEquals((await loadRegistry(ctx.config.registry, { project: "p" })).materialization_intervals.credit, []);
      const report = await materialize(ctx, window);
      assertEquals(report.views[0].recorded, true);
      await assertMatchesOffline(online, credit, T0, T0 + 400 * DAY);
    } finally {
      await inner.close();
      await server.stop();
    }
  },
});

Deno.test({
  name: "materialize (redis): Redis down mid-way: a clear error, nothing recorded; a re-run completes",
  ignore: !hasRedisServer,
  fn: async () => {
    const server = await startThrowawayRedis();
    const port = server.port;
    const config = { type: "redis" as const, host: "127.0.0.1", port, tls: false, db: 0, key_ttl_seconds: 0 };
    const inner = new RedisOnlineStore({ config, project: "p", chunkSize: 100, maxReconnects: 2 });
    const online = failingAfter(inner, -1, async (n) => {
      if (n === 3) await server.stop();
    });
    const ctx = { repo, config: { project: "p", registry: await registryFile() }, offline, online };
    try {
      const err = await assertRejects(() =>
        materialize(ctx, { start: T0, end: T0 + 400 * DAY, views: ["credit"], batchSize: 200 })
      );
      assertStringIncludes((err as Error).message, `Redis at 127.0.0.1:${port} failed (settings "online_store.host"`);
      assertEquals((await loadRegistry(ctx.config.registry, { project: "p" })).materialization_intervals.credit, []);
      await inner.close();
      await server.restartEmpty();
      const fresh = new RedisOnlineStore({ config, project: "p" });
      const report = await materialize({ ...ctx, online: fresh }, {
        start: T0,
        end: T0 + 400 * DAY,
        views: ["credit"],
        batchSize: 200,
      });
      assertEquals(report.views[0].recorded, true);
      await assertMatchesOffline(fresh, credit, T0, T0 + 400 * DAY);
      await fresh.close();
      const probe = new Redis({ port, lazyConnect: true });
      assert((await probe.dbsize()) > 0);
      probe.disconnect();
    } finally {
      await inner.close();
      await server.stop();
    }
  },
});

// ---------------------------------------------------------------------------------------------------------------
// Online-store loss (issue: Redis restarted empty mid-run, both intervals recorded, exit 0, data missing): each
// interval carries the view's online-store epoch; a changed epoch means a full re-materialization, or a failed run.

interface LossEnv {
  /** A new store object on the same storage and project (as a new process would open). */
  make(): OnlineStore;
  /** Empties the storage from outside while a run is going (SQLite: DELETE; Redis: FLUSHALL; DynamoDB: tables). */
  loseMidRun(): Promise<void>;
  /** Empties it between runs (SQLite: a new file; Redis: restarted empty; DynamoDB: tables deleted). */
  loseBetweenRuns(): Promise<void>;
  stop(): Promise<void>;
}

const lossKinds: { name: string; ignore: boolean; setup: () => Promise<LossEnv> }[] = [
  {
    name: "sqlite",
    ignore: false,
    setup: async () => {
      const path = `${await Deno.makeTempDir()}/online.db`;
      return {
        make: () => new SqliteOnlineStore({ path, project: "p" }),
        loseMidRun: () => {
          const db = new DatabaseSync(path);
          db.exec("PRAGMA busy_timeout = 5000; DELETE FROM feature_rows");
          db.close();
          return Promise.resolve();
        },
        loseBetweenRuns: async () => {
          for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(path + suffix).catch(() => {});
        },
        stop: () => Promise.resolve(),
      };
    },
  },
  {
    name: "redis",
    ignore: !hasRedisServer,
    setup: async () => {
      const server = await startThrowawayRedis();
      const config = {
        type: "redis" as const,
        host: server.host,
        port: server.port,
        tls: false,
        db: 0,
        key_ttl_seconds: 0,
      };
      return {
        make: () => new RedisOnlineStore({ config, project: "p", chunkSize: 250 }),
        loseMidRun: async () => { // from a second connection
          const probe = new Redis({ host: server.host, port: server.port, lazyConnect: true });
          await probe.flushall();
          probe.disconnect();
        },
        loseBetweenRuns: () => server.restartEmpty(),
        stop: () => server.stop(),
      };
    },
  },
  {
    name: "dynamodb",
    ignore: !dynamo.available,
    setup: () => {
      const project = `test_${crypto.randomUUID().slice(0, 8)}`;
      const make = () =>
        new DynamoDBOnlineStore({
          config: {
            ...dynamodbDefaults,
            type: "dynamodb",
            region: dynamo.server?.region ?? "us-east-1",
            endpoint: dynamo.server?.endpoint,
          },
          project,
          credentials: dynamo.server?.credentials,
        });
      const dropTables = async () => { // through another store object: its own client
        const other = make();
        await other.teardown(repo.views);
        await other.close();
      };
      return Promise.resolve({
        make,
        loseMidRun: dropTables,
        loseBetweenRuns: dropTables,
        stop: dropTables,
      });
    },
  },
];

for (const kind of lossKinds) {
  const test = (title: string, fn: (env: LossEnv, registry: string) => Promise<void>) =>
    Deno.test({
      name: `materialize (${kind.name}): ${title}`,
      ignore: kind.ignore,
      fn: async () => {
        const env = await kind.setup();
        try {
          await fn(env, await registryFile());
        } finally {
          await env.stop();
        }
      },
    });

  test(
    "the store emptied between two views of a run: the run fails naming both; a re-run restores all",
    async (env, registryPath) => {
      const online = env.make();
      let lost = false;
      const tracking: OnlineStore = {
        ...failingAfter(online, -1),
        onlineWriteBatch: async (view, batch) => {
          if (!lost && view.name === "zip") { // credit is written and recorded when zip starts
            lost = true;
            await env.loseMidRun();
          }
          return await online.onlineWriteBatch(view, batch);
        },
      };
      const ctx = { repo, config: { project: "p", registry: registryPath }, offline, online: tracking };
      const start = T0, end = T0 + 400 * DAY;
      try {
        const err = await assertRejects(() => materialize(ctx, { start, end, batchSize: 200 }), OnlineStoreLossError);
        assert(lost);
        assertStringIncludes(err.message, `lost rows while feature view "zip" was written`);
        assertStringIncludes(err.message, `its interval was not recorded`);
        assertStringIncludes(err.message, `Written earlier in this run and lost since: "credit"`);
        assertEquals(err.lost.map((l) => [l.view, l.recorded]), [["credit", true], ["zip", false]]);
        let registry = await loadRegistry(registryPath, { project: "p" });
        assertEquals(registry.materialization_intervals.zip, []);
        assertEquals(registry.materialization_intervals.credit.length, 1); // recorded before the loss, at the old epoch

        const lines: string[] = [];
        const rerun = await materialize({ ...ctx, online }, { start, end, batchSize: 200, log: (l) => lines.push(l) });
        assertEquals(rerun.views.map((v) => [v.view, v.recorded, v.rematerialized ?? false]), [
          ["credit", true, true],
          ["zip", true, false],
        ]);
        assertStringIncludes(rerun.views[0].note ?? "", "online store was emptied since the last run (epoch ");
        assertStringIncludes(lines.join("\n"), "re-materializing view credit in full");
        assertEquals(rerun.views[0].skipped, 0);
        await assertMatchesOffline(online, credit, start, end);
        await assertMatchesOffline(online, zip, start, end);
        registry = await loadRegistry(registryPath, { project: "p" });
        assertEquals(registry.materialization_intervals.zip.length, 1);
      } finally {
        await online.close();
      }
    },
  );

  test(
    "the store emptied between runs: materialize-incremental re-materializes every view in full",
    async (env, registryPath) => {
      let online = env.make();
      const config = { project: "p", registry: registryPath };
      const end1 = T0 + 100 * DAY, end2 = T0 + 200 * DAY, end3 = T0 + 300 * DAY;
      try {
        await materializeIncremental({ repo, config, offline, online }, { end: end1 });
        await materializeIncremental({ repo, config, offline, online }, { end: end2 });
        await online.close();
        await env.loseBetweenRuns();
        online = env.make();
        const lines: string[] = [];
        const report = await materializeIncremental({ repo, config, offline, online }, {
          end: end3,
          log: (l) => lines.push(l),
        });
        // every entity is back (read back one by one)
        await assertMatchesOffline(online, credit, end1 - 90 * DAY, end3);
        await assertMatchesOffline(online, zip, 0, end3);
        // from the earliest recorded start (what the store held), not from end2
        assertEquals(report.views.map((v) => [v.view, v.startMicros, v.endMicros, v.rematerialized]), [
          ["credit", end1 - 90 * DAY, end3, true],
          ["zip", 0, end3, true],
        ]);
        for (const v of report.views) {
          assertStringIncludes(v.note ?? "", "online store was emptied since the last run (epoch ");
          assertStringIncludes(v.note ?? "", `: re-materializing view ${v.view} in full from `);
        }
        assertEquals(lines.length, 2);
        // trusted again: the next run starts at the last end
        const next = await materializeIncremental({ repo, config, offline, online }, { end: end3 + DAY });
        assertEquals(next.views.map((v) => [v.startMicros, v.rematerialized ?? false]), [[end3, false], [end3, false]]);
      } finally {
        await online.close();
      }
    },
  );
}

Deno.test("materialize: intervals recorded without an epoch (an older version) are re-materialized in full once", async () => {
  const online = new SqliteOnlineStore({ path: `${await Deno.makeTempDir()}/online.db`, project: "p" });
  const ctx = { repo, config: { project: "p", registry: await registryFile() }, offline, online };
  try {
    const legacy = await loadRegistry(ctx.config.registry, { project: "p" });
    legacy.materialization_intervals.credit = [{ start: formatIsoMicros(T0), end: formatIsoMicros(T0 + 50 * DAY) }];
    await saveRegistry(ctx.config.registry, legacy);
    const report = await materializeIncremental(ctx, { end: T0 + 60 * DAY, views: ["credit"] });
    assertEquals([report.views[0].startMicros, report.views[0].rematerialized], [T0, true]);
    assertStringIncludes(report.views[0].note ?? "", "recorded without an online-store epoch");
    await assertMatchesOffline(online, credit, T0, T0 + 60 * DAY);
    const again = await materializeIncremental(ctx, { end: T0 + 70 * DAY, views: ["credit"] });
    assertEquals([again.views[0].startMicros, again.views[0].rematerialized], [T0 + 60 * DAY, undefined]);
  } finally {
    await online.close();
  }
});

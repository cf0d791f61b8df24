import * as arrow from "apache-arrow";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { Redis } from "ioredis";
import { entity, type FeatureRepo, featureRepo, type FeatureView, featureView, fileSource } from "./definitions.ts";
import { timestampVector } from "../io/mod.ts";
import { FileOfflineStore } from "./offline/store.ts";
import { latestPerKey } from "./offline/pull_latest.ts";
import { applyPlan, loadRegistry, planApply, saveRegistry } from "./registry.ts";
import { incrementalStart, materialize, type MaterializeContext, materializeIncremental } from "./materialize.ts";
import { encodeEntityKey, joinKeySpecs } from "./online/entity_key.ts";
import type { OnlineStore } from "./online/interface.ts";
import { SqliteOnlineStore } from "./online/sqlite.ts";
import { RedisOnlineStore } from "./online/redis.ts";
import { dynamodbDefaults, DynamoDBOnlineStore } from "./online/dynamodb.ts";
import { formatIsoMicros, parseIsoMicros } from "./online/time.ts";
import { canConnect, requireService } from "../testing/services.ts";
import { requireDynalite } from "../testing/dynalite.ts";
import { rng } from "../testing/rng.ts";

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
    epoch: () => inner.epoch(),
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
      { start: "2021-01-21T00:00:00.000Z", end: "2021-05-31T00:00:00.000Z" },
    ]);
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

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function startRedis(port: number): Promise<Deno.ChildProcess> {
  const child = new Deno.Command("redis-server", {
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 50 && !(await canConnect("127.0.0.1", port, 200)); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}

async function stopRedis(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch { /* already gone */ }
  await child.status;
}

const hasRedisServer = await new Deno.Command("redis-server", { args: ["--version"], stdout: "null" }).output()
  .then((o) => o.success, () => false);
if (!hasRedisServer) console.warn("\n!!! SKIPPING REDIS RESTART TESTS: redis-server is not installed !!!\n");

Deno.test({
  name: "materialize (redis): a Redis restart mid-way loses nothing: the view is written again before recording",
  ignore: !hasRedisServer,
  fn: async () => {
    const port = freePort();
    let server = await startRedis(port);
    const inner = new RedisOnlineStore({
      config: { type: "redis", host: "127.0.0.1", port, tls: false, db: 0, key_ttl_seconds: 0 },
      project: "p",
      chunkSize: 100,
    });
    let restarted = false;
    const online = failingAfter(inner, -1, async (n) => {
      if (n === 3 && !restarted) { // after two batches were written: restart (no persistence: they are lost)
        restarted = true;
        await stopRedis(server);
        server = await startRedis(port);
      }
    });
    const lines: string[] = [];
    try {
      const ctx = { repo, config: { project: "p", registry: await registryFile() }, offline, online };
      const report = await materialize(ctx, {
        start: T0,
        end: T0 + 400 * DAY,
        views: ["credit"],
        batchSize: 200,
        log: (l) => lines.push(l),
      });
      assert(restarted);
      assertStringIncludes(report.views[0].note ?? "", "restarted while writing");
      assertStringIncludes(lines.join("\n"), `127.0.0.1:${port} restarted while writing`);
      await assertMatchesOffline(online, credit, T0, T0 + 400 * DAY);
      const registry = await loadRegistry(ctx.config.registry, { project: "p" });
      assertEquals(registry.materialization_intervals.credit.length, 1);
    } finally {
      await inner.close();
      await stopRedis(server);
    }
  },
});

Deno.test({
  name: "materialize (redis): Redis down mid-way: a clear error, nothing recorded; a re-run completes",
  ignore: !hasRedisServer,
  fn: async () => {
    const port = freePort();
    let server = await startRedis(port);
    const config = { type: "redis" as const, host: "127.0.0.1", port, tls: false, db: 0, key_ttl_seconds: 0 };
    const inner = new RedisOnlineStore({ config, project: "p", chunkSize: 100, maxReconnects: 2 });
    const online = failingAfter(inner, -1, async (n) => {
      if (n === 3) await stopRedis(server);
    });
    const ctx = { repo, config: { project: "p", registry: await registryFile() }, offline, online };
    try {
      const err = await assertRejects(() =>
        materialize(ctx, { start: T0, end: T0 + 400 * DAY, views: ["credit"], batchSize: 200 })
      );
      assertStringIncludes((err as Error).message, `Redis at 127.0.0.1:${port} failed (settings "online_store.host"`);
      assertEquals((await loadRegistry(ctx.config.registry, { project: "p" })).materialization_intervals.credit, []);
      await inner.close();
      server = await startRedis(port);
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
      await stopRedis(server);
    }
  },
});

/**
 * `deno task bench materialize [--entities N] [--rounds R] [--batch-size N]`: materialization of N entities (default
 * 1M) x the 9 credit_history features into Redis through the real online store code (encoding from an Arrow table
 * plus writing), against, in the same run and on the same server, the ceiling of Feast's layout: `redis-benchmark
 * -P 64` replaying `HSET <key> f1 v1 ... f9 v9 _ts:credit_history <ts>` per entity. Rounds alternate the two so
 * that load from other processes hits both alike; medians are reported. Also measured: batched read throughput of
 * our layout, the update path (every key newer, the Lua compare-and-set), an idempotent re-run (every key skipped),
 * and Redis memory per entity for both layouts. All bench keys are deleted afterwards.
 * Writes bench/results/materialize.json: entities_per_s, feast_layout_ceiling_per_s, ratio, read_entities_per_s, ...
 * @module
 */
import * as arrow from "apache-arrow";
import { Redis } from "ioredis";
import { intFlag, parseTaskArgs } from "../lib/cli/mod.ts";
import { creditRepo } from "../lib/credit/repo.ts";
import { timestampVector } from "../lib/io/mod.ts";
import { writeTableOnline } from "../lib/feature_store/materialize.ts";
import { encodeEntityKey, joinKeySpecs } from "../lib/feature_store/online/entity_key.ts";
import { deleteMatching, RedisOnlineStore } from "../lib/feature_store/online/redis.ts";
import { requireService } from "../lib/testing/services.ts";
import { median, round, writeResults } from "./harness.ts";
import { seededRandom as rng } from "../lib/numeric/random.ts";

const USAGE = "deno task bench materialize [--entities N] [--rounds R] [--batch-size N]";

/** Unique `YYYYMMDD_NNNN` keys as a Utf8 vector built from bytes. */
function dobSsnVector(n: number): arrow.Vector {
  const offsets = new Int32Array(n + 1);
  const bytes = new Uint8Array(n * 13);
  const enc = new TextEncoder();
  for (let i = 0; i < n; i++) {
    const day = Math.floor(i / 10000);
    const date = new Date(Date.UTC(1940, 0, 1) + day * 86_400_000).toISOString().slice(0, 10).replaceAll("-", "");
    enc.encodeInto(`${date}_${String(i % 10000).padStart(4, "0")}`, bytes.subarray(i * 13));
    offsets[i + 1] = (i + 1) * 13;
  }
  return arrow.makeVector(arrow.makeData({ type: new arrow.Utf8(), length: n, valueOffsets: offsets, data: bytes }));
}

/**
 * The benchmark table as `pullLatest` would return it: dob_ssn, 9 Int64 features, event and created timestamps.
 *
 * @example
 * ```ts
 * creditTable(1000, 42, Date.UTC(2021, 7, 1) * 1000).numRows; // 1000
 * ```
 */
export function creditTable(n: number, seed: number, eventMicros: number): arrow.Table {
  const r = rng(seed);
  const col = (scale: number, p0 = 0) =>
    arrow.makeVector(BigInt64Array.from({ length: n }, () => (r() < p0 ? 0n : BigInt(Math.floor(r() * scale)))));
  const ts = new BigInt64Array(n);
  const created = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    ts[i] = BigInt(eventMicros - Math.floor(r() * 86_400_000_000));
    created[i] = ts[i] + BigInt(Math.floor(r() * 1_000_000));
  }
  return new arrow.Table({
    dob_ssn: dobSsnVector(n),
    credit_card_due: col(10_000),
    mortgage_due: col(2_000_000, 0.4),
    student_loan_due: col(60_000, 0.5),
    vehicle_loan_due: col(40_000, 0.3),
    hard_pulls: col(10),
    missed_payments_2y: col(6, 0.6),
    missed_payments_1y: col(4, 0.7),
    missed_payments_6m: col(3, 0.8),
    bankruptcies: col(2, 0.95),
    event_timestamp: timestampVector(ts),
    created_timestamp: timestampVector(created),
  });
}

async function usedMemory(client: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await client.info("memory"))?.[1] ?? NaN);
}

/** Runs redis-benchmark's HSET replay of Feast's layout; returns requests (entities) per second. */
async function feastCeiling(host: string, port: number, n: number, prefix: string): Promise<number> {
  const args = ["-h", host, "-p", String(port), "-P", "64", "-r", String(n), "-n", String(n), "-q", "HSET"];
  args.push(`${prefix}__rand_int__`);
  const values = ["2257", "1617530", "22500", "12011", "7", "1", "0", "0", "0"];
  values.forEach((v, i) => args.push(`f${i + 1}`, v));
  args.push("_ts:credit_history", "1627776000");
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("redis-benchmark", { args, stdout: "piped", stderr: "piped" }).output();
  } catch (err) {
    throw new Error(`Cannot run "redis-benchmark" (Debian package redis-tools): ${(err as Error).message}`);
  }
  const text = new TextDecoder().decode(out.stdout);
  const all = [...text.matchAll(/([\d.]+) requests per second/g)];
  if (!out.success || all.length === 0) {
    throw new Error(`redis-benchmark failed: ${new TextDecoder().decode(out.stderr).trim() || text.slice(-300)}`);
  }
  return Number(all[all.length - 1][1]);
}

/** See the module doc. */
export async function main(args: string[]): Promise<void> {
  const { values } = parseTaskArgs(args, {
    usage: USAGE,
    options: { entities: { type: "string" }, rounds: { type: "string" }, "batch-size": { type: "string" } },
  });
  const n = intFlag(values, "entities", { min: 1000, fallback: 1_000_000 });
  const rounds = intFlag(values, "rounds", { min: 1, fallback: 3 });
  const batchSize = intFlag(values, "batch-size", { min: 1000, fallback: 50_000 });
  const redis = await requireService("redis");
  if (!redis.available) throw new Error(`Redis is needed: ${redis.reason}`);
  const view = creditRepo({ dataDir: "unused" }).views.find((v) => v.name === "credit_history")!;
  const tag = crypto.randomUUID().slice(0, 8);
  const project = `bench_${tag}`;
  const feastPrefix = `bench_feast_${tag}:`;
  const config = { type: "redis" as const, host: redis.host, port: redis.port, tls: false, db: 0, key_ttl_seconds: 0 };
  const store = new RedisOnlineStore({ config, project });
  const client = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
  const t0 = performance.now();
  const table = creditTable(n, 42, Date.UTC(2021, 7, 1) * 1000);
  const newer = creditTable(n, 43, Date.UTC(2021, 8, 1) * 1000);
  console.log(`generated ${n} entities x 9 features twice in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const ours: number[] = [];
  const feast: number[] = [];
  let oursBytes = NaN, feastBytes = NaN, read = NaN, update = NaN, rerun = NaN;
  try {
    for (let round = 0; round < rounds; round++) {
      await store.teardown([view]);
      const before = await usedMemory(client);
      const started = performance.now();
      const result = await writeTableOnline(store, view, table, { batchSize });
      const seconds = (performance.now() - started) / 1000;
      if (result.written !== n) throw new Error(`Expected ${n} entities written, got ${result.written}`);
      ours.push(n / seconds);
      oursBytes = ((await usedMemory(client)) - before) / n;
      console.log(`round ${round + 1}: our layout ${Math.round(n / seconds)} entities/s (${seconds.toFixed(2)} s)`);

      if (round === 0) {
        // reads: batches of 1000 random entities through onlineRead (MGET + decoding)
        const specs = joinKeySpecs(view);
        const keys = [...table.getChild("dob_ssn")!].map((k) => encodeEntityKey(specs, { dob_ssn: k }));
        const r = rng(7);
        const reads = Math.min(n, 200_000);
        const readStart = performance.now();
        let found = 0;
        for (let done = 0; done < reads; done += 1000) {
          const batch = Array.from({ length: 1000 }, () => keys[Math.floor(r() * n)]);
          for (const row of await store.onlineRead(view, batch)) if (row) found++;
        }
        read = reads / ((performance.now() - readStart) / 1000);
        if (found !== reads) throw new Error(`Read back ${found} of ${reads} entities`);
        // an idempotent re-run (all skipped) and an update (all newer: the Lua compare-and-set path)
        let s = performance.now();
        const again = await writeTableOnline(store, view, table, { batchSize });
        rerun = n / ((performance.now() - s) / 1000);
        if (again.skipped !== n) throw new Error(`Expected a re-run to skip all ${n} entities`);
        s = performance.now();
        const upd = await writeTableOnline(store, view, newer, { batchSize });
        update = n / ((performance.now() - s) / 1000);
        if (upd.written !== n) throw new Error(`Expected the update to write all ${n} entities`);
        console.log(
          `reads ${Math.round(read)} entities/s; re-run (all skipped) ${Math.round(rerun)}/s; ` +
            `update (all newer) ${Math.round(update)}/s`,
        );
      }
      await store.teardown([view]);

      const feastBefore = await usedMemory(client);
      feast.push(await feastCeiling(redis.host, redis.port, n, feastPrefix));
      const distinct = await (async () => {
        let count = 0, cursor = "0";
        if (round > 0) return NaN;
        do {
          const [next, keys] = await client.scan(cursor, "MATCH", `${feastPrefix}*`, "COUNT", 5000);
          cursor = next;
          count += keys.length;
        } while (cursor !== "0");
        return count;
      })();
      if (round === 0) feastBytes = ((await usedMemory(client)) - feastBefore) / distinct;
      await deleteMatching(client, `${feastPrefix}*`);
      console.log(`round ${round + 1}: Feast layout ceiling (redis-benchmark -P 64) ${feast[round]} entities/s`);
    }
  } finally {
    await store.teardown([view]).catch(() => {});
    await deleteMatching(client, `${feastPrefix}*`).catch(() => 0);
    await store.close();
    client.disconnect();
  }
  const entities = median(ours);
  const ceiling = median(feast);
  const figures = {
    entities: n,
    features: 9,
    entities_per_s: Math.round(entities),
    feast_layout_ceiling_per_s: Math.round(ceiling),
    ratio: round(entities / ceiling, 2),
    goal_ratio: 1.5,
    read_entities_per_s: Math.round(read),
    read_batch: 1000,
    update_entities_per_s: Math.round(update),
    rerun_skipped_entities_per_s: Math.round(rerun),
    redis_bytes_per_entity: Math.round(oursBytes),
    feast_layout_redis_bytes_per_entity: Math.round(feastBytes),
    rounds: { ours: ours.map(Math.round), feast_layout: feast.map(Math.round) },
    layout: "one string value per (entity key, view): version|event_us|created_us|schema|[9 JSON values]",
    write_path: "Arrow columns encoded straight into RESP bytes (no per-value strings): MSETNX per 1000-key chunk " +
      "on a dedicated connection, writes overlapped with encoding; Lua compare-and-set (EVALSHA) when keys exist",
    redis: `${redis.host}:${redis.port}`,
  };
  const path = await writeResults("materialize", figures);
  console.log(
    `materialize: ${figures.entities_per_s} entities/s vs Feast layout ceiling ${figures.feast_layout_ceiling_per_s}/s ` +
      `(ratio ${figures.ratio}, goal 1.5); reads ${figures.read_entities_per_s}/s -> ${path}`,
  );
}

if (import.meta.main) await main(Deno.args);

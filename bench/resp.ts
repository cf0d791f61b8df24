/**
 * `deno task bench resp [--entities N] [--rounds R] [--reads N] [--skip-writes]`: the online store's hand-written
 * RESP writer (lib/feature_store/online/resp_*.ts) against ioredis (the client the store uses for everything else)
 * on the same work, against a throwaway redis-server of this benchmark's own (its own port, no persistence; the shared 6379 is
 * never touched).
 *
 * Writes: N entities (default 200k) x the 9 credit_history features, the store's layout (one string key per entity
 * and view, codec.ts's packed value) and the store's logic (`MSETNX` per 1000-key chunk; a chunk where MSETNX wrote
 * nothing goes to the write-newer Lua script). Two scenarios: `fresh` (an empty server: all MSETNX) and `update`
 * (every key exists with an older row: MSETNX fails, then the script for every chunk).
 * - `ours`: `RespWriter` + `RespTableEncoder` (Arrow columns straight into RESP bytes, own socket);
 * - `ioredis_pipeline_10k` / `ioredis_pipeline_all`: codec.ts's `tableEncoder` strings, MSETNX chunks in ioredis
 *   pipelines of 10 chunks (10k keys) / one pipeline for everything, then the script (`EVALSHA` through
 *   `defineCommand`) pipelined for the chunks that need it;
 * - `ioredis_auto`: the same commands as concurrent calls on a client with `enableAutoPipelining` (redis.ts's
 *   cluster path, on one server);
 * - `ioredis_set_1k` / `ioredis_set_10k` (fresh only): one `SET key value NX` per entity in pipelines of 1k / 10k
 *   commands, the usual ioredis bulk load (atomic per key, not per chunk).
 * Every timing includes the encoding from the Arrow table. After every write the server's contents (all keys and
 * values, sorted, SHA-256) must equal those of `ours`.
 *
 * Reads: `batch` (MGETs of 1000 random keys, one after another, --reads keys in all), `serving` (MGETs of 3 keys,
 * 64 in flight, 50k requests; p50/p99 latency) and `paced` (MGETs of 3 keys sent at 1000/s for 5 s) through ioredis
 * with and without auto-pipelining, each returning the same values. Until commit 4f13385 a raw reader of our own
 * (RespReader) took part: plain ioredis beat it on all three (bench/results/resp.json of that commit), so the store
 * reads through ioredis; ratios of reads are to plain `ioredis` since.
 *
 * Rounds alternate the contenders (order rotated each round); medians, and the ratio of each median to ours.
 * Writes bench/results/resp.json.
 * @module
 */
import type * as arrow from "apache-arrow";
import { Redis } from "ioredis";
import { intFlag, parseTaskArgs } from "../lib/cli/mod.ts";
import { creditRepo } from "../lib/credit/repo.ts";
import type { FeatureView } from "../lib/feature_store/definitions.ts";
import { tableEncoder } from "../lib/feature_store/online/codec.ts";
import { keyPrefix } from "../lib/feature_store/online/entity_key.ts";
import { WRITE_NEWER_LUA } from "../lib/feature_store/online/redis.ts";
import { RespTableEncoder, RespWriter } from "../lib/feature_store/online/resp_writer.ts";
import { startThrowawayRedis } from "../lib/testing/services.ts";
import { seededRandom as rng } from "../lib/numeric/random.ts";
import { creditTable } from "./materialize.ts";
import { median, npmVersion, round, writeResults } from "./harness.ts";

const USAGE = "deno task bench resp [--entities N] [--rounds R] [--reads N]";
const CHUNK = 1000;

type WriteNewer = (numKeys: number, ...args: string[]) => Promise<number>;

/** What a write contender gets: where, the view, its prefix and the table; returns keys written. */
interface WriteJob {
  host: string;
  port: number;
  view: FeatureView;
  prefix: string;
  table: arrow.Table;
}

type Writer = (job: WriteJob) => Promise<number>;

async function ioredisClient(job: { host: string; port: number }, auto: boolean): Promise<Redis> {
  const client = new Redis({ host: job.host, port: job.port, lazyConnect: true, enableAutoPipelining: auto });
  client.defineCommand("fsWriteNewer", { lua: WRITE_NEWER_LUA });
  await client.connect();
  return client;
}

/** Keys and values as the store's ioredis path builds them (codec.ts), in chunks of CHUNK. */
function stringChunks(job: WriteJob): { keys: string[]; values: string[] }[] {
  const enc = tableEncoder(job.view, job.table);
  const out: { keys: string[]; values: string[] }[] = [];
  for (let s = 0; s < enc.numRows; s += CHUNK) {
    const batch = enc.encode(s, Math.min(enc.numRows, s + CHUNK));
    out.push({ keys: batch.keys.map((k) => job.prefix + k), values: batch.values });
  }
  return out;
}

function msetnxArgs(c: { keys: string[]; values: string[] }): string[] {
  const args = new Array<string>(2 * c.keys.length);
  for (let i = 0; i < c.keys.length; i++) {
    args[2 * i] = c.keys[i];
    args[2 * i + 1] = c.values[i];
  }
  return args;
}

/** MSETNX chunks in pipelines of `per` chunks, then the script for chunks MSETNX did not write. */
function ioredisPipeline(per: number): Writer {
  return async (job) => {
    const client = await ioredisClient(job, false);
    try {
      const chunks = stringChunks(job);
      let written = 0;
      const fallback: { keys: string[]; values: string[] }[] = [];
      for (let s = 0; s < chunks.length; s += per) {
        const part = chunks.slice(s, s + per);
        const p = client.pipeline();
        for (const c of part) p.msetnx(...msetnxArgs(c));
        const replies = (await p.exec())!;
        replies.forEach(([err, r], i) => {
          if (err) throw err;
          if (r === 1) written += part[i].keys.length;
          else fallback.push(part[i]);
        });
      }
      for (let s = 0; s < fallback.length; s += per) {
        const p = client.pipeline() as unknown as {
          fsWriteNewer: (...a: unknown[]) => void;
          exec(): Promise<[Error | null, unknown][]>;
        };
        for (const c of fallback.slice(s, s + per)) p.fsWriteNewer(c.keys.length, ...c.keys, "0", ...c.values);
        for (const [err, r] of (await p.exec())!) {
          if (err) throw err;
          written += Number(r);
        }
      }
      return written;
    } finally {
      client.disconnect();
    }
  };
}

/** The store's per-chunk logic as concurrent calls on an auto-pipelining client. */
const ioredisAuto: Writer = async (job) => {
  const client = await ioredisClient(job, true);
  const writeNewer = (client as unknown as { fsWriteNewer: WriteNewer }).fsWriteNewer.bind(client);
  try {
    const counts = await Promise.all(
      stringChunks(job).map(async (c) => {
        if ((await client.msetnx(...msetnxArgs(c))) === 1) return c.keys.length;
        return Number(await writeNewer(c.keys.length, ...c.keys, "0", ...c.values));
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  } finally {
    client.disconnect();
  }
};

/** One SET NX per entity in pipelines of `per` commands (fresh keys only). */
function ioredisSet(per: number): Writer {
  return async (job) => {
    const client = await ioredisClient(job, false);
    try {
      const chunks = stringChunks(job);
      const keys = chunks.flatMap((c) => c.keys), values = chunks.flatMap((c) => c.values);
      let written = 0;
      for (let s = 0; s < keys.length; s += per) {
        const p = client.pipeline();
        for (let i = s; i < Math.min(keys.length, s + per); i++) p.set(keys[i], values[i], "NX");
        for (const [err, r] of (await p.exec())!) {
          if (err) throw err;
          if (r === "OK") written++;
        }
      }
      return written;
    } finally {
      client.disconnect();
    }
  };
}

const ours: Writer = async (job) => {
  const writer = new RespWriter({ host: job.host, port: job.port, tls: false, db: 0, script: WRITE_NEWER_LUA });
  try {
    const enc = new RespTableEncoder(job.view, job.table);
    return await writer.write(enc, job.prefix, 0, job.table.numRows, { chunkSize: CHUNK, ttlMs: 0 });
  } finally {
    await writer.close();
  }
};

/** The write contenders and the scenarios each takes part in. */
export const WRITERS: Record<string, { write: Writer; update: boolean }> = {
  ours: { write: ours, update: true },
  ioredis_pipeline_10k: { write: ioredisPipeline(10), update: true },
  ioredis_pipeline_all: { write: ioredisPipeline(Infinity), update: true },
  ioredis_auto: { write: ioredisAuto, update: true },
  ioredis_set_1k: { write: ioredisSet(1000), update: false },
  ioredis_set_10k: { write: ioredisSet(10_000), update: false },
};

/** All keys under `prefix` with their values, sorted, hashed: what the server holds. */
async function contentsDigest(client: Redis, prefix: string): Promise<{ keys: number; sha256: string }> {
  const pairs: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 10_000);
    cursor = next;
    if (keys.length) {
      const values = await client.mget(...keys);
      keys.forEach((k, i) => pairs.push(`${k}\u0000${values[i]}`));
    }
  } while (cursor !== "0");
  pairs.sort();
  const bytes = new TextEncoder().encode(pairs.join("\n"));
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return { keys: pairs.length, sha256: [...hash].map((b) => b.toString(16).padStart(2, "0")).join("") };
}

// ---------------------------------------------------------------------------------------------------------------
// Reads

type Mget = (keys: string[]) => Promise<(string | null)[]>;

interface ReadClient {
  mget: Mget;
  close(): Promise<void>;
}

const READERS: Record<string, (host: string, port: number) => Promise<ReadClient>> = {
  ioredis: async (host, port) => {
    const c = await ioredisClient({ host, port }, false);
    return { mget: (keys) => c.mget(...keys), close: () => Promise.resolve(c.disconnect()) };
  },
  ioredis_auto: async (host, port) => {
    const c = await ioredisClient({ host, port }, true);
    return { mget: (keys) => c.mget(...keys), close: () => Promise.resolve(c.disconnect()) };
  },
};

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Batch reads: MGETs of 1000 keys one after another; returns keys/s and a digest of the values read. */
async function batchReads(
  c: ReadClient,
  keys: string[],
  order: Int32Array,
): Promise<{ keysPerS: number; sum: number }> {
  const t0 = performance.now();
  let sum = 0;
  for (let s = 0; s < order.length; s += 1000) {
    const batch = Array.from(order.subarray(s, s + 1000), (i) => keys[i]);
    for (const v of await c.mget(batch)) sum += v === null ? -1 : v.length;
  }
  return { keysPerS: order.length / ((performance.now() - t0) / 1000), sum };
}

/** Serving-like reads: MGETs of 3 keys, `inFlight` at a time; request rate and latency quantiles. */
async function servingReads(
  c: ReadClient,
  keys: string[],
  requests: number,
  inFlight: number,
  seed: number,
): Promise<{ requestsPerS: number; p50Ms: number; p99Ms: number; sum: number }> {
  const r = rng(seed);
  const lat: number[] = [];
  let next = 0, sum = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < requests) {
      next++;
      const batch = [0, 1, 2].map(() => keys[Math.floor(r() * keys.length)]);
      const s = performance.now();
      const values = await c.mget(batch);
      lat.push(performance.now() - s);
      for (const v of values) sum += v === null ? -1 : 1;
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { requestsPerS: requests / seconds, p50Ms: quantile(lat, 0.5), p99Ms: quantile(lat, 0.99), sum };
}

/** Steady load: MGETs of 3 keys started at `rate` per second for `seconds`, not waiting for replies; latencies. */
async function pacedReads(
  c: ReadClient,
  keys: string[],
  rate: number,
  seconds: number,
  seed: number,
): Promise<{ p50Ms: number; p99Ms: number; maxMs: number; sum: number }> {
  const r = rng(seed);
  const lat: number[] = [];
  const pending: Promise<void>[] = [];
  let sum = 0;
  const t0 = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0.5) await new Promise((ok) => setTimeout(ok, wait));
    const batch = [0, 1, 2].map(() => keys[Math.floor(r() * keys.length)]);
    const s = performance.now();
    pending.push(
      c.mget(batch).then((values) => {
        lat.push(performance.now() - s);
        for (const v of values) sum += v === null ? -1 : 1;
      }),
    );
  }
  await Promise.all(pending);
  lat.sort((a, b) => a - b);
  return { p50Ms: quantile(lat, 0.5), p99Ms: quantile(lat, 0.99), maxMs: lat[lat.length - 1], sum };
}

// ---------------------------------------------------------------------------------------------------------------
// Main

interface Slot {
  ms: number[];
}

function summary(slots: Record<string, Slot>, n: number, unit: string, ref = "ours") {
  if (!slots[ref]) return {};
  const oursMs = median(slots[ref].ms);
  return Object.fromEntries(
    Object.entries(slots).map(([name, s]) => {
      const ms = median(s.ms);
      return [name, {
        median_ms: round(ms, 1),
        [`${unit}_per_s`]: Math.round(n / (ms / 1000)),
        [`ratio_to_${ref}`]: round(ms / oursMs, 2),
        rounds_ms: s.ms.map((x) => round(x, 1)),
      }];
    }),
  );
}

/** See the module doc. */
export async function main(args: string[]): Promise<void> {
  const { values } = parseTaskArgs(args, {
    usage: USAGE,
    options: {
      entities: { type: "string" },
      rounds: { type: "string" },
      reads: { type: "string" },
      "skip-writes": { type: "boolean" },
    },
  });
  const n = intFlag(values, "entities", { min: 1000, fallback: 200_000 });
  const rounds = intFlag(values, "rounds", { min: 1, fallback: 5 });
  const reads = intFlag(values, "reads", { min: 1000, fallback: 200_000 });
  const view = creditRepo({ dataDir: "unused" }).views.find((v) => v.name === "credit_history")!;
  const prefix = keyPrefix("bench_resp", view.name);
  const older = creditTable(n, 42, Date.UTC(2021, 7, 1) * 1000);
  const newer = creditTable(n, 43, Date.UTC(2021, 8, 1) * 1000);
  const server = await startThrowawayRedis();
  const admin = await ioredisClient(server, false);
  const fresh: Record<string, Slot> = {}, update: Record<string, Slot> = {};
  const digests = { fresh: "", update: "" };
  const names = Object.keys(WRITERS);
  const check = async (scenario: "fresh" | "update", name: string, written: number) => {
    if (written !== n) throw new Error(`${name} (${scenario}) wrote ${written} of ${n} keys`);
    const d = await contentsDigest(admin, prefix);
    if (d.keys !== n) throw new Error(`${name} (${scenario}) left ${d.keys} keys, expected ${n}`);
    if (name === "ours") digests[scenario] ||= d.sha256;
    if (digests[scenario] && d.sha256 !== digests[scenario]) {
      throw new Error(`${name} (${scenario}): the server's contents differ from ours`);
    }
  };
  try {
    // ours first in round 1 so that the reference digests exist
    for (let r = 0; r < (values["skip-writes"] ? 0 : rounds); r++) {
      const order = names.map((_, i) => names[(i + r) % names.length]);
      for (const name of order) {
        const { write, update: doUpdate } = WRITERS[name];
        const job = { host: server.host, port: server.port, view, prefix, table: older };
        await admin.flushdb();
        let t0 = performance.now();
        const written = await write(job);
        (fresh[name] ??= { ms: [] }).ms.push(performance.now() - t0);
        await check("fresh", name, written);
        if (doUpdate) {
          // every key holds an older row (written by ours, not timed): the update path
          await admin.flushdb();
          await ours(job);
          t0 = performance.now();
          const w = await write({ ...job, table: newer });
          (update[name] ??= { ms: [] }).ms.push(performance.now() - t0);
          await check("update", name, w);
        }
        console.log(
          `round ${r + 1}/${rounds} ${name}: fresh ${Math.round(fresh[name].ms.at(-1)!)} ms` +
            (doUpdate ? `, update ${Math.round(update[name].ms.at(-1)!)} ms` : ""),
        );
      }
    }

    // reads on the `newer` contents
    await admin.flushdb();
    await ours({ host: server.host, port: server.port, view, prefix, table: older });
    const enc = tableEncoder(view, older).encode(0, n);
    const keys = enc.keys.map((k) => prefix + k);
    const r = rng(9);
    const order = Int32Array.from({ length: reads }, () => Math.floor(r() * n));
    const batch: Record<string, Slot> = {}, serving: Record<string, Slot & { p50: number[]; p99: number[] }> = {};
    const paced: Record<string, { p50: number[]; p99: number[]; max: number[] }> = {};
    const pacedRate = 1000, pacedSeconds = 5;
    const servingRequests = 50_000;
    const readNames = Object.keys(READERS);
    let batchSum: number | undefined, servingSum: number | undefined;
    for (let round = 0; round < rounds; round++) {
      for (const name of readNames.map((_, i) => readNames[(i + round) % readNames.length])) {
        const c = await READERS[name](server.host, server.port);
        try {
          await c.mget([keys[0]]); // connect
          const b = await batchReads(c, keys, order);
          (batch[name] ??= { ms: [] }).ms.push((reads / b.keysPerS) * 1000);
          batchSum ??= b.sum;
          if (b.sum !== batchSum) throw new Error(`${name}: batch reads returned other values`);
          const s = await servingReads(c, keys, servingRequests, 64, 11);
          const slot = serving[name] ??= { ms: [], p50: [], p99: [] };
          slot.ms.push((servingRequests / s.requestsPerS) * 1000);
          slot.p50.push(s.p50Ms);
          slot.p99.push(s.p99Ms);
          servingSum ??= s.sum;
          if (s.sum !== servingSum) throw new Error(`${name}: serving reads returned other values`);
          const p = await pacedReads(c, keys, pacedRate, pacedSeconds, 13);
          const ps = paced[name] ??= { p50: [], p99: [], max: [] };
          ps.p50.push(p.p50Ms);
          ps.p99.push(p.p99Ms);
          ps.max.push(p.maxMs);
          console.log(
            `round ${round + 1}/${rounds} read ${name}: batch ${Math.round(b.keysPerS)} keys/s; serving ` +
              `${Math.round(s.requestsPerS)} req/s p50 ${s.p50Ms.toFixed(2)} ms p99 ${s.p99Ms.toFixed(2)} ms; ` +
              `paced ${pacedRate}/s p50 ${p.p50Ms.toFixed(3)} ms p99 ${p.p99Ms.toFixed(3)} ms max ${
                p.maxMs.toFixed(1)
              } ms`,
          );
        } finally {
          await c.close();
        }
      }
    }
    const servingSummary = summary(serving, servingRequests, "requests", "ioredis");
    for (const [name, s] of Object.entries(serving)) {
      Object.assign(servingSummary[name], {
        p50_ms: round(median(s.p50), 3),
        p99_ms: round(median(s.p99), 3),
      });
    }
    const figures = {
      entities: n,
      features: 9,
      rounds,
      chunk_keys: CHUNK,
      layout: "one string key per (entity, view): version|event_us|created_us|schema|[9 JSON values]",
      write_fresh: summary(fresh, n, "entities"),
      write_update: summary(update, n, "entities"),
      contents_sha256: digests,
      read_batch: { keys: reads, mget_keys: 1000, contenders: summary(batch, reads, "keys", "ioredis") },
      read_serving: { requests: servingRequests, mget_keys: 3, in_flight: 64, contenders: servingSummary },
      read_paced: {
        rate_per_s: pacedRate,
        seconds: pacedSeconds,
        mget_keys: 3,
        contenders: Object.fromEntries(
          Object.entries(paced).map(([name, p]) => [name, {
            p50_ms: round(median(p.p50), 3),
            p99_ms: round(median(p.p99), 3),
            max_ms: round(median(p.max), 1),
            p99_ratio_to_ioredis: round(median(p.p99) / median(paced.ioredis.p99), 2),
          }]),
        ),
      },
      versions: { ioredis: npmVersion("ioredis") },
      method: "throwaway redis-server on its own port; timings include encoding from the Arrow table; rounds " +
        "alternate the contenders (order rotated); every write's server contents are checked against ours " +
        "(SHA-256 of sorted keys and values); ratio_to_ours = median ms / ours' median ms",
    };
    const path = await writeResults("resp", figures);
    console.log(JSON.stringify(figures, null, 2));
    console.log(`-> ${path}`);
  } finally {
    admin.disconnect();
    await server.stop();
  }
}

if (import.meta.main) await main(Deno.args);

/**
 * The Redis online store through ioredis: standalone (host, port, password, TLS, db) or cluster
 * (`cluster_nodes`).
 *
 * Layout: ONE string key per (entity key, feature view), `<len>:<project>|<view>|<entity key>`, holding the packed
 * value of codec.ts (timestamps, schema fingerprint and all feature values of the view). Feast writes one hash
 * field per feature plus a timestamp field; one value per view costs Redis a single key insert per entity.
 *
 * Writes go in chunks of {@link RedisOnlineStoreOptions.chunkSize} keys, all chunks of a batch pipelined:
 * - keys that do not exist yet (a first materialization): one `MSETNX` per chunk, atomic (it writes all keys of
 *   the chunk only if none exists);
 * - otherwise (a chunk with any existing key, or a key expiry configured): a Lua script that, per key, reads the
 *   stored header and writes only when the new row is newer (event timestamp, then created timestamp) or the
 *   stored value has another schema; atomic per key, so concurrent writers never let an older row win.
 * Reads fetch many entities of many views with one `MGET` (cluster: one per hash slot, pipelined per node).
 *
 * Each view's epoch marker ({@link OnlineStore.epoch}) is the key `<len>:<project>|<view>|__epoch__` (no expiry;
 * entity keys always hold a "="): a restart without persistence, `FLUSHALL`/`FLUSHDB` or teardown removes it
 * with the rows.
 *
 * @example
 * ```ts
 * import { RedisOnlineStore } from "./redis.ts";
 * const store = new RedisOnlineStore({
 *   config: { type: "redis", host: "127.0.0.1", port: 6379, tls: false, db: 0, key_ttl_seconds: 0 },
 *   project: "credit_scoring",
 * });
 * const rows = await store.onlineRead(view, ["dob_ssn=s13:19770430_2525"]);
 * await store.close();
 * ```
 * @module
 */
import type { Cluster, Redis, RedisOptions } from "ioredis";
import type { FeatureView } from "../definitions.ts";
import { ConfigError, describeSource } from "../store_settings.ts";
import type * as arrow from "apache-arrow";
import {
  decodeValue,
  type EncodedBatch,
  schemaFingerprint,
  type StoredRow,
  TABLE_ROWS,
  type TableRows,
} from "./codec.ts";
import { keyPrefix } from "./entity_key.ts";
import {
  type OnlineStore,
  OnlineStoreError,
  type OnlineStorePlugin,
  type ReadRequest,
  type StoreEpoch,
  type WriteResult,
} from "./interface.ts";
import { RespTableEncoder, RespWriter } from "./resp_writer.ts";

/** `online_store` settings of `type: redis`. */
export interface RedisOnlineStoreConfig {
  type: "redis";
  host: string;
  port: number;
  password?: string;
  tls: boolean;
  db: number;
  /** Cluster mode: seed nodes as "host:port" strings. */
  cluster_nodes?: string[];
  /** Optional expiry of entity keys, in seconds (0 = none). */
  key_ttl_seconds: number;
}

/** Options of {@link RedisOnlineStore}. */
export interface RedisOnlineStoreOptions {
  config: RedisOnlineStoreConfig;
  /** Project whose keys this store reads and writes (the key prefix). */
  project: string;
  /** Where the configuration came from, for messages (default "the configuration"). */
  source?: string;
  /** Keys per write command (default 1000). */
  chunkSize?: number;
  /** Milliseconds to wait for a connection (default 3000). */
  connectTimeoutMs?: number;
  /** Reconnection attempts before a command fails (default 10, about 8 s in all). */
  maxReconnects?: number;
}

/**
 * Per key: write ARGV[i + 1] unless the stored value (same layout version and schema fingerprint) is at least as
 * new. ARGV[1] is the expiry in milliseconds (0 = none). Returns the number of keys written.
 */
export const WRITE_NEWER_LUA = `
local ttl = tonumber(ARGV[1])
local pattern = '^(%d+)|(%-?%d+)|(%-?%d*)|(%x*)|'
local written = 0
for i = 1, #KEYS do
  local new = ARGV[i + 1]
  local write = true
  local old = redis.call('GET', KEYS[i])
  if old then
    local ov, oe, oc, of = string.match(old, pattern)
    local nv, ne, nc, nf = string.match(new, pattern)
    if ov and nv and ov == nv and of == nf then
      oe = tonumber(oe)
      ne = tonumber(ne)
      oc = tonumber(oc) or -math.huge
      nc = tonumber(nc) or -math.huge
      if ne < oe or (ne == oe and nc <= oc) then write = false end
    end
  end
  if write then
    if ttl > 0 then redis.call('SET', KEYS[i], new, 'PX', ttl) else redis.call('SET', KEYS[i], new) end
    written = written + 1
  end
end
return written`;

/** Returns the marker's value and 0, or sets ARGV[1] when absent and returns it and 1 (atomic). */
const EPOCH_LUA = `
local v = redis.call('GET', KEYS[1])
if v then return {v, 0} end
redis.call('SET', KEYS[1], ARGV[1])
return {ARGV[1], 1}`;

/** Last part of a view's epoch marker key. */
export const EPOCH_KEY = "__epoch__";

type Client = Redis | Cluster;

/** ioredis, loaded on first connection (so that loading the configuration does not load it). */
const ioredis = () => import("ioredis");
type WriteNewer = (numKeys: number, ...args: string[]) => Promise<number>;

/** See the module doc. */
export class RedisOnlineStore implements OnlineStore {
  readonly type = "redis";
  readonly location: string;
  readonly project: string;
  readonly config: RedisOnlineStoreConfig;
  readonly #source: string;
  readonly #chunkSize: number;
  readonly #opts: RedisOnlineStoreOptions;
  #client: Promise<Client> | undefined;
  #lastError: Error | undefined;
  /** Standalone servers: rows of Arrow tables go as RESP bytes over a socket of their own (resp_writer.ts). */
  #resp: RespWriter | undefined;
  readonly #respEncoders = new WeakMap<arrow.Table, RespTableEncoder>();

  /** @param opts See {@link RedisOnlineStoreOptions}; connects on first use. */
  constructor(opts: RedisOnlineStoreOptions) {
    this.config = opts.config;
    this.project = opts.project;
    this.#opts = opts;
    this.#source = !opts.source || opts.source === "defaults" ? "the configuration" : `"${opts.source}"`;
    this.#chunkSize = opts.chunkSize ?? 1000;
    const nodes = opts.config.cluster_nodes ?? [];
    this.location = nodes.length ? `cluster ${nodes.join(",")}` : `${opts.config.host}:${opts.config.port}`;
    if (nodes.length && opts.config.db !== 0) {
      throw new OnlineStoreError(
        `Setting "online_store.db" in ${this.#source} is ${opts.config.db}; Redis Cluster only has db 0`,
      );
    }
  }

  /** Names the settings to check in messages. */
  #settings(): string {
    return this.config.cluster_nodes?.length
      ? `setting "online_store.cluster_nodes" in ${this.#source}`
      : `settings "online_store.host" and "online_store.port" in ${this.#source}`;
  }

  #ready(): Promise<Client> {
    this.#client ??= this.#connect();
    return this.#client;
  }

  async #connect(): Promise<Client> {
    const c = this.config;
    const maxReconnects = this.#opts.maxReconnects ?? 10;
    const base: RedisOptions = {
      password: c.password || undefined,
      tls: c.tls ? { servername: c.host } : undefined,
      connectTimeout: this.#opts.connectTimeoutMs ?? 3000,
      maxRetriesPerRequest: maxReconnects,
      lazyConnect: true,
      retryStrategy: (times: number) => (times > maxReconnects ? null : Math.min(times * 150, 1000)),
    };
    let client: Client;
    const nodes = c.cluster_nodes ?? [];
    if (nodes.length) {
      const { Cluster } = await ioredis();
      client = new Cluster(nodes.map(parseNode), {
        redisOptions: base,
        lazyConnect: true,
        enableAutoPipelining: true,
        clusterRetryStrategy: (times: number) => (times > maxReconnects ? null : Math.min(times * 150, 1000)),
      });
    } else {
      const { Redis } = await ioredis();
      client = new Redis({ ...base, host: c.host, port: c.port, db: c.db });
    }
    (client as Redis).on("error", (err: Error) => {
      this.#lastError = err;
    });
    client.defineCommand("fsWriteNewer", { lua: WRITE_NEWER_LUA });
    try {
      await client.connect();
      await client.ping();
    } catch (err) {
      client.disconnect();
      this.#client = undefined;
      throw new OnlineStoreError(
        `Cannot reach Redis at ${this.location} (${this.#settings()}): ${
          describeError(this.#lastError) || describeError(err)
        }`,
        { cause: err },
      );
    }
    return client;
  }

  #fail(what: string, err: unknown): OnlineStoreError {
    const detail = describeError(err) || describeError(this.#lastError);
    return new OnlineStoreError(`${what} Redis at ${this.location} failed (${this.#settings()}): ${detail}`, {
      cause: err,
    });
  }

  /** See {@link OnlineStore.onlineWriteBatch}. */
  async onlineWriteBatch(view: FeatureView, batch: EncodedBatch): Promise<WriteResult> {
    const client = await this.#ready();
    const prefix = keyPrefix(this.project, view.name);
    const ttlMs = Math.round((this.config.key_ttl_seconds ?? 0) * 1000);
    const rows = (batch as { [TABLE_ROWS]?: TableRows })[TABLE_ROWS];
    if (rows && !client.isCluster) return await this.#writeRows(view, prefix, rows, ttlMs);
    const n = batch.keys.length;
    const pending: Promise<number>[] = [];
    if (client.isCluster) {
      for (const rows of groupBySlot(prefix, batch.keys)) {
        for (let s = 0; s < rows.length; s += this.#chunkSize) {
          const part = rows.slice(s, s + this.#chunkSize);
          pending.push(
            this.#writeChunk(
              client,
              part.map((i) => prefix + batch.keys[i]),
              part.map((i) => batch.values[i]),
              ttlMs,
            ),
          );
        }
      }
    } else {
      for (let s = 0; s < n; s += this.#chunkSize) {
        const e = Math.min(n, s + this.#chunkSize);
        const keys = new Array<string>(e - s);
        for (let i = s; i < e; i++) keys[i - s] = prefix + batch.keys[i];
        pending.push(this.#writeChunk(client, keys, batch.values.slice(s, e), ttlMs));
      }
    }
    let written = 0;
    try {
      for (const w of await Promise.all(pending)) written += w;
    } catch (err) {
      throw this.#fail(`Writing feature view "${view.name}" to`, err);
    }
    return { written, skipped: n - written };
  }

  async #writeRows(view: FeatureView, prefix: string, rows: TableRows, ttlMs: number): Promise<WriteResult> {
    let enc = this.#respEncoders.get(rows.table);
    if (!enc || enc.view !== rows.view) {
      enc = new RespTableEncoder(rows.view, rows.table);
      this.#respEncoders.set(rows.table, enc);
    }
    const c = this.config;
    this.#resp ??= new RespWriter({
      host: c.host,
      port: c.port,
      tls: c.tls,
      password: c.password || undefined,
      db: c.db,
      script: WRITE_NEWER_LUA,
      connectTimeoutMs: this.#opts.connectTimeoutMs,
      maxReconnects: this.#opts.maxReconnects,
    });
    let written: number;
    try {
      written = await this.#resp.write(enc, prefix, rows.start, rows.end, { chunkSize: this.#chunkSize, ttlMs });
    } catch (err) {
      throw this.#fail(`Writing feature view "${view.name}" to`, err);
    }
    return { written, skipped: rows.end - rows.start - written };
  }

  async #writeChunk(client: Client, keys: string[], values: string[], ttlMs: number): Promise<number> {
    if (ttlMs === 0) {
      const args = new Array<string>(2 * keys.length);
      for (let i = 0; i < keys.length; i++) {
        args[2 * i] = keys[i];
        args[2 * i + 1] = values[i];
      }
      if ((await client.msetnx(...args)) === 1) return keys.length;
    }
    const writeNewer = (client as unknown as { fsWriteNewer: WriteNewer }).fsWriteNewer.bind(client);
    return Number(await writeNewer(keys.length, ...keys, String(ttlMs), ...values));
  }

  /** See {@link OnlineStore.onlineRead}. */
  async onlineRead(view: FeatureView, entityKeys: readonly string[]): Promise<(StoredRow | null)[]> {
    return (await this.onlineReadMany([{ view, entityKeys }]))[0];
  }

  /** See {@link OnlineStore.onlineReadMany}: one MGET for all (cluster: one per slot, pipelined). */
  async onlineReadMany(requests: readonly ReadRequest[]): Promise<(StoredRow | null)[][]> {
    const client = await this.#ready();
    const keys: string[] = [];
    for (const { view, entityKeys } of requests) {
      const prefix = keyPrefix(this.project, view.name);
      for (const k of entityKeys) keys.push(prefix + k);
    }
    let texts: (string | null)[];
    try {
      texts = await this.#mget(client, keys);
    } catch (err) {
      throw this.#fail("Reading from", err);
    }
    const out: (StoredRow | null)[][] = [];
    let at = 0;
    for (const { view, entityKeys } of requests) {
      const fingerprint = schemaFingerprint(view);
      const rows = new Array<StoredRow | null>(entityKeys.length);
      for (let i = 0; i < entityKeys.length; i++) rows[i] = decodeValue(view, texts[at++], fingerprint);
      out.push(rows);
    }
    return out;
  }

  async #mget(client: Client, keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    if (!client.isCluster) {
      // one server: MGETs of at most 10k keys, pipelined by ioredis (bench/results/resp.json: as fast as a raw
      // connection of our own for serving, faster for batches)
      const parts: Promise<(string | null)[]>[] = [];
      for (let s = 0; s < keys.length; s += 10_000) parts.push(client.mget(...keys.slice(s, s + 10_000)));
      return parts.length === 1 ? await parts[0] : (await Promise.all(parts)).flat();
    }
    const out = new Array<string | null>(keys.length);
    await Promise.all(
      groupBySlot("", keys).map(async (rows) => {
        const values = await client.mget(...rows.map((i) => keys[i]));
        rows.forEach((row, j) => (out[row] = values[j]));
      }),
    );
    return out;
  }

  /** See {@link OnlineStore.update}: nothing to prepare; keys of removed views are deleted. */
  async update(opts: { keep: readonly FeatureView[]; remove: readonly FeatureView[] }): Promise<void> {
    await this.teardown(opts.remove);
  }

  /** See {@link OnlineStore.teardown}: SCANs each view's key prefix and UNLINKs the keys. */
  async teardown(views: readonly FeatureView[]): Promise<void> {
    const client = await this.#ready();
    const nodes: Redis[] = client.isCluster ? (client as Cluster).nodes("master") : [client as Redis];
    try {
      for (const view of views) {
        const pattern = globEscape(keyPrefix(this.project, view.name)) + "*";
        for (const node of nodes) await deleteMatching(node, pattern);
      }
    } catch (err) {
      throw this.#fail("Deleting keys from", err);
    }
  }

  /**
   * See {@link OnlineStore.epoch}: the view's marker key, set when absent. In a cluster the marker lives on one
   * master while the rows are spread over all, so the masters' `run_id`s are added: any restart (or failover)
   * changes the epoch, even one that kept its data (then a view is re-materialized needlessly, never left short).
   */
  async epoch(view: FeatureView): Promise<StoreEpoch> {
    const client = await this.#ready();
    const key = keyPrefix(this.project, view.name) + EPOCH_KEY;
    try {
      const [id, created] = await client.eval(EPOCH_LUA, 1, key, crypto.randomUUID()) as [string, number];
      if (!client.isCluster) return { id, created: created === 1 };
      const nodes = (client as Cluster).nodes("master");
      const runs = await Promise.all(nodes.map(async (n) => /run_id:(\w+)/.exec(await n.info("server"))?.[1] ?? ""));
      return { id: `${id}@${runs.sort().join(",")}`, created: created === 1 };
    } catch (err) {
      throw this.#fail(`Reading the epoch of feature view "${view.name}" from`, err);
    }
  }

  /** Closes the connection (waiting for pending replies). */
  async close(): Promise<void> {
    const resp = this.#resp;
    this.#resp = undefined;
    await resp?.close();
    const pending = this.#client;
    this.#client = undefined;
    if (!pending) return;
    let client: Client;
    try {
      client = await pending;
    } catch {
      return;
    }
    try {
      await client.quit();
    } catch {
      client.disconnect();
    }
  }
}

/**
 * Deletes keys matching a glob pattern on one node (SCAN + UNLINK), returning how many.
 *
 * @example
 * ```ts
 * await deleteMatching(redis, "bench:*");
 * ```
 */
export async function deleteMatching(node: Redis, pattern: string): Promise<number> {
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 2000);
    cursor = next;
    if (keys.length) deleted += await node.unlink(...keys);
  } while (cursor !== "0");
  return deleted;
}

/**
 * Escapes Redis glob characters (`* ? [ ] \`) in a literal prefix.
 *
 * @example
 * ```ts
 * globEscape("a*b"); // "a\\*b"
 * ```
 */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

function parseNode(text: string): { host: string; port: number } {
  const node = nodeAddress(text);
  if (!node) throw new OnlineStoreError(`Setting "online_store.cluster_nodes" has "${text}"; expected "host:port"`);
  return node;
}

function nodeAddress(text: string): { host: string; port: number } | undefined {
  const i = text.lastIndexOf(":");
  const port = Number(text.slice(i + 1));
  if (i <= 0 || !isPort(port)) return undefined;
  return { host: text.slice(0, i).replace(/^\[|\]$/g, ""), port };
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

function describeError(err: unknown): string {
  if (!err) return "";
  const e = err as Error & { code?: string; errors?: unknown[] };
  if (e.errors?.length) return describeError(e.errors[0]);
  return (e.message || e.code || String(err)).replace(/\s+/g, " ").trim();
}

/**
 * The `redis` online store type: settings (host, port, password, tls, db, cluster_nodes, key_ttl_seconds) and
 * factory.
 *
 * @example
 * ```ts
 * const store = redisOnlineStore.open(
 *   { type: "redis", host: "127.0.0.1", port: 6379, tls: false, db: 0, key_ttl_seconds: 0 },
 *   { project: "credit_scoring", source: "feature_store.yaml" },
 * );
 * ```
 */
export const redisOnlineStore: OnlineStorePlugin<RedisOnlineStoreConfig> = {
  type: "redis",
  description: "Redis (standalone or cluster) through ioredis",
  settings: {
    host: { kind: "string", required: true, default: "127.0.0.1", doc: "Server host (standalone)" },
    port: {
      kind: "number",
      required: true,
      default: 6379,
      check: (port: number) => isPort(port) ? undefined : "1..65535",
      doc: "Server port (standalone)",
    },
    password: { kind: "string", secret: true, doc: "AUTH password (use ${VAR} in a file)" },
    tls: { kind: "boolean", required: true, default: false, doc: "Connect with TLS" },
    db: {
      kind: "number",
      required: true,
      default: 0,
      check: (db: number) => Number.isInteger(db) && db >= 0 ? undefined : "an integer >= 0",
      doc: "Database number (standalone only)",
    },
    cluster_nodes: {
      kind: "string[]",
      check: (nodes: string[]) => nodes.every((n) => nodeAddress(n)) ? undefined : 'a list of "host:port"',
      doc: 'Redis Cluster seed nodes as "host:port" (instead of host and port)',
    },
    key_ttl_seconds: {
      kind: "number",
      required: true,
      default: 0,
      check: (ttl: number) => ttl >= 0 ? undefined : "a number of seconds >= 0",
      doc: "Expiry of entity keys in seconds (0 = none)",
    },
  },
  validate(section, place) {
    if (section.cluster_nodes?.length && section.db !== 0) {
      throw new ConfigError(
        `Setting "${place.prefix}db" in ${describeSource(place.source)} is ${section.db}; Redis Cluster only has db 0`,
      );
    }
  },
  open: (config, context) => new RedisOnlineStore({ config, project: context.project, source: context.source }),
};

// ---------------------------------------------------------------------------------------------------------------
// Cluster slots (CRC16/XMODEM of the key or its {hash tag}, mod 16384), as Redis computes them

const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let j = 0; j < 8; j++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

const encoder = new TextEncoder();

/**
 * The Redis Cluster hash slot of a key.
 *
 * @example
 * ```ts
 * keySlot("foo"); // 12182
 * keySlot("{user1000}.following") === keySlot("{user1000}.followers"); // true
 * ```
 */
export function keySlot(key: string): number {
  let bytes = encoder.encode(key);
  const open = bytes.indexOf(0x7b);
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) bytes = bytes.subarray(open + 1, close);
  }
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ bytes[i]) & 0xff];
  return crc & 16383;
}

/** Row indices grouped by the slot of `prefix + keys[i]`. */
function groupBySlot(prefix: string, keys: readonly string[]): number[][] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < keys.length; i++) {
    const slot = keySlot(prefix + keys[i]);
    const g = groups.get(slot);
    if (g) g.push(i);
    else groups.set(slot, [i]);
  }
  return [...groups.values()];
}

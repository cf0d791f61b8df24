/**
 * The online store interface (Feast's: write batch, read, update, teardown) shared by the SQLite, Redis and
 * DynamoDB stores, and the plug-in shape ({@link OnlineStorePlugin}) through which online/registry.ts finds them.
 *
 * Stores work on encoded rows (see codec.ts and entity_key.ts): one packed value per (entity key, feature view).
 * Every store skips a write older than what it holds: a stored row wins when its event timestamp is later, or
 * equal with a created timestamp at least as large; so re-writing the same rows changes nothing.
 *
 * @example
 * ```ts
 * import type { OnlineStore } from "./interface.ts";
 * async function roundTrip(store: OnlineStore, view: FeatureView, batch: EncodedBatch) {
 *   const { written, skipped } = await store.onlineWriteBatch(view, batch);
 *   return await store.onlineRead(view, batch.keys);
 * }
 * ```
 * @module
 */
import type { FeatureView } from "../definitions.ts";
import type { StoreSchema } from "../store_settings.ts";
import type { EncodedBatch, StoredRow } from "./codec.ts";

/** What a write did. */
export interface WriteResult {
  /** Rows stored (new keys, or newer than what was stored). */
  written: number;
  /** Rows skipped because the store already held a row at least as new. */
  skipped: number;
}

/** See {@link OnlineStore.epoch}. */
export interface StoreEpoch {
  /** The marker's id (Redis Cluster: followed by the masters' run ids, which change when one restarts). */
  id: string;
  /** Whether this call created the marker: the view's rows were never written, or were lost. */
  created: boolean;
}

/** One view's part of a multi-view read. */
export interface ReadRequest {
  view: FeatureView;
  /** Encoded entity keys (entity_key.ts). */
  entityKeys: readonly string[];
}

/** What every online store does. */
export interface OnlineStore {
  /** Which store ("sqlite", "redis"). */
  readonly type: string;
  /** Where it is, for messages (a file path, host:port). */
  readonly location: string;
  /** Writes rows of one view, skipping those older than what is stored. */
  onlineWriteBatch(view: FeatureView, batch: EncodedBatch): Promise<WriteResult>;
  /** Reads rows of one view: per key the stored row (all features, schema order) or null. */
  onlineRead(view: FeatureView, entityKeys: readonly string[]): Promise<(StoredRow | null)[]>;
  /** Reads several views in one round trip; results align with `requests`. */
  onlineReadMany(requests: readonly ReadRequest[]): Promise<(StoredRow | null)[][]>;
  /** Prepares storage for `keep` and deletes the rows of `remove` (views deleted from the repo). */
  update(opts: { keep: readonly FeatureView[]; remove: readonly FeatureView[] }): Promise<void>;
  /** Deletes every row of these views. */
  teardown(views: readonly FeatureView[]): Promise<void>;
  /**
   * The view's epoch: a marker the store keeps beside the view's rows (Redis: a key under the view's prefix
   * without expiry; SQLite: a row of the view; DynamoDB: an item of the view's table), created with a new random
   * id when absent. Whatever empties the store or the view (a Redis restart without persistence, `FLUSHALL`, a
   * new SQLite file, a deleted table, teardown) takes the marker along, so the next call returns another id:
   * materialization records the id with each interval and re-materializes a view whose epoch changed.
   */
  epoch(view: FeatureView): Promise<StoreEpoch>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** The online store failed or cannot be reached; the message names where and the setting to check. */
export class OnlineStoreError extends Error {
  /** @param message What failed, naming the store's location and setting. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OnlineStoreError";
  }
}

/** What a store's factory gets besides its own section of the configuration. */
export interface OnlineStoreContext {
  /** Project whose rows the store reads and writes. */
  project: string;
  /** Where the configuration came from, for messages: "defaults" or a file path. */
  source: string;
}

/**
 * One online store type: its configuration schema (setting names, kinds, defaults, checks; see
 * ../store_settings.ts) and its factory. Each store module exports one (sqlite.ts, redis.ts, dynamodb.ts) and
 * online/registry.ts maps the `type` string to it, like Feast's `ONLINE_STORE_CLASS_FOR_TYPE`.
 *
 * @example
 * ```ts
 * import { sqliteOnlineStore } from "./sqlite.ts";
 * const store = sqliteOnlineStore.open({ type: "sqlite", path: ":memory:" }, { project: "p", source: "defaults" });
 * ```
 */
export interface OnlineStorePlugin<C extends { type: string } = { type: string }> extends StoreSchema<C> {
  /** A store for a validated section (connections open on first use). */
  open(config: C, context: OnlineStoreContext): OnlineStore;
}

/**
 * The offline store interface (Feast's: historical retrieval, pull latest), the plug-in shape, and the choice by
 * config (through offline/registry.ts).
 *
 * Two engines give one answer: the local Arrow engine over Parquet/CSV files (`type: file`, the embedded default,
 * file.ts) and Redshift through the Data API (`type: redshift`, redshift/), which runs the same join as SQL in the
 * warehouse.
 *
 * @example
 * ```ts
 * import { offlineStoreFor } from "./store.ts";
 * const store = await offlineStoreFor(config);
 * const training = await store.getHistoricalFeatures(repo, { entities, features: ["credit_history:hard_pulls"] });
 * ```
 * @module
 */
import type * as arrow from "apache-arrow";
import type { FeatureStoreConfig, S3Config } from "../config.ts";
import type { FeatureRepo, FeatureView } from "../definitions.ts";
import type { StoreSchema } from "../store_settings.ts";
import type { HistoricalRequest } from "./historical.ts";
import { openOfflineStore } from "./registry.ts";

export { FileOfflineStore } from "./file.ts";

/** Entity rows given as a SQL query that stays in the warehouse (Redshift only). */
export interface SqlEntities {
  sql: string;
}

/** A historical request whose entities may also be SQL (for warehouse engines). */
export type OfflineRequest = Omit<HistoricalRequest, "entities"> & {
  /** Entity rows: a table, SQL (warehouse engines), or a loader the engine calls once its own reads are under way. */
  entities: arrow.Table | SqlEntities | (() => Promise<arrow.Table>);
};

/** Window of {@link OfflineStore.pullLatest}: both bounds inclusive, microseconds since the epoch (UTC). */
export interface PullWindow {
  startMicros: number;
  endMicros: number;
}

/** What every offline store does. */
export interface OfflineStore {
  /** Which engine ("file", "redshift"). */
  readonly type: string;
  /** The point-in-time correct join; see lib/feature_store/offline/historical.ts for the semantics. */
  getHistoricalFeatures(repo: FeatureRepo, request: OfflineRequest): Promise<arrow.Table>;
  /**
   * The latest row per entity key of a view with start <= event timestamp <= end (ties to the larger created
   * timestamp): join keys, features, event timestamp (and created timestamp when the source has one).
   */
  pullLatest(view: FeatureView, window: PullWindow): Promise<arrow.Table>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** What a store's factory gets besides its own section of the configuration. */
export interface OfflineStoreContext {
  /** The `s3` section (endpoint, region, path style) for reading sources and staging. */
  s3: S3Config;
  /** Where the configuration came from, for messages: "defaults" or a file path. */
  source: string;
}

/**
 * One offline store type: its configuration schema (see ../store_settings.ts) and its factory, which may load
 * the engine lazily. Each store module exports one (file.ts, redshift/plugin.ts) and offline/registry.ts maps the
 * `type` string to it.
 *
 * @example
 * ```ts
 * import { fileOfflineStore } from "./file.ts";
 * const store = await fileOfflineStore.open({ type: "file" }, { s3: {}, source: "defaults" });
 * ```
 */
export interface OfflineStorePlugin<C extends { type: string } = { type: string }> extends StoreSchema<C> {
  /** A store for a validated section. */
  open(config: C, context: OfflineStoreContext): Promise<OfflineStore>;
}

/**
 * The offline store the configuration names (through offline/registry.ts).
 *
 * @example
 * ```ts
 * const store = await offlineStoreFor(await loadConfig());
 * ```
 */
export function offlineStoreFor(
  config: Pick<FeatureStoreConfig, "offline_store" | "s3"> & { source?: string },
): Promise<OfflineStore> {
  return openOfflineStore(config);
}

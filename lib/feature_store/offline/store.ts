/**
 * The offline store interface (Feast's: historical retrieval, pull latest) and the plug-in choice by config.
 *
 * Two engines give one answer: the local Arrow engine over Parquet/CSV files (`type: file`, the embedded default)
 * and Redshift through the Data API (`type: redshift`), which runs the same join as SQL in the warehouse.
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
import type { FeatureStoreConfig } from "../config.ts";
import type { FeatureRepo, FeatureView } from "../definitions.ts";
import type { S3Options } from "../../io/mod.ts";
import { toS3Options } from "../config.ts";
import {
  fileSourceLoader,
  getHistoricalFeatures,
  type HistoricalOptions,
  type HistoricalRequest,
} from "./historical.ts";
import { latestPerKey, viewSourceColumns } from "./pull_latest.ts";

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

/** The local Arrow engine over file sources. */
export class FileOfflineStore implements OfflineStore {
  readonly type = "file";

  readonly opts: HistoricalOptions;

  /** @param opts A source loader (tests), or S3 settings for the default file loader. */
  constructor(opts: HistoricalOptions & { s3?: S3Options } = {}) {
    this.opts = { loadSource: opts.loadSource ?? fileSourceLoader(opts.s3) };
  }

  /** See {@link OfflineStore.getHistoricalFeatures}. */
  getHistoricalFeatures(repo: FeatureRepo, request: OfflineRequest): Promise<arrow.Table> {
    const entities = request.entities;
    if (typeof entities === "function") return getHistoricalFeatures(repo, { ...request, entities }, this.opts);
    if (!isTable(entities)) {
      throw new TypeError(
        "The file offline store takes entity rows as an Arrow table; SQL entities need the redshift offline store",
      );
    }
    return getHistoricalFeatures(repo, { ...request, entities }, this.opts);
  }

  /** See {@link OfflineStore.pullLatest}. */
  async pullLatest(view: FeatureView, window: PullWindow): Promise<arrow.Table> {
    return latestPerKey(view, await this.opts.loadSource!(view, viewSourceColumns(view)), window);
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function isTable(x: arrow.Table | SqlEntities): x is arrow.Table {
  return typeof (x as arrow.Table).getChild === "function";
}

/**
 * The offline store the configuration names.
 *
 * @example
 * ```ts
 * const store = await offlineStoreFor(await loadConfig());
 * ```
 */
export async function offlineStoreFor(config: FeatureStoreConfig): Promise<OfflineStore> {
  if (config.offline_store.type === "file") return new FileOfflineStore({ s3: toS3Options(config.s3) });
  const { RedshiftOfflineStore } = await import("./redshift/mod.ts");
  return new RedshiftOfflineStore({ config: config.offline_store, s3: config.s3 });
}

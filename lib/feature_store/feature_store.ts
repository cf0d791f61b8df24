/**
 * `FeatureStore`: one object for a notebook or a task, tying the configuration, the feature repo, the registry and
 * the offline store together (Feast's `FeatureStore`).
 *
 * @example
 * ```ts
 * import { FeatureStore } from "./feature_store.ts";
 * import { creditRepo } from "../credit/repo.ts";
 * const store = await FeatureStore.open({ repo: (config) => creditRepo({ dataDir: config.data_dir }) });
 * const training = await store.getHistoricalFeatures({
 *   entities: "data/generated/loan_table.parquet",
 *   features: store.getFeatureService("credit_score_v1"),
 * });
 * await store.close();
 * ```
 * @module
 */
import type * as arrow from "apache-arrow";
import { type FeatureStoreConfig, loadConfig, type LoadConfigOptions, toS3Options } from "./config.ts";
import type { FeatureRepo, FeatureService } from "./definitions.ts";
import { apply, type ApplyOptions, type ApplyResult } from "./apply.ts";
import { type OfflineRequest, type OfflineStore, offlineStoreFor, type SqlEntities } from "./offline/store.ts";
import { readTable } from "../io/mod.ts";
import { type DataFrame, isDataFrame, toArrowTable, toDataFrame } from "../io/dataframe.ts";
import { type OnlineStore, onlineStoreFor } from "./online/mod.ts";
import {
  getOnlineFeatures,
  type OnlineFeaturesRequest,
  type OnlineFeaturesResult,
} from "./online/get_online_features.ts";
import {
  materialize,
  type MaterializeCommonOptions,
  materializeIncremental,
  type MaterializeOptions,
  type MaterializeReport,
} from "./materialize.ts";

/** Options of {@link FeatureStore.open}. */
export interface OpenOptions extends LoadConfigOptions {
  /** The definitions, or a function of the configuration that builds them. */
  repo: FeatureRepo | ((config: FeatureStoreConfig) => FeatureRepo);
  /** A ready configuration (skips loading). */
  config?: FeatureStoreConfig;
  /** A ready offline store (skips the choice by configuration). */
  offlineStore?: OfflineStore;
  /** A ready online store (skips the choice by configuration). */
  onlineStore?: OnlineStore;
}

/**
 * A historical request whose entity rows may also be a danfojs DataFrame or a file (local or s3://, Parquet or CSV).
 */
export type TrainingRequest = Omit<OfflineRequest, "entities"> & {
  entities: arrow.Table | DataFrame | SqlEntities | string;
};

/** See the module doc. */
export class FeatureStore {
  /** @param config Settings. @param repo Definitions. @param offline The offline store. */
  constructor(readonly config: FeatureStoreConfig, readonly repo: FeatureRepo, readonly offline: OfflineStore) {}

  /** Loads the configuration, builds the repo and opens the configured offline store. */
  static async open(opts: OpenOptions): Promise<FeatureStore> {
    const config = opts.config ?? (await loadConfig(opts));
    const repo = typeof opts.repo === "function" ? opts.repo(config) : opts.repo;
    const offline = opts.offlineStore ?? (await offlineStoreFor(config));
    const store = new FeatureStore(config, repo, offline);
    if (opts.onlineStore) store.#online = opts.onlineStore;
    return store;
  }

  /** A feature service of the repo by name (error listing the known ones). */
  getFeatureService(name: string): FeatureService {
    const service = this.repo.services.find((s) => s.name === name);
    if (!service) {
      throw new Error(
        `Unknown feature service "${name}"; known: ${this.repo.services.map((s) => s.name).join(", ") || "none"}`,
      );
    }
    return service;
  }

  /** Validates the definitions against their sources and records them in the registry (`feast apply`). */
  apply(opts: Omit<ApplyOptions, "repo" | "config"> = {}): Promise<ApplyResult> {
    return apply({ ...opts, repo: this.repo, config: this.config });
  }

  /** Point-in-time correct training rows as an Arrow table; `entities` may be a table, a DataFrame, a file or SQL. */
  async getHistoricalFeatures(request: TrainingRequest): Promise<arrow.Table> {
    const uri = request.entities;
    // a file of entity rows is read while the engine reads its sources
    const entities = typeof uri === "string"
      ? () => readTable(uri, { s3: toS3Options(this.config.s3) })
      : isDataFrame(uri)
      ? toArrowTable(uri, "entities")
      : uri;
    return await this.offline.getHistoricalFeatures(this.repo, { ...request, entities });
  }

  /** The same rows as a danfojs DataFrame (lib/io/dataframe.ts). */
  async getHistoricalDataFrame(request: TrainingRequest): Promise<DataFrame> {
    return await toDataFrame(await this.getHistoricalFeatures(request));
  }

  /** Releases the offline and online stores' connections. */
  async close(): Promise<void> {
    await this.offline.close();
    await this.#online?.close();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Online store and materialization (lib/feature_store/online/, lib/feature_store/materialize.ts)

  #online: OnlineStore | undefined;

  /** The configured online store (SQLite or Redis), opened on first use. */
  onlineStore(): OnlineStore {
    return this.#online ??= onlineStoreFor(this.config);
  }

  /** Writes the latest rows per entity in `[start, end]` online and records the interval per view (Feast's). */
  materialize(opts: MaterializeOptions): Promise<MaterializeReport> {
    return materialize(this.#materializeContext(), opts);
  }

  /** Materializes from each view's last recorded end (or end − ttl the first time) up to `end`. */
  materializeIncremental(opts: MaterializeCommonOptions): Promise<MaterializeReport> {
    return materializeIncremental(this.#materializeContext(), opts);
  }

  /** Latest feature values of entity rows with a status per value; see online/get_online_features.ts. */
  getOnlineFeatures(request: OnlineFeaturesRequest): Promise<OnlineFeaturesResult> {
    return getOnlineFeatures(this.repo, this.onlineStore(), request);
  }

  #materializeContext() {
    return { repo: this.repo, config: this.config, offline: this.offline, online: this.onlineStore() };
  }
}

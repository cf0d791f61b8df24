/**
 * The `file` offline store: the local Arrow engine over Parquet/CSV file sources (local paths or s3://), the
 * embedded default. {@link fileOfflineStore} is its entry in the offline store registry (registry.ts).
 *
 * @example
 * ```ts
 * import { FileOfflineStore } from "./file.ts";
 * const store = new FileOfflineStore();
 * const training = await store.getHistoricalFeatures(repo, { entities, features: ["credit_history:hard_pulls"] });
 * ```
 * @module
 */
import type * as arrow from "apache-arrow";
import type { FeatureRepo, FeatureView } from "../definitions.ts";
import type { S3Options } from "../../io/mod.ts";
import { toS3Options } from "../store_settings.ts";
import { fileSourceLoader, getHistoricalFeatures, type HistoricalOptions } from "./historical.ts";
import { latestPerKey, viewSourceColumns } from "./pull_latest.ts";
import type { OfflineRequest, OfflineStore, OfflineStorePlugin, PullWindow, SqlEntities } from "./store.ts";

/** `offline_store` settings of `type: file` (none besides the type). */
export interface FileOfflineStoreConfig {
  type: "file";
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
 * The `file` offline store type: no settings (sources are read with the `s3` section's settings).
 *
 * @example
 * ```ts
 * const store = await fileOfflineStore.open({ type: "file" }, { s3: {}, source: "defaults" });
 * ```
 */
export const fileOfflineStore: OfflineStorePlugin<FileOfflineStoreConfig> = {
  type: "file",
  description: "Local Arrow engine over Parquet/CSV files (local or s3://)",
  settings: {},
  open: (_config, context) => Promise.resolve(new FileOfflineStore({ s3: toS3Options(context.s3) })),
};

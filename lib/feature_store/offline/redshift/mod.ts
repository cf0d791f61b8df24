/**
 * The Redshift offline store: the point-in-time join and pull-latest as SQL in Amazon Redshift through the Data
 * API. Its registry entry (./plugin.ts) loads this module when `offline_store.type` is `redshift`.
 *
 * @example
 * ```ts
 * import { RedshiftOfflineStore } from "./mod.ts";
 * const store = new RedshiftOfflineStore({ config: config.offline_store, s3: config.s3 });
 * const training = await store.getHistoricalFeatures(repo, { entities: { sql: "SELECT * FROM loans" }, features });
 * await store.close();
 * ```
 * @module
 */
export { RedshiftOfflineStore, type RedshiftOfflineStoreOptions, ROW_ID } from "./store.ts";
export { DataApiError, type DataApiOptions, DataApiSession, RedshiftDataApi } from "./data_api.ts";
export { pointInTimeSql, pullLatestSql, quoteIdent } from "./sql.ts";

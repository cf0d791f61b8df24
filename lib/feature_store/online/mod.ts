/**
 * The online store: interface, the registry of store types (SQLite, Redis, DynamoDB), entity keys, packed values,
 * and reads with statuses.
 *
 * @example
 * ```ts
 * import { onlineStoreFor } from "./mod.ts";
 * const online = onlineStoreFor(await loadConfig()); // the store online_store.type names (default sqlite)
 * ```
 * @module
 */
import type { FeatureStoreConfig } from "../config.ts";
import type { OnlineStore } from "./interface.ts";
import { openOnlineStore } from "./registry.ts";

export * from "./interface.ts";
export * from "./codec.ts";
export * from "./entity_key.ts";
export * from "./time.ts";
export * from "./get_online_features.ts";
export {
  knownOnlineStoreTypes,
  ONLINE_STORE_FOR_TYPE,
  type OnlineStoreConfig,
  onlineStorePlugin,
  openOnlineStore,
  registerOnlineStore,
} from "./registry.ts";
export { SqliteOnlineStore, sqliteOnlineStore, type SqliteOnlineStoreConfig } from "./sqlite.ts";
export { RedisOnlineStore, redisOnlineStore, type RedisOnlineStoreConfig } from "./redis.ts";
export { DynamoDBOnlineStore, dynamodbOnlineStore, type DynamoDBOnlineStoreConfig } from "./dynamodb.ts";

/**
 * The online store the configuration names (connections open on first use); see registry.ts.
 *
 * @example
 * ```ts
 * const online = onlineStoreFor(config);
 * console.log(online.type, online.location); // "sqlite data/online_store.db"
 * ```
 */
export function onlineStoreFor(config: FeatureStoreConfig): OnlineStore {
  return openOnlineStore(config);
}

/**
 * The online store: interface, the SQLite and Redis stores, entity keys, packed values, and reads with statuses.
 *
 * @example
 * ```ts
 * import { onlineStoreFor } from "./mod.ts";
 * const online = onlineStoreFor(await loadConfig()); // SQLite unless online_store.type is redis
 * ```
 * @module
 */
import type { FeatureStoreConfig } from "../config.ts";
import type { OnlineStore } from "./interface.ts";
import { RedisOnlineStore } from "./redis.ts";
import { SqliteOnlineStore } from "./sqlite.ts";

export * from "./interface.ts";
export * from "./codec.ts";
export * from "./entity_key.ts";
export * from "./time.ts";
export * from "./get_online_features.ts";
export { SqliteOnlineStore } from "./sqlite.ts";
export { RedisOnlineStore } from "./redis.ts";

/**
 * The online store the configuration names (connections open on first use).
 *
 * @example
 * ```ts
 * const online = onlineStoreFor(config);
 * console.log(online.type, online.location); // "sqlite data/online_store.db"
 * ```
 */
export function onlineStoreFor(config: FeatureStoreConfig): OnlineStore {
  const online = config.online_store;
  if (online.type === "sqlite") return new SqliteOnlineStore({ path: online.path, project: config.project });
  return new RedisOnlineStore({ config: online, project: config.project, source: config.source });
}

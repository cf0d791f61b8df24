/**
 * The online store registry: the `type` string of the `online_store` section picks a store module, like Feast's
 * `ONLINE_STORE_CLASS_FOR_TYPE`. Each module (sqlite.ts, redis.ts, dynamodb.ts) exports an
 * {@link OnlineStorePlugin}: its configuration schema (validated by config.ts through this registry) and its
 * factory. Adding a store is one module plus a line in {@link ONLINE_STORE_FOR_TYPE} and the shared conformance
 * tests (store_conformance.ts); a store outside this repository can be added at run time with
 * {@link registerOnlineStore}.
 *
 * @example
 * ```ts
 * import { openOnlineStore, knownOnlineStoreTypes } from "./registry.ts";
 * const online = openOnlineStore(await loadConfig()); // the store online_store.type names
 * knownOnlineStoreTypes(); // ["sqlite", "redis", "dynamodb"]
 * ```
 * @module
 */
import type { FeatureStoreConfig } from "../config.ts";
import { ConfigError, describeSource, type SchemaLookup } from "../store_settings.ts";
import { dynamodbOnlineStore } from "./dynamodb.ts";
import type { OnlineStore, OnlineStorePlugin } from "./interface.ts";
import { redisOnlineStore } from "./redis.ts";
import { sqliteOnlineStore } from "./sqlite.ts";

/** The built-in online stores by type. */
export const ONLINE_STORE_FOR_TYPE = Object.freeze({
  sqlite: sqliteOnlineStore,
  redis: redisOnlineStore,
  dynamodb: dynamodbOnlineStore,
});

type ConfigOf<P> = P extends OnlineStorePlugin<infer C> ? C : never;

/** The `online_store` section of any built-in store (narrow it on `type`). */
export type OnlineStoreConfig = ConfigOf<(typeof ONLINE_STORE_FOR_TYPE)[keyof typeof ONLINE_STORE_FOR_TYPE]>;

const extra = new Map<string, OnlineStorePlugin>();

/**
 * Adds a store type (e.g. a user's own store); its `type` must not be taken.
 *
 * @example
 * ```ts
 * registerOnlineStore({ type: "memory", description: "maps", settings: {}, open: () => new MemoryStore() });
 * ```
 */
export function registerOnlineStore<C extends { type: string }>(plugin: OnlineStorePlugin<C>): void {
  if (onlineStorePlugin(plugin.type)) {
    throw new Error(`Online store type "${plugin.type}" is already registered`);
  }
  extra.set(plugin.type, plugin as unknown as OnlineStorePlugin);
}

/**
 * The plug-in of a type, or undefined.
 *
 * @example
 * ```ts
 * onlineStorePlugin("redis")?.settings.port.default; // 6379
 * ```
 */
export function onlineStorePlugin(type: string): OnlineStorePlugin | undefined {
  if (Object.hasOwn(ONLINE_STORE_FOR_TYPE, type)) {
    return ONLINE_STORE_FOR_TYPE[type as keyof typeof ONLINE_STORE_FOR_TYPE] as unknown as OnlineStorePlugin;
  }
  return extra.get(type);
}

/**
 * Every known online store type: the built-in ones, then registered ones.
 *
 * @example
 * ```ts
 * knownOnlineStoreTypes(); // ["sqlite", "redis", "dynamodb"]
 * ```
 */
export function knownOnlineStoreTypes(): string[] {
  return [...Object.keys(ONLINE_STORE_FOR_TYPE), ...extra.keys()];
}

/** The registry as config.ts validates sections through it. */
export const onlineStoreSchemas: SchemaLookup = {
  schemaFor: (type) => onlineStorePlugin(type),
  knownTypes: knownOnlineStoreTypes,
};

/**
 * The online store a (validated) configuration names; connections open on first use. An unknown type is a
 * {@link ConfigError} listing the known types.
 *
 * @example
 * ```ts
 * const online = openOnlineStore(config);
 * console.log(online.type, online.location); // "sqlite data/online_store.db"
 * ```
 */
export function openOnlineStore(
  config: Pick<FeatureStoreConfig, "online_store" | "project"> & { source?: string },
): OnlineStore {
  const section = config.online_store as { type: string };
  const plugin = onlineStorePlugin(section.type);
  const source = config.source ?? "defaults";
  if (!plugin) {
    throw new ConfigError(
      `Setting "online_store.type" in ${describeSource(source)} is "${section.type}"; expected one of: ${
        knownOnlineStoreTypes().join(", ")
      }`,
    );
  }
  return plugin.open(section, { project: config.project, source });
}

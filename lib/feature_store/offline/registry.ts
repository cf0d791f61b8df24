/**
 * The offline store registry: the `type` string of the `offline_store` section picks a store module, like Feast's
 * offline store classes by type. Each module (file.ts, redshift/plugin.ts) exports an {@link OfflineStorePlugin}:
 * its configuration schema (validated by config.ts through this registry) and its factory. Adding a store is one
 * module plus a line in {@link OFFLINE_STORE_FOR_TYPE}; a store outside this repository can be added at run time
 * with {@link registerOfflineStore}.
 *
 * @example
 * ```ts
 * import { knownOfflineStoreTypes, openOfflineStore } from "./registry.ts";
 * const offline = await openOfflineStore(await loadConfig());
 * knownOfflineStoreTypes(); // ["file", "redshift"]
 * ```
 * @module
 */
import type { FeatureStoreConfig } from "../config.ts";
import { ConfigError, describeSource, type SchemaLookup } from "../store_settings.ts";
import { fileOfflineStore } from "./file.ts";
import { redshiftOfflineStore } from "./redshift/plugin.ts";
import type { OfflineStore, OfflineStorePlugin } from "./store.ts";

/** The built-in offline stores by type. */
export const OFFLINE_STORE_FOR_TYPE = Object.freeze({
  file: fileOfflineStore,
  redshift: redshiftOfflineStore,
});

type ConfigOf<P> = P extends OfflineStorePlugin<infer C> ? C : never;

/** The `offline_store` section of any built-in store (narrow it on `type`). */
export type OfflineStoreConfig = ConfigOf<(typeof OFFLINE_STORE_FOR_TYPE)[keyof typeof OFFLINE_STORE_FOR_TYPE]>;

const extra = new Map<string, OfflineStorePlugin>();

/**
 * Adds a store type (e.g. a user's own engine); its `type` must not be taken.
 *
 * @example
 * ```ts
 * registerOfflineStore({ type: "duckdb", description: "DuckDB", settings: {}, open: async () => new MyStore() });
 * ```
 */
export function registerOfflineStore<C extends { type: string }>(plugin: OfflineStorePlugin<C>): void {
  if (offlineStorePlugin(plugin.type)) {
    throw new Error(`Offline store type "${plugin.type}" is already registered`);
  }
  extra.set(plugin.type, plugin as unknown as OfflineStorePlugin);
}

/**
 * The plug-in of a type, or undefined.
 *
 * @example
 * ```ts
 * offlineStorePlugin("redshift")?.settings.region.required; // true
 * ```
 */
export function offlineStorePlugin(type: string): OfflineStorePlugin | undefined {
  if (Object.hasOwn(OFFLINE_STORE_FOR_TYPE, type)) {
    return OFFLINE_STORE_FOR_TYPE[type as keyof typeof OFFLINE_STORE_FOR_TYPE] as unknown as OfflineStorePlugin;
  }
  return extra.get(type);
}

/**
 * Every known offline store type: the built-in ones, then registered ones.
 *
 * @example
 * ```ts
 * knownOfflineStoreTypes(); // ["file", "redshift"]
 * ```
 */
export function knownOfflineStoreTypes(): string[] {
  return [...Object.keys(OFFLINE_STORE_FOR_TYPE), ...extra.keys()];
}

/** The registry as config.ts validates sections through it. */
export const offlineStoreSchemas: SchemaLookup = {
  schemaFor: (type) => offlineStorePlugin(type),
  knownTypes: knownOfflineStoreTypes,
};

/**
 * The offline store a (validated) configuration names. An unknown type is a {@link ConfigError} listing the known
 * types.
 *
 * @example
 * ```ts
 * const offline = await openOfflineStore(config);
 * ```
 */
export async function openOfflineStore(
  config: Pick<FeatureStoreConfig, "offline_store" | "s3"> & { source?: string },
): Promise<OfflineStore> {
  const section = config.offline_store as { type: string };
  const plugin = offlineStorePlugin(section.type);
  const source = config.source ?? "defaults";
  if (!plugin) {
    throw new ConfigError(
      `Setting "offline_store.type" in ${describeSource(source)} is "${section.type}"; expected one of: ${
        knownOfflineStoreTypes().join(", ")
      }`,
    );
  }
  return await plugin.open(section, { s3: config.s3 ?? {}, source });
}

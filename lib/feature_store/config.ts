/**
 * Feature store configuration, like Feast's `feature_store.yaml`.
 *
 * Settings come from three layers, later ones winning:
 * 1. the embedded defaults ({@link DEFAULT_CONFIG}): everything on the laptop, no service needed;
 * 2. a YAML file: `opts.path`, else `$FEATURE_STORE_YAML`, else `./feature_store.yaml` when it exists;
 *    `${VAR}` in a string value is replaced by the environment variable `VAR`;
 * 3. environment variables `FEATURE_STORE__<SECTION>__<KEY>`, e.g.
 *    `FEATURE_STORE__ONLINE_STORE__TYPE=redis`, `FEATURE_STORE__ONLINE_STORE__HOST=10.0.0.5`.
 *
 * Relative paths in a file are resolved against the file's folder; relative defaults against the
 * working directory. An invalid setting is an error that names it.
 *
 * The `online_store` and `offline_store` sections are validated through the store registries
 * (online/registry.ts: sqlite, redis, dynamodb; offline/registry.ts: file, redshift): the section's `type` picks
 * the store module, whose schema gives the setting names, kinds, defaults and checks (store_settings.ts). An
 * unknown type is an error listing the known ones. Switching a section to another type starts from that type's
 * defaults, not the previous type's settings.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./config.ts";
 * const config = await loadConfig();
 * console.log(config.online_store.type); // "sqlite" unless configured otherwise
 * ```
 * @module
 */
import { parse as parseYaml } from "yaml";
import { didYouMean } from "../cli/suggest.ts";
import {
  checkSettings,
  ConfigError,
  describeSource,
  pathSettings,
  schemaDefaults,
  type SettingSpec,
  validateStoreSection,
} from "./store_settings.ts";
import { type OfflineStoreConfig, offlineStorePlugin, offlineStoreSchemas } from "./offline/registry.ts";
import { type OnlineStoreConfig, onlineStorePlugin, onlineStoreSchemas } from "./online/registry.ts";

export { ConfigError, toS3Options } from "./store_settings.ts";
export type { OfflineStoreConfig } from "./offline/registry.ts";
export type { OnlineStoreConfig } from "./online/registry.ts";
export type { FileOfflineStoreConfig } from "./offline/file.ts";
export type { RedshiftOfflineStoreConfig } from "./offline/redshift/plugin.ts";
export type { SqliteOnlineStoreConfig } from "./online/sqlite.ts";
export type { RedisOnlineStoreConfig } from "./online/redis.ts";
export type { DynamoDBOnlineStoreConfig } from "./online/dynamodb.ts";

/** Where the S3 client connects (empty = the standard AWS settings and env). */
export interface S3Config {
  endpoint?: string;
  region?: string;
  force_path_style?: boolean;
}

/** The whole configuration. */
export interface FeatureStoreConfig {
  /** Project name; prefixes keys in shared online stores. */
  project: string;
  /** Registry file (local path or s3:// URI). */
  registry: string;
  /** Folder or s3:// prefix of the feature source files and generated data. */
  data_dir: string;
  /** Folder or s3:// prefix for run tracking and the model registry. */
  model_store: string;
  /** The offline store: its `type` names a module of offline/registry.ts (file, redshift). */
  offline_store: OfflineStoreConfig;
  /** The online store: its `type` names a module of online/registry.ts (sqlite, redis, dynamodb). */
  online_store: OnlineStoreConfig;
  s3: S3Config;
  /** Where the configuration came from, for messages ("defaults", a file path). */
  source: string;
}

/** The embedded defaults: local files, SQLite online store, no service needed. */
export const DEFAULT_CONFIG: Readonly<Omit<FeatureStoreConfig, "source">> = Object.freeze({
  project: "credit_scoring",
  registry: "data/registry.json",
  data_dir: "data/generated",
  model_store: "data/models",
  offline_store: { type: "file" } as OfflineStoreConfig,
  online_store: { type: "sqlite", path: "data/online_store.db" } as OnlineStoreConfig,
  s3: {},
});

const TOP: Record<string, SettingSpec> = {
  project: { kind: "string", required: true, doc: "Project name; prefixes keys and tables in shared online stores" },
  registry: { kind: "string", required: true, path: true, doc: "Registry file (local path or s3:// URI)" },
  data_dir: { kind: "string", required: true, path: true, doc: "Folder or s3:// prefix of the feature sources" },
  model_store: { kind: "string", required: true, path: true, doc: "Folder or s3:// prefix of runs and models" },
};

const S3_SECTION: Record<string, SettingSpec> = {
  endpoint: { kind: "string", doc: "S3 endpoint override (an S3-compatible server)" },
  region: { kind: "string", doc: "S3 region" },
  force_path_style: { kind: "boolean", doc: "Path-style bucket addressing" },
};

/** The store sections and their registries (a function: the registries' modules may still be loading). */
const storeSections = () => ({
  online_store: { schemas: onlineStoreSchemas, plugin: onlineStorePlugin },
  offline_store: { schemas: offlineStoreSchemas, plugin: offlineStorePlugin },
});

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** YAML file; default `$FEATURE_STORE_YAML`, else `./feature_store.yaml` if present. */
  path?: string;
  /** Environment to read overrides from (default `Deno.env.toObject()`). */
  env?: Record<string, string>;
  /** Extra overrides applied last (e.g. from command-line flags), as nested objects. */
  overrides?: Record<string, unknown>;
}

/**
 * Loads and validates the configuration.
 *
 * @example
 * ```ts
 * const config = await loadConfig({ env: { FEATURE_STORE__ONLINE_STORE__TYPE: "redis" } });
 * // config.online_store is { type: "redis", host: "127.0.0.1", port: 6379, ... }
 * ```
 */
export async function loadConfig(opts: LoadConfigOptions = {}): Promise<FeatureStoreConfig> {
  const env = opts.env ?? Deno.env.toObject();
  let path = opts.path ?? env.FEATURE_STORE_YAML;
  if (!path && (await isFile("feature_store.yaml"))) path = "feature_store.yaml";
  let fromFile: Record<string, unknown> = {};
  if (path) {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (err) {
      throw new ConfigError(`Cannot read configuration file "${path}": ${(err as Error).message}`);
    }
    fromFile = parseConfigText(text, { source: path, env });
    fromFile = resolvePaths(fromFile, dirname(path));
  }
  return resolveConfig({ fromFile, env, overrides: opts.overrides, source: path ?? "defaults" });
}

/**
 * Parses YAML text of a configuration file, replacing `${VAR}` with environment values.
 *
 * @example
 * ```ts
 * parseConfigText("online_store:\n  type: redis\n  password: ${REDIS_PASSWORD}", {
 *   source: "feature_store.yaml", env: { REDIS_PASSWORD: "s3cret" },
 * });
 * ```
 */
export function parseConfigText(
  text: string,
  opts: { source: string; env: Record<string, string> },
): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`Configuration file "${opts.source}" is not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new ConfigError(`Configuration file "${opts.source}" must hold a mapping of settings`);
  }
  return substituteEnv(doc as Record<string, unknown>, opts.env, opts.source, "") as Record<string, unknown>;
}

function substituteEnv(value: unknown, env: Record<string, string>, source: string, at: string): unknown {
  if (typeof value === "string") {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      if (!(name in env)) {
        throw new ConfigError(`Setting "${at}" in "${source}" uses environment variable "${name}", which is not set`);
      }
      return env[name];
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, source, `${at}[${i}]`));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, source, at ? `${at}.${k}` : k)]),
    );
  }
  return value;
}

/** Reads `FEATURE_STORE__A__B=value` variables into `{a: {b: value}}` (values parsed as YAML scalars). */
export function envOverrides(env: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith("FEATURE_STORE__")) continue;
    const parts = name.slice("FEATURE_STORE__".length).toLowerCase().split("__").filter(Boolean);
    if (parts.length === 0 || parts.length > 2) {
      throw new ConfigError(`Environment variable "${name}" must look like FEATURE_STORE__SECTION__KEY`);
    }
    let value: unknown = raw;
    try {
      const parsed = parseYaml(raw);
      if (typeof parsed === "number" || typeof parsed === "boolean") value = parsed;
    } catch { /* keep the string */ }
    if (parts.length === 1) out[parts[0]] = value;
    else {
      const section = (out[parts[0]] ??= {}) as Record<string, unknown>;
      section[parts[1]] = value;
    }
  }
  return out;
}

/**
 * Merges defaults, file settings, environment and overrides, then validates.
 *
 * @example
 * ```ts
 * const config = resolveConfig({ fromFile: { online_store: { type: "redis", port: 6380 } }, env: {} });
 * ```
 */
export function resolveConfig(opts: {
  fromFile?: Record<string, unknown>;
  env?: Record<string, string>;
  overrides?: Record<string, unknown>;
  source?: string;
}): FeatureStoreConfig {
  const source = opts.source ?? "defaults";
  const layers = [opts.fromFile ?? {}, envOverrides(opts.env ?? {}), opts.overrides ?? {}];
  const merged: Record<string, unknown> = structuredClone({ ...DEFAULT_CONFIG }) as Record<string, unknown>;
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value && typeof value === "object" && !Array.isArray(value)) {
        const base = merged[key] && typeof merged[key] === "object" ? merged[key] as Record<string, unknown> : {};
        const next = value as Record<string, unknown>;
        // Changing the store type starts from that type's defaults, not the previous type's settings.
        const restart = typeof next.type === "string" && next.type !== base.type;
        merged[key] = restart ? { ...typeDefaults(key, next.type as string), ...next } : { ...base, ...next };
      } else merged[key] = value;
    }
  }
  return validate(merged, source);
}

/** Defaults of a store type when a section switches to it (none for other sections or unknown types). */
function typeDefaults(section: string, type: string): Record<string, unknown> {
  const store = storeSections()[section as "online_store" | "offline_store"];
  const schema = store?.plugin(type);
  return schema ? schemaDefaults(schema) : {};
}

function validate(raw: Record<string, unknown>, source: string): FeatureStoreConfig {
  const known = new Set([...Object.keys(TOP), "offline_store", "online_store", "s3", "source"]);
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) {
      throw new ConfigError(`Unknown setting "${key}" in ${describeSource(source)}${didYouMean(key, known)}`);
    }
  }
  checkSettings(raw, TOP, { prefix: "", source });
  validateStoreSection("offline_store", raw.offline_store, offlineStoreSchemas, source);
  validateStoreSection("online_store", raw.online_store, onlineStoreSchemas, source);
  const s3 = asSection(raw.s3 ?? {}, "s3", source);
  checkSettings(s3, S3_SECTION, { prefix: "s3.", source });
  return { ...(raw as unknown as FeatureStoreConfig), s3: s3 as S3Config, source };
}

function asSection(value: unknown, name: string, source: string): Record<string, unknown> {
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(`Setting "${name}" in ${describeSource(source)} must be a mapping`);
  }
  return value as Record<string, unknown>;
}

function resolvePaths(doc: Record<string, unknown>, base: string): Record<string, unknown> {
  const out = { ...doc };
  const fix = (v: unknown) => typeof v === "string" && isRelativePath(v) ? joinPath(base, v) : v;
  for (const [key, spec] of Object.entries(TOP)) if (spec.path && key in out) out[key] = fix(out[key]);
  for (const [name, store] of Object.entries(storeSections())) {
    const value = out[name];
    if (!value || typeof value !== "object" || Array.isArray(value)) continue;
    const section = { ...(value as Record<string, unknown>) };
    // the file's type, else the default one (the file is the first layer over the defaults)
    const type = section.type ?? (DEFAULT_CONFIG[name as "online_store" | "offline_store"] as { type: string }).type;
    for (const key of pathSettings(store.plugin(String(type)))) if (key in section) section[key] = fix(section[key]);
    out[name] = section;
  }
  return out;
}

function isRelativePath(p: string): boolean {
  return !p.startsWith("/") && !/^[a-z][a-z0-9+.-]*:\/\//i.test(p);
}

function dirname(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : p.slice(0, i);
}

function joinPath(base: string, rel: string): string {
  return base === "." ? rel : `${base.replace(/\/$/, "")}/${rel}`;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

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

/** Offline store reading Parquet/CSV files (local or s3://) with the local Arrow engine. */
export interface FileOfflineStoreConfig {
  type: "file";
}

/** Offline store pushing the point-in-time join down to Amazon Redshift through the Data API. */
export interface RedshiftOfflineStoreConfig {
  type: "redshift";
  /** Provisioned cluster identifier (or use `workgroup_name` for Redshift Serverless). */
  cluster_id?: string;
  /** Redshift Serverless workgroup. */
  workgroup_name?: string;
  region: string;
  database: string;
  /** Database user for temporary credentials (provisioned clusters). */
  user?: string;
  /** Secrets Manager ARN holding the database credentials, instead of `user`. */
  secret_arn?: string;
  /** s3:// prefix where entity rows are staged and large results are UNLOADed. */
  s3_staging_location: string;
  /** IAM role Redshift assumes for COPY/UNLOAD. */
  iam_role?: string;
  /** Data API endpoint override (S3-compatible tests, VPC endpoints). */
  endpoint?: string;
}

/** Embedded online store: one SQLite file through `node:sqlite`. */
export interface SqliteOnlineStoreConfig {
  type: "sqlite";
  path: string;
}

/** Redis online store through ioredis. */
export interface RedisOnlineStoreConfig {
  type: "redis";
  host: string;
  port: number;
  password?: string;
  tls: boolean;
  db: number;
  /** Cluster mode: seed nodes as "host:port" strings. */
  cluster_nodes?: string[];
  /** Optional expiry of entity keys, in seconds (0 = none). */
  key_ttl_seconds: number;
}

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
  offline_store: FileOfflineStoreConfig | RedshiftOfflineStoreConfig;
  online_store: SqliteOnlineStoreConfig | RedisOnlineStoreConfig;
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
  offline_store: { type: "file" } as FileOfflineStoreConfig,
  online_store: { type: "sqlite", path: "data/online_store.db" } as SqliteOnlineStoreConfig,
  s3: {},
});

/** A setting that is missing, unknown or of the wrong type. */
export class ConfigError extends Error {
  /** @param message Names the setting and where it came from. */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

type Kind = "string" | "number" | "boolean" | "string[]";
type Section = Record<string, { kind: Kind; required?: boolean; path?: boolean; values?: readonly string[] }>;

const TOP: Section = {
  project: { kind: "string", required: true },
  registry: { kind: "string", required: true, path: true },
  data_dir: { kind: "string", required: true, path: true },
  model_store: { kind: "string", required: true, path: true },
};

const OFFLINE: Record<string, Section> = {
  file: { type: { kind: "string" } },
  redshift: {
    type: { kind: "string" },
    cluster_id: { kind: "string" },
    workgroup_name: { kind: "string" },
    region: { kind: "string", required: true },
    database: { kind: "string", required: true },
    user: { kind: "string" },
    secret_arn: { kind: "string" },
    s3_staging_location: { kind: "string", required: true },
    iam_role: { kind: "string" },
    endpoint: { kind: "string" },
  },
};

const ONLINE: Record<string, Section> = {
  sqlite: { type: { kind: "string" }, path: { kind: "string", required: true, path: true } },
  redis: {
    type: { kind: "string" },
    host: { kind: "string", required: true },
    port: { kind: "number", required: true },
    password: { kind: "string" },
    tls: { kind: "boolean", required: true },
    db: { kind: "number", required: true },
    cluster_nodes: { kind: "string[]" },
    key_ttl_seconds: { kind: "number", required: true },
  },
};

const ONLINE_DEFAULTS: Record<string, Record<string, unknown>> = {
  sqlite: { path: "data/online_store.db" },
  redis: { host: "127.0.0.1", port: 6379, tls: false, db: 0, key_ttl_seconds: 0 },
};

const S3_SECTION: Section = {
  endpoint: { kind: "string" },
  region: { kind: "string" },
  force_path_style: { kind: "boolean" },
};

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
        merged[key] = restart ? { ...(key === "online_store" ? ONLINE_DEFAULTS[next.type as string] : {}), ...next } : {
          ...base,
          ...next,
        };
      } else merged[key] = value;
    }
  }
  return validate(merged, source);
}

function validate(raw: Record<string, unknown>, source: string): FeatureStoreConfig {
  const known = new Set([...Object.keys(TOP), "offline_store", "online_store", "s3", "source"]);
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) throw new ConfigError(`Unknown setting "${key}" in ${describe(source)}${suggest(key, known)}`);
  }
  checkSection(raw, TOP, "", source);
  const offline = asSection(raw.offline_store, "offline_store", source);
  const offlineSpec = OFFLINE[String(offline.type)];
  if (!offlineSpec) {
    throw new ConfigError(
      `Setting "offline_store.type" in ${describe(source)} is "${offline.type}"; expected one of: file, redshift`,
    );
  }
  checkSection(offline, offlineSpec, "offline_store.", source);
  if (offline.type === "redshift" && !offline.cluster_id && !offline.workgroup_name) {
    throw new ConfigError(
      `Setting "offline_store.cluster_id" or "offline_store.workgroup_name" is required for redshift in ${
        describe(source)
      }`,
    );
  }
  const online = asSection(raw.online_store, "online_store", source);
  const onlineSpec = ONLINE[String(online.type)];
  if (!onlineSpec) {
    throw new ConfigError(
      `Setting "online_store.type" in ${describe(source)} is "${online.type}"; expected one of: sqlite, redis`,
    );
  }
  checkSection(online, onlineSpec, "online_store.", source);
  if (online.type === "redis") {
    const port = online.port as number;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConfigError(`Setting "online_store.port" in ${describe(source)} is ${port}; expected 1..65535`);
    }
  }
  const s3 = asSection(raw.s3 ?? {}, "s3", source);
  checkSection(s3, S3_SECTION, "s3.", source);
  return { ...(raw as unknown as FeatureStoreConfig), s3: s3 as S3Config, source };
}

function asSection(value: unknown, name: string, source: string): Record<string, unknown> {
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(`Setting "${name}" in ${describe(source)} must be a mapping`);
  }
  return value as Record<string, unknown>;
}

function checkSection(section: Record<string, unknown>, spec: Section, prefix: string, source: string): void {
  for (const key of Object.keys(section)) {
    if (prefix === "" && !(key in spec)) continue; // top level: handled by the caller
    if (!(key in spec)) {
      throw new ConfigError(
        `Unknown setting "${prefix}${key}" in ${describe(source)}${suggest(key, new Set(Object.keys(spec)))}`,
      );
    }
  }
  for (const [key, rule] of Object.entries(spec)) {
    const value = section[key];
    if (value === undefined || value === null || value === "") {
      if (rule.required) throw new ConfigError(`Setting "${prefix}${key}" is required in ${describe(source)}`);
      continue;
    }
    const ok = rule.kind === "string[]"
      ? Array.isArray(value) && value.every((v) => typeof v === "string")
      : jsType(value) === rule.kind;
    if (!ok) {
      throw new ConfigError(
        `Setting "${prefix}${key}" in ${describe(source)} is ${JSON.stringify(value)}; expected a ${rule.kind}`,
      );
    }
  }
}

function jsType(value: unknown): string {
  return typeof value;
}

function describe(source: string): string {
  return source === "defaults" ? "the configuration" : `"${source}"`;
}

function suggest(key: string, known: Set<string>): string {
  return didYouMean(key, known);
}

function resolvePaths(doc: Record<string, unknown>, base: string): Record<string, unknown> {
  const out = { ...doc };
  const fix = (v: unknown) => typeof v === "string" && isRelativePath(v) ? joinPath(base, v) : v;
  for (const key of ["registry", "data_dir", "model_store"]) if (key in out) out[key] = fix(out[key]);
  if (out.online_store && typeof out.online_store === "object") {
    const online = { ...(out.online_store as Record<string, unknown>) };
    if ("path" in online) online.path = fix(online.path);
    out.online_store = online;
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

/**
 * The `s3` section as lib/io's S3 options (undefined when empty: the standard AWS settings apply).
 *
 * @example
 * ```ts
 * toS3Options({ endpoint: "http://127.0.0.1:4569" }); // { endpoint: "http://127.0.0.1:4569" }
 * ```
 */
export function toS3Options(
  s3: S3Config | undefined,
): { endpoint?: string; region?: string; forcePathStyle?: boolean } | undefined {
  if (!s3) return undefined;
  const out: { endpoint?: string; region?: string; forcePathStyle?: boolean } = {};
  if (s3.endpoint) out.endpoint = s3.endpoint;
  if (s3.region) out.region = s3.region;
  if (s3.force_path_style !== undefined) out.forcePathStyle = s3.force_path_style;
  return Object.keys(out).length ? out : undefined;
}

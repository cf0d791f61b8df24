/**
 * Settings of pluggable stores: each online and offline store module declares its section of the configuration
 * (setting names, kinds, defaults, checks) as a {@link StoreSchema}; config.ts validates a section through the
 * schema its `type` names in the store registry (online/registry.ts, offline/registry.ts).
 *
 * Every error is a {@link ConfigError} naming the setting (`online_store.port`) and where the configuration came
 * from (a file path, or "the configuration" for the embedded defaults). Values of settings marked `secret` are
 * never echoed.
 *
 * @example
 * ```ts
 * import { checkSettings, type StoreSchema } from "./store_settings.ts";
 * interface MemoryConfig { type: "memory"; capacity: number }
 * const memory: StoreSchema<MemoryConfig> = {
 *   type: "memory",
 *   description: "In-process maps",
 *   settings: { capacity: { kind: "number", default: 1000, doc: "Rows kept per view" } },
 * };
 * checkSettings({ type: "memory", capacity: 5 }, memory.settings, { prefix: "online_store.", source: "defaults" });
 * ```
 * @module
 */
import { didYouMean } from "../cli/suggest.ts";

/** A setting that is missing, unknown or of the wrong type. */
export class ConfigError extends Error {
  /** @param message Names the setting and where it came from. */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** The kind of value a setting holds. */
export type SettingKind = "string" | "number" | "boolean" | "string[]";

/** One setting of a section. */
export interface SettingSpec {
  kind: SettingKind;
  /** Must have a value (after defaults). */
  required?: boolean;
  /** Value used when a section switches to this store type and does not set it. */
  default?: string | number | boolean | readonly string[];
  /** A relative path: resolved against the folder of the file that sets it. */
  path?: boolean;
  /** Never echoed in messages (passwords, tokens). */
  secret?: boolean;
  /**
   * A further check of a value of the right kind: returns what was expected ("1..65535") when the value fails,
   * else undefined.
   */
  check?: (value: never) => string | undefined;
  /** One line for documentation. */
  doc: string;
}

/** The settings of a store config `C`: exactly its keys except `type` (any names for the untyped `{type: string}`). */
export type SettingsSpec<C> = { type: string } extends C ? Readonly<Record<string, SettingSpec>>
  : { readonly [K in Exclude<keyof C, "type">]-?: SettingSpec };

/** Where a section is: its prefix (`online_store.`) and the configuration's source. */
export interface SettingsPlace {
  /** Prefix of setting names in messages: `online_store.`, `offline_store.`, or "" at the top level. */
  prefix: string;
  /** Where the configuration came from: "defaults" or a file path. */
  source: string;
}

/** The configuration schema of one store type. */
export interface StoreSchema<C extends { type: string }> {
  /** The `type` string that selects this store. */
  readonly type: C["type"];
  /** One line for documentation and messages. */
  readonly description: string;
  /** The settings besides `type`. */
  readonly settings: SettingsSpec<C>;
  /** Checks across settings, run after each setting was checked; throws a {@link ConfigError}. */
  validate?(section: C, place: SettingsPlace): void;
}

/**
 * "the configuration" for the embedded defaults, else the quoted source.
 *
 * @example
 * ```ts
 * describeSource("feature_store.yaml"); // '"feature_store.yaml"'
 * ```
 */
export function describeSource(source: string): string {
  return source === "defaults" ? "the configuration" : `"${source}"`;
}

/**
 * The defaults of a schema's settings (a fresh object).
 *
 * @example
 * ```ts
 * schemaDefaults(memory); // { capacity: 1000 }
 * ```
 */
export function schemaDefaults(schema: { settings: Readonly<Record<string, SettingSpec>> }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema.settings)) {
    if (spec.default !== undefined) out[key] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
  }
  return out;
}

/**
 * Checks a section against its settings: unknown settings (with a "did you mean"), required ones, kinds and
 * per-setting checks. With `prefix` "" (the top level) unknown keys are left to the caller.
 *
 * @example
 * ```ts
 * checkSettings({ port: "six" }, { port: { kind: "number", doc: "" } }, { prefix: "online_store.", source: "f.yaml" });
 * // throws: Setting "online_store.port" in "f.yaml" is "six"; expected a number
 * ```
 */
export function checkSettings(
  section: Record<string, unknown>,
  settings: Readonly<Record<string, SettingSpec>>,
  place: SettingsPlace,
): void {
  const { prefix, source } = place;
  const known = new Set(Object.keys(settings));
  if (prefix !== "") {
    for (const key of Object.keys(section)) {
      if (key === "type" || known.has(key)) continue;
      throw new ConfigError(
        `Unknown setting "${prefix}${key}" in ${describeSource(source)}${didYouMean(key, known)}`,
      );
    }
  }
  for (const [key, rule] of Object.entries(settings)) {
    const value = section[key];
    if (value === undefined || value === null || value === "") {
      if (rule.required) throw new ConfigError(`Setting "${prefix}${key}" is required in ${describeSource(source)}`);
      continue;
    }
    const ok = rule.kind === "string[]"
      ? Array.isArray(value) && value.every((v) => typeof v === "string")
      : jsType(value) === rule.kind;
    const expected = ok ? rule.check?.(value as never) : `a ${rule.kind}`;
    if (expected !== undefined) {
      throw new ConfigError(
        `Setting "${prefix}${key}" in ${describeSource(source)} is ${shown(value, rule)}; expected ${expected}`,
      );
    }
  }
}

function jsType(value: unknown): string {
  return typeof value;
}

function shown(value: unknown, rule: SettingSpec): string {
  if (!rule.secret) return JSON.stringify(value);
  return `${Array.isArray(value) ? "a list" : `a ${typeof value}`} (value hidden)`;
}

/** A registry of store schemas by type (online/registry.ts, offline/registry.ts implement it). */
export interface SchemaLookup {
  /** The schema of a type, or undefined. */
  schemaFor(type: string): StoreSchema<{ type: string }> | undefined;
  /** Every known type, in registration order. */
  knownTypes(): string[];
}

/**
 * Validates a store section (`online_store`, `offline_store`) through the schema its `type` names; an unknown
 * type is an error listing the known types.
 *
 * @example
 * ```ts
 * validateStoreSection("online_store", { type: "sqlite", path: "x.db" }, onlineStoreRegistry, "defaults");
 * ```
 */
export function validateStoreSection(
  name: string,
  value: unknown,
  registry: SchemaLookup,
  source: string,
): Record<string, unknown> & { type: string } {
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(`Setting "${name}" in ${describeSource(source)} must be a mapping`);
  }
  const section = value as Record<string, unknown>;
  const schema = typeof section.type === "string" ? registry.schemaFor(section.type) : undefined;
  if (!schema) {
    const type = section.type === undefined || section.type === null ? "missing" : `"${String(section.type)}"`;
    throw new ConfigError(
      `Setting "${name}.type" in ${describeSource(source)} is ${type}; expected one of: ${
        registry.knownTypes().join(", ")
      }`,
    );
  }
  const place = { prefix: `${name}.`, source };
  checkSettings(section, schema.settings, place);
  schema.validate?.(section as { type: string }, place);
  return section as Record<string, unknown> & { type: string };
}

/**
 * Settings of a schema that hold paths (resolved against a configuration file's folder).
 *
 * @example
 * ```ts
 * pathSettings(sqliteOnlineStore); // ["path"]
 * ```
 */
export function pathSettings(schema: { settings: Readonly<Record<string, SettingSpec>> } | undefined): string[] {
  if (!schema) return [];
  return Object.entries(schema.settings).filter(([, s]) => s.path).map(([k]) => k);
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
  s3: { endpoint?: string; region?: string; force_path_style?: boolean } | undefined,
): { endpoint?: string; region?: string; forcePathStyle?: boolean } | undefined {
  if (!s3) return undefined;
  const out: { endpoint?: string; region?: string; forcePathStyle?: boolean } = {};
  if (s3.endpoint) out.endpoint = s3.endpoint;
  if (s3.region) out.region = s3.region;
  if (s3.force_path_style !== undefined) out.forcePathStyle = s3.force_path_style;
  return Object.keys(out).length ? out : undefined;
}

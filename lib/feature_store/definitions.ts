/**
 * Feature definitions: entities, data sources, feature views and feature services, like Feast's Python objects.
 *
 * Each constructor returns a frozen plain object and validates it on construction; an invalid definition
 * throws a {@link DefinitionError} naming the object and the field. Every definition has a canonical JSON form
 * ({@link toCanonical}) with sorted keys: the registry stores it and compares it to detect changes.
 *
 * Column naming: `timestampField` and `createdTimestampColumn` name columns of the SOURCE; join keys and
 * feature names are names AFTER `fieldMapping` (which renames source column → feature name).
 *
 * @example
 * ```ts
 * import { entity, featureService, featureView, fileSource } from "./definitions.ts";
 * const zipcode = entity({ name: "zipcode", valueType: "int64" });
 * const view = featureView({
 *   name: "zipcode_features",
 *   entities: [zipcode],
 *   ttl: "3650d",
 *   schema: [{ name: "city", dtype: "string" }, { name: "population", dtype: "int64" }],
 *   source: fileSource({ name: "zipcodes", path: "data/zipcode_table.parquet", timestampField: "event_timestamp" }),
 * });
 * const service = featureService({ name: "zip_only", features: [view.select(["population"])] });
 * ```
 * @module
 */

/** Value types of entity join keys and features. */
export const VALUE_TYPES = ["int64", "int32", "float64", "float32", "string", "bool", "unix_timestamp"] as const;

/** A value type of an entity join key or a feature. */
export type ValueType = typeof VALUE_TYPES[number];

/** Free-form string labels attached to a definition. */
export type Tags = Readonly<Record<string, string>>;

/** An invalid definition or feature repo; the message names the object and the field. */
export class DefinitionError extends Error {
  /** @param message Names the object and field at fault. */
  constructor(message: string) {
    super(message);
    this.name = "DefinitionError";
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Whether `name` is an identifier (`[A-Za-z_][A-Za-z0-9_]*`), as required for definition and feature names.
 *
 * @example
 * ```ts
 * isIdentifier("missed_payments_6m"); // true
 * isIdentifier("6m"); // false
 * ```
 */
export function isIdentifier(name: unknown): name is string {
  return typeof name === "string" && IDENTIFIER.test(name);
}

// ---------------------------------------------------------------------------------------------------------------
// Durations

const UNIT_SECONDS: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };

/**
 * Parses a duration into seconds: a non-negative number of seconds, or a string of one or more
 * `<number><unit>` parts with units `w`, `d`, `h`, `m`, `s`, `ms` (e.g. `"90d"`, `"1d12h"`, `"0"`).
 * `undefined` and `0` mean "no limit" and give 0.
 *
 * @example
 * ```ts
 * parseDuration("90d"); // 7776000
 * parseDuration("1h30m"); // 5400
 * parseDuration(45); // 45
 * ```
 */
export function parseDuration(value: string | number | undefined): number {
  if (value === undefined) return 0;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) {
      throw new DefinitionError(`Invalid duration ${value}: expected a number of seconds >= 0`);
    }
    return value;
  }
  if (typeof value !== "string") {
    throw new DefinitionError(`Invalid duration ${JSON.stringify(value)}: expected a number or a string like "90d"`);
  }
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const part = /(\d+(?:\.\d+)?)(ms|w|d|h|m|s)/gy;
  let total = 0;
  let end = 0;
  for (const match of text.matchAll(part)) {
    total += Number(match[1]) * UNIT_SECONDS[match[2]];
    end = match.index + match[0].length;
  }
  if (text === "" || end !== text.length) {
    throw new DefinitionError(
      `Invalid duration "${value}": expected seconds or parts like "90d", "12h", "30m", "45s" (units w, d, h, m, s, ms)`,
    );
  }
  return total;
}

/**
 * Formats seconds as the shortest exact duration string (`7776000` → `"90d"`, `0` → `"0"`).
 *
 * @example
 * ```ts
 * formatDuration(5400); // "1h30m"
 * ```
 */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return "0";
  let rest = Math.round(seconds * 1000);
  let out = "";
  for (const [unit, ms] of [["d", 86400000], ["h", 3600000], ["m", 60000], ["s", 1000], ["ms", 1]] as const) {
    const n = Math.floor(rest / ms);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * ms;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Entities

/** An entity: the key that feature rows are joined on. */
export interface Entity {
  readonly kind: "entity";
  readonly name: string;
  /** Columns holding the key, in sources and entity rows. */
  readonly joinKeys: readonly string[];
  readonly valueType: ValueType;
  readonly description: string;
  readonly tags: Tags;
}

/** Options of {@link entity}. */
export interface EntityOptions {
  name: string;
  /** Default `[name]`. */
  joinKeys?: string[];
  valueType: ValueType;
  description?: string;
  tags?: Record<string, string>;
}

/**
 * Defines an entity.
 *
 * @example
 * ```ts
 * const person = entity({ name: "dob_ssn", valueType: "string", description: "date of birth and SSN" });
 * person.joinKeys; // ["dob_ssn"]
 * ```
 */
export function entity(opts: EntityOptions): Entity {
  const what = describeName("Entity", opts?.name);
  checkName(what, "name", opts?.name);
  const joinKeys = opts.joinKeys ?? [opts.name];
  if (!Array.isArray(joinKeys) || joinKeys.length === 0) {
    throw new DefinitionError(`${what}: field "joinKeys" must list at least one column`);
  }
  joinKeys.forEach((key, i) => checkName(what, `joinKeys[${i}]`, key));
  checkUnique(what, "joinKeys", joinKeys);
  checkValueType(what, "valueType", opts.valueType);
  return Object.freeze({
    kind: "entity",
    name: opts.name,
    joinKeys: Object.freeze([...joinKeys]),
    valueType: opts.valueType,
    description: checkString(what, "description", opts.description ?? ""),
    tags: checkTags(what, opts.tags),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Sources

/** Fields shared by all data sources. */
interface SourceBase {
  readonly name: string;
  /** Source column with the event time of each row. */
  readonly timestampField: string;
  /** Source column with the time a row was written; breaks ties on `timestampField`. */
  readonly createdTimestampColumn?: string;
  /** Renames source column → feature (or join key) name. */
  readonly fieldMapping: Readonly<Record<string, string>>;
  readonly description: string;
}

/** A Parquet or CSV file (local path or s3:// URI). */
export interface FileSource extends SourceBase {
  readonly kind: "file_source";
  readonly path: string;
}

/** A Redshift table or query (validated statically only, for now). */
export interface RedshiftSource extends SourceBase {
  readonly kind: "redshift_source";
  readonly table?: string;
  readonly query?: string;
  readonly database?: string;
  readonly schema?: string;
}

/** Any data source. */
export type DataSource = FileSource | RedshiftSource;

/** Options shared by the source constructors. */
export interface SourceOptions {
  name: string;
  timestampField: string;
  createdTimestampColumn?: string;
  fieldMapping?: Record<string, string>;
  description?: string;
}

/** Options of {@link fileSource}. */
export interface FileSourceOptions extends SourceOptions {
  /** Local path or s3:// URI of a Parquet or CSV file (CSV when the name ends in `.csv`). */
  path: string;
}

/**
 * Defines a Parquet or CSV file source.
 *
 * @example
 * ```ts
 * const source = fileSource({
 *   name: "zipcode_table",
 *   path: "s3://bucket/zipcode_table.parquet",
 *   timestampField: "event_timestamp",
 *   createdTimestampColumn: "created_timestamp",
 * });
 * ```
 */
export function fileSource(opts: FileSourceOptions): FileSource {
  const what = describeName("File source", opts?.name);
  const base = sourceBase(what, opts);
  if (typeof opts.path !== "string" || opts.path.trim() === "") {
    throw new DefinitionError(`${what}: field "path" must be a non-empty path or s3:// URI`);
  }
  return Object.freeze({ kind: "file_source", ...base, path: opts.path });
}

/** Options of {@link redshiftSource}: exactly one of `table` or `query`. */
export interface RedshiftSourceOptions extends SourceOptions {
  table?: string;
  query?: string;
  database?: string;
  schema?: string;
}

/**
 * Defines a Redshift table or query source.
 *
 * @example
 * ```ts
 * const source = redshiftSource({
 *   name: "credit_history",
 *   table: "credit_history",
 *   schema: "public",
 *   timestampField: "event_timestamp",
 * });
 * ```
 */
export function redshiftSource(opts: RedshiftSourceOptions): RedshiftSource {
  const what = describeName("Redshift source", opts?.name);
  const base = sourceBase(what, opts);
  const hasTable = opts.table !== undefined && opts.table !== "";
  const hasQuery = opts.query !== undefined && opts.query !== "";
  if (hasTable === hasQuery) {
    throw new DefinitionError(`${what}: give exactly one of fields "table" and "query"`);
  }
  const out: Record<string, unknown> = { kind: "redshift_source", ...base };
  if (hasTable) {
    // Schema-qualified names ("public.t") are allowed in `table`; each part must be an identifier.
    if (typeof opts.table !== "string" || !opts.table.split(".").every(isIdentifier)) {
      throw new DefinitionError(`${what}: field "table" is "${opts.table}"; expected an identifier`);
    }
    out.table = opts.table;
  } else out.query = checkString(what, "query", opts.query);
  for (const key of ["database", "schema"] as const) {
    if (opts[key] !== undefined) {
      checkName(what, key, opts[key]);
      out[key] = opts[key];
    }
  }
  return Object.freeze(out) as unknown as RedshiftSource;
}

function sourceBase(what: string, opts: SourceOptions): Omit<SourceBase, never> {
  checkName(what, "name", opts?.name);
  checkColumnName(what, "timestampField", opts.timestampField);
  if (opts.createdTimestampColumn !== undefined) {
    checkColumnName(what, "createdTimestampColumn", opts.createdTimestampColumn);
    if (opts.createdTimestampColumn === opts.timestampField) {
      throw new DefinitionError(
        `${what}: field "createdTimestampColumn" must differ from "timestampField" ("${opts.timestampField}")`,
      );
    }
  }
  const mapping = opts.fieldMapping ?? {};
  if (typeof mapping !== "object" || mapping === null || Array.isArray(mapping)) {
    throw new DefinitionError(`${what}: field "fieldMapping" must map source column names to feature names`);
  }
  const targets = new Map<string, string>();
  for (const [from, to] of Object.entries(mapping)) {
    checkColumnName(what, `fieldMapping key`, from);
    checkName(what, `fieldMapping["${from}"]`, to);
    if (targets.has(to)) {
      throw new DefinitionError(
        `${what}: field "fieldMapping" maps both "${targets.get(to)}" and "${from}" to "${to}"`,
      );
    }
    targets.set(to, from);
  }
  const base: Record<string, unknown> = {
    name: opts.name,
    timestampField: opts.timestampField,
    fieldMapping: Object.freeze({ ...mapping }),
    description: checkString(what, "description", opts.description ?? ""),
  };
  if (opts.createdTimestampColumn !== undefined) base.createdTimestampColumn = opts.createdTimestampColumn;
  return base as unknown as SourceBase;
}

/**
 * The source column that holds feature (or join key) `name` after the source's field mapping.
 *
 * @example
 * ```ts
 * const s = fileSource({ name: "s", path: "a.csv", timestampField: "ts", fieldMapping: { amt: "amount" } });
 * sourceColumn(s, "amount"); // "amt"
 * sourceColumn(s, "city"); // "city"
 * ```
 */
export function sourceColumn(source: DataSource, name: string): string {
  for (const [from, to] of Object.entries(source.fieldMapping)) if (to === name) return from;
  return name;
}

/**
 * A short human-readable location of a source: its path, Redshift table or "query".
 *
 * @example
 * ```ts
 * sourceLocation(fileSource({ name: "s", path: "s3://b/t.parquet", timestampField: "ts" })); // "s3://b/t.parquet"
 * ```
 */
export function sourceLocation(source: DataSource): string {
  if (source.kind === "file_source") return source.path;
  if (source.table) return [source.database, source.schema, source.table].filter(Boolean).join(".");
  return `query of source "${source.name}"`;
}

// ---------------------------------------------------------------------------------------------------------------
// Feature views

/** One feature of a view. */
export interface Field {
  readonly name: string;
  readonly dtype: ValueType;
  /** Human-readable meaning, e.g. "missed payments in the last 6 months" (used for reason codes). */
  readonly description: string;
  readonly tags: Tags;
}

/** A field as written in {@link featureView}'s `schema`. */
export interface FieldOptions {
  name: string;
  dtype: ValueType;
  description?: string;
  tags?: Record<string, string>;
}

/** A subset of a view's features, used in feature services. */
export interface FeatureViewProjection {
  readonly kind: "feature_view_projection";
  readonly view: FeatureView;
  /** Selected feature names, in the order given. */
  readonly features: readonly string[];
}

/** A feature view: features of some entities, read from one source, valid for `ttlSeconds`. */
export interface FeatureView {
  readonly kind: "feature_view";
  readonly name: string;
  readonly entities: readonly Entity[];
  /** Maximum age of a feature row relative to the entity row; 0 = no limit. */
  readonly ttlSeconds: number;
  readonly schema: readonly Field[];
  readonly source: DataSource;
  /** Whether the view is materialized to the online store. */
  readonly online: boolean;
  readonly description: string;
  readonly tags: Tags;
  /** Projection on some of this view's features, e.g. for a feature service. */
  select(features: string[]): FeatureViewProjection;
}

/** Options of {@link featureView}. */
export interface FeatureViewOptions {
  name: string;
  entities: Entity[];
  /** `"90d"`, `"12h"`, seconds, or 0/undefined for no limit. */
  ttl?: string | number;
  schema: FieldOptions[];
  source: DataSource;
  /** Default true. */
  online?: boolean;
  description?: string;
  tags?: Record<string, string>;
}

/**
 * Defines a feature view.
 *
 * @example
 * ```ts
 * const dobSsn = entity({ name: "dob_ssn", valueType: "string" });
 * const view = featureView({
 *   name: "credit_history",
 *   entities: [dobSsn],
 *   ttl: "90d",
 *   schema: [{ name: "missed_payments_6m", dtype: "int64", description: "missed payments in the last 6 months" }],
 *   source: fileSource({ name: "credit_history", path: "data/credit_history.parquet", timestampField: "event_timestamp" }),
 * });
 * view.ttlSeconds; // 7776000
 * ```
 */
export function featureView(opts: FeatureViewOptions): FeatureView {
  const what = describeName("Feature view", opts?.name);
  checkName(what, "name", opts?.name);
  if (!Array.isArray(opts.entities) || opts.entities.length === 0) {
    throw new DefinitionError(`${what}: field "entities" must list at least one entity`);
  }
  opts.entities.forEach((e, i) => {
    if (e?.kind !== "entity") throw new DefinitionError(`${what}: field "entities[${i}]" is not an entity`);
  });
  checkUnique(what, "entities", opts.entities.map((e) => e.name));
  const joinKeys = opts.entities.flatMap((e) => e.joinKeys);
  checkUnique(what, "join keys of entities", joinKeys);
  let ttlSeconds: number;
  try {
    ttlSeconds = parseDuration(opts.ttl ?? 0);
  } catch (err) {
    throw new DefinitionError(`${what}: field "ttl": ${(err as Error).message}`);
  }
  if (!Array.isArray(opts.schema) || opts.schema.length === 0) {
    throw new DefinitionError(`${what}: field "schema" must list at least one feature`);
  }
  const source = opts.source;
  if (source?.kind !== "file_source" && source?.kind !== "redshift_source") {
    throw new DefinitionError(`${what}: field "source" must be a fileSource(...) or redshiftSource(...)`);
  }
  const schema = opts.schema.map((f, i) => field(what, i, f));
  checkUnique(what, "schema", schema.map((f) => f.name));
  const reserved = new Map<string, string>(joinKeys.map((k) => [k, "a join key"]));
  for (const column of [source.timestampField, source.createdTimestampColumn]) {
    if (column) reserved.set(source.fieldMapping[column] ?? column, "a timestamp column of the source");
  }
  for (const f of schema) {
    const role = reserved.get(f.name);
    if (role) throw new DefinitionError(`${what}: feature "${f.name}" in field "schema" is ${role}`);
  }
  if (opts.online !== undefined && typeof opts.online !== "boolean") {
    throw new DefinitionError(`${what}: field "online" must be true or false`);
  }
  const view: FeatureView = Object.freeze({
    kind: "feature_view",
    name: opts.name,
    entities: Object.freeze([...opts.entities]),
    ttlSeconds,
    schema: Object.freeze(schema),
    source,
    online: opts.online ?? true,
    description: checkString(what, "description", opts.description ?? ""),
    tags: checkTags(what, opts.tags),
    select: (features: string[]) => project(view, features),
  });
  return view;
}

function field(what: string, index: number, f: FieldOptions): Field {
  if (!f || typeof f !== "object") throw new DefinitionError(`${what}: field "schema[${index}]" must be an object`);
  checkName(what, `schema[${index}].name`, f.name);
  checkValueType(what, `schema[${index}].dtype ("${f.name}")`, f.dtype);
  return Object.freeze({
    name: f.name,
    dtype: f.dtype,
    description: checkString(what, `schema[${index}].description`, f.description ?? ""),
    tags: checkTags(what, f.tags),
  });
}

function project(view: FeatureView, features: string[]): FeatureViewProjection {
  const what = `Feature view "${view.name}"`;
  if (!Array.isArray(features) || features.length === 0) {
    throw new DefinitionError(`${what}: select() needs at least one feature name`);
  }
  const known = new Set(view.schema.map((f) => f.name));
  for (const name of features) {
    if (!known.has(name)) {
      throw new DefinitionError(`${what}: select() names feature "${name}", which the view does not have`);
    }
  }
  checkUnique(what, "select()", features);
  return Object.freeze({ kind: "feature_view_projection", view, features: Object.freeze([...features]) });
}

// ---------------------------------------------------------------------------------------------------------------
// Feature services

/** A named set of features (whole views or projections), e.g. the inputs of one model version. */
export interface FeatureService {
  readonly kind: "feature_service";
  readonly name: string;
  readonly projections: readonly FeatureViewProjection[];
  readonly description: string;
  readonly tags: Tags;
}

/** Options of {@link featureService}. */
export interface FeatureServiceOptions {
  name: string;
  /** Whole views (all their features) or `view.select([...])` projections. */
  features: (FeatureView | FeatureViewProjection)[];
  description?: string;
  tags?: Record<string, string>;
}

/**
 * Defines a feature service.
 *
 * @example
 * ```ts
 * const zipcode = entity({ name: "zipcode", valueType: "int64" });
 * const zip = featureView({
 *   name: "zipcode_features", entities: [zipcode], schema: [{ name: "population", dtype: "int64" }],
 *   source: fileSource({ name: "zip", path: "zip.parquet", timestampField: "event_timestamp" }),
 * });
 * const service = featureService({ name: "credit_score_v1", features: [zip] });
 * featureRefs(service); // ["zipcode_features:population"]
 * ```
 */
export function featureService(opts: FeatureServiceOptions): FeatureService {
  const what = describeName("Feature service", opts?.name);
  checkName(what, "name", opts?.name);
  if (!Array.isArray(opts.features) || opts.features.length === 0) {
    throw new DefinitionError(`${what}: field "features" must list at least one view or projection`);
  }
  const projections = opts.features.map((item, i) => {
    if (item?.kind === "feature_view") return item.select(item.schema.map((f) => f.name));
    if (item?.kind === "feature_view_projection") return item;
    throw new DefinitionError(`${what}: field "features[${i}]" is not a feature view or view.select(...)`);
  });
  checkUnique(what, "features (views)", projections.map((p) => p.view.name));
  return Object.freeze({
    kind: "feature_service",
    name: opts.name,
    projections: Object.freeze(projections),
    description: checkString(what, "description", opts.description ?? ""),
    tags: checkTags(what, opts.tags),
  });
}

/**
 * The `view:feature` references of a service, in order.
 *
 * @example
 * ```ts
 * // featureRefs(service) → ["credit_history:credit_card_due", "zipcode_features:city", ...]
 * ```
 */
export function featureRefs(service: FeatureService): string[] {
  return service.projections.flatMap((p) => p.features.map((f) => `${p.view.name}:${f}`));
}

// ---------------------------------------------------------------------------------------------------------------
// Feature repo

/** All definitions of a project, cross-checked by {@link featureRepo}. */
export interface FeatureRepo {
  readonly entities: readonly Entity[];
  readonly views: readonly FeatureView[];
  readonly services: readonly FeatureService[];
}

/**
 * Builds a feature repo, checking that names are unique per kind, that every view's entities are registered
 * (with the same definition), that services reference registered views, and that sources sharing a name agree.
 *
 * @example
 * ```ts
 * const zipcode = entity({ name: "zipcode", valueType: "int64" });
 * const zip = featureView({
 *   name: "zipcode_features", entities: [zipcode], schema: [{ name: "population", dtype: "int64" }],
 *   source: fileSource({ name: "zip", path: "zip.parquet", timestampField: "event_timestamp" }),
 * });
 * const repo = featureRepo({ entities: [zipcode], views: [zip] });
 * ```
 */
export function featureRepo(opts: {
  entities: Entity[];
  views: FeatureView[];
  services?: FeatureService[];
}): FeatureRepo {
  const repo: FeatureRepo = Object.freeze({
    entities: Object.freeze([...(opts.entities ?? [])]),
    views: Object.freeze([...(opts.views ?? [])]),
    services: Object.freeze([...(opts.services ?? [])]),
  });
  const problems = repoProblems(repo);
  if (problems.length > 0) throw new DefinitionError(problems.join("\n"));
  return repo;
}

/**
 * Lists every cross-reference problem of a repo (empty when consistent); see {@link featureRepo}.
 *
 * @example
 * ```ts
 * repoProblems({ entities: [], views: [], services: [] }); // []
 * ```
 */
export function repoProblems(repo: FeatureRepo): string[] {
  const problems: string[] = [];
  const kinds = [
    ["entity", repo.entities, "entity"],
    ["feature view", repo.views, "feature_view"],
    ["feature service", repo.services, "feature_service"],
  ] as const;
  for (const [label, items, kind] of kinds) {
    const seen = new Set<string>();
    for (const item of items) {
      if (item?.kind !== kind) {
        problems.push(`Feature repo: an item listed as ${label} is not one (${JSON.stringify(item?.kind)})`);
        continue;
      }
      if (seen.has(item.name)) problems.push(`Feature repo: ${label} name "${item.name}" is defined twice`);
      seen.add(item.name);
    }
  }
  const entities = new Map(repo.entities.map((e) => [e.name, canonicalJson(e)]));
  const sources = new Map<string, { json: string; view: string }>();
  for (const view of repo.views) {
    for (const e of view.entities ?? []) {
      const registered = entities.get(e.name);
      if (registered === undefined) {
        problems.push(`Feature view "${view.name}": entity "${e.name}" is not registered in the repo`);
      } else if (registered !== canonicalJson(e)) {
        problems.push(`Feature view "${view.name}": entity "${e.name}" differs from the registered entity`);
      }
    }
    if (!view.source) continue;
    const json = canonicalJson(view.source);
    const other = sources.get(view.source.name);
    if (other && other.json !== json) {
      problems.push(
        `Feature view "${view.name}": source "${view.source.name}" differs from the source of the same name ` +
          `in feature view "${other.view}"`,
      );
    } else sources.set(view.source.name, { json, view: view.name });
  }
  const views = new Map(repo.views.map((v) => [v.name, v]));
  for (const service of repo.services) {
    for (const p of service.projections ?? []) {
      const view = views.get(p.view.name);
      if (!view) {
        problems.push(`Feature service "${service.name}": feature view "${p.view.name}" is not registered in the repo`);
        continue;
      }
      const known = new Set(view.schema.map((f) => f.name));
      for (const f of p.features) {
        if (!known.has(f)) {
          problems.push(`Feature service "${service.name}": feature "${p.view.name}:${f}" does not exist`);
        }
      }
      if (canonicalJson(view) !== canonicalJson(p.view)) {
        problems.push(
          `Feature service "${service.name}": feature view "${p.view.name}" differs from the registered view`,
        );
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Canonical JSON

/** JSON value with sorted object keys. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Any definition that has a canonical form. */
export type Definition = Entity | DataSource | FeatureView | FeatureService;

/**
 * The canonical JSON form of a definition (snake_case keys, sorted; entities of views and views of services by
 * name; optional fields omitted when absent). Two definitions are equal exactly when their forms are equal.
 *
 * @example
 * ```ts
 * toCanonical(entity({ name: "zipcode", valueType: "int64" }));
 * // { description: "", join_keys: ["zipcode"], name: "zipcode", tags: {}, value_type: "int64" }
 * ```
 */
export function toCanonical(def: Definition): Json {
  switch (def.kind) {
    case "entity":
      return sortKeys({
        name: def.name,
        join_keys: [...def.joinKeys],
        value_type: def.valueType,
        description: def.description,
        tags: { ...def.tags },
      });
    case "file_source":
    case "redshift_source": {
      const out: Record<string, unknown> = {
        type: def.kind === "file_source" ? "file" : "redshift",
        name: def.name,
        timestamp_field: def.timestampField,
        created_timestamp_column: def.createdTimestampColumn,
        field_mapping: { ...def.fieldMapping },
        description: def.description,
      };
      if (def.kind === "file_source") out.path = def.path;
      else Object.assign(out, { table: def.table, query: def.query, database: def.database, schema: def.schema });
      return sortKeys(out);
    }
    case "feature_view":
      return sortKeys({
        name: def.name,
        entities: def.entities.map((e) => e.name),
        ttl_seconds: def.ttlSeconds,
        features: def.schema.map((f) => ({ name: f.name, dtype: f.dtype, description: f.description, tags: f.tags })),
        source: toCanonical(def.source),
        online: def.online,
        description: def.description,
        tags: { ...def.tags },
      });
    case "feature_service":
      return sortKeys({
        name: def.name,
        features: def.projections.map((p) => ({ feature_view: p.view.name, features: [...p.features] })),
        description: def.description,
        tags: { ...def.tags },
      });
  }
}

/**
 * `JSON.stringify` of {@link toCanonical}: a stable string to compare definitions by.
 *
 * @example
 * ```ts
 * canonicalJson(entity({ name: "zipcode", valueType: "int64" })) ===
 *   canonicalJson(entity({ name: "zipcode", valueType: "int64", joinKeys: ["zipcode"] })); // true
 * ```
 */
export function canonicalJson(def: Definition): string {
  return JSON.stringify(toCanonical(def));
}

/**
 * Deep copy of a JSON-like value with object keys sorted and `undefined` members dropped.
 *
 * @example
 * ```ts
 * JSON.stringify(sortKeys({ b: 1, a: { d: undefined, c: 2 } })); // '{"a":{"c":2},"b":1}'
 * ```
 */
export function sortKeys(value: unknown): Json {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v === undefined ? null : v));
  if (value && typeof value === "object") {
    const out: Record<string, Json> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined && typeof v !== "function") out[key] = sortKeys(v);
    }
    return out;
  }
  if (value === undefined) return null;
  return value as Json;
}

// ---------------------------------------------------------------------------------------------------------------
// Checks

function describeName(kind: string, name: unknown): string {
  return typeof name === "string" && name !== "" ? `${kind} "${name}"` : kind;
}

function checkName(what: string, fieldName: string, value: unknown): void {
  if (!isIdentifier(value)) {
    throw new DefinitionError(
      `${what}: field "${fieldName}" is ${JSON.stringify(value) ?? "undefined"}; expected an identifier ` +
        `([A-Za-z_][A-Za-z0-9_]*)`,
    );
  }
}

function checkColumnName(what: string, fieldName: string, value: unknown): void {
  if (typeof value !== "string" || value.trim() === "") {
    throw new DefinitionError(
      `${what}: field "${fieldName}" is ${JSON.stringify(value) ?? "undefined"}; expected a column name`,
    );
  }
}

function checkValueType(what: string, fieldName: string, value: unknown): void {
  if (!(VALUE_TYPES as readonly unknown[]).includes(value)) {
    throw new DefinitionError(
      `${what}: field "${fieldName}" is ${JSON.stringify(value) ?? "undefined"}; expected one of: ${
        VALUE_TYPES.join(", ")
      }`,
    );
  }
}

function checkUnique(what: string, fieldName: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new DefinitionError(`${what}: field "${fieldName}" lists "${name}" twice`);
    seen.add(name);
  }
}

function checkString(what: string, fieldName: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new DefinitionError(`${what}: field "${fieldName}" must be a string, not ${JSON.stringify(value)}`);
  }
  return value;
}

function checkTags(what: string, tags: unknown): Tags {
  if (tags === undefined) return Object.freeze({});
  if (!tags || typeof tags !== "object" || Array.isArray(tags)) {
    throw new DefinitionError(`${what}: field "tags" must map strings to strings`);
  }
  for (const [key, value] of Object.entries(tags)) {
    if (typeof value !== "string") {
      throw new DefinitionError(`${what}: tag "${key}" must be a string, not ${JSON.stringify(value)}`);
    }
  }
  return Object.freeze({ ...(tags as Record<string, string>) });
}

/**
 * The registry: one JSON file (local path or s3:// URI) recording the applied definitions of a project, like
 * Feast's `registry.db`. It holds the canonical form of every entity, feature view and feature service, when
 * each was created and last changed, and per feature view the materialized time intervals.
 *
 * Writes are atomic (via `lib/io`'s `writeBytes`) and optimistic: the registry carries a `version` counter and
 * {@link saveRegistry} refuses to write when the file's version changed since it was loaded.
 *
 * @example
 * ```ts
 * import { applyPlan, loadRegistry, planApply, saveRegistry } from "./registry.ts";
 * // const registry = await loadRegistry("data/registry.json", { project: "credit_scoring" });
 * // const plan = planApply(registry, repo);
 * // await saveRegistry("data/registry.json", applyPlan(registry, plan));
 * ```
 * @module
 */
import { exists as ioExists, type IoOptions, readBytes as ioReadBytes, writeBytes as ioWriteBytes } from "../io/mod.ts";
import { type FeatureRepo, type Json, sortKeys, toCanonical } from "./definitions.ts";

/** Marks a file as a registry of this toolkit (anything else is refused). */
export const REGISTRY_FORMAT = "feature_store_registry";

/** Layout version of the registry file; bumped on incompatible changes. */
export const REGISTRY_FORMAT_VERSION = 1;

/** The kinds of registered objects, in apply order. */
export type ObjectKind = "entity" | "feature_view" | "feature_service";

/** One registered object: its canonical spec and timestamps (ISO 8601, UTC). */
export interface RegistryEntry {
  spec: Json;
  created_timestamp: string;
  last_updated_timestamp: string;
}

/** A materialized interval of a feature view (ISO 8601, inclusive bounds). */
export interface MaterializationInterval {
  start: string;
  end: string;
  /**
   * The online store's epoch of the view when its rows were written (see `OnlineStore.epoch`); absent in
   * intervals recorded by older versions. Materialization trusts the intervals only while the store reports the
   * same epoch.
   */
  epoch?: string;
}

/** The registry file's content. */
export interface Registry {
  format: typeof REGISTRY_FORMAT;
  format_version: number;
  /** Write counter: 0 for a registry never saved; each save increments it. */
  version: number;
  project: string;
  /** Time of the last save (ISO 8601), null before the first. */
  last_updated: string | null;
  entities: Record<string, RegistryEntry>;
  feature_views: Record<string, RegistryEntry>;
  feature_services: Record<string, RegistryEntry>;
  /** Per feature view, the intervals materialized to the online store (filled by `materialize`). */
  materialization_intervals: Record<string, MaterializationInterval[]>;
}

/** A corrupt or foreign registry file, a project mismatch, or a concurrent modification. */
export class RegistryError extends Error {
  /** @param message Names the registry file and what is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "RegistryError";
  }
}

/** The byte-level storage the registry uses; defaults to `lib/io` (tests swap in failing or slow stores). */
export interface RegistryIo {
  readBytes(uri: string, opts?: IoOptions): Promise<Uint8Array>;
  /** Must write atomically. */
  writeBytes(uri: string, bytes: Uint8Array, opts?: IoOptions): Promise<void>;
  exists(uri: string, opts?: IoOptions): Promise<boolean>;
}

const DEFAULT_IO: RegistryIo = { readBytes: ioReadBytes, writeBytes: ioWriteBytes, exists: ioExists };

const SECTIONS: Record<ObjectKind, "entities" | "feature_views" | "feature_services"> = {
  entity: "entities",
  feature_view: "feature_views",
  feature_service: "feature_services",
};

const LABELS: Record<ObjectKind, string> = {
  entity: "entity",
  feature_view: "feature view",
  feature_service: "feature service",
};

/**
 * A registry with no objects, never saved (version 0).
 *
 * @example
 * ```ts
 * emptyRegistry("credit_scoring").version; // 0
 * ```
 */
export function emptyRegistry(project: string): Registry {
  return {
    format: REGISTRY_FORMAT,
    format_version: REGISTRY_FORMAT_VERSION,
    version: 0,
    project,
    last_updated: null,
    entities: {},
    feature_views: {},
    feature_services: {},
    materialization_intervals: {},
  };
}

/**
 * Parses and checks a registry file's text; `uri` only names the file in errors.
 *
 * @example
 * ```ts
 * const text = JSON.stringify(emptyRegistry("p"));
 * parseRegistry(text, { uri: "registry.json" }).project; // "p"
 * ```
 */
export function parseRegistry(text: string, opts: { uri: string }): Registry {
  const where = `Registry file "${opts.uri}"`;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new RegistryError(`${where} is corrupt: not valid JSON (${(err as Error).message})`);
  }
  if (!isRecord(doc) || doc.format !== REGISTRY_FORMAT) {
    throw new RegistryError(`${where} is not a feature store registry (no "format": "${REGISTRY_FORMAT}")`);
  }
  if (doc.format_version !== REGISTRY_FORMAT_VERSION) {
    throw new RegistryError(
      `${where} has format version ${JSON.stringify(doc.format_version)}; this toolkit reads version ` +
        `${REGISTRY_FORMAT_VERSION}`,
    );
  }
  const bad = (what: string) => new RegistryError(`${where} is corrupt: ${what}`);
  if (!Number.isInteger(doc.version) || (doc.version as number) < 0) throw bad(`"version" is not a counter`);
  if (typeof doc.project !== "string" || doc.project === "") throw bad(`"project" is missing`);
  if (doc.last_updated !== null && typeof doc.last_updated !== "string") throw bad(`"last_updated" is invalid`);
  for (const section of Object.values(SECTIONS)) {
    const entries = doc[section];
    if (!isRecord(entries)) throw bad(`"${section}" is not an object`);
    for (const [name, entry] of Object.entries(entries)) {
      if (
        !isRecord(entry) || !isRecord(entry.spec) || entry.spec.name !== name ||
        typeof entry.created_timestamp !== "string" || typeof entry.last_updated_timestamp !== "string"
      ) throw bad(`entry "${name}" of "${section}" is malformed`);
    }
  }
  if (!isRecord(doc.materialization_intervals)) throw bad(`"materialization_intervals" is not an object`);
  for (const [name, intervals] of Object.entries(doc.materialization_intervals)) {
    if (
      !Array.isArray(intervals) ||
      !intervals.every((i) =>
        isRecord(i) && typeof i.start === "string" && typeof i.end === "string" &&
        (i.epoch === undefined || typeof i.epoch === "string")
      )
    ) {
      throw bad(`"materialization_intervals" of "${name}" is malformed`);
    }
  }
  return doc as unknown as Registry;
}

/**
 * Serializes a registry as stable, indented JSON (sorted keys).
 *
 * @example
 * ```ts
 * serializeRegistry(emptyRegistry("p")).startsWith("{"); // true
 * ```
 */
export function serializeRegistry(registry: Registry): string {
  return JSON.stringify(sortKeys(registry), null, 2) + "\n";
}

/** Options of {@link loadRegistry}. */
export interface LoadRegistryOptions {
  /** Expected project; a registry of another project is an error. */
  project: string;
  /** S3 settings overriding the environment (for s3:// registries). */
  s3?: IoOptions["s3"];
  io?: RegistryIo;
}

/**
 * Loads the registry at `uri`, or an empty one (version 0) when the file does not exist.
 *
 * @example
 * ```ts
 * // const registry = await loadRegistry("s3://bucket/registry.json", { project: "credit_scoring" });
 * ```
 */
export async function loadRegistry(uri: string, opts: LoadRegistryOptions): Promise<Registry> {
  const io = opts.io ?? DEFAULT_IO;
  const ioOpts: IoOptions = { s3: opts.s3 };
  if (!(await io.exists(uri, ioOpts))) return emptyRegistry(opts.project);
  const registry = parseRegistry(new TextDecoder().decode(await io.readBytes(uri, ioOpts)), { uri });
  if (registry.project !== opts.project) {
    throw new RegistryError(
      `Registry file "${uri}" belongs to project "${registry.project}", not "${opts.project}"`,
    );
  }
  return registry;
}

/** Options of {@link saveRegistry}. */
export interface SaveRegistryOptions {
  /** S3 settings overriding the environment (for s3:// registries). */
  s3?: IoOptions["s3"];
  io?: RegistryIo;
  /** Time of the save (default now). */
  now?: Date;
}

/**
 * Writes `registry` atomically as version `registry.version + 1`, after checking that the file still has
 * version `registry.version` (or is absent when that is 0). Returns the registry as written.
 *
 * The check and the write are two steps: two writers racing within that window are not detected.
 *
 * @example
 * ```ts
 * // const saved = await saveRegistry("data/registry.json", applyPlan(registry, plan));
 * // saved.version === registry.version + 1
 * ```
 */
export async function saveRegistry(uri: string, registry: Registry, opts: SaveRegistryOptions = {}): Promise<Registry> {
  const io = opts.io ?? DEFAULT_IO;
  const ioOpts: IoOptions = { s3: opts.s3 };
  const current = (await io.exists(uri, ioOpts))
    ? parseRegistry(new TextDecoder().decode(await io.readBytes(uri, ioOpts)), { uri })
    : undefined;
  const currentVersion = current?.version ?? 0;
  if (currentVersion !== registry.version) {
    throw new RegistryError(
      `Registry file "${uri}" changed since it was read (version ${currentVersion}, expected ${registry.version}); ` +
        `run apply again`,
    );
  }
  if (current && current.project !== registry.project) {
    throw new RegistryError(
      `Registry file "${uri}" belongs to project "${current.project}", not "${registry.project}"`,
    );
  }
  const saved: Registry = {
    ...registry,
    version: registry.version + 1,
    last_updated: (opts.now ?? new Date()).toISOString(),
  };
  await io.writeBytes(uri, new TextEncoder().encode(serializeRegistry(saved)), ioOpts);
  return saved;
}

// ---------------------------------------------------------------------------------------------------------------
// Plans

/** One changed field of a definition; `before`/`after` absent when the field was added/removed. */
export interface FieldChange {
  /** Dotted path, with `[\"name\"]` for named list items, e.g. `features["city"].dtype`. */
  path: string;
  before?: Json;
  after?: Json;
}

/** What apply does to one object. */
export interface PlanItem {
  kind: ObjectKind;
  name: string;
  action: "created" | "changed" | "unchanged" | "deleted";
  /** For `changed`: each changed field. */
  diff: FieldChange[];
  /** Canonical spec after apply (absent for `deleted`). */
  spec?: Json;
}

/** The result of {@link planApply}: items ordered by kind (entities, views, services) then name. */
export interface Plan {
  project: string;
  /** Registry version the plan was computed from. */
  baseVersion: number;
  items: PlanItem[];
  /** Whether applying would change the registry. */
  hasChanges: boolean;
}

/**
 * Compares a repo to a registry: per object, `created`, `changed` (with a field diff), `unchanged` or `deleted`.
 *
 * @example
 * ```ts
 * // const plan = planApply(emptyRegistry("p"), repo);
 * // plan.items.every((i) => i.action === "created") → true
 * ```
 */
export function planApply(registry: Registry, repo: FeatureRepo): Plan {
  const wanted: Record<ObjectKind, Map<string, Json>> = {
    entity: new Map(repo.entities.map((e) => [e.name, toCanonical(e)])),
    feature_view: new Map(repo.views.map((v) => [v.name, toCanonical(v)])),
    feature_service: new Map(repo.services.map((s) => [s.name, toCanonical(s)])),
  };
  const items: PlanItem[] = [];
  for (const kind of Object.keys(SECTIONS) as ObjectKind[]) {
    const existing = registry[SECTIONS[kind]];
    const names = [...new Set([...Object.keys(existing), ...wanted[kind].keys()])].sort();
    for (const name of names) {
      const before = existing[name]?.spec;
      const after = wanted[kind].get(name);
      if (after === undefined) items.push({ kind, name, action: "deleted", diff: [] });
      else if (before === undefined) items.push({ kind, name, action: "created", diff: [], spec: after });
      else {
        const diff = diffJson(before, after);
        items.push({ kind, name, action: diff.length ? "changed" : "unchanged", diff, spec: after });
      }
    }
  }
  return {
    project: registry.project,
    baseVersion: registry.version,
    items,
    hasChanges: items.some((i) => i.action !== "unchanged"),
  };
}

/** Options of {@link applyPlan}. */
export interface ApplyPlanOptions {
  /** Time recorded as created/updated (default now). */
  now?: Date;
}

/**
 * Applies a plan to a registry, returning a new registry (the input is not modified; the version is kept, so
 * that {@link saveRegistry} can check it). Materialization intervals start empty for new views, are dropped with
 * deleted views, and are reset for views whose change is more than descriptions and tags.
 *
 * @example
 * ```ts
 * // const next = applyPlan(registry, planApply(registry, repo));
 * ```
 */
export function applyPlan(registry: Registry, plan: Plan, opts: ApplyPlanOptions = {}): Registry {
  if (plan.project !== registry.project || plan.baseVersion !== registry.version) {
    throw new RegistryError(
      `Plan was computed for project "${plan.project}" version ${plan.baseVersion}, not for project ` +
        `"${registry.project}" version ${registry.version}`,
    );
  }
  const now = (opts.now ?? new Date()).toISOString();
  const next: Registry = structuredClone(registry);
  for (const item of plan.items) {
    const section = next[SECTIONS[item.kind]];
    const isView = item.kind === "feature_view";
    if (item.action === "deleted") {
      delete section[item.name];
      if (isView) delete next.materialization_intervals[item.name];
    } else if (item.action === "created") {
      section[item.name] = { spec: item.spec!, created_timestamp: now, last_updated_timestamp: now };
      if (isView) next.materialization_intervals[item.name] = [];
    } else if (item.action === "changed") {
      section[item.name] = { ...section[item.name], spec: item.spec!, last_updated_timestamp: now };
      if (isView && !item.diff.every((c) => isDocumentationPath(c.path))) {
        next.materialization_intervals[item.name] = [];
      }
    }
  }
  return next;
}

function isDocumentationPath(path: string): boolean {
  return /(^|\.)(description|tags)(\.|$|\[)/.test(path);
}

/**
 * Describes a plan like `feast apply`, one line per object, e.g. `Created feature view credit_history` or
 * `Changed feature view credit_history: ttl_seconds 7776000 → 86400`.
 *
 * @example
 * ```ts
 * // describePlan(plan).join("\n")
 * // Created entity dob_ssn
 * // Unchanged feature view zipcode_features
 * ```
 */
export function describePlan(plan: Plan): string[] {
  return plan.items.map((item) => {
    const verb = item.action[0].toUpperCase() + item.action.slice(1);
    const line = `${verb} ${LABELS[item.kind]} ${item.name}`;
    return item.action === "changed" ? `${line}: ${item.diff.map(describeChange).join("; ")}` : line;
  });
}

function describeChange(change: FieldChange): string {
  if (change.before === undefined) return `added ${change.path}`;
  if (change.after === undefined) return `removed ${change.path}`;
  return `${change.path} ${short(change.before)} → ${short(change.after)}`;
}

function short(value: Json): string {
  const text = JSON.stringify(value);
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

/**
 * Field-level differences between two JSON values. Lists of objects that all have a string `name` are compared
 * by name (`features["city"].dtype`), other lists as a whole.
 *
 * @example
 * ```ts
 * diffJson({ ttl_seconds: 10, name: "v" }, { ttl_seconds: 20, name: "v" });
 * // [{ path: "ttl_seconds", before: 10, after: 20 }]
 * ```
 */
export function diffJson(before: Json, after: Json, path = ""): FieldChange[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (isRecord(before) && isRecord(after)) {
    const out: FieldChange[] = [];
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      if (!(key in after)) out.push({ path: at(key), before: before[key] });
      else if (!(key in before)) out.push({ path: at(key), after: after[key] });
      else out.push(...diffJson(before[key], after[key], at(key)));
    }
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after) && isNamedList(before) && isNamedList(after)) {
    const byName = (list: Json[]) => new Map(list.map((item) => [(item as Record<string, Json>).name as string, item]));
    const a = byName(before);
    const b = byName(after);
    const out: FieldChange[] = [];
    for (const name of a.keys()) {
      const itemPath = `${path}["${name}"]`;
      if (!b.has(name)) out.push({ path: itemPath, before: a.get(name)! });
      else out.push(...diffJson(a.get(name)!, b.get(name)!, itemPath));
    }
    for (const name of b.keys()) if (!a.has(name)) out.push({ path: `${path}["${name}"]`, after: b.get(name)! });
    if (out.length === 0) {
      // Same items, different order.
      out.push({ path: `${path} (order)`, before: [...a.keys()], after: [...b.keys()] });
    }
    return out;
  }
  return [{ path: path || "(value)", before, after }];
}

function isNamedList(list: Json[]): boolean {
  return list.length > 0 && list.every((item) => isRecord(item) && typeof item.name === "string");
}

function isRecord(value: unknown): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

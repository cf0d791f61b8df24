/**
 * `getOnlineFeatures`: the latest feature values of entities from the online store, with a status per value
 * (Feast's PRESENT, NULL_VALUE, NOT_FOUND, OUTSIDE_MAX_AGE) and the event timestamp each value comes from.
 *
 * All views are read in one round trip. A value is OUTSIDE_MAX_AGE when its view has a ttl and more than ttl has
 * passed between the row's event timestamp and `asOf` (default now); its value is then null, like a missing one,
 * so a model never silently uses stale features.
 *
 * @example
 * ```ts
 * import { getOnlineFeatures } from "./get_online_features.ts";
 * const result = await getOnlineFeatures(repo, online, {
 *   features: ["credit_history:missed_payments_6m", "zipcode_features:population"],
 *   entityRows: [{ dob_ssn: "19770430_2525", zipcode: 76104 }],
 * });
 * result.rows(); // [{ dob_ssn: "19770430_2525", zipcode: 76104, missed_payments_6m: 0, population: 5000 }]
 * ```
 * @module
 */
import type { FeatureRepo, FeatureService, FeatureView } from "../definitions.ts";
import type { FeatureValue, StoredRow } from "./codec.ts";
import { encodeEntityKey, type JoinKeySpec, joinKeySpecs } from "./entity_key.ts";
import type { OnlineStore } from "./interface.ts";
import { formatIsoMicros, toMicros } from "./time.ts";

/** Status of one returned value. */
export type FeatureStatus = "PRESENT" | "NULL_VALUE" | "NOT_FOUND" | "OUTSIDE_MAX_AGE";

/** A request to {@link getOnlineFeatures}. */
export interface OnlineFeaturesRequest {
  /** `view:feature` references, or a feature service. */
  features: readonly string[] | FeatureService;
  /** Entity rows: join key → value (typed as the entity declares: int64 7, not "7"). */
  entityRows?: readonly Record<string, unknown>[];
  /** Or Feast's column form: join key → values. */
  entities?: Record<string, readonly unknown[]>;
  /** Name features `view__feature` (default: `feature`; a clash is an error). */
  fullFeatureNames?: boolean;
  /** Time the max age is measured against (default now): a Date, ISO string or microseconds. */
  asOf?: Date | string | number;
}

/** One returned column: a join key or a feature. */
export interface OnlineFeatureColumn {
  name: string;
  /** The feature view, for features (absent for join keys). */
  view?: string;
  values: FeatureValue[];
  statuses: FeatureStatus[];
  /** Event timestamp (microseconds) of the row each value comes from; null for join keys and NOT_FOUND. */
  eventTimestamps: (number | null)[];
}

/** The answer of {@link getOnlineFeatures}. */
export interface OnlineFeaturesResult {
  /** Column names: the join keys, then the features. */
  featureNames: string[];
  /** Columns, in `featureNames` order; each has one entry per entity row. */
  results: OnlineFeatureColumn[];
  /** One object per entity row: column name → value. */
  rows(): Record<string, FeatureValue>[];
}

/** A malformed request: unknown view or feature, missing or mistyped join key (the message names it). */
export class OnlineRequestError extends Error {
  /** @param message Names the field at fault. */
  constructor(message: string) {
    super(message);
    this.name = "OnlineRequestError";
  }
}

interface Selection {
  view: FeatureView;
  features: { name: string; index: number; outName: string }[];
  specs: JoinKeySpec[];
}

/**
 * Resolves `view:feature` references or a service to views and feature positions.
 *
 * @example
 * ```ts
 * resolveFeatures(repo, ["credit_history:hard_pulls"], { fullFeatureNames: false });
 * ```
 */
export function resolveFeatures(
  repo: FeatureRepo,
  features: readonly string[] | FeatureService,
  opts: { fullFeatureNames?: boolean } = {},
): Selection[] {
  const refs: [string, string][] = [];
  if (Array.isArray(features)) {
    if (features.length === 0) throw new OnlineRequestError(`Field "features" lists no features`);
    for (const ref of features as readonly string[]) {
      const m = typeof ref === "string" ? /^([^:]+):([^:]+)$/.exec(ref) : null;
      if (!m) {
        throw new OnlineRequestError(
          `Feature reference ${JSON.stringify(ref)} in field "features" is not of the form "view:feature"`,
        );
      }
      refs.push([m[1], m[2]]);
    }
  } else {
    for (const p of (features as FeatureService).projections) for (const f of p.features) refs.push([p.view.name, f]);
  }
  const byView = new Map<string, Selection>();
  const names = new Map<string, string>();
  for (const [viewName, feature] of refs) {
    const view = repo.views.find((v) => v.name === viewName);
    if (!view) {
      throw new OnlineRequestError(
        `Feature view "${viewName}" (in field "features") does not exist; known: ${
          repo.views.map((v) => v.name).join(", ")
        }`,
      );
    }
    const index = view.schema.findIndex((f) => f.name === feature);
    if (index < 0) {
      throw new OnlineRequestError(
        `Feature "${feature}" (in field "features") is not in feature view "${viewName}"; known: ${
          view.schema.map((f) => f.name).join(", ")
        }`,
      );
    }
    let sel = byView.get(viewName);
    if (!sel) byView.set(viewName, sel = { view, features: [], specs: joinKeySpecs(view) });
    if (sel.features.some((f) => f.name === feature)) continue;
    const outName = opts.fullFeatureNames ? `${viewName}__${feature}` : feature;
    const clash = names.get(outName);
    if (clash) {
      throw new OnlineRequestError(
        `Feature name "${outName}" is in both feature views "${clash}" and "${viewName}"; ask for full feature ` +
          `names (fullFeatureNames)`,
      );
    }
    names.set(outName, viewName);
    sel.features.push({ name: feature, index, outName });
  }
  return [...byView.values()];
}

/**
 * Resolved `view:feature` lists per repo and request text: a server asks for the same features on every request, and
 * resolving them (parsing, view and field lookups) cost ~10 µs of a ~250 µs `/score`. Only successful resolutions are
 * kept (a bad list throws every time); a repo's definitions are read-only once built.
 */
const RESOLVED = new WeakMap<FeatureRepo, Map<string, Selection[]>>();
const RESOLVED_PER_REPO = 256;

function resolveCached(
  repo: FeatureRepo,
  features: readonly string[] | FeatureService,
  fullFeatureNames: boolean | undefined,
): Selection[] {
  if (!Array.isArray(features)) return resolveFeatures(repo, features, { fullFeatureNames });
  let cache = RESOLVED.get(repo);
  if (!cache) RESOLVED.set(repo, cache = new Map());
  const key = `${fullFeatureNames ? 1 : 0}${JSON.stringify(features)}`;
  let found = cache.get(key);
  if (!found) {
    found = resolveFeatures(repo, features, { fullFeatureNames });
    if (cache.size >= RESOLVED_PER_REPO) cache.clear();
    cache.set(key, found);
  }
  return found;
}

/**
 * Entity rows from Feast's column form (`{ dob_ssn: [...], zipcode: [...] }`); columns must have equal lengths.
 *
 * @example
 * ```ts
 * entityRowsFromColumns({ zipcode: [76104, 10001] }); // [{ zipcode: 76104 }, { zipcode: 10001 }]
 * ```
 */
export function entityRowsFromColumns(entities: Record<string, readonly unknown[]>): Record<string, unknown>[] {
  if (!entities || typeof entities !== "object" || Array.isArray(entities)) {
    throw new OnlineRequestError(`Field "entities" must map join keys to lists of values`);
  }
  const names = Object.keys(entities);
  if (names.length === 0) throw new OnlineRequestError(`Field "entities" has no join keys`);
  let n = -1;
  for (const name of names) {
    const col = entities[name];
    if (!Array.isArray(col)) throw new OnlineRequestError(`Field "entities.${name}" must be a list of values`);
    if (n >= 0 && col.length !== n) {
      throw new OnlineRequestError(
        `Field "entities.${name}" has ${col.length} values but "entities.${names[0]}" has ${n}`,
      );
    }
    n = col.length;
  }
  return Array.from({ length: n }, (_, i) => Object.fromEntries(names.map((k) => [k, entities[k][i]])));
}

/**
 * Reads features of entity rows from the online store; see the module doc.
 *
 * @example
 * ```ts
 * const { results } = await getOnlineFeatures(repo, online, {
 *   features: repo.services[0], entityRows: [{ dob_ssn: "19770430_2525", zipcode: 76104 }],
 * });
 * results.map((c) => c.statuses[0]); // ["PRESENT", "PRESENT", "PRESENT", ...]
 * ```
 */
export async function getOnlineFeatures(
  repo: FeatureRepo,
  online: OnlineStore,
  request: OnlineFeaturesRequest,
): Promise<OnlineFeaturesResult> {
  const selections = resolveCached(repo, request.features, request.fullFeatureNames);
  let rows: readonly Record<string, unknown>[];
  if (request.entityRows && request.entities) {
    throw new OnlineRequestError(`Give field "entityRows" or "entities", not both`);
  } else if (request.entities) rows = entityRowsFromColumns(request.entities);
  else if (Array.isArray(request.entityRows)) rows = request.entityRows;
  else throw new OnlineRequestError(`Field "entityRows" (a list of objects) is missing`);
  const asOf = request.asOf === undefined ? Date.now() * 1000 : toMicros(request.asOf, "asOf time");

  // Per view: distinct entity keys and, per entity row, the position of its key.
  const reads = selections.map((sel) => {
    const keyIndex = new Map<string, number>();
    const keys: string[] = [];
    const positions = new Int32Array(rows.length);
    rows.forEach((row, r) => {
      if (!row || typeof row !== "object" || Array.isArray(row)) {
        throw new OnlineRequestError(`Entity row ${r} is not an object of join key values`);
      }
      let key: string;
      try {
        key = encodeEntityKey(sel.specs, row);
      } catch (err) {
        throw new OnlineRequestError(
          `Entity row ${r}: ${(err as Error).message} (a join key of feature view "${sel.view.name}")`,
        );
      }
      let at = keyIndex.get(key);
      if (at === undefined) keyIndex.set(key, at = keys.push(key) - 1);
      positions[r] = at;
    });
    return { keys, positions };
  });
  const stored = await online.onlineReadMany(selections.map((s, i) => ({ view: s.view, entityKeys: reads[i].keys })));

  const results: OnlineFeatureColumn[] = [];
  const joinKeys: string[] = [];
  for (const sel of selections) for (const e of sel.view.entities) for (const k of e.joinKeys) joinKeys.push(k);
  for (const k of [...new Set(joinKeys)]) {
    results.push({
      name: k,
      values: rows.map((row) => row[k] as FeatureValue),
      statuses: rows.map(() => "PRESENT"),
      eventTimestamps: rows.map(() => null),
    });
  }
  selections.forEach((sel, s) => {
    const ttlMicros = sel.view.ttlSeconds * 1_000_000;
    const found: (StoredRow | null)[] = rows.map((_, r) => stored[s][reads[s].positions[r]]);
    for (const f of sel.features) {
      const column: OnlineFeatureColumn = {
        name: f.outName,
        view: sel.view.name,
        values: new Array(rows.length),
        statuses: new Array(rows.length),
        eventTimestamps: new Array(rows.length),
      };
      found.forEach((row, r) => {
        if (!row) {
          column.values[r] = null;
          column.statuses[r] = "NOT_FOUND";
          column.eventTimestamps[r] = null;
          return;
        }
        column.eventTimestamps[r] = row.eventMicros;
        if (ttlMicros > 0 && asOf - row.eventMicros > ttlMicros) {
          column.values[r] = null;
          column.statuses[r] = "OUTSIDE_MAX_AGE";
          return;
        }
        const value = row.values[f.index];
        column.values[r] = value;
        column.statuses[r] = value === null ? "NULL_VALUE" : "PRESENT";
      });
      results.push(column);
    }
  });
  return {
    featureNames: results.map((c) => c.name),
    results,
    rows: () =>
      rows.map((_, r) => {
        const out: Record<string, FeatureValue> = {};
        for (const c of results) out[c.name] = c.values[r];
        return out;
      }),
  };
}

/**
 * Feast's JSON response body (`metadata.feature_names`, `results[].values/statuses/event_timestamps`): bigints
 * become decimal strings, event timestamps ISO 8601 (the epoch for join keys and missing rows, as Feast does).
 *
 * @example
 * ```ts
 * JSON.stringify(toFeastResponse(await getOnlineFeatures(repo, online, request)));
 * ```
 */
export function toFeastResponse(result: OnlineFeaturesResult): {
  metadata: { feature_names: string[] };
  results: { values: unknown[]; statuses: FeatureStatus[]; event_timestamps: string[] }[];
} {
  const epoch = "1970-01-01T00:00:00Z";
  return {
    metadata: { feature_names: result.featureNames },
    results: result.results.map((c) => ({
      values: c.values.map((v) => (typeof v === "bigint" ? v.toString() : v)),
      statuses: c.statuses,
      event_timestamps: c.eventTimestamps.map((t) => (t === null ? epoch : formatIsoMicros(t))),
    })),
  };
}

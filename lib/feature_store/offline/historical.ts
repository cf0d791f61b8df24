/**
 * Point-in-time correct historical retrieval with the local Arrow engine (Feast's `get_historical_features`).
 *
 * For every entity row and every requested feature view: the view's feature row with the same join key(s) whose
 * event timestamp is <= the entity row's timestamp and >= that timestamp minus the view's ttl (inclusive; no ttl =
 * no lower bound); ties on event timestamp go to the larger created timestamp, then to the later source row.
 * Every entity row comes back exactly once, in the input order, with all its own columns; nothing matched gives
 * nulls. Feature columns keep their source types.
 *
 * @example
 * ```ts
 * import { getHistoricalFeatures } from "./historical.ts";
 * const training = await getHistoricalFeatures(repo, {
 *   entities: loans, // an Arrow table with dob_ssn, zipcode, event_timestamp, ...
 *   features: ["credit_history:missed_payments_6m", "zipcode_features:population"],
 *   fullFeatureNames: false,
 * });
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import type { FeatureRepo, FeatureService, FeatureView } from "../definitions.ts";
import { sourceColumn, sourceLocation } from "../definitions.ts";
import { isTzNaive, readTable, type S3Options } from "../../io/mod.ts";
import { CompositeKeyEncoder, KeyEncoder, timestampMicros } from "./columns.ts";
import { indexFeatures, matchWithIndex } from "./pit_match.ts";
import { takeVector } from "./take.ts";
import { viewSourceColumns } from "./pull_latest.ts";

/** Bad input to historical retrieval; the message names the column, view or feature. */
export class RetrievalError extends Error {
  /** @param message Names what is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "RetrievalError";
  }
}

/** A request for a training set. */
export interface HistoricalRequest {
  /** Entity rows: join keys, an event timestamp column, and any other columns (labels, ids). */
  entities: arrow.Table;
  /** `view:feature` references, or a feature service. */
  features: readonly string[] | FeatureService;
  /** Name features `view__feature` instead of `feature` (default false; a clash is an error). */
  fullFeatureNames?: boolean;
  /** Entity timestamp column (default "event_timestamp"). */
  eventTimestampColumn?: string;
  /**
   * Timestamps without a time zone are ambiguous: "error" (default) rejects them, "utc" reads them as UTC.
   */
  naiveTimestamps?: "error" | "utc";
}

/** How feature source tables are loaded (tests and the Redshift staging path swap it). */
export type SourceLoader = (view: FeatureView, columns: string[]) => Promise<arrow.Table>;

/** Options of {@link getHistoricalFeatures}. */
export interface HistoricalOptions {
  /** Loads a view's source columns; default reads the file source with lib/io (local or s3://). */
  loadSource?: SourceLoader;
}

/** The features requested from one view, in request order. */
export interface ViewRequest {
  view: FeatureView;
  features: string[];
}

/**
 * Resolves `view:feature` references (or a service) against the repo, grouping by view in first-seen order.
 *
 * @example
 * ```ts
 * resolveFeatureRefs(repo, ["credit_history:hard_pulls", "credit_history:bankruptcies"]);
 * // [{ view: credit_history, features: ["hard_pulls", "bankruptcies"] }]
 * ```
 */
export function resolveFeatureRefs(repo: FeatureRepo, features: readonly string[] | FeatureService): ViewRequest[] {
  const refs = Array.isArray(features)
    ? features as readonly string[]
    : (features as FeatureService).projections.flatMap((p) => p.features.map((f) => `${p.view.name}:${f}`));
  if (refs.length === 0) throw new RetrievalError("No features requested");
  const byView = new Map<string, ViewRequest>();
  for (const ref of refs) {
    const m = /^([^:]+):([^:]+)$/.exec(ref);
    if (!m) throw new RetrievalError(`Feature reference "${ref}" must look like "view:feature"`);
    const view = repo.views.find((v) => v.name === m[1]);
    if (!view) {
      throw new RetrievalError(
        `Unknown feature view "${m[1]}" in "${ref}"; known views: ${repo.views.map((v) => v.name).join(", ")}`,
      );
    }
    if (!view.schema.some((f) => f.name === m[2])) {
      throw new RetrievalError(
        `Unknown feature "${m[2]}" in view "${view.name}" (from "${ref}"); its features: ${
          view.schema.map((f) => f.name).join(", ")
        }`,
      );
    }
    const entry = byView.get(view.name) ?? { view, features: [] };
    if (!entry.features.includes(m[2])) entry.features.push(m[2]);
    byView.set(view.name, entry);
  }
  return [...byView.values()];
}

/** The output names of requested features, checked for clashes with each other and with entity columns. */
export function outputNames(requests: ViewRequest[], entityColumns: string[], fullFeatureNames: boolean): string[][] {
  const seen = new Map<string, string>();
  for (const c of entityColumns) seen.set(c, `entity column "${c}"`);
  return requests.map(({ view, features }) =>
    features.map((f) => {
      const name = fullFeatureNames ? `${view.name}__${f}` : f;
      const other = seen.get(name);
      if (other) {
        throw new RetrievalError(
          `Feature "${view.name}:${f}" would be named "${name}", which clashes with ${other}; ` +
            `use fullFeatureNames: true or drop one of them`,
        );
      }
      seen.set(name, `feature "${view.name}:${f}"`);
      return name;
    })
  );
}

/** Exact entity timestamps in µs, after checking the column exists, is a timestamp, is not naive, has no null. */
export function entityTimestamps(
  entities: arrow.Table,
  column: string,
  naive: "error" | "utc",
): Float64Array {
  const field = entities.schema.fields.find((f) => f.name === column);
  if (!field) {
    throw new RetrievalError(
      `Entity rows have no timestamp column "${column}"; columns: ${
        entities.schema.fields.map((f) => f.name).join(", ")
      }`,
    );
  }
  if (!arrow.DataType.isTimestamp(field.type) && !arrow.DataType.isDate(field.type)) {
    throw new RetrievalError(`Entity timestamp column "${column}" has type ${field.type}; expected a timestamp`);
  }
  if (naive === "error" && isTzNaive(field)) {
    throw new RetrievalError(
      `Entity timestamp column "${column}" has no time zone; store timestamps in UTC (e.g. "2021-07-28 17:09:19+00:00") ` +
        `or pass naiveTimestamps: "utc"`,
    );
  }
  const { micros, nulls } = timestampMicros(entities.getChild(column)!, column);
  if (nulls > 0) {
    const first = micros.findIndex((v) => Number.isNaN(v));
    throw new RetrievalError(`Entity timestamp column "${column}" has ${nulls} null value(s), first at row ${first}`);
  }
  return micros;
}

/**
 * A loader of file sources (local or s3://), reading only the needed columns.
 *
 * @example
 * ```ts
 * const load = fileSourceLoader({ endpoint: "http://127.0.0.1:4569" });
 * ```
 */
export function fileSourceLoader(s3?: S3Options): SourceLoader {
  return async (view, columns) => {
    if (view.source.kind !== "file_source") {
      throw new RetrievalError(
        `Feature view "${view.name}" reads ${sourceLocation(view.source)}, which the local engine cannot read; ` +
          `use the redshift offline store`,
      );
    }
    return await readTable(view.source.path, { columns, s3 });
  };
}

/** Default loader: file sources with the standard AWS settings. */
export const loadFileSource: SourceLoader = fileSourceLoader();

/**
 * Builds the point-in-time correct training table; see the module doc.
 */
export async function getHistoricalFeatures(
  repo: FeatureRepo,
  request: HistoricalRequest | (Omit<HistoricalRequest, "entities"> & { entities: () => Promise<arrow.Table> }),
  opts: HistoricalOptions = {},
): Promise<arrow.Table> {
  const tsColumn = request.eventTimestampColumn ?? "event_timestamp";
  const requests = resolveFeatureRefs(repo, request.features);
  const load = opts.loadSource ?? loadFileSource;
  // start every source read at once (large Parquet files decode in workers meanwhile), and only then read the
  // entity rows when they come from a file: the reads overlap
  const tables = requests.map(({ view, features }) => {
    const loading = load(view, viewSourceColumns(view, features));
    loading.catch(() => {}); // rejections are rethrown below, in view order
    return loading;
  });
  const entities = typeof request.entities === "function" ? await request.entities() : request.entities;
  const entityColumns = entities.schema.fields.map((f) => f.name);
  const names = outputNames(requests, entityColumns, request.fullFeatureNames ?? false);
  for (const { view } of requests) {
    for (const key of view.entities.flatMap((e) => e.joinKeys)) {
      if (!entityColumns.includes(key)) {
        throw new RetrievalError(
          `Join key "${key}" of feature view "${view.name}" is missing from the entity rows; columns: ${
            entityColumns.join(", ")
          }`,
        );
      }
    }
  }
  const entityTs = entityTimestamps(entities, tsColumn, request.naiveTimestamps ?? "error");
  const columns: Record<string, arrow.Vector> = {};
  for (const name of entityColumns) columns[name] = entities.getChild(name)!;
  for (let v = 0; v < requests.length; v++) {
    const { view, features } = requests[v];
    const table = await tables[v];
    const vectors = matchView(view, features, table, entities, entityTs, request.naiveTimestamps ?? "error");
    vectors.forEach((vec, i) => (columns[names[v][i]] = vec));
  }
  return new arrow.Table(columns);
}

/** One view of a {@link PreparedJoin}: its loaded source and where each requested feature is. */
export interface PreparedView {
  view: FeatureView;
  /** Requested features (feature names). */
  features: string[];
  /** Their output names (`feature` or `view__feature`). */
  names: string[];
  /** The source columns of the features, in `features` order (index them with {@link PreparedJoin.match}). */
  columns: arrow.Vector[];
  /** Join keys, in the view's order. */
  joinKeys: string[];
}

/** A point-in-time join whose sources are loaded and indexed once; see {@link prepareHistoricalJoin}. */
export interface PreparedJoin {
  readonly views: readonly PreparedView[];
  /** Output feature names, view by view, in request order. */
  readonly names: readonly string[];
  /**
   * For each view, the row of its source matching each entity row (-1 = no match), with Feast's semantics (see the
   * module doc). `keys` holds the join-key columns by name; `entityTs` the entity timestamps in µs.
   */
  match(keys: Record<string, arrow.Vector>, entityTs: Float64Array): Int32Array[];
  /** The feature columns for entity rows, in {@link PreparedJoin.names} order, keeping the source types. */
  join(keys: Record<string, arrow.Vector>, entityTs: Float64Array): arrow.Vector[];
  /** Entity rows plus their features: what {@link getHistoricalFeatures} returns for the same request. */
  joinTable(entities: arrow.Table, opts?: { eventTimestampColumn?: string }): arrow.Table;
}

/**
 * Loads and indexes the sources of a request once, for joining many batches of entity rows (batch scoring streams
 * millions of applications through one index). The feature keys are dictionary-encoded first and every entity batch
 * is looked up against them, so memory is the sources' requested columns plus a few typed arrays per source row;
 * `getHistoricalFeatures` instead indexes only the keys its entity rows ask for.
 *
 * @example
 * ```ts
 * const join = await prepareHistoricalJoin(repo, { features: ["credit_history:missed_payments_6m"] });
 * for await (const batch of readBatches("s3://bucket/applications.parquet")) {
 *   const ts = entityTimestamps(new arrow.Table(batch), "event_timestamp", "error");
 *   const [missed] = join.join({ dob_ssn: batch.getChild("dob_ssn")! }, ts);
 * }
 * ```
 */
export async function prepareHistoricalJoin(
  repo: FeatureRepo,
  request: Pick<HistoricalRequest, "features" | "fullFeatureNames" | "naiveTimestamps">,
  opts: HistoricalOptions = {},
): Promise<PreparedJoin> {
  const requests = resolveFeatureRefs(repo, request.features);
  const load = opts.loadSource ?? loadFileSource;
  const naive = request.naiveTimestamps ?? "error";
  const tables = requests.map(({ view, features }) => {
    const loading = load(view, viewSourceColumns(view, features));
    loading.catch(() => {});
    return loading;
  });
  const names = outputNames(requests, [], request.fullFeatureNames ?? false);
  const prepared: (PreparedView & {
    encoders: KeyEncoder[];
    composite: CompositeKeyEncoder;
    index: ReturnType<typeof indexFeatures>;
  })[] = [];
  for (let v = 0; v < requests.length; v++) {
    const { view, features } = requests[v];
    const table = await tables[v];
    const src = view.source;
    const joinKeys = view.entities.flatMap((e) => e.joinKeys);
    const { featureTs, created } = sourceTimestamps(view, features, table, naive);
    const encoders = joinKeys.map(() => new KeyEncoder());
    const parts = joinKeys.map((k, i) => {
      const c = sourceColumn(src, k);
      try {
        return encoders[i].encode(table.getChild(c)!, { insert: true, column: c });
      } catch (err) {
        throw new RetrievalError(`Join key "${k}" of feature view "${view.name}": ${(err as Error).message}`);
      }
    });
    const composite = new CompositeKeyEncoder();
    const codes = composite.combine(parts, { insert: true });
    let numCodes = 0;
    for (let i = 0; i < codes.length; i++) if (codes[i] >= numCodes) numCodes = codes[i] + 1;
    prepared.push({
      view,
      features,
      names: names[v],
      columns: features.map((f) => table.getChild(sourceColumn(src, f))!),
      joinKeys,
      encoders,
      composite,
      index: indexFeatures(codes, featureTs, created, numCodes),
    });
  }
  const match = (keys: Record<string, arrow.Vector>, entityTs: Float64Array): Int32Array[] =>
    prepared.map((p) => {
      const parts = p.joinKeys.map((k, i) => {
        const vector = keys[k];
        if (!vector) {
          throw new RetrievalError(
            `Join key "${k}" of feature view "${p.view.name}" is missing from the entity rows; columns: ${
              Object.keys(keys).join(", ")
            }`,
          );
        }
        if (vector.length !== entityTs.length) {
          throw new RetrievalError(
            `Join key "${k}" has ${vector.length} rows but there are ${entityTs.length} timestamps`,
          );
        }
        try {
          return p.encoders[i].encode(vector, { insert: false, column: k });
        } catch (err) {
          throw new RetrievalError(
            `Join key "${k}" of feature view "${p.view.name}": ${(err as Error).message} (entity rows: ${vector.type})`,
          );
        }
      });
      const codes = p.composite.combine(parts, { insert: false });
      return matchWithIndex(p.index, codes, entityTs, p.view.ttlSeconds * 1_000_000);
    });
  const join = (keys: Record<string, arrow.Vector>, entityTs: Float64Array): arrow.Vector[] => {
    const matched = match(keys, entityTs);
    return prepared.flatMap((p, v) => p.columns.map((column) => takeVector(column, matched[v])));
  };
  return {
    views: prepared.map(({ view, features, names, columns, joinKeys }) => ({
      view,
      features,
      names,
      columns,
      joinKeys,
    })),
    names: names.flat(),
    match,
    join,
    joinTable(entities, joinOpts = {}) {
      const tsColumn = joinOpts.eventTimestampColumn ?? "event_timestamp";
      const entityColumns = entities.schema.fields.map((f) => f.name);
      outputNames(requests, entityColumns, request.fullFeatureNames ?? false);
      const ts = entityTimestamps(entities, tsColumn, naive);
      const keys: Record<string, arrow.Vector> = {};
      for (const p of prepared) {
        for (const k of p.joinKeys) {
          const vector = entities.getChild(k);
          if (!vector) {
            throw new RetrievalError(
              `Join key "${k}" of feature view "${p.view.name}" is missing from the entity rows; columns: ${
                entityColumns.join(", ")
              }`,
            );
          }
          keys[k] = vector;
        }
      }
      const columns: Record<string, arrow.Vector> = {};
      for (const name of entityColumns) columns[name] = entities.getChild(name)!;
      const vectors = join(keys, ts);
      names.flat().forEach((name, i) => (columns[name] = vectors[i]));
      return new arrow.Table(columns);
    },
  };
}

/**
 * Checks a view's loaded source (the columns the features need are there; the event timestamps carry a time zone
 * unless `naive` is "utc") and returns its event and created timestamps in microseconds.
 */
function sourceTimestamps(
  view: FeatureView,
  features: string[],
  table: arrow.Table,
  naive: "error" | "utc",
): { featureTs: Float64Array; created: Float64Array | undefined } {
  const src = view.source;
  const where = `source "${sourceLocation(src)}" of feature view "${view.name}"`;
  for (const c of viewSourceColumns(view, features)) {
    if (!table.getChild(c)) throw new RetrievalError(`Column "${c}" is missing from ${where}`);
  }
  const tsField = table.schema.fields.find((f) => f.name === src.timestampField)!;
  if (naive === "error" && isTzNaive(tsField)) {
    throw new RetrievalError(
      `Timestamp column "${src.timestampField}" of ${where} has no time zone; store UTC timestamps or pass naiveTimestamps: "utc"`,
    );
  }
  const featureTs = timestampMicros(table.getChild(src.timestampField)!, src.timestampField).micros;
  const created = src.createdTimestampColumn
    ? timestampMicros(table.getChild(src.createdTimestampColumn)!, src.createdTimestampColumn).micros
    : undefined;
  return { featureTs, created };
}

function matchView(
  view: FeatureView,
  features: string[],
  table: arrow.Table,
  entities: arrow.Table,
  entityTs: Float64Array,
  naive: "error" | "utc",
): arrow.Vector[] {
  const src = view.source;
  const joinKeys = view.entities.flatMap((e) => e.joinKeys);
  const keyCols = joinKeys.map((k) => sourceColumn(src, k));
  const featureCols = features.map((f) => sourceColumn(src, f));
  const { featureTs, created } = sourceTimestamps(view, features, table, naive);
  // Entity keys first: only keys some entity row has can ever match, so the key table stays as small as the entity
  // rows' distinct keys and feature rows of other keys drop out before indexing (17k entity rows against a billion
  // snapshots cost a scan, not a billion-key table).
  const featureParts: Int32Array[] = [];
  const entityParts: Int32Array[] = [];
  for (let k = 0; k < joinKeys.length; k++) {
    const enc = new KeyEncoder();
    try {
      entityParts.push(enc.encode(entities.getChild(joinKeys[k])!, { insert: true, column: joinKeys[k] }));
      featureParts.push(enc.encode(table.getChild(keyCols[k])!, { insert: false, column: keyCols[k] }));
    } catch (err) {
      throw new RetrievalError(
        `Join key "${joinKeys[k]}" of feature view "${view.name}": ${(err as Error).message} ` +
          `(entity rows: ${entities.getChild(joinKeys[k])!.type}, source: ${table.getChild(keyCols[k])!.type})`,
      );
    }
  }
  const composite = new CompositeKeyEncoder();
  const entityCodes = composite.combine(entityParts, { insert: true });
  const featureCodes = composite.combine(featureParts, { insert: false });
  let numCodes = 0;
  for (let i = 0; i < entityCodes.length; i++) if (entityCodes[i] >= numCodes) numCodes = entityCodes[i] + 1;
  const index = indexFeatures(featureCodes, featureTs, created, numCodes);
  const matched = matchWithIndex(index, entityCodes, entityTs, view.ttlSeconds * 1_000_000);
  return featureCols.map((c) => takeVector(table.getChild(c)!, matched));
}

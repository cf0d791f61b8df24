/**
 * The Redshift offline store: the point-in-time join and pull-latest run as SQL in the warehouse through the
 * Data API, with the local engine's semantics (see ./sql.ts for the SQL and the tiebreak rules).
 *
 * Flow of `getHistoricalFeatures` (one Data API session, so temp tables are private and vanish with it):
 * 1. entity rows into a temp table: an Arrow table is checked like the local engine does, then its join keys,
 *    timestamp and a row number are inserted with parameterized multi-row INSERTs (<= `insertMaxRows` rows) or
 *    written as Parquet to `s3_staging_location` and loaded with `COPY ... FORMAT AS PARQUET`; SQL entities
 *    (`{sql}`) stay in the warehouse: `CREATE TEMP TABLE ... AS SELECT *, ROW_NUMBER() ...` numbers them in
 *    (event timestamp, then every column) order, which is the order of the result;
 * 2. the point-in-time SELECT: small results come back as JSON pages; when the entity rows exceed
 *    `unloadThresholdRows` (default 100,000) the result is UNLOADed as Parquet under the staging prefix and read
 *    back with lib/io, then put back in entity order by the row number;
 * 3. for Arrow entities the result has the entity table's own columns (unchanged) and then the features; for SQL
 *    entities, the entity query's columns as Redshift returns them. Staged S3 objects are removed afterwards.
 *
 * @example
 * ```ts
 * import { RedshiftOfflineStore } from "./store.ts";
 * const store = new RedshiftOfflineStore({ config: config.offline_store, s3: config.s3 });
 * const training = await store.getHistoricalFeatures(repo, { entities: loans, features: ["credit_history:hard_pulls"] });
 * await store.close();
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import type { RedshiftOfflineStoreConfig, S3Config } from "../../config.ts";
import type { FeatureRepo, FeatureView } from "../../definitions.ts";
import { joinUri, list, readTable, remove, type S3Options, timestampMicros, writeTable } from "../../../io/mod.ts";
import { entityTimestamps, outputNames, resolveFeatureRefs, RetrievalError, type ViewRequest } from "../historical.ts";
import { takeVector } from "../take.ts";
import type { OfflineRequest, OfflineStore, PullWindow, SqlEntities } from "../store.ts";
import { DataApiError, type DataApiOptions, type DataApiSession, RedshiftDataApi } from "./data_api.ts";
import {
  checkS3Uri,
  copyParquetSql,
  createTempTableSql,
  insertStatements,
  pointInTimeSql,
  pullLatestSql,
  quoteIdent,
  type StagedColumn,
  timestampParameter,
  unloadParquetSql,
} from "./sql.ts";

/** Name of the row-number column of staged entity rows. */
export const ROW_ID = "_entity_row_id";

/** Options of {@link RedshiftOfflineStore}. */
export interface RedshiftOfflineStoreOptions {
  config: RedshiftOfflineStoreConfig;
  /** S3 settings for staging (endpoint, region, path style). */
  s3?: S3Config;
  /** Explicit S3 options (e.g. test credentials); override `s3`. */
  s3Options?: S3Options;
  /** Data API credentials (default: the AWS default chain). */
  credentials?: DataApiOptions["credentials"];
  /**
   * Per source name, a source column giving row order (larger = later row): the last tiebreak, making results
   * equal to the local engine's "later source row wins". Without one, ties on (keys, event, created) go to the
   * largest feature values (deterministic, documented in ./sql.ts).
   */
  rowOrderColumns?: Record<string, string>;
  /** UNLOAD through S3 when the entity rows (or pulled rows) exceed this many (default 100,000). */
  unloadThresholdRows?: number;
  /** Insert Arrow entity rows with parameterized INSERTs up to this many rows, else COPY from S3 (default 1000). */
  insertMaxRows?: number;
  /** DescribeStatement backoff (defaults 100 ms doubling to 2 s). */
  pollInitialMs?: number;
  pollMaxMs?: number;
  /** Use this Data API client (tests). */
  api?: RedshiftDataApi;
}

const SUPPORTED_KEY = "a string or integer column";

/**
 * Offline store running the point-in-time join in Amazon Redshift via the Data API; see the module doc.
 *
 * @example
 * ```ts
 * const store = new RedshiftOfflineStore({
 *   config: { type: "redshift", cluster_id: "c1", region: "eu-west-1", database: "dev", user: "feast",
 *     s3_staging_location: "s3://staging/feast/", iam_role: "arn:aws:iam::123456789012:role/redshift-s3" },
 * });
 * ```
 */
export class RedshiftOfflineStore implements OfflineStore {
  readonly type = "redshift";
  readonly api: RedshiftDataApi;
  readonly #opts: RedshiftOfflineStoreOptions;
  readonly #io: { s3?: S3Options };

  /** @param opts Config, S3 settings and tuning. */
  constructor(opts: RedshiftOfflineStoreOptions) {
    this.#opts = opts;
    const c = opts.config;
    this.api = opts.api ?? new RedshiftDataApi({
      clusterId: c.cluster_id,
      workgroupName: c.workgroup_name,
      database: c.database,
      dbUser: c.user,
      secretArn: c.secret_arn,
      region: c.region,
      endpoint: c.endpoint,
      credentials: opts.credentials,
      pollInitialMs: opts.pollInitialMs,
      pollMaxMs: opts.pollMaxMs,
    });
    const s3: S3Options = {
      ...(opts.s3?.endpoint ? { endpoint: opts.s3.endpoint } : {}),
      ...(opts.s3?.region ? { region: opts.s3.region } : {}),
      ...(opts.s3?.force_path_style !== undefined ? { forcePathStyle: opts.s3.force_path_style } : {}),
      ...opts.s3Options,
    };
    this.#io = Object.keys(s3).length > 0 ? { s3 } : {};
  }

  /** See {@link OfflineStore.getHistoricalFeatures} and the module doc. */
  async getHistoricalFeatures(repo: FeatureRepo, request: OfflineRequest): Promise<arrow.Table> {
    const entities = typeof request.entities === "function" ? await request.entities() : request.entities;
    const requests = resolveFeatureRefs(repo, request.features);
    for (const { view } of requests) redshiftView(view);
    const tsColumn = request.eventTimestampColumn ?? "event_timestamp";
    const full = request.fullFeatureNames ?? false;
    const session = this.api.session();
    const run = new Run(session);
    const staged: string[] = [];
    try {
      await session.execute("SET timezone TO 'UTC'");
      if (isSqlEntities(entities)) {
        return await this.#fromSql(run, requests, entities, tsColumn, full, staged);
      }
      return await this.#fromTable(run, requests, entities, request, tsColumn, full, staged);
    } finally {
      await run.dropAll();
      for (const prefix of staged) await this.#removePrefix(prefix);
    }
  }

  async #fromTable(
    run: Run,
    requests: ViewRequest[],
    entities: arrow.Table,
    request: OfflineRequest,
    tsColumn: string,
    full: boolean,
    staged: string[],
  ): Promise<arrow.Table> {
    const entityColumns = entities.schema.fields.map((f) => f.name);
    const names = outputNames(requests, entityColumns, full);
    const joinKeys = checkJoinKeys(requests, entityColumns);
    if (entityColumns.includes(ROW_ID)) {
      throw new RetrievalError(`Entity rows have a column "${ROW_ID}", a name the Redshift offline store reserves`);
    }
    quoteIdent(tsColumn, "entity timestamp column");
    const ts = entityTimestamps(entities, tsColumn, request.naiveTimestamps ?? "error");
    const upload = stagingTable(entities, joinKeys, tsColumn, ts);
    const table = run.tempName("entities");
    await run.session.execute(createTempTableSql(table, upload.columns));
    run.created.push(table);
    const n = entities.numRows;
    if (n <= (this.#opts.insertMaxRows ?? 1000)) {
      const rows = textRows(upload.table);
      for (const st of insertStatements(table, upload.columns.map((c) => c.name), rows)) {
        await run.session.execute(st.sql, { parameters: st.parameters });
      }
    } else {
      const prefix = this.#stagingPrefix(`${table}/`);
      staged.push(prefix);
      await writeTable(joinUri(prefix, "entities.parquet"), upload.table, { format: "parquet", ...this.#io });
      await run.session.execute(copyParquetSql(table, prefix, this.#opts.config.iam_role));
    }
    const features = await this.#pit(run, requests, names, table, tsColumn, [], n, staged);
    const columns: Record<string, arrow.Vector> = {};
    for (const name of entityColumns) columns[name] = entities.getChild(name)!;
    for (const f of features.schema.fields.slice(1)) columns[f.name] = features.getChild(f.name)!;
    return new arrow.Table(columns);
  }

  async #fromSql(
    run: Run,
    requests: ViewRequest[],
    entities: SqlEntities,
    tsColumn: string,
    full: boolean,
    staged: string[],
  ): Promise<arrow.Table> {
    const query = entities.sql.trim().replace(/;\s*$/, "");
    if (query === "" || query.includes(";")) {
      throw new RetrievalError('Entity SQL must be a single SELECT statement (no ";")');
    }
    const probe = await run.session.query(`SELECT * FROM (${query}) AS e LIMIT 0`);
    const entityColumns = probe.schema.fields.map((f) => f.name);
    for (const c of entityColumns) quoteIdent(c, "entity column");
    if (entityColumns.includes(ROW_ID)) {
      throw new RetrievalError(`Entity SQL returns a column "${ROW_ID}", a name the Redshift offline store reserves`);
    }
    const tsField = probe.schema.fields.find((f) => f.name === tsColumn);
    if (!tsField) {
      throw new RetrievalError(
        `Entity rows have no timestamp column "${tsColumn}"; columns: ${entityColumns.join(", ")}`,
      );
    }
    if (!arrow.DataType.isTimestamp(tsField.type) && !arrow.DataType.isDate(tsField.type)) {
      throw new RetrievalError(`Entity timestamp column "${tsColumn}" has type ${tsField.type}; expected a timestamp`);
    }
    const names = outputNames(requests, entityColumns, full);
    checkJoinKeys(requests, entityColumns);
    const table = run.tempName("entities");
    const order = [tsColumn, ...entityColumns.filter((c) => c !== tsColumn)]
      .map((c) => `e.${quoteIdent(c, "entity column")} NULLS LAST`).join(", ");
    await run.session.execute(
      `CREATE TEMP TABLE ${quoteIdent(table, "temp table")} AS SELECT e.*, ` +
        `ROW_NUMBER() OVER (ORDER BY ${order}) - 1 AS "${ROW_ID}" FROM (${query}) AS e`,
    );
    run.created.push(table);
    const nulls = await run.session.query(
      `SELECT COUNT(*) AS "n", COUNT(${quoteIdent(tsColumn, "entity timestamp column")}) AS "ts" FROM "${table}"`,
    );
    const n = Number(nulls.getChild("n")!.get(0));
    const nullTs = n - Number(nulls.getChild("ts")!.get(0));
    if (nullTs > 0) throw new RetrievalError(`Entity timestamp column "${tsColumn}" has ${nullTs} null value(s)`);
    const out = await this.#pit(run, requests, names, table, tsColumn, entityColumns, n, staged);
    const columns: Record<string, arrow.Vector> = {};
    for (const f of out.schema.fields.slice(1)) columns[f.name] = out.getChild(f.name)!;
    return new arrow.Table(columns);
  }

  /** Runs the join; returns the row id column then `entityColumns` then features, in entity order. */
  async #pit(
    run: Run,
    requests: ViewRequest[],
    names: string[][],
    table: string,
    tsColumn: string,
    entityColumns: string[],
    n: number,
    staged: string[],
  ): Promise<arrow.Table> {
    const views = requests.map(({ view, features }, v) => ({
      view,
      features,
      names: names[v],
      rowOrderColumn: this.#opts.rowOrderColumns?.[view.source.name],
    }));
    const resultNames = [ROW_ID, ...entityColumns, ...names.flat()];
    const unload = n > (this.#opts.unloadThresholdRows ?? 100_000);
    const sql = pointInTimeSql({
      entityTable: table,
      rowIdColumn: ROW_ID,
      entityTsColumn: tsColumn,
      entityColumns,
      views,
      orderBy: !unload,
    });
    const result = unload
      ? await this.#unload(run, sql, resultNames, staged)
      : await run.session.query(sql, { names: resultNames });
    return inRowOrder(result, n);
  }

  async #unload(run: Run, sql: string, names: string[], staged: string[]): Promise<arrow.Table> {
    const prefix = this.#stagingPrefix(`${run.tempName("unload")}/`);
    staged.push(prefix);
    await run.session.execute(unloadParquetSql(sql, prefix, this.#opts.config.iam_role));
    const parts = (await list(prefix, this.#io)).filter((o) => o.size > 0 && !o.uri.endsWith("/"));
    const batches: arrow.RecordBatch[] = [];
    let schema: arrow.Schema | undefined;
    for (const part of parts) {
      const t = normalizeTable(await readTable(part.uri, { format: "parquet", ...this.#io }), names);
      schema ??= t.schema;
      batches.push(...t.batches);
    }
    if (!schema) {
      throw new DataApiError(`UNLOAD wrote no Parquet part under the staging prefix "${prefix}"`);
    }
    return new arrow.Table(schema, batches);
  }

  /** See {@link OfflineStore.pullLatest}: the SQL of ./sql.ts `pullLatestSql`, ordered by the join keys. */
  async pullLatest(view: FeatureView, window: PullWindow): Promise<arrow.Table> {
    redshiftView(view);
    for (const [k, v] of Object.entries(window)) {
      if (!Number.isSafeInteger(v)) throw new RetrievalError(`Pull window bound "${k}" must be an integer of µs`);
    }
    const session = this.api.session();
    const run = new Run(session);
    const staged: string[] = [];
    try {
      await session.execute("SET timezone TO 'UTC'");
      const sql = pullLatestSql(view, { rowOrderColumn: this.#opts.rowOrderColumns?.[view.source.name] });
      const parameters = [
        { name: "start_ts", value: timestampParameter(BigInt(window.startMicros)) },
        { name: "end_ts", value: timestampParameter(BigInt(window.endMicros)) },
      ];
      const names = [
        ...view.entities.flatMap((e) => e.joinKeys),
        ...view.schema.map((f) => f.name),
        "event_timestamp",
        ...(view.source.createdTimestampColumn ? ["created_timestamp"] : []),
      ];
      const table = run.tempName("latest");
      await session.execute(`CREATE TEMP TABLE "${table}" AS ${sql}`, { parameters });
      run.created.push(table);
      const count = await session.query(`SELECT COUNT(*) AS "n" FROM "${table}"`);
      const n = Number(count.getChild("n")!.get(0));
      if (n <= (this.#opts.unloadThresholdRows ?? 100_000)) {
        const keys = view.entities.flatMap((e) => e.joinKeys).map((k) => quoteIdent(k, "join key")).join(", ");
        return await session.query(`SELECT * FROM "${table}" ORDER BY ${keys}`, { names });
      }
      return await this.#unload(run, `SELECT * FROM "${table}"`, names, staged);
    } finally {
      await run.dropAll();
      for (const prefix of staged) await this.#removePrefix(prefix);
    }
  }

  /** Destroys the Data API client. */
  async close(): Promise<void> {
    await this.api.close();
  }

  #stagingPrefix(suffix: string): string {
    const base = checkS3Uri(this.#opts.config.s3_staging_location, "offline_store.s3_staging_location");
    return joinUri(base.endsWith("/") ? base : `${base}/`, suffix);
  }

  async #removePrefix(prefix: string): Promise<void> {
    try {
      for (const o of await list(prefix, this.#io)) await remove(o.uri, this.#io);
    } catch { /* best effort: staging objects are temporary */ }
  }
}

/** Temp tables of one retrieval, dropped at the end (the session would drop them anyway when it expires). */
class Run {
  readonly created: string[] = [];
  readonly #tag = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  constructor(readonly session: DataApiSession) {}
  tempName(kind: string): string {
    return `feast_${kind}_${this.#tag}`;
  }
  async dropAll(): Promise<void> {
    for (const t of this.created.splice(0)) await this.session.execute(`DROP TABLE IF EXISTS "${t}"`).catch(() => {});
  }
}

function isSqlEntities(x: arrow.Table | SqlEntities): x is SqlEntities {
  return typeof (x as arrow.Table).getChild !== "function";
}

function redshiftView(view: FeatureView): void {
  if (view.source.kind !== "redshift_source") {
    throw new RetrievalError(
      `Feature view "${view.name}" reads a ${view.source.kind} ("${view.source.name}"); the Redshift offline store ` +
        `needs redshiftSource(...) views`,
    );
  }
}

function checkJoinKeys(requests: ViewRequest[], entityColumns: string[]): string[] {
  const keys: string[] = [];
  for (const { view } of requests) {
    for (const key of view.entities.flatMap((e) => e.joinKeys)) {
      if (!entityColumns.includes(key)) {
        throw new RetrievalError(
          `Join key "${key}" of feature view "${view.name}" is missing from the entity rows; columns: ${
            entityColumns.join(", ")
          }`,
        );
      }
      if (!keys.includes(key)) keys.push(key);
    }
  }
  return keys;
}

/** The staged entity table: row id, join keys (BIGINT or VARCHAR), entity timestamp (TIMESTAMP, UTC). */
function stagingTable(entities: arrow.Table, joinKeys: string[], tsColumn: string, ts: Float64Array) {
  const n = entities.numRows;
  const columns: StagedColumn[] = [{ name: ROW_ID, sqlType: "BIGINT" }];
  const vectors: Record<string, arrow.Vector> = {
    [ROW_ID]: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => BigInt(i)), new arrow.Int64()),
  };
  for (const key of joinKeys) {
    if (key === tsColumn) continue;
    const v = entities.getChild(key)!;
    const t = v.type;
    if (arrow.DataType.isInt(t)) {
      columns.push({ name: key, sqlType: "BIGINT" });
      vectors[key] = arrow.vectorFromArray(
        Array.from({ length: n }, (_, i) => (v.isValid(i) ? BigInt(v.get(i)) : null)),
        new arrow.Int64(),
      );
    } else if (arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t) || arrow.DataType.isDictionary(t)) {
      columns.push({ name: key, sqlType: "VARCHAR(65535)" });
      vectors[key] = arrow.vectorFromArray(
        Array.from({ length: n }, (_, i) => (v.isValid(i) ? String(v.get(i)) : null)),
        new arrow.Utf8(),
      );
    } else {
      throw new RetrievalError(`Join key "${key}" of the entity rows has type ${t}; expected ${SUPPORTED_KEY}`);
    }
    quoteIdent(key, "join key");
  }
  columns.push({ name: tsColumn, sqlType: "TIMESTAMP" });
  const micros = BigInt64Array.from(ts, (x) => BigInt(x));
  vectors[tsColumn] = arrow.makeVector(
    arrow.makeData({
      type: new arrow.TimestampMicrosecond("UTC"),
      length: n,
      nullCount: 0,
      data: micros as unknown as arrow.TimestampMicrosecond["TArray"],
    }),
  );
  return { columns, table: new arrow.Table(vectors) };
}

/** Rows of text values (timestamps as exact `YYYY-MM-DD HH:MM:SS.ffffff`) for parameterized INSERTs. */
function textRows(table: arrow.Table): (string | null)[][] {
  const cols = table.schema.fields.map((f) => {
    const v = table.getChild(f.name)!;
    if (arrow.DataType.isTimestamp(f.type)) {
      const micros = timestampMicros(v);
      return Array.from({ length: v.length }, (_, i) => (v.isValid(i) ? timestampParameter(micros[i]) : null));
    }
    return Array.from({ length: v.length }, (_, i) => (v.isValid(i) ? String(v.get(i)) : null));
  });
  return Array.from({ length: table.numRows }, (_, r) => cols.map((c) => c[r]));
}

/** Puts a result (row id first) in row-id order 0..n-1, checking each entity row came back exactly once. */
function inRowOrder(result: arrow.Table, n: number): arrow.Table {
  if (result.numRows !== n) {
    throw new DataApiError(`The point-in-time query returned ${result.numRows} rows for ${n} entity rows`);
  }
  const ids = result.getChild(result.schema.fields[0].name)!;
  const perm = new Int32Array(n).fill(-1);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const id = Number(ids.get(i));
    if (!(id >= 0 && id < n) || perm[id] >= 0) {
      throw new DataApiError(`The point-in-time query returned entity row number ${id} twice or out of range`);
    }
    perm[id] = i;
    if (id !== i) sorted = false;
  }
  if (sorted) return result;
  const columns: Record<string, arrow.Vector> = {};
  for (const f of result.schema.fields) columns[f.name] = takeVector(result.getChild(f.name)!, perm);
  return new arrow.Table(columns);
}

/**
 * Names UNLOADed Parquet columns by position and normalizes types to what the JSON path decodes: timestamps
 * (any unit, with or without zone; Redshift writes TIMESTAMP as naive µs) to Timestamp µs UTC, small integers to
 * Int32.
 */
function normalizeTable(table: arrow.Table, names: string[]): arrow.Table {
  if (table.numCols !== names.length) {
    throw new DataApiError(`An UNLOAD part has ${table.numCols} columns, expected ${names.length}`);
  }
  const columns: Record<string, arrow.Vector> = {};
  table.schema.fields.forEach((f, c) => {
    const v = table.getChild(f.name)!;
    const t = f.type;
    if (arrow.DataType.isTimestamp(t) || arrow.DataType.isDate(t)) {
      const micros = timestampMicros(v);
      columns[names[c]] = arrow.makeVector(
        arrow.makeData({
          type: new arrow.TimestampMicrosecond("UTC"),
          length: v.length,
          nullCount: v.nullCount,
          nullBitmap: v.nullCount > 0 ? validityBitmap(v) : undefined,
          data: micros as unknown as arrow.TimestampMicrosecond["TArray"],
        }),
      );
    } else if (arrow.DataType.isInt(t) && t.bitWidth < 32) {
      columns[names[c]] = arrow.vectorFromArray([...v].map((x) => (x === null ? null : Number(x))), new arrow.Int32());
    } else columns[names[c]] = v;
  });
  return new arrow.Table(columns);
}

function validityBitmap(v: arrow.Vector): Uint8Array {
  const bitmap = new Uint8Array((v.length + 7) >> 3);
  for (let i = 0; i < v.length; i++) if (v.isValid(i)) bitmap[i >> 3] |= 1 << (i & 7);
  return bitmap;
}

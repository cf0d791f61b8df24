/**
 * SQL for the Redshift offline store: the point-in-time join (like Feast's Redshift template), pull-latest,
 * entity staging (temp table, multi-row INSERT, COPY) and UNLOAD, in the subset of SQL that Amazon Redshift and
 * PostgreSQL share (the test backend is PostgreSQL).
 *
 * Safety: every identifier is checked against `[A-Za-z_][A-Za-z0-9_]*` (or a clear error names it) and
 * double-quoted; values (entity rows, window bounds) never enter SQL text: they are Data API parameters
 * (`:name`). The only constants rendered into SQL are ones this module builds from validated settings: the ttl
 * as an `INTERVAL '<integer> seconds'` literal (plus a six-digit fraction for sub-second ttls), and the
 * configured S3 staging URI and IAM role of COPY/UNLOAD, which are validated and quoted as string literals.
 *
 * Semantics (equal to the local engine, lib/feature_store/offline/historical.ts): per entity row and view, the
 * feature row with equal join keys (SQL `=`: null keys never match) and `entity_ts - ttl <= event_ts <= entity_ts`
 * (inclusive; no ttl = no lower bound; a null event timestamp never matches), ranked by event timestamp DESC,
 * created timestamp DESC NULLS LAST (a null created timestamp is the smallest), then the tiebreak:
 * - with a row-order column (`rowOrderColumn`, larger = later source row): that column DESC NULLS LAST, which is
 *   exactly the local engine's "later source row wins";
 * - without one (a table or query has no intrinsic row order): the requested feature values DESC NULLS LAST, in
 *   request order. That is deterministic, but among rows equal on (keys, event ts, created ts) it may pick another
 *   row than the local engine would.
 *
 * @example
 * ```ts
 * import { pointInTimeSql } from "./sql.ts";
 * const sql = pointInTimeSql({
 *   entityTable: "entities_tmp", rowIdColumn: "_entity_row_id", entityTsColumn: "event_timestamp",
 *   entityColumns: [], views: [{ view: creditView, features: ["missed_payments_6m"], names: ["missed_payments_6m"] }],
 * });
 * ```
 * @module
 */
import type { DataSource, FeatureView } from "../../definitions.ts";
import { RetrievalError } from "../historical.ts";

/** A named Data API parameter (`:name` in SQL text); the value is always a non-empty string. */
export interface SqlParameter {
  name: string;
  value: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks that `name` is an identifier (`[A-Za-z_][A-Za-z0-9_]*`) and returns it double-quoted.
 * `what` describes the name for the error, e.g. `join key of feature view "credit"`.
 *
 * @example
 * ```ts
 * quoteIdent("event_timestamp", "column"); // "\"event_timestamp\""
 * quoteIdent("drop table", "column"); // throws RetrievalError: Column is "drop table", which is not ...
 * ```
 */
export function quoteIdent(name: string, what: string): string {
  if (typeof name !== "string" || !IDENTIFIER.test(name)) {
    const label = what.charAt(0).toUpperCase() + what.slice(1);
    throw new RetrievalError(
      `${label} is "${String(name)}", which is not a SQL identifier the Redshift offline store accepts ` +
        `([A-Za-z_][A-Za-z0-9_]*); rename it, e.g. with the source's fieldMapping`,
    );
  }
  return `"${name}"`;
}

/**
 * A SQL string literal of `text` (single quotes doubled). Only for text this module controls: validated S3 URIs,
 * IAM roles and the query inside UNLOAD (`UNLOAD ('...')` takes its query as a string).
 *
 * @example
 * ```ts
 * sqlString("it's"); // "'it''s'"
 * ```
 */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The ttl as an interval literal built from an integer number of microseconds (fractions of a microsecond are
 * floored: on integer timestamps `ts >= t - 1.5µs` equals `ts >= t - 1µs`).
 *
 * @example
 * ```ts
 * intervalLiteral(86400); // "INTERVAL '86400 seconds'"
 * intervalLiteral(1.5); // "INTERVAL '1.500000 seconds'"
 * ```
 */
export function intervalLiteral(ttlSeconds: number): string {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds < 0) {
    throw new RetrievalError(`Ttl ${ttlSeconds} is not a non-negative number of seconds`);
  }
  const micros = BigInt(Math.floor(ttlSeconds * 1_000_000));
  const secs = micros / 1_000_000n, frac = micros % 1_000_000n;
  const text = frac === 0n ? `${secs}` : `${secs}.${String(frac).padStart(6, "0")}`;
  return `INTERVAL '${text} seconds'`;
}

/**
 * The relation a Redshift source reads: its query as a parenthesized subquery, or its quoted (optionally
 * database- and schema-qualified) table.
 *
 * @example
 * ```ts
 * sourceRelation(redshiftSource({ name: "s", table: "credit", schema: "feast", timestampField: "ts" }));
 * // "\"feast\".\"credit\""
 * ```
 */
export function sourceRelation(source: DataSource): string {
  if (source.kind !== "redshift_source") {
    throw new RetrievalError(
      `Source "${source.name}" is a ${source.kind}; the Redshift offline store needs a redshiftSource`,
    );
  }
  if (source.query !== undefined && source.query !== "") {
    const query = source.query.trim().replace(/;\s*$/, "");
    if (query.includes(";")) {
      throw new RetrievalError(`The query of source "${source.name}" must be a single statement (it contains ";")`);
    }
    return `(${query})`;
  }
  const parts = (source.table ?? "").split(".");
  if (parts.length === 1 && source.schema) parts.unshift(source.schema);
  if (parts.length === 2 && source.database) parts.unshift(source.database);
  return parts.map((p) => quoteIdent(p, `table name part of source "${source.name}"`)).join(".");
}

/** One view of a point-in-time join. */
export interface PitView {
  view: FeatureView;
  /** Requested features (feature names, after field mapping), in output order. */
  features: readonly string[];
  /** Output column names, one per feature (see `outputNames` in historical.ts). */
  names: readonly string[];
  /** Source column giving row order (larger = later row), used as the last tiebreak; see the module doc. */
  rowOrderColumn?: string;
}

/** Options of {@link pointInTimeSql}. */
export interface PointInTimeSqlOptions {
  /** Table holding the entity rows (a temp table). */
  entityTable: string;
  /** Column of `entityTable` numbering the entity rows 0..n-1; the result is ordered by it. */
  rowIdColumn: string;
  /** Entity timestamp column of `entityTable`. */
  entityTsColumn: string;
  /** Entity columns to return after the row id (all of them for SQL entities; none for uploaded tables). */
  entityColumns: readonly string[];
  views: readonly PitView[];
  /** Append `ORDER BY` the row id (default true; UNLOAD output is unordered anyway). */
  orderBy?: boolean;
}

function viewWhat(view: FeatureView, role: string): string {
  return `${role} of feature view "${view.name}"`;
}

/** Source columns of a view's join keys, event and created timestamps, quoted. */
function viewColumns(view: FeatureView) {
  const src = view.source;
  const joinKeys = view.entities.flatMap((e) => e.joinKeys);
  const map = (name: string) => {
    for (const [from, to] of Object.entries(src.fieldMapping)) if (to === name) return from;
    return name;
  };
  return {
    joinKeys,
    keyCols: joinKeys.map((k) => quoteIdent(map(k), viewWhat(view, `source column of join key "${k}"`))),
    ts: quoteIdent(src.timestampField, viewWhat(view, "timestamp column")),
    created: src.createdTimestampColumn
      ? quoteIdent(src.createdTimestampColumn, viewWhat(view, "created timestamp column"))
      : undefined,
    featureCol: (f: string) => quoteIdent(map(f), viewWhat(view, `source column of feature "${f}"`)),
  };
}

/**
 * The point-in-time join as one SELECT (CTEs per view, `ROW_NUMBER()` ranking, LEFT JOIN back to every entity
 * row); columns: the row id, `entityColumns`, then every view's features under their output names.
 *
 * @example
 * ```ts
 * const sql = pointInTimeSql({ entityTable: "e", rowIdColumn: "rid", entityTsColumn: "ts", entityColumns: [], views });
 * ```
 */
export function pointInTimeSql(opts: PointInTimeSqlOptions): string {
  const e = "e";
  const table = quoteIdent(opts.entityTable, "entity table");
  const rid = quoteIdent(opts.rowIdColumn, "entity row id column");
  const ets = quoteIdent(opts.entityTsColumn, "entity timestamp column");
  const ctes: string[] = [];
  const joins: string[] = [];
  const selected: string[] = [`${e}.${rid}`];
  for (const c of opts.entityColumns) selected.push(`${e}.${quoteIdent(c, "entity column")}`);
  opts.views.forEach((pv, v) => {
    const { view, features, names } = pv;
    if (features.length !== names.length || features.length === 0) {
      throw new RetrievalError(`Feature view "${view.name}": give one output name per requested feature`);
    }
    const cols = viewColumns(view);
    const relation = sourceRelation(view.source);
    const on = cols.joinKeys.map((k, i) => `f.${cols.keyCols[i]} = ${e}.${quoteIdent(k, viewWhat(view, "join key"))}`);
    on.push(`f.${cols.ts} <= ${e}.${ets}`);
    if (view.ttlSeconds > 0) on.push(`f.${cols.ts} >= ${e}.${ets} - ${intervalLiteral(view.ttlSeconds)}`);
    const featureAlias = features.map((_, i) => `"_f${i}"`);
    const order = [`"_event_ts" DESC`];
    const candidate = [`${e}.${rid} AS "_rid"`, `f.${cols.ts} AS "_event_ts"`];
    if (cols.created) {
      candidate.push(`f.${cols.created} AS "_created_ts"`);
      order.push(`"_created_ts" DESC NULLS LAST`);
    }
    if (pv.rowOrderColumn) {
      candidate.push(`f.${quoteIdent(pv.rowOrderColumn, viewWhat(view, "row order column"))} AS "_row_order"`);
      order.push(`"_row_order" DESC NULLS LAST`);
    } else {
      for (const a of featureAlias) order.push(`${a} DESC NULLS LAST`);
    }
    features.forEach((f, i) => candidate.push(`f.${cols.featureCol(f)} AS ${featureAlias[i]}`));
    const cand = `"_v${v}_candidates"`, ranked = `"_v${v}_ranked"`, alias = `"_v${v}"`;
    ctes.push(
      `${cand} AS (\n  SELECT ${candidate.join(", ")}\n  FROM ${table} AS ${e}\n  INNER JOIN ${relation} AS f\n` +
        `    ON ${on.join("\n    AND ")}\n)`,
      `${ranked} AS (\n  SELECT "_rid", ${featureAlias.join(", ")},\n` +
        `    ROW_NUMBER() OVER (PARTITION BY "_rid" ORDER BY ${order.join(", ")}) AS "_rank"\n  FROM ${cand}\n)`,
    );
    joins.push(`LEFT JOIN ${ranked} AS ${alias} ON ${alias}."_rid" = ${e}.${rid} AND ${alias}."_rank" = 1`);
    features.forEach((_, i) =>
      selected.push(
        `${alias}.${featureAlias[i]} AS ${quoteIdent(names[i], `output name of "${view.name}:${features[i]}"`)}`,
      )
    );
  });
  const lines = [
    `WITH ${ctes.join(",\n")}`,
    `SELECT ${selected.join(", ")}`,
    `FROM ${table} AS ${e}`,
    ...joins,
  ];
  if (opts.orderBy ?? true) lines.push(`ORDER BY ${e}.${rid}`);
  return lines.join("\n");
}

/** Options of {@link pullLatestSql}. */
export interface PullLatestSqlOptions {
  /** Source column giving row order, the last tiebreak (else all features DESC NULLS LAST). */
  rowOrderColumn?: string;
}

/**
 * The latest row per entity key of a view with `:start_ts <= event ts <= :end_ts` (ties as in the join; rows
 * with a null key never count). Columns: join keys, all features (feature names), `event_timestamp`, and
 * `created_timestamp` when the source has one; ordered by the join keys. Parameters: `start_ts`, `end_ts` as
 * timestamp text (see {@link timestampParameter}).
 *
 * @example
 * ```ts
 * const sql = pullLatestSql(view);
 * // ... WHERE f."ts" >= CAST(:start_ts AS TIMESTAMP) AND f."ts" <= CAST(:end_ts AS TIMESTAMP) ...
 * ```
 */
export function pullLatestSql(view: FeatureView, opts: PullLatestSqlOptions = {}): string {
  const cols = viewColumns(view);
  const features = view.schema.map((f) => f.name);
  const select = [
    ...cols.joinKeys.map((k, i) => `f.${cols.keyCols[i]} AS ${quoteIdent(k, viewWhat(view, "join key"))}`),
    ...features.map((f) => `f.${cols.featureCol(f)} AS ${quoteIdent(f, viewWhat(view, "feature"))}`),
    `f.${cols.ts} AS "event_timestamp"`,
  ];
  if (cols.created) select.push(`f.${cols.created} AS "created_timestamp"`);
  const order = [`f.${cols.ts} DESC`];
  if (cols.created) order.push(`f.${cols.created} DESC NULLS LAST`);
  if (opts.rowOrderColumn) {
    order.push(`f.${quoteIdent(opts.rowOrderColumn, viewWhat(view, "row order column"))} DESC NULLS LAST`);
  } else for (const f of features) order.push(`f.${cols.featureCol(f)} DESC NULLS LAST`);
  const where = [
    ...cols.keyCols.map((k) => `f.${k} IS NOT NULL`),
    `f.${cols.ts} >= CAST(:start_ts AS TIMESTAMP)`,
    `f.${cols.ts} <= CAST(:end_ts AS TIMESTAMP)`,
  ];
  const keys = cols.joinKeys.map((k) => quoteIdent(k, viewWhat(view, "join key")));
  const outer = [...keys, ...features.map((f) => `"${f}"`), `"event_timestamp"`];
  if (cols.created) outer.push(`"created_timestamp"`);
  return [
    `SELECT ${outer.join(", ")}`,
    `FROM (`,
    `  SELECT ${select.join(", ")},`,
    `    ROW_NUMBER() OVER (PARTITION BY ${cols.keyCols.map((k) => `f.${k}`).join(", ")} ORDER BY ${
      order.join(", ")
    }) AS "_rank"`,
    `  FROM ${sourceRelation(view.source)} AS f`,
    `  WHERE ${where.join(" AND ")}`,
    `) AS latest`,
    `WHERE "_rank" = 1`,
    `ORDER BY ${keys.join(", ")}`,
  ].join("\n");
}

/**
 * Exact timestamp text (`YYYY-MM-DD HH:MM:SS.ffffff`, UTC, no offset) for a `TIMESTAMP` parameter.
 *
 * @example
 * ```ts
 * timestampParameter(1_600_000_000_000_001n); // "2020-09-13 12:26:40.000001"
 * ```
 */
export function timestampParameter(micros: bigint): string {
  const ms = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
  const us = Number(micros - ms * 1000n);
  const iso = new Date(Number(ms)).toISOString();
  if (!/^\d{4}-/.test(iso)) throw new RetrievalError(`Timestamp ${micros} µs is outside years 0000-9999`);
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${String(us).padStart(3, "0")}`;
}

/** A column of a staged entity table. */
export interface StagedColumn {
  name: string;
  /** SQL type: `BIGINT`, `VARCHAR(65535)`, `TIMESTAMP`, `DOUBLE PRECISION` or `BOOLEAN`. */
  sqlType: "BIGINT" | "VARCHAR(65535)" | "TIMESTAMP" | "DOUBLE PRECISION" | "BOOLEAN";
}

/**
 * `CREATE TEMP TABLE` for staged entity rows (temp tables live in the Data API session).
 *
 * @example
 * ```ts
 * createTempTableSql("e1", [{ name: "rid", sqlType: "BIGINT" }]); // CREATE TEMP TABLE "e1" ("rid" BIGINT)
 * ```
 */
export function createTempTableSql(table: string, columns: readonly StagedColumn[]): string {
  const cols = columns.map((c) => `${quoteIdent(c.name, "entity column")} ${c.sqlType}`);
  return `CREATE TEMP TABLE ${quoteIdent(table, "temp table")} (${cols.join(", ")})`;
}

/** Options of {@link insertStatements}. */
export interface InsertOptions {
  /** Most rows per statement (default 200). */
  maxRows?: number;
  /** Most characters of SQL text per statement (default 60,000; the Data API takes up to 100 KB). */
  maxChars?: number;
}

/**
 * Parameterized multi-row INSERTs of `rows` (values as text; `null` becomes `NULL`, the empty string `''`, as
 * the Data API rejects empty parameter values), split to stay under the Data API's limits.
 *
 * @example
 * ```ts
 * insertStatements("e1", ["rid", "k"], [["0", "a"], ["1", null]]);
 * // [{ sql: 'INSERT INTO "e1" ("rid", "k") VALUES (:p0, :p1), (:p2, NULL)', parameters: [...] }]
 * ```
 */
export function insertStatements(
  table: string,
  columns: readonly string[],
  rows: readonly (readonly (string | null)[])[],
  opts: InsertOptions = {},
): { sql: string; parameters: SqlParameter[] }[] {
  const maxRows = opts.maxRows ?? 200, maxChars = opts.maxChars ?? 60_000;
  const head = `INSERT INTO ${quoteIdent(table, "temp table")} (${
    columns.map((c) => quoteIdent(c, "entity column")).join(", ")
  }) VALUES `;
  const out: { sql: string; parameters: SqlParameter[] }[] = [];
  let tuples: string[] = [], params: SqlParameter[] = [], chars = head.length;
  const flush = () => {
    if (tuples.length > 0) out.push({ sql: head + tuples.join(", "), parameters: params });
    tuples = [];
    params = [];
    chars = head.length;
  };
  const render = (row: readonly (string | null)[], first: number) => {
    const values: SqlParameter[] = [];
    const cells = row.map((v) => {
      if (v === null) return "NULL";
      if (v === "") return "''";
      const name = `p${first + values.length}`;
      values.push({ name, value: v });
      return `:${name}`;
    });
    return { text: `(${cells.join(", ")})`, values };
  };
  for (const row of rows) {
    if (row.length !== columns.length) {
      throw new RetrievalError(`An entity row has ${row.length} values, expected ${columns.length}`);
    }
    let tuple = render(row, params.length);
    if (tuples.length > 0 && (tuples.length >= maxRows || chars + tuple.text.length + 2 > maxChars)) {
      flush();
      tuple = render(row, 0);
    }
    tuples.push(tuple.text);
    params.push(...tuple.values);
    chars += tuple.text.length + 2;
  }
  flush();
  return out;
}

const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[A-Za-z0-9!_.*()\/=+-]*)?$/;
const IAM_ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_\/-]+$/;

/**
 * Checks an S3 URI used in COPY/UNLOAD (a setting, but still validated: bucket rules, a safe key alphabet).
 *
 * @example
 * ```ts
 * checkS3Uri("s3://staging-bucket/feast/", "offline_store.s3_staging_location"); // ok
 * ```
 */
export function checkS3Uri(uri: string, setting: string): string {
  if (typeof uri !== "string" || !S3_URI.test(uri)) {
    throw new RetrievalError(
      `Setting "${setting}" must be an s3://bucket/prefix URI with letters, digits and !_.*()/=+- in the key; ` +
        `got "${String(uri).replace(/[^\x20-\x7e]/g, "?").slice(0, 200)}"`,
    );
  }
  return uri;
}

/**
 * The `IAM_ROLE` clause of COPY/UNLOAD: the validated role ARN, or `default` when none is configured.
 *
 * @example
 * ```ts
 * iamRoleClause("arn:aws:iam::123456789012:role/redshift-s3"); // "IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-s3'"
 * iamRoleClause(undefined); // "IAM_ROLE default"
 * ```
 */
export function iamRoleClause(role: string | undefined): string {
  if (role === undefined || role === "") return "IAM_ROLE default";
  if (!IAM_ROLE.test(role)) {
    throw new RetrievalError(
      `Setting "offline_store.iam_role" must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
    );
  }
  return `IAM_ROLE ${sqlString(role)}`;
}

/**
 * `COPY <table> FROM '<s3 prefix>' IAM_ROLE ... FORMAT AS PARQUET` (columns match by position).
 *
 * @example
 * ```ts
 * copyParquetSql("e1", "s3://b/stage/e1/", undefined);
 * ```
 */
export function copyParquetSql(table: string, s3Uri: string, role: string | undefined): string {
  return `COPY ${quoteIdent(table, "temp table")} FROM ${
    sqlString(checkS3Uri(s3Uri, "offline_store.s3_staging_location"))
  } ` +
    `${iamRoleClause(role)} FORMAT AS PARQUET`;
}

/**
 * `UNLOAD ('<query>') TO '<s3 prefix>' IAM_ROLE ... FORMAT AS PARQUET`. The query must have no parameters
 * (Data API parameters are not substituted inside the UNLOAD string); materialize into a temp table first.
 *
 * @example
 * ```ts
 * unloadParquetSql('SELECT * FROM "r1"', "s3://b/stage/r1/", undefined);
 * ```
 */
export function unloadParquetSql(query: string, s3Uri: string, role: string | undefined): string {
  if (/(^|[^:]):[A-Za-z_]/.test(query.replace(/'(?:[^']|'')*'/g, "''"))) {
    throw new RetrievalError("The query inside UNLOAD must not use Data API parameters");
  }
  return `UNLOAD (${sqlString(query)}) TO ${sqlString(checkS3Uri(s3Uri, "offline_store.s3_staging_location"))} ` +
    `${iamRoleClause(role)} FORMAT AS PARQUET`;
}

/**
 * A Redshift Data API test server (test code, not product): a small HTTP server on 127.0.0.1 speaking the Data
 * API's JSON protocol (AWS JSON 1.1, `X-Amz-Target: RedshiftData.<Operation>`) backed by the machine's PostgreSQL
 * through `pg`, so the real `@aws-sdk/client-redshift-data` client runs against it with `endpoint` and dummy
 * credentials.
 *
 * Operations: ExecuteStatement (with sessions: `SessionKeepAliveSeconds` / `SessionId`), BatchExecuteStatement
 * (one transaction, sub-statement ids `<id>:<n>`), DescribeStatement (SUBMITTED, STARTED, then FINISHED /
 * FAILED / ABORTED; at least `minPolls` describes before the end so polling really runs), GetStatementResult
 * (pages of `pageSize` rows with NextToken), CancelStatement. `:name` parameters become `$n`. PostgreSQL types
 * map to Data API fields (`longValue`, `doubleValue`, `stringValue`, `booleanValue`, `isNull`) and column
 * metadata type names as Redshift reports them (`int8`, `float8`, `varchar`, `timestamp`, ...); timestamps
 * travel as exact text.
 *
 * Redshift-only statements are emulated against an S3 server (s3rver): `COPY <table> FROM 's3://prefix'
 * IAM_ROLE ... FORMAT AS PARQUET` loads every object under the prefix by column position, and
 * `UNLOAD ('<query>') TO 's3://prefix' IAM_ROLE ... FORMAT AS PARQUET` writes the result as shuffled Parquet
 * parts `<prefix>0000_part_00.parquet`, ... (like PARALLEL ON: no order). Every server works in a fresh
 * PostgreSQL schema, dropped on close.
 *
 * @example
 * ```ts
 * import { startRedshiftDataServer } from "./redshift_data_server.ts";
 * import { startS3 } from "./s3rver.ts";
 * const s3 = await startS3();
 * const server = await startRedshiftDataServer({ s3: s3.options });
 * // new RedshiftDataClient({ endpoint: server.endpoint, region: "us-east-1", credentials: server.credentials })
 * await server.close();
 * await s3.close();
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import pg from "pg";
import {
  list,
  microsToIso,
  parseTimestamp,
  readTable,
  type S3Options,
  timestampMicros,
  timestampVector,
  writeTable,
} from "../io/mod.ts";

/** The slice of `pg`'s API used here. */
interface PgField {
  name: string;
  dataTypeID: number;
}
interface PgResult {
  rows: (string | null)[][];
  fields: PgField[];
  rowCount: number | null;
  command: string;
}
interface PgClient {
  connect(): Promise<void>;
  query(config: { text: string; values?: unknown[]; rowMode?: "array"; types?: unknown }): Promise<PgResult>;
  end(): Promise<void>;
  on(event: "error", listener: (err: Error) => void): void;
}
const PgClientCtor = (pg as unknown as { Client: new (config: Record<string, unknown>) => PgClient }).Client;

/** Options of {@link startRedshiftDataServer}. */
export interface RedshiftDataServerOptions {
  /** PostgreSQL connection (default 127.0.0.1:5432, user `postgres`, database `test`). */
  pg?: { host?: string; port?: number; user?: string; database?: string };
  /** S3 settings of the server COPY and UNLOAD use (e.g. `startS3().options`). */
  s3?: S3Options;
  /** Rows per GetStatementResult page (default 5, so pagination runs). */
  pageSize?: number;
  /** DescribeStatement calls that report SUBMITTED/STARTED before a statement can end (default 2). */
  minPolls?: number;
  /** Rows per UNLOAD Parquet part (default 7). */
  unloadPartRows?: number;
}

/** A statement the server ran, as the tests may inspect it. */
export interface LoggedStatement {
  id: string;
  sql: string;
  parameters: { name: string; value: string }[];
  sessionId?: string;
  status: string;
}

/** A running test server. */
export interface RedshiftDataServer {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Dummy credentials for the SDK client. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The PostgreSQL schema this server works in. */
  schema: string;
  /** Every statement received, in order. */
  statements: LoggedStatement[];
  /** Number of DescribeStatement and GetStatementResult calls (to check polling and pagination). */
  calls: { describe: number; getResult: number };
  /** Creates table `name` in the schema from an Arrow table (Int*, Float*, Utf8, Bool, Timestamp columns). */
  loadTable(name: string, table: arrow.Table): Promise<void>;
  /** Runs SQL directly in the schema (setup and checks). */
  sql(text: string, values?: unknown[]): Promise<PgResult>;
  /** Stops the server, ends every connection and drops the schema. */
  close(): Promise<void>;
}

interface Session {
  id: string;
  client: PgClient;
  queue: Promise<unknown>;
}

interface SubResult {
  status: "SUBMITTED" | "STARTED" | "FINISHED" | "FAILED" | "ABORTED";
  error?: string;
  fields?: PgField[];
  rows?: (string | null)[][];
  resultRows: number;
  sql: string;
}

interface Statement extends LoggedStatement {
  describes: number;
  createdAt: number;
  subs: SubResult[];
  batch: boolean;
  done: boolean;
  /** PostgreSQL backend running the statement (for CancelStatement). */
  pid?: string;
}

const RAW_TYPES = { getTypeParser: () => (v: string) => v };

/** PostgreSQL type OIDs → Redshift type names and the Data API field each one travels in. */
const PG_TYPES: Record<number, { name: string; field: "longValue" | "doubleValue" | "stringValue" | "booleanValue" }> =
  {
    16: { name: "bool", field: "booleanValue" },
    20: { name: "int8", field: "longValue" },
    21: { name: "int2", field: "longValue" },
    23: { name: "int4", field: "longValue" },
    700: { name: "float4", field: "doubleValue" },
    701: { name: "float8", field: "doubleValue" },
    1700: { name: "numeric", field: "stringValue" },
    25: { name: "text", field: "stringValue" },
    1043: { name: "varchar", field: "stringValue" },
    1042: { name: "bpchar", field: "stringValue" },
    19: { name: "name", field: "stringValue" },
    1114: { name: "timestamp", field: "stringValue" },
    1184: { name: "timestamptz", field: "stringValue" },
    1082: { name: "date", field: "stringValue" },
  };

/**
 * Translates `:name` parameters to `$n` (skipping string literals, quoted identifiers, comments and `::` casts);
 * returns the SQL and the values in `$n` order. Unknown names and unused parameters are errors, as in Redshift.
 *
 * @example
 * ```ts
 * translateParameters("SELECT :a, ':b', x::int, :a", [{ name: "a", value: "1" }]);
 * // { text: "SELECT $1, ':b', x::int, $1", values: ["1"] }
 * ```
 */
export function translateParameters(
  sql: string,
  parameters: { name: string; value: string }[],
): { text: string; values: string[] } {
  const byName = new Map(parameters.map((p) => [p.name, p.value]));
  const index = new Map<string, number>();
  const values: string[] = [];
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === ch) {
          if (sql[j + 1] === ch) j += 2;
          else break;
        } else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (ch === "-" && sql[i + 1] === "-") {
      const j = sql.indexOf("\n", i);
      const end = j < 0 ? sql.length : j;
      out += sql.slice(i, end);
      i = end;
    } else if (ch === ":" && sql[i + 1] === ":") {
      out += "::";
      i += 2;
    } else if (ch === ":" && /[A-Za-z0-9_]/.test(sql[i + 1] ?? "")) {
      const m = /^[A-Za-z0-9_]+/.exec(sql.slice(i + 1))!;
      const name = m[0];
      if (!byName.has(name)) throw new Error(`Parameter "${name}" is used in the SQL but was not given`);
      if (!index.has(name)) {
        values.push(byName.get(name)!);
        index.set(name, values.length);
      }
      out += `$${index.get(name)}`;
      i += 1 + name.length;
    } else {
      out += ch;
      i++;
    }
  }
  for (const p of parameters) {
    if (!index.has(p.name)) throw new Error(`Parameter "${p.name}" was given but the SQL does not use it`);
  }
  return { text: out, values };
}

function pgTypeFor(type: arrow.DataType, column: string): string {
  if (arrow.DataType.isInt(type)) return type.bitWidth === 64 ? "BIGINT" : "INTEGER";
  if (arrow.DataType.isFloat(type)) return type.precision === arrow.Precision.SINGLE ? "REAL" : "DOUBLE PRECISION";
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) return "VARCHAR(65535)";
  if (arrow.DataType.isDictionary(type)) return "VARCHAR(65535)";
  if (arrow.DataType.isBool(type)) return "BOOLEAN";
  if (arrow.DataType.isTimestamp(type)) return "TIMESTAMP";
  if (arrow.DataType.isDate(type)) return "DATE";
  throw new Error(`Column "${column}" has type ${type}, which the test server cannot store`);
}

/** Text values of a column for PostgreSQL (null stays null; timestamps exact to the µs, without offset). */
function textValues(vector: arrow.Vector): (string | null)[] {
  const n = vector.length;
  const out: (string | null)[] = new Array(n).fill(null);
  if (arrow.DataType.isTimestamp(vector.type) || arrow.DataType.isDate(vector.type)) {
    const micros = timestampMicros(vector);
    for (let i = 0; i < n; i++) if (vector.isValid(i)) out[i] = microsToIso(micros[i]).replace("T", " ").slice(0, -1);
    return out;
  }
  for (let i = 0; i < n; i++) {
    const v = vector.get(i);
    if (v === null || v === undefined) continue;
    out[i] = typeof v === "number" ? (Object.is(v, -0) ? "0" : String(v)) : String(v);
  }
  return out;
}

async function insertRows(client: PgClient, table: string, columns: string[], rows: (string | null)[][]) {
  const chunk = Math.max(1, Math.floor(30000 / Math.max(1, columns.length)));
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const values: unknown[] = [];
    const tuples = part.map((row) => `(${row.map((v) => (values.push(v), `$${values.length}`)).join(", ")})`);
    await client.query({
      text: `INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${tuples.join(", ")}`,
      values,
    });
  }
}

function rowsOfTable(table: arrow.Table): (string | null)[][] {
  const cols = table.schema.fields.map((f) => textValues(table.getChild(f.name)!));
  return Array.from({ length: table.numRows }, (_, i) => cols.map((c) => c[i]));
}

/** Arrow table from PostgreSQL raw text rows (the types the Data API client would decode). */
function tableFromPg(fields: PgField[], rows: (string | null)[][]): arrow.Table {
  const columns: Record<string, arrow.Vector> = {};
  fields.forEach((f, c) => {
    const kind = PG_TYPES[f.dataTypeID]?.name ?? "text";
    const values = rows.map((r) => r[c]);
    let vector: arrow.Vector;
    if (kind === "timestamp" || kind === "timestamptz") {
      const micros = new BigInt64Array(values.length);
      const validity = new Uint8Array(values.length);
      values.forEach((v, i) => {
        if (v === null) return;
        micros[i] = parseTimestamp(v)!.micros;
        validity[i] = 1;
      });
      vector = timestampVector(micros, { validity });
    } else if (kind === "int8") {
      vector = arrow.vectorFromArray(values.map((v) => (v === null ? null : BigInt(v))), new arrow.Int64());
    } else if (kind === "int4" || kind === "int2") {
      vector = arrow.vectorFromArray(values.map((v) => (v === null ? null : Number(v))), new arrow.Int32());
    } else if (kind === "float8" || kind === "numeric" || kind === "float4") {
      vector = arrow.vectorFromArray(values.map((v) => (v === null ? null : Number(v))), new arrow.Float64());
    } else if (kind === "bool") {
      vector = arrow.vectorFromArray(values.map((v) => (v === null ? null : v === "t")), new arrow.Bool());
    } else vector = arrow.vectorFromArray(values, new arrow.Utf8());
    columns[f.name] = vector;
  });
  return new arrow.Table(columns);
}

function fieldOf(value: string | null, oid: number): Record<string, unknown> {
  if (value === null) return { isNull: true };
  const t = PG_TYPES[oid];
  switch (t?.field) {
    case "longValue":
      return { longValue: Number(value) };
    case "doubleValue":
      return { doubleValue: Number(value) };
    case "booleanValue":
      return { booleanValue: value === "t" };
    default:
      return { stringValue: value };
  }
}

const COPY_RE =
  /^\s*COPY\s+("?[A-Za-z_][A-Za-z0-9_]*"?(?:\s*\.\s*"?[A-Za-z_][A-Za-z0-9_]*"?)*)\s+FROM\s+'(s3:\/\/[^']*)'\s+IAM_ROLE\s+(?:'[^']*'|default)\s+FORMAT\s+AS\s+PARQUET\s*;?\s*$/is;
const UNLOAD_RE =
  /^\s*UNLOAD\s*\(\s*'((?:[^']|'')*)'\s*\)\s+TO\s+'(s3:\/\/[^']*)'\s+IAM_ROLE\s+(?:'[^']*'|default)\s+FORMAT\s+AS\s+PARQUET\b(.*)$/is;

function seededShuffle<T>(items: T[], seed: number): T[] {
  let s = seed >>> 0;
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Starts the server (random port) in a fresh PostgreSQL schema.
 *
 * @example
 * ```ts
 * const server = await startRedshiftDataServer({ pageSize: 3 });
 * await server.loadTable("t", arrow.tableFromArrays({ a: Float64Array.from([1, 2]) }));
 * await server.close();
 * ```
 */
export async function startRedshiftDataServer(opts: RedshiftDataServerOptions = {}): Promise<RedshiftDataServer> {
  const pgConfig = {
    host: opts.pg?.host ?? "127.0.0.1",
    port: opts.pg?.port ?? Number(Deno.env.get("PGPORT") ?? 5432),
    user: opts.pg?.user ?? "postgres",
    database: opts.pg?.database ?? "test",
  };
  const pageSize = opts.pageSize ?? 5;
  const minPolls = opts.minPolls ?? 2;
  const partRows = opts.unloadPartRows ?? 7;
  const schema = `rsdata_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const clients = new Set<PgClient>();

  const connect = async (): Promise<PgClient> => {
    const client = new PgClientCtor(pgConfig);
    client.on("error", () => {});
    await client.connect();
    clients.add(client);
    await client.query({ text: `SET search_path TO "${schema}"` });
    await client.query({ text: `SET TIME ZONE 'UTC'` });
    return client;
  };
  const admin = await connect();
  await admin.query({ text: `CREATE SCHEMA "${schema}"` });

  const statements = new Map<string, Statement>();
  const log: LoggedStatement[] = [];
  const sessions = new Map<string, Session>();
  const calls = { describe: 0, getResult: 0 };
  const pending = new Set<Promise<unknown>>();
  let closed = false;

  async function copy(client: PgClient, table: string, uri: string): Promise<number> {
    // Like Redshift, the FROM URI is a key prefix: every object under it is loaded.
    const objects = (await list(uri, { s3: opts.s3 })).filter((o) => !o.uri.endsWith("/"));
    if (objects.length === 0) throw new Error(`S3ServiceException: the specified S3 prefix '${uri}' does not exist`);
    const target = await client.query({ text: `SELECT * FROM ${table} LIMIT 0`, rowMode: "array", types: RAW_TYPES });
    const names = target.fields.map((f) => f.name);
    let total = 0;
    for (const o of objects) {
      const t = await readTable(o.uri, { format: "parquet", s3: opts.s3 });
      if (t.numCols !== names.length) {
        throw new Error(`Spectrum Scan Error: file has ${t.numCols} columns, table ${table} has ${names.length}`);
      }
      const rows = rowsOfTable(t);
      await insertRows(client, table, names, rows);
      total += rows.length;
    }
    return total;
  }

  async function unload(client: PgClient, query: string, uri: string): Promise<number> {
    const result = await client.query({ text: query, rowMode: "array", types: RAW_TYPES });
    const rows = seededShuffle(result.rows, result.rows.length + 17);
    const parts = Math.max(1, Math.ceil(rows.length / partRows));
    for (let p = 0; p < parts; p++) {
      const table = tableFromPg(result.fields, rows.slice(p * partRows, (p + 1) * partRows));
      const name = `${uri}${String(p).padStart(4, "0")}_part_00.parquet`;
      await writeTable(name, table, { format: "parquet", s3: opts.s3 });
    }
    return rows.length;
  }

  async function runOne(client: PgClient, sql: string, parameters: { name: string; value: string }[], sub: SubResult) {
    sub.status = "STARTED";
    const copyMatch = COPY_RE.exec(sql);
    const unloadMatch = UNLOAD_RE.exec(sql);
    if (copyMatch) {
      sub.resultRows = await copy(client, copyMatch[1], copyMatch[2]);
    } else if (unloadMatch) {
      sub.resultRows = await unload(client, unloadMatch[1].replaceAll("''", "'"), unloadMatch[2]);
    } else {
      const { text, values } = translateParameters(sql, parameters);
      const r = await client.query({ text, values, rowMode: "array", types: RAW_TYPES });
      if (r.fields && r.fields.length > 0 && r.command === "SELECT") {
        sub.fields = r.fields;
        sub.rows = r.rows;
        sub.resultRows = r.rows.length;
      } else sub.resultRows = r.rowCount ?? -1;
    }
  }

  function submit(st: Statement, sqls: string[], parameters: { name: string; value: string }[], session?: Session) {
    st.subs = sqls.map((sql) => ({ status: "SUBMITTED", resultRows: -1, sql }));
    const work = async () => {
      // yield so that the first DescribeStatement sees SUBMITTED
      await new Promise((r) => setTimeout(r, 1));
      if (st.status === "ABORTED") return;
      st.status = "STARTED";
      const client = session ? session.client : await connect();
      let failed: SubResult | undefined;
      try {
        st.pid = (await client.query({ text: "SELECT pg_backend_pid()", rowMode: "array", types: RAW_TYPES }))
          .rows[0][0]!;
        if (st.batch) await client.query({ text: "BEGIN" });
        for (const sub of st.subs) {
          if (st.status === "ABORTED") break;
          try {
            const used = st.batch
              ? parameters.filter((p) => new RegExp(`(^|[^:]):${p.name}\\b`).test(sub.sql))
              : parameters;
            await runOne(client, sub.sql, used, sub);
            sub.status = "FINISHED";
          } catch (err) {
            sub.status = "FAILED";
            sub.error = err instanceof Error ? err.message : String(err);
            failed = sub;
            break;
          }
        }
        if (st.batch) await client.query({ text: failed ? "ROLLBACK" : "COMMIT" });
      } finally {
        if (!session) {
          clients.delete(client);
          await client.end().catch(() => {});
        }
      }
      st.done = true;
      if (st.status !== "ABORTED") st.status = failed ? "FAILED" : "FINISHED";
    };
    const run = session ? (session.queue = session.queue.then(work, work)) : work();
    const tracked = run.catch((err) => {
      st.done = true;
      st.status = "FAILED";
      st.subs[0].error = err instanceof Error ? err.message : String(err);
    }).finally(() => pending.delete(tracked));
    pending.add(tracked);
  }

  function reportedStatus(st: Statement): string {
    st.describes++;
    if (st.describes === 1 && minPolls > 0) return "SUBMITTED";
    if (!st.done || st.describes <= minPolls) return st.status === "ABORTED" ? "ABORTED" : "STARTED";
    return st.status;
  }

  class ApiError extends Error {
    constructor(readonly type: string, message: string, readonly status = 400) {
      super(message);
    }
  }

  async function start(body: Record<string, unknown>, batch: boolean) {
    const sqls = batch ? body.Sqls as string[] : [body.Sql as string];
    if (!Array.isArray(sqls) || sqls.length === 0 || sqls.some((s) => typeof s !== "string" || s === "")) {
      throw new ApiError("ValidationException", "Sql is required");
    }
    const parameters = (body.Parameters as { name: string; value: string }[] | undefined) ?? [];
    for (const p of parameters) {
      if (!/^[0-9a-zA-Z_]+$/.test(p.name ?? "") || typeof p.value !== "string" || p.value.length < 1) {
        throw new ApiError(
          "ValidationException",
          "Parameters must have a name matching [0-9a-zA-Z_]+ and a non-empty value",
        );
      }
    }
    let session: Session | undefined;
    const sessionId = body.SessionId as string | undefined;
    const connection = ["ClusterIdentifier", "WorkgroupName", "Database", "DbUser", "SecretArn"].filter((k) => body[k]);
    if (sessionId) {
      if (connection.length > 0) {
        throw new ApiError("ValidationException", `SessionId cannot be combined with ${connection.join(", ")}`);
      }
      session = sessions.get(sessionId);
      if (!session) throw new ApiError("ValidationException", `Session ${sessionId} is not available`);
    } else {
      if (!body.ClusterIdentifier === !body.WorkgroupName) {
        throw new ApiError("ValidationException", "Exactly one of ClusterIdentifier and WorkgroupName is required");
      }
      if (!body.Database) throw new ApiError("ValidationException", "Database is required");
      if (body.SessionKeepAliveSeconds) {
        const id = crypto.randomUUID();
        session = { id, client: await connect(), queue: Promise.resolve() };
        sessions.set(id, session);
      }
    }
    const id = crypto.randomUUID();
    const st: Statement = {
      id,
      sql: sqls.join(";\n"),
      parameters,
      sessionId: session?.id,
      status: "SUBMITTED",
      describes: 0,
      createdAt: Date.now() / 1000,
      subs: [],
      batch,
      done: false,
    };
    statements.set(id, st);
    log.push(st);
    submit(st, sqls, parameters, session);
    return {
      Id: id,
      CreatedAt: st.createdAt,
      ...(session ? { SessionId: session.id } : {}),
      ...(body.ClusterIdentifier ? { ClusterIdentifier: body.ClusterIdentifier } : {}),
      ...(body.WorkgroupName ? { WorkgroupName: body.WorkgroupName } : {}),
      ...(body.Database ? { Database: body.Database } : {}),
      ...(body.DbUser ? { DbUser: body.DbUser } : {}),
    };
  }

  function lookup(rawId: unknown): { st: Statement; sub: SubResult } {
    const [id, n] = String(rawId ?? "").split(":");
    const st = statements.get(id);
    if (!st) throw new ApiError("ResourceNotFoundException", `Query does not exist.`);
    const sub = st.subs[n === undefined ? st.subs.length - 1 : Number(n) - 1];
    if (!sub) throw new ApiError("ResourceNotFoundException", `Query does not exist.`);
    return { st, sub };
  }

  function describe(body: Record<string, unknown>) {
    calls.describe++;
    const { st, sub } = lookup(body.Id);
    const status = reportedStatus(st);
    const ended = status === "FINISHED" || status === "FAILED" || status === "ABORTED";
    const failed = st.subs.find((s) => s.status === "FAILED");
    return {
      Id: st.id,
      Status: status,
      ...(status === "FAILED" ? { Error: `ERROR: ${failed?.error ?? "unknown error"}` } : {}),
      HasResultSet: ended && st.subs.some((s) => s.fields !== undefined),
      ResultRows: ended ? sub.resultRows : -1,
      ResultSize: -1,
      QueryString: st.sql,
      CreatedAt: st.createdAt,
      UpdatedAt: Date.now() / 1000,
      ...(st.sessionId ? { SessionId: st.sessionId } : {}),
      ...(st.batch
        ? {
          SubStatements: st.subs.map((s, i) => ({
            Id: `${st.id}:${i + 1}`,
            Status: ended ? s.status : "STARTED",
            QueryString: s.sql,
            HasResultSet: s.fields !== undefined,
            ResultRows: s.resultRows,
            ...(s.error ? { Error: s.error } : {}),
          })),
        }
        : {}),
      ...(st.parameters.length > 0 ? { QueryParameters: st.parameters } : {}),
    };
  }

  function getResult(body: Record<string, unknown>) {
    calls.getResult++;
    const { st, sub } = lookup(body.Id);
    if (!st.done || st.status !== "FINISHED") {
      throw new ApiError("ValidationException", `Query ${st.id} has not finished (status ${st.status})`);
    }
    if (!sub.fields) throw new ApiError("ValidationException", `Query ${st.id} does not have result`);
    const offset = body.NextToken ? Number(body.NextToken) : 0;
    if (!Number.isInteger(offset) || offset < 0 || offset > sub.rows!.length) {
      throw new ApiError("ValidationException", "Invalid NextToken");
    }
    const page = sub.rows!.slice(offset, offset + pageSize);
    const next = offset + pageSize < sub.rows!.length ? String(offset + pageSize) : undefined;
    return {
      ColumnMetadata: sub.fields.map((f) => ({
        name: f.name,
        label: f.name,
        typeName: PG_TYPES[f.dataTypeID]?.name ?? "varchar",
        nullable: 1,
        isCaseSensitive: true,
        isSigned: true,
        schemaName: "",
        tableName: "",
      })),
      Records: page.map((row) => row.map((v, c) => fieldOf(v, sub.fields![c].dataTypeID))),
      TotalNumRows: sub.rows!.length,
      ...(next ? { NextToken: next } : {}),
    };
  }

  function cancel(body: Record<string, unknown>) {
    const { st } = lookup(body.Id);
    if (st.done) return { Status: false };
    st.status = "ABORTED";
    // cancel the running query; retry until it ends (it may not have reached PostgreSQL yet)
    const stop = async () => {
      while (!st.done && !closed) {
        if (st.pid) await admin.query({ text: "SELECT pg_cancel_backend($1)", values: [st.pid] }).catch(() => {});
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const stopping = stop().finally(() => pending.delete(stopping));
    pending.add(stopping);
    return { Status: true };
  }

  const handlers: Record<string, (body: Record<string, unknown>) => unknown> = {
    ExecuteStatement: (b) => start(b, false),
    BatchExecuteStatement: (b) => start(b, true),
    DescribeStatement: describe,
    GetStatementResult: getResult,
    CancelStatement: cancel,
  };

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const target = req.headers.get("x-amz-target") ?? "";
    const op = target.startsWith("RedshiftData.") ? target.slice("RedshiftData.".length) : "";
    const reply = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { "content-type": "application/x-amz-json-1.1" } });
    try {
      const handler = handlers[op];
      if (!handler) throw new ApiError("UnknownOperationException", `Operation "${op}" is not supported`);
      const body = JSON.parse((await req.text()) || "{}");
      return reply(200, await handler(body));
    } catch (err) {
      if (err instanceof ApiError) return reply(err.status, { __type: err.type, message: err.message });
      return reply(500, {
        __type: "InternalServerException",
        message: err instanceof Error ? err.message : String(err),
      });
    }
  });
  const port = (server.addr as Deno.NetAddr).port;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: "TEST", secretAccessKey: "TEST" },
    schema,
    statements: log,
    calls,
    async loadTable(name, table) {
      const cols = table.schema.fields.map((f) => `"${f.name}" ${pgTypeFor(f.type, f.name)}`);
      await admin.query({ text: `CREATE TABLE "${name}" (${cols.join(", ")})` });
      await insertRows(admin, `"${name}"`, table.schema.fields.map((f) => f.name), rowsOfTable(table));
    },
    sql: (text, values) => admin.query({ text, values, rowMode: "array", types: RAW_TYPES }),
    async close() {
      if (closed) return;
      closed = true;
      await server.shutdown();
      await Promise.allSettled([...pending]);
      for (const c of [...clients]) if (c !== admin) await c.end().catch(() => {});
      await admin.query({ text: `DROP SCHEMA "${schema}" CASCADE` }).catch(() => {});
      await admin.end().catch(() => {});
      clients.clear();
    },
  };
}

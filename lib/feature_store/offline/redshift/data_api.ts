/**
 * A thin client over the Redshift Data API (`@aws-sdk/client-redshift-data`): run a statement, poll
 * DescribeStatement with backoff until it ends, page through GetStatementResult, and decode the typed fields into
 * an Arrow table (Int64/Int32, Float64/Float32, Utf8, Bool, Timestamp µs UTC, Date).
 *
 * Multi-statement work (temp table + INSERT/COPY + query + UNLOAD) runs in a Data API session
 * ({@link DataApiSession}): the first statement passes the connection settings and `SessionKeepAliveSeconds`,
 * the answer carries a `SessionId`, and later statements pass only that id, so they share one connection, its
 * temp tables and its settings, and each may have its own parameters. (The alternative, BatchExecuteStatement,
 * runs one transaction but returns only per-sub-statement results and needs every parameter used by some
 * statement; sessions are simpler for staged work and UNLOAD.) A session cannot run two statements at once: the
 * session runs them one after another.
 *
 * Connection settings come from the offline store config (`cluster_id` or `workgroup_name`, `database`, `user`
 * or `secret_arn`, `region`, `endpoint`); credentials from the AWS default chain unless given.
 *
 * Limits of the JSON result format: `longValue` travels as a JSON number, so BIGINT values beyond ±2^53 lose
 * precision (use UNLOAD for such data); a result is at most 100 MB (use UNLOAD for large results).
 *
 * @example
 * ```ts
 * import { RedshiftDataApi } from "./data_api.ts";
 * const api = new RedshiftDataApi({ clusterId: "analytics", database: "dev", dbUser: "feast", region: "eu-west-1" });
 * const table = await api.query("SELECT 1 AS one");
 * await api.close();
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import {
  CancelStatementCommand,
  type ColumnMetadata,
  DescribeStatementCommand,
  type DescribeStatementResponse,
  ExecuteStatementCommand,
  type ExecuteStatementInput,
  type Field,
  GetStatementResultCommand,
  RedshiftDataClient,
  type RedshiftDataClientConfig,
} from "@aws-sdk/client-redshift-data";
import { parseTimestamp, timestampVector } from "../../../io/mod.ts";
import type { SqlParameter } from "./sql.ts";

/** A statement that failed, was aborted or timed out; names the statement id and quotes Redshift's message. */
export class DataApiError extends Error {
  /** @param message What happened. @param statementId The Data API statement id. */
  constructor(message: string, readonly statementId?: string) {
    super(message);
    this.name = "DataApiError";
  }
}

/** Options of {@link RedshiftDataApi}. */
export interface DataApiOptions {
  /** Provisioned cluster (or `workgroupName`). */
  clusterId?: string;
  /** Serverless workgroup (or `clusterId`). */
  workgroupName?: string;
  database: string;
  /** Database user for temporary credentials. */
  dbUser?: string;
  /** Secrets Manager ARN with the database credentials (instead of `dbUser`). */
  secretArn?: string;
  region?: string;
  /** Endpoint override (VPC endpoint, test server). */
  endpoint?: string;
  /** Static credentials; default the AWS default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** First DescribeStatement delay (default 100 ms), doubled up to `pollMaxMs` (default 2000 ms). */
  pollInitialMs?: number;
  pollMaxMs?: number;
  /** Cancel and fail a statement still running after this long (default 1 hour). */
  timeoutMs?: number;
  /** Use this SDK client (tests); default one built from the options. */
  client?: RedshiftDataClient;
}

/** What a finished statement reports. */
export interface StatementOutcome {
  id: string;
  hasResultSet: boolean;
  /** Rows returned or affected (-1 when unknown). */
  resultRows: number;
  sessionId?: string;
}

/** Options of a single statement. */
export interface StatementOptions {
  parameters?: SqlParameter[];
  /** Output column names by position (Redshift folds names to lower case); default the names it returns. */
  names?: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The Data API client: statements outside a session ({@link RedshiftDataApi.execute}, {@link RedshiftDataApi.query})
 * or in one ({@link RedshiftDataApi.session}).
 *
 * @example
 * ```ts
 * const api = new RedshiftDataApi({ workgroupName: "wg", database: "dev", region: "us-east-1" });
 * const s = api.session();
 * await s.execute("CREATE TEMP TABLE t (a BIGINT)");
 * await s.execute("INSERT INTO t VALUES (:a)", { parameters: [{ name: "a", value: "1" }] });
 * const rows = await s.query("SELECT a FROM t");
 * ```
 */
export class RedshiftDataApi {
  readonly client: RedshiftDataClient;
  readonly #opts: DataApiOptions;
  readonly #ownClient: boolean;

  /** @param opts Connection and polling settings. */
  constructor(opts: DataApiOptions) {
    if (!opts.clusterId === !opts.workgroupName) {
      throw new DataApiError(`Give exactly one of settings "cluster_id" and "workgroup_name"`);
    }
    if (!opts.database) throw new DataApiError(`Setting "database" is required`);
    this.#opts = opts;
    this.#ownClient = !opts.client;
    const config: RedshiftDataClientConfig = { region: opts.region ?? "us-east-1", maxAttempts: 3 };
    if (opts.endpoint) config.endpoint = opts.endpoint;
    if (opts.credentials) config.credentials = { ...opts.credentials };
    this.client = opts.client ?? new RedshiftDataClient(config);
  }

  /** The connection fields of a statement outside a session (or the first of one). */
  connection(): Pick<
    ExecuteStatementInput,
    "ClusterIdentifier" | "WorkgroupName" | "Database" | "DbUser" | "SecretArn"
  > {
    const o = this.#opts;
    return {
      ...(o.clusterId ? { ClusterIdentifier: o.clusterId } : { WorkgroupName: o.workgroupName }),
      Database: o.database,
      ...(o.secretArn ? { SecretArn: o.secretArn } : o.dbUser ? { DbUser: o.dbUser } : {}),
    };
  }

  /**
   * Runs one statement (own connection) and waits for it to finish.
   *
   * @example
   * ```ts
   * const { resultRows } = await api.execute("DELETE FROM t WHERE a = :a", { parameters: [{ name: "a", value: "1" }] });
   * ```
   */
  async execute(sql: string, opts: StatementOptions = {}): Promise<StatementOutcome> {
    return await this.run({ ...this.connection(), Sql: sql, ...params(opts.parameters) });
  }

  /**
   * Runs one statement and returns its result set as an Arrow table.
   *
   * @example
   * ```ts
   * const t = await api.query("SELECT COUNT(*) AS n FROM t");
   * ```
   */
  async query(sql: string, opts: StatementOptions = {}): Promise<arrow.Table> {
    const done = await this.execute(sql, opts);
    return await this.fetch(done.id, opts.names);
  }

  /**
   * A session: statements share one connection (temp tables, settings) while it stays alive.
   *
   * @example
   * ```ts
   * const s = api.session({ keepAliveSeconds: 300 });
   * ```
   */
  session(opts: { keepAliveSeconds?: number } = {}): DataApiSession {
    return new DataApiSession(this, opts.keepAliveSeconds ?? 300);
  }

  /**
   * Sends ExecuteStatement with `input` and polls until it ends; throws {@link DataApiError} on FAILED/ABORTED.
   *
   * @example
   * ```ts
   * await api.run({ ...api.connection(), Sql: "SELECT 1" });
   * ```
   */
  async run(input: ExecuteStatementInput): Promise<StatementOutcome> {
    const started = await this.client.send(new ExecuteStatementCommand(input));
    const id = started.Id;
    if (!id) throw new DataApiError("The Data API returned no statement id");
    const desc = await this.wait(id);
    return {
      id,
      hasResultSet: desc.HasResultSet ?? false,
      resultRows: desc.ResultRows ?? -1,
      sessionId: started.SessionId ?? desc.SessionId,
    };
  }

  /**
   * Polls DescribeStatement with exponential backoff until FINISHED (returned), FAILED or ABORTED (thrown).
   *
   * @example
   * ```ts
   * const description = await api.wait(statementId);
   * ```
   */
  async wait(id: string): Promise<DescribeStatementResponse> {
    const initial = this.#opts.pollInitialMs ?? 100, max = this.#opts.pollMaxMs ?? 2000;
    const deadline = Date.now() + (this.#opts.timeoutMs ?? 3_600_000);
    for (let delay = initial;; delay = Math.min(max, delay * 2)) {
      const desc = await this.client.send(new DescribeStatementCommand({ Id: id }));
      if (desc.Status === "FINISHED") return desc;
      if (desc.Status === "FAILED") {
        throw new DataApiError(`Redshift statement "${id}" failed: ${desc.Error ?? "no error message"}`, id);
      }
      if (desc.Status === "ABORTED") throw new DataApiError(`Redshift statement "${id}" was aborted`, id);
      if (Date.now() > deadline) {
        await this.client.send(new CancelStatementCommand({ Id: id })).catch(() => {});
        throw new DataApiError(`Redshift statement "${id}" did not finish in time and was cancelled`, id);
      }
      await sleep(delay);
    }
  }

  /**
   * Reads every page of a finished statement's result (following NextToken) into an Arrow table.
   *
   * @example
   * ```ts
   * const table = await api.fetch(statementId);
   * ```
   */
  async fetch(id: string, names?: string[]): Promise<arrow.Table> {
    const records: Field[][] = [];
    let metadata: ColumnMetadata[] | undefined;
    let token: string | undefined;
    do {
      const page = await this.client.send(new GetStatementResultCommand({ Id: id, NextToken: token }));
      metadata ??= page.ColumnMetadata;
      for (const r of page.Records ?? []) records.push(r);
      token = page.NextToken;
    } while (token);
    return decodeResult(metadata ?? [], records, { names });
  }

  /** Destroys the SDK client when this object built it. */
  close(): Promise<void> {
    if (this.#ownClient) this.client.destroy();
    return Promise.resolve();
  }
}

/**
 * Statements in one Data API session, run one after another.
 *
 * @example
 * ```ts
 * const s = api.session();
 * await s.execute("CREATE TEMP TABLE t AS SELECT 1 AS a");
 * (await s.query("SELECT a FROM t")).numRows; // 1
 * ```
 */
export class DataApiSession {
  #id: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  /** @param api The client. @param keepAliveSeconds How long the session outlives its last statement. */
  constructor(readonly api: RedshiftDataApi, readonly keepAliveSeconds: number) {}

  /** The session id once the first statement ran. */
  get id(): string | undefined {
    return this.#id;
  }

  /**
   * Runs a statement in the session.
   *
   * @example
   * ```ts
   * await session.execute("SET timezone TO 'UTC'");
   * ```
   */
  execute(sql: string, opts: StatementOptions = {}): Promise<StatementOutcome> {
    const next = this.#queue.then(async () => {
      const input: ExecuteStatementInput = this.#id ? { Sql: sql, SessionId: this.#id, ...params(opts.parameters) } : {
        ...this.api.connection(),
        Sql: sql,
        SessionKeepAliveSeconds: this.keepAliveSeconds,
        ...params(opts.parameters),
      };
      const out = await this.api.run(input);
      if (!this.#id) {
        if (!out.sessionId) throw new DataApiError("The Data API started no session (no SessionId returned)", out.id);
        this.#id = out.sessionId;
      }
      return out;
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  /**
   * Runs a statement in the session and returns its result set.
   *
   * @example
   * ```ts
   * const t = await session.query("SELECT * FROM t ORDER BY a");
   * ```
   */
  async query(sql: string, opts: StatementOptions = {}): Promise<arrow.Table> {
    const done = await this.execute(sql, opts);
    return await this.api.fetch(done.id, opts.names);
  }
}

function params(parameters: SqlParameter[] | undefined): Pick<ExecuteStatementInput, "Parameters"> {
  return parameters && parameters.length > 0 ? { Parameters: parameters.map((p) => ({ ...p })) } : {};
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

type Kind = "int64" | "int32" | "float64" | "float32" | "decimal" | "bool" | "timestamp" | "date" | "utf8";

const KINDS: Record<string, Kind> = {
  int8: "int64",
  bigint: "int64",
  int4: "int32",
  int2: "int32",
  integer: "int32",
  smallint: "int32",
  float8: "float64",
  "double precision": "float64",
  float: "float64",
  float4: "float32",
  real: "float32",
  numeric: "decimal",
  decimal: "decimal",
  bool: "bool",
  boolean: "bool",
  timestamp: "timestamp",
  timestamptz: "timestamp",
  "timestamp without time zone": "timestamp",
  "timestamp with time zone": "timestamp",
  date: "date",
};

/**
 * The Arrow type for a Data API column type name (`int8` → Int64, `timestamptz` → Timestamp µs UTC, unknown →
 * Utf8). NUMERIC becomes Float64.
 *
 * @example
 * ```ts
 * arrowTypeFor("int4").toString(); // "Int32"
 * ```
 */
export function arrowTypeFor(typeName: string | undefined): arrow.DataType {
  switch (KINDS[(typeName ?? "").toLowerCase()] ?? "utf8") {
    case "int64":
      return new arrow.Int64();
    case "int32":
      return new arrow.Int32();
    case "float64":
    case "decimal":
      return new arrow.Float64();
    case "float32":
      return new arrow.Float32();
    case "bool":
      return new arrow.Bool();
    case "timestamp":
      return new arrow.TimestampMicrosecond("UTC");
    case "date":
      return new arrow.DateDay();
    default:
      return new arrow.Utf8();
  }
}

function fieldValue(f: Field): unknown {
  if (f.isNull) return null;
  if (f.longValue !== undefined) return f.longValue;
  if (f.doubleValue !== undefined) return f.doubleValue;
  if (f.stringValue !== undefined) return f.stringValue;
  if (f.booleanValue !== undefined) return f.booleanValue;
  if (f.blobValue !== undefined) return f.blobValue;
  return null;
}

function timestampText(v: unknown, column: string): bigint {
  const parsed = typeof v === "string" ? parseTimestamp(v.trim()) : null;
  if (!parsed) throw new DataApiError(`Column "${column}" holds a value that is not a timestamp`);
  return parsed.micros;
}

/**
 * Decodes Data API records (rows of typed fields) into an Arrow table using the column metadata's type names;
 * timestamps are parsed exactly to the microsecond (an offset such as `+00` is honoured; none means UTC).
 *
 * @example
 * ```ts
 * decodeResult([{ name: "a", typeName: "int8" }], [[{ longValue: 1 }], [{ isNull: true }]]).getChild("a")!.toArray();
 * ```
 */
export function decodeResult(
  metadata: readonly ColumnMetadata[],
  records: readonly Field[][],
  opts: { names?: string[] } = {},
): arrow.Table {
  if (opts.names && opts.names.length !== metadata.length) {
    throw new DataApiError(`The result has ${metadata.length} columns, expected ${opts.names.length}`);
  }
  const columns: Record<string, arrow.Vector> = {};
  metadata.forEach((m, c) => {
    const name = opts.names?.[c] ?? m.name ?? m.label ?? `column${c}`;
    const values = records.map((r) => (r[c] ? fieldValue(r[c]) : null));
    columns[name] = decodeColumn(values, m.typeName, name);
  });
  if (metadata.length === 0) return new arrow.Table();
  return new arrow.Table(columns);
}

function decodeColumn(values: unknown[], typeName: string | undefined, name: string): arrow.Vector {
  const type = arrowTypeFor(typeName);
  const n = values.length;
  if (arrow.DataType.isTimestamp(type)) {
    const micros = new BigInt64Array(n);
    const validity = new Uint8Array(n);
    values.forEach((v, i) => {
      if (v === null) return;
      micros[i] = timestampText(v, name);
      validity[i] = 1;
    });
    return timestampVector(micros, { validity });
  }
  if (arrow.DataType.isDate(type)) {
    return arrow.vectorFromArray(
      values.map((v) => (v === null ? null : new Date(Number(timestampText(v, name) / 1000n)))),
      type,
    );
  }
  if (arrow.DataType.isInt(type)) {
    const wide = type.bitWidth === 64;
    return arrow.vectorFromArray(
      values.map((v) => (v === null ? null : wide ? BigInt(v as number | string) : Number(v))),
      type,
    );
  }
  if (arrow.DataType.isFloat(type)) {
    return arrow.vectorFromArray(values.map((v) => (v === null ? null : Number(v))), type);
  }
  if (arrow.DataType.isBool(type)) {
    return arrow.vectorFromArray(
      values.map((v) => (v === null ? null : v === true || v === "t" || v === "true")),
      type,
    );
  }
  return arrow.vectorFromArray(values.map((v) => (v === null ? null : String(v))), new arrow.Utf8());
}
